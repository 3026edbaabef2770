"""Numba kernel: project every member's paths year by year from pre-drawn shocks."""

from __future__ import annotations

import os

import numba
import numpy as np

from .model import commitment, fiscal, landing, macro, plan, reporting, resilience, will
from .model.inputs import (
    DrawParams,
    Draws,
    Members,
    MemberSums,
    Outputs,
    PathSums,
    Scalars,
    Targets,
)
from .politics import first_success
from .sampling import INV_STEP, STEPS, Z_LO

_CACHE = os.environ.get("SIM_NUMBA_CACHE", "1") != "0"


@numba.njit(nogil=True, cache=_CACHE)
def project(m_: Members, p: Scalars, d: Draws, out: Outputs):
    """Fill ``out``: ``core`` (reported) and ``res`` (counted resilience) [% GDP],
    ``gdp`` (real, base-year US$ bn) and ``debt`` [% GDP], [member, path, year]; and
    what a conditional estimator of P(met) needs (:func:`sim.model.landing.
    p_at_least`): ``pre``, the core share before reporting noise and top-up, and
    ``land``, the probability of a top-up (0 where not due).

    The loop over members, paths and years; each year calls the step functions of
    :mod:`sim.model` in model order (macro expectation, will, plan, budget, realised
    macro, reported share, resilience, debt).  ``m_.path`` is [member, variant, year].
    """
    n_members, n_paths, n_years = d.u_g.shape
    for m in range(n_members):
        for k in range(n_paths):
            g_prev = m_.g0[m]
            pi_prev = m_.pi0[m]
            y = m_.gdp0[m]
            y_real = m_.gdp0[m]
            plan_ = m_.s0[m]
            planned = m_.s0[m]
            x = d.w0[m, k]
            r = d.r0[m, k]
            b = m_.debt0[m]
            added = 0.0
            shift = 0.0
            v = 0.0
            recession = 0.0
            rv = d.variant[m, k]
            for t in range(n_years):
                eg = macro.expected(g_prev, m_.mu_g[m], m_.phi_g[m])
                epi = macro.expected(pi_prev, m_.mu_pi[m], m_.phi_pi[m])
                y_expected = macro.nominal(y, eg, epi)

                x = will.state(x, p.will_reversion, m_.wbar[m], p.will_vol,
                               d.u_w[m, k, t], d.w_jump[m, k, t])  # fmt: skip
                drag = fiscal.drag(p.drag_per_10pp, b, p.threshold, m_.drag_mask[m, t])
                w = will.level(x, d.w_offset[m, k, t], drag)
                if t == d.reclass_start[m, k]:
                    added = m_.pool[m]
                v = commitment.velocity(v, p.momentum, d.rev[m, k, t], planned,
                                        recession, p.consolidation_pp)  # fmt: skip
                shift = shift + v
                offset = d.c_offset[m, k, t]
                fixed = not np.isnan(m_.fixed_rate[m])
                if fixed:  # a constant increase from the base year (sim requirement)
                    path_t = plan.fixed(m_.s0[m], m_.fixed_rate[m], t)
                    plan_ = path_t
                else:
                    path_t = m_.path[m, rv, t]
                    plan_ = plan.toward(plan_, p.will_speed, w,
                                        commitment.anchor(path_t, offset), added,
                                        m_.dmax[m])  # fmt: skip
                commit = commitment.committed(path_t, offset, shift, p.core_level)
                planned = commitment.planned(
                    plan_, commitment.acting(commit, path_t, offset)
                )
                budget = plan.budget(planned, m_.dip[m, t], y_expected, p.budget_scale)

                g = macro.growth(eg, m_.sig_g[m], d.u_g[m, k, t], p.g_shock[t])
                pi = macro.inflation(epi, m_.sig_pi[m], d.u_pi[m, k, t])
                y = macro.nominal(y, g, pi)
                y_real = y_real * (1.0 + g)
                spent = reporting.genuine(budget, d.eta[m, k, t], y)
                core = reporting.core(spent, added, d.noise[m, k, t])
                out.core[m, k, t] = landing.topped_up(
                    core, p.core_level, p.landing_band, path_t, d.u_land[m, k, t],
                    d.p_land[m, k],
                )  # fmt: skip
                out.pre[m, k, t] = reporting.core(spent, added, 0.0)
                out.land[m, k, t] = d.p_land[m, k] * (path_t >= p.core_level)

                r = resilience.spending(r, w, p.resilience_speed, p.resilience_cap,
                                        d.zeta[m, k, t])  # fmt: skip
                out.res[m, k, t] = resilience.counted(
                    r, p.resilience_cap, d.haircut[k, t]
                )
                out.gdp[m, k, t] = y_real
                b = fiscal.debt(b, p.interest, g, pi, m_.deficit[m], p.debt_financed,
                                spent, m_.s0[m])  # fmt: skip
                out.debt[m, k, t] = b
                g_prev = g
                pi_prev = pi
                recession = 1.0 if g < p.recession_growth else 0.0


@numba.njit(nogil=True, cache=_CACHE, inline="always")
def from_normal(table, z, lo, inv_step, steps):
    """Tabulated F^-1(Phi(z)) (see :mod:`sim.sampling`; with numpy: ``transform``)."""
    x = min(max((z - lo) * inv_step, 0.0), float(steps))
    i = min(int(x), steps - 1)
    s = x - i
    return ((table[i, 3] * s + table[i, 2]) * s + table[i, 1]) * s + table[i, 0]


@numba.njit(nogil=True, cache=_CACHE)
def poisson_cdf(rate):
    """Cumulative Poisson(``rate``) probabilities up to where the tail is below 1e-16
    (the last entry set to 1): the table :func:`draw_member` inverts one uniform in."""
    k_max = int(rate + 12.0 * np.sqrt(rate) + 12.0)  # at least 12: cdf[3] exists
    cdf = np.empty(k_max + 1)
    pk = np.exp(-rate)
    acc = 0.0
    for k in range(k_max + 1):
        acc += pk
        cdf[k] = acc
        pk *= rate / (k + 1)
    cdf[k_max] = 1.0
    return cdf


N_MECHANISMS = 8
MACRO, EXECUTION, REVISIONS, LANDING, LANDING_P, ELECTIONS, REPORTING, RECLASS = range(8)  # fmt: skip
"""Indices of the mechanisms in ``redraw`` (:func:`draw_member`); the bootstrap goes
with MACRO, whose growth and inflation shocks it replaces."""
AUX = 3
"""Per-path raw numbers kept beside the draws: the normals behind the initial will and
resilience and the exponential clock of reclassification."""


@numba.njit(nogil=True, cache=_CACHE)
def draw_member(gens, q: DrawParams, d: Draws, redraw, aux):
    """One member's shocks for one chunk (or a block of its paths) into ``d``
    ([path, year]; ``w0``, ``r0``, ``reclass_start``, ``p_land``: [path]), drawn
    from the generators ``gens`` (in the order of :func:`sim.shocks.member_generators`).

    One pass over paths and years: each generator (mechanism) draws its numbers for
    (path 0, year 0), (path 0, year 1), ... in turn, so a mechanism's numbers do not
    depend on what the others draw, and each path's numbers are drawn together (the
    arrays are written once, in memory order).  A mechanism that is off draws nothing.

    ``redraw`` [mechanism] (bool): mechanisms whose numbers are drawn; the others
    keep what ``d`` and ``aux`` [path, AUX] hold from an earlier call with the same
    parameters of that mechanism (analyses that re-run a chunk, :class:`sim.engine.
    DrawCache`).  The alliance-wide shifts, the initial will and
    resilience (from ``aux``) and the reclassification year are always recomputed.
    """
    g_macro, g_jumps, g_elect, g_reclass, g_report, g_boot, g_exec, g_land, g_uncert = (
        gens[:9]
    )
    g_land_p = gens[9]
    df, a_g, a_pi, a_w, c = q.df, q.a_g, q.a_pi, q.a_w, q.c
    u_g, u_pi, u_w, eta, zeta, w0, r0 = d.u_g, d.u_pi, d.u_w, d.eta, d.zeta, d.w0, d.r0
    w_offset, w_jump, noise, starts = d.w_offset, d.w_jump, d.noise, d.reclass_start
    c_offset, rev, u_land, p_land = d.c_offset, d.rev, d.u_land, d.p_land
    f_g, f_pi, f_w, boot = q.f_g, q.f_pi, q.f_w, q.boot
    z_lo, inv_step, steps = Z_LO, INV_STEP, STEPS
    n, n_years = u_g.shape
    sq_g = np.sqrt(1.0 - a_g * a_g)
    sq_pi = np.sqrt(1.0 - a_pi * a_pi)
    sq_w = np.sqrt(1.0 - a_w * a_w)
    sq_c = np.sqrt(1.0 - c * c)
    cdf = poisson_cdf(q.rate_member)
    execution = q.exec_sd > 0
    do_macro, do_exec, do_rev = redraw[MACRO], redraw[EXECUTION], redraw[REVISIONS]
    do_land, do_elect, do_report = redraw[LANDING], redraw[ELECTIONS], redraw[REPORTING]
    for p in range(n):
        scale = 1.0  # parameter uncertainty: rev_sd^2 x dof / chi2(dof) per path
        if do_rev and q.revisions_on and q.rev_dof > 0:
            scale = np.sqrt(q.rev_dof / g_uncert.chisquare(q.rev_dof))
        if not (q.landing_on and q.land_a > 0):
            p_land[p] = q.p_topup if q.landing_on else 0.0
        elif redraw[LANDING_P]:
            p_land[p] = max(2.0 * g_land_p.beta(q.land_a, q.land_b) - 1.0, 0.0)
        for t in range(n_years):
            if (
                do_macro
            ):  # bivariate t (two normals sharing one chi-square), will, resilience
                zg = g_macro.standard_normal()
                zpi = g_macro.standard_normal()
                mix = 1.0
                if df > 0:
                    gam = from_normal(q.gamma_tab, g_macro.standard_normal(), z_lo,
                                      inv_step, steps)  # fmt: skip
                    mix = np.sqrt((df - 2.0) / (2.0 * gam))
                ug = a_g * f_g[p, t] + sq_g * (zg * mix)
                own = a_pi * f_pi[p, t] + sq_pi * (zpi * mix)
                u_g[p, t] = ug
                u_pi[p, t] = c * ug + sq_c * own
                u_w[p, t] = a_w * f_w[p, t] + sq_w * g_macro.standard_normal()
                zeta[p, t] = q.res_noise_sd * g_macro.standard_normal()
            if do_exec:
                if execution:
                    eta[p, t] = from_normal(q.beta_tab, g_exec.standard_normal(), z_lo,
                                            inv_step, steps)  # fmt: skip
                else:
                    eta[p, t] = q.exec_mean
            w_offset[p, t] = (0.0 + q.exposure * q.threat_shift[p, t]) + (
                q.stance_on * q.stance_shift[p, t]
            )
            c_offset[p, t] = (0.0 + q.exposure * q.threat_commit[p, t]) + (
                q.allies_on * q.allies_commit[p, t]
            )
            # revisions: Poisson count by inversion of one uniform, then one normal
            # (always drawn; counts up to 3 without branches, which are hard to predict)
            if do_rev:
                r = 0.0
                if q.revisions_on:
                    u = g_jumps.random()
                    z = g_jumps.standard_normal()
                    k = (u > cdf[0]) + (u > cdf[1]) + (u > cdf[2]) + (u > cdf[3])
                    if k == 4:
                        while u > cdf[k]:
                            k += 1
                    r = k * q.rev_mean + q.rev_sd * scale * np.sqrt(k) * z
                    r += q.common_jump[p, t]
                rev[p, t] = r
            # elections: change of government, then the sign of the will jump
            if do_elect:
                jump = 0.0
                if q.elect_on and q.election[t]:
                    u_change = g_elect.random()
                    u_sign = g_elect.random()
                    if u_change < q.p_change:
                        jump = q.jump_size if u_sign < q.p_up else -q.jump_size
                w_jump[p, t] = jump
            if do_land:
                u_land[p, t] = g_land.random() if q.landing_on else 1.0
            if do_report:
                noise[p, t] = (
                    q.noise_sd * g_report.standard_normal() if q.report_on else 0.0
                )
        if do_macro:
            aux[p, 0] = g_macro.standard_normal()
            aux[p, 1] = g_macro.standard_normal()
        w0[p] = q.wbar + q.initial_sd * aux[p, 0]
        r0[p] = max(q.prior_mean + q.prior_sd * aux[p, 1], 0.0)
    if do_macro and boot[0, 0] >= 0:  # whole historical years, jointly across members
        for p in range(n):
            for t in range(n_years):
                v = q.z_hist_g[boot[p, t]]
                u_g[p, t] = v if np.isfinite(v) else g_boot.standard_normal()
                v = q.z_hist_pi[boot[p, t]]
                u_pi[p, t] = v if np.isfinite(v) else g_boot.standard_normal()
    if q.reclass_on:
        if redraw[RECLASS]:  # one exponential clock per path (politics.first_success)
            for p in range(n):
                aux[p, 2] = g_reclass.standard_exponential()
        starts[:] = first_success(aux[:, 2], q.reclass_hazard)
    else:
        starts[:] = n_years


@numba.njit(nogil=True, cache=_CACHE, inline="always")
def _bin(x, lo, inv_width, n_bins):
    if not np.isfinite(x):
        return n_bins - 1
    b = np.floor((x - lo) * inv_width)
    return int(min(max(b, 0.0), n_bins - 1.0))


@numba.njit(nogil=True, cache=_CACHE)
def reduce_member(o: Outputs, line, tg: Targets, ms: MemberSums, ps: PathSums, hits):
    """Add one counted member's paths (``o``: [path, year]) to its mergeable integer
    reductions ``ms`` and the thread's per-path sums ``ps``; ``line`` [year] is the
    member's linear path to the core level; ``hits`` [target, path, year] uint8
    per-path "met" flags, or size 0 on the path axis.
    """
    core, res, gdp, debt = o.core, o.res, o.gdp, o.debt
    levels, is_total, tol, specs = tg.levels, tg.is_total, tg.tol, tg.specs
    fx_share, fx_money = tg.fx_share, tg.fx_money
    meet, meet_by, on_path, shortfall = ms.meet, ms.meet_by, ms.on_path, ms.shortfall
    core_sum, total_sum = ms.core_sum, ms.total_sum
    h_core, h_total, h_res, h_debt = ms.h_core, ms.h_total, ms.h_res, ms.h_debt
    count, d_core, d_total, y_sum = ps.count, ps.d_core, ps.d_total, ps.y_sum
    n, n_years = core.shape
    n_targets = levels.shape[0]
    keep_hits = hits.shape[1] > 0
    for p in range(n):
        met_before = np.zeros(n_targets, dtype=np.bool_)
        still_on = True
        for t in range(n_years):
            c = core[p, t]
            tot = c + res[p, t]
            for k in range(n_targets):
                x = tot if is_total[k] else c
                if x >= levels[k] - tol:
                    meet[k, t] += 1
                    count[k, p, t] += 1
                    met_before[k] = True
                    if keep_hits:
                        hits[k, p, t] = 1
                else:
                    shortfall[k, t] += np.int64(
                        np.rint((levels[k] - x) / 100.0 * gdp[p, t] * fx_money)
                    )
                if met_before[k]:
                    meet_by[k, t] += 1
            still_on = still_on and c >= line[t] - tol
            if still_on:
                on_path[t] += 1
            core_sum[t] += np.int64(np.rint(c * fx_share))
            total_sum[t] += np.int64(np.rint(tot * fx_share))
            h_core[t, _bin(c, specs[0, 0], specs[0, 1], h_core.shape[1])] += 1
            h_total[t, _bin(tot, specs[1, 0], specs[1, 1], h_total.shape[1])] += 1
            h_res[t, _bin(res[p, t], specs[2, 0], specs[2, 1], h_res.shape[1])] += 1
            h_debt[t, _bin(debt[p, t], specs[3, 0], specs[3, 1], h_debt.shape[1])] += 1
            d_core[p, t] += np.int64(np.rint(c / 100.0 * gdp[p, t] * fx_money))
            d_total[p, t] += np.int64(np.rint(tot / 100.0 * gdp[p, t] * fx_money))
            y_sum[p, t] += np.int64(np.rint(gdp[p, t] * fx_money))


@numba.njit(nogil=True, cache=_CACHE)
def reduce_alliance(
    ps: PathSums, tg: Targets, n_meeting, alliance_meet, h_core, h_total
):
    """Alliance reductions from the summed per-path accumulators ``ps`` of all members
    (``tg.specs``: the alliance core and total histograms)."""
    count, d_core, d_total, y_sum = ps.count, ps.d_core, ps.d_total, ps.y_sum
    levels, is_total, tol, specs = tg.levels, tg.is_total, tg.tol, tg.specs
    n_targets, n, n_years = count.shape
    for p in range(n):
        for t in range(n_years):
            core = 100.0 * d_core[p, t] / y_sum[p, t]
            tot = 100.0 * d_total[p, t] / y_sum[p, t]
            h_core[t, _bin(core, specs[0, 0], specs[0, 1], h_core.shape[1])] += 1
            h_total[t, _bin(tot, specs[1, 0], specs[1, 1], h_total.shape[1])] += 1
            for k in range(n_targets):
                n_meeting[k, t, count[k, p, t]] += 1
                x = tot if is_total[k] else core
                if x >= levels[k] - tol:
                    alliance_meet[k, t] += 1
