"""Slow reference of the kernel's loop: the same step functions (:mod:`sim.model`),
vectorised over paths, with plain numpy bookkeeping (for tests and ``engine="numpy"``).

It checks the loop of :func:`sim.kernel.project` (state carried year to year, the
order of the steps, which draw feeds which step), not the equations themselves, which
live once in :mod:`sim.model` and are tested there against hand computations.
"""

from __future__ import annotations

import numpy as np

from .model import commitment, fiscal, landing, macro, plan, reporting, resilience, will
from .model.inputs import Draws, Members, Outputs, Scalars


def project(m_: Members, p: Scalars, d: Draws) -> Outputs:
    """Same inputs as :func:`sim.kernel.project`; returns the filled :class:`Outputs`."""
    n_members, n_paths, n_years = d.u_g.shape
    out = Outputs.empty(d.u_g.shape)
    for m in range(n_members):
        g_prev = np.full(n_paths, m_.g0[m])
        pi_prev = np.full(n_paths, m_.pi0[m])
        y = np.full(n_paths, m_.gdp0[m])
        y_real = y.copy()
        plan_ = np.full(n_paths, m_.s0[m])
        planned = plan_.copy()
        x = d.w0[m].copy()
        r = d.r0[m].copy()
        b = np.full(n_paths, m_.debt0[m])
        added = np.zeros(n_paths)
        shift = np.zeros(n_paths)
        v = np.zeros(n_paths)
        recession = np.zeros(n_paths)
        target = m_.path[m][d.variant[m]]  # [path, year]: each path's variant
        for t in range(n_years):
            eg = macro.expected(g_prev, m_.mu_g[m], m_.phi_g[m])
            epi = macro.expected(pi_prev, m_.mu_pi[m], m_.phi_pi[m])
            y_expected = macro.nominal(y, eg, epi)
            x = will.state(x, p.will_reversion, m_.wbar[m], p.will_vol, d.u_w[m, :, t],
                           d.w_jump[m, :, t])  # fmt: skip
            drag = fiscal.drag(p.drag_per_10pp, b, p.threshold, m_.drag_mask[m, t])
            w = will.level(x, d.w_offset[m, :, t], drag)
            added = np.where(d.reclass_start[m] == t, m_.pool[m], added)
            v = commitment.velocity(v, p.momentum, d.rev[m, :, t], planned, recession,
                                    p.consolidation_pp)  # fmt: skip
            shift = shift + v
            offset = d.c_offset[m, :, t]
            if np.isnan(m_.fixed_rate[m]):
                path_t = target[:, t]
                plan_ = plan.toward(plan_, p.will_speed, w,
                                    commitment.anchor(path_t, offset), added, m_.dmax[m])  # fmt: skip
            else:
                path_t = np.full(n_paths, plan.fixed(m_.s0[m], m_.fixed_rate[m], t))
                plan_ = path_t
            commit = commitment.committed(path_t, offset, shift, p.core_level)
            planned = commitment.planned(
                plan_, commitment.acting(commit, path_t, offset)
            )
            budget = plan.budget(planned, m_.dip[m, t], y_expected, p.budget_scale)
            g = macro.growth(eg, m_.sig_g[m], d.u_g[m, :, t], p.g_shock[t])
            pi = macro.inflation(epi, m_.sig_pi[m], d.u_pi[m, :, t])
            y = macro.nominal(y, g, pi)
            y_real = y_real * (1.0 + g)
            spent = reporting.genuine(budget, d.eta[m, :, t], y)
            core = reporting.core(spent, added, d.noise[m, :, t])
            out.core[m, :, t] = landing.topped_up(
                core, p.core_level, p.landing_band, path_t, d.u_land[m, :, t],
                d.p_land[m],
            )  # fmt: skip
            out.pre[m, :, t] = reporting.core(spent, added, 0.0)
            out.land[m, :, t] = d.p_land[m] * (path_t >= p.core_level)
            r = resilience.spending(r, w, p.resilience_speed, p.resilience_cap,
                                    d.zeta[m, :, t])  # fmt: skip
            out.res[m, :, t] = resilience.counted(r, p.resilience_cap, d.haircut[:, t])
            out.gdp[m, :, t] = y_real
            b = fiscal.debt(b, p.interest, g, pi, m_.deficit[m], p.debt_financed, spent,
                            m_.s0[m])  # fmt: skip
            out.debt[m, :, t] = b
            g_prev, pi_prev = g, pi
            recession = (g < p.recession_growth).astype(float)
    return out
