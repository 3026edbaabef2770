"""Slow, obviously correct numpy version of the kernel's equations (for tests)."""

from __future__ import annotations

import numpy as np

from .kernel import RATE_FLOOR


def project(
    g0, pi0, mu_g, mu_pi, phi_g, phi_pi, sig_g, sig_pi,
    gdp0, s0, path, dmax, wbar, kappa, sig_w, speed, budget_scale,
    res_cap, res_speed,
    debt0, deficit, drag_mask, drag_coef, threshold, debt_financed, interest,
    dip, pool, g_shock, fixed_rate,
    u_g, u_pi, u_w, eta, zeta, w0, r0,
    w_offset, w_jump, review, reclass_start, noise,
):  # fmt: skip
    """Same inputs as :func:`sim.kernel.project`; returns (core, res, gdp, debt).

    Vectorised over paths, explicit loops over members and years, written straight
    from the model equations in README.md.
    """
    n_members, n_paths, n_years = u_g.shape
    core, res, gdp, debt = (np.empty(u_g.shape) for _ in range(4))
    rows = np.arange(n_paths)
    for m in range(n_members):
        g_prev = np.full(n_paths, g0[m])
        pi_prev = np.full(n_paths, pi0[m])
        y = np.full(n_paths, gdp0[m])
        y_real = y.copy()
        plan = np.full(n_paths, s0[m])
        x = w0[m].copy()
        r = r0[m].copy()
        b = np.full(n_paths, debt0[m])
        added = np.zeros(n_paths)
        target = path[m][review]  # [path, year]: the path after each path's review
        for t in range(n_years):
            # expectations of this year's growth and inflation, formed last year
            eg = mu_g[m] + phi_g[m] * (g_prev - mu_g[m])
            epi = mu_pi[m] + phi_pi[m] * (pi_prev - mu_pi[m])
            y_expected = y * (1 + eg) * (1 + epi)
            # political will: mean-reverting logit state, jumps, offsets, debt drag
            x = x + kappa * (wbar[m] - x) + sig_w * u_w[m, :, t] + w_jump[m, :, t]
            drag = drag_coef * np.maximum(b - threshold, 0) / 10 * drag_mask[m, t]
            will = 1 / (1 + np.exp(-(x + w_offset[m, :, t] - drag)))
            # one-off reclassification: from its year on, counts without new money
            added = np.where(reclass_start[m] == t, pool[m], added)
            # planned share: will-dependent step toward the path, capped
            step = speed * will * (target[rows, t] - added - plan)
            plan = np.maximum(plan + np.clip(step, -dmax[m], dmax[m]), 0)
            if not np.isnan(fixed_rate[m]):  # fixed plan: constant annual increase
                plan = np.full(n_paths, max(s0[m] + fixed_rate[m] * (t + 1), 0.0))
            budget = np.maximum(plan - dip[m, t], 0) / 100 * y_expected * budget_scale
            # realised macro and GDP
            g = np.maximum(eg + sig_g[m] * u_g[m, :, t] + g_shock[t], RATE_FLOOR)
            pi = np.maximum(epi + sig_pi[m] * u_pi[m, :, t], RATE_FLOOR)
            y = y * (1 + g) * (1 + pi)
            y_real = y_real * (1 + g)
            genuine = 100 * budget * eta[m, :, t] / y
            core[m, :, t] = genuine + added + noise[m, :, t]
            # security / resilience bucket, counted up to the cap
            r = np.maximum(r + will * res_speed * (res_cap - r) + zeta[m, :, t], 0)
            res[m, :, t] = np.minimum(r, res_cap)
            gdp[m, :, t] = y_real
            # debt: carried at (1+interest) over nominal growth, plus deficits
            b = b * (1 + interest) / ((1 + g) * (1 + pi)) + deficit[m]
            b = b + debt_financed * (genuine - s0[m])
            debt[m, :, t] = b
            g_prev, pi_prev = g, pi
    return core, res, gdp, debt
