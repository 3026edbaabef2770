"""Numba kernel: project every member's paths year by year from pre-drawn shocks."""

from __future__ import annotations

import os

import numba
import numpy as np

_CACHE = os.environ.get("SIM_NUMBA_CACHE", "1") != "0"
RATE_FLOOR = -0.5
"""Growth and inflation below -50 %/yr are floored: a numerical guard against extreme
Student-t draws turning nominal GDP negative, far outside any observed year."""


@numba.njit(parallel=True, cache=_CACHE)
def project(
    g0, pi0, mu_g, mu_pi, phi_g, phi_pi, sig_g, sig_pi,  # [member] macro
    gdp0, s0, path, dmax, wbar, kappa, sig_w, speed, budget_scale,  # plan
    res_cap, res_speed,  # resilience
    debt0, deficit, drag_mask, drag_coef, threshold, debt_financed, interest,  # fiscal
    dip, pool, g_shock,  # [member, year] election dip; [member] reclassification pool
    u_g, u_pi, u_w, eta, zeta, w0, r0,  # shocks [member, path, (year)]
    w_offset, w_jump, review, reclass_start, noise,  # political draws
    core, res, gdp, debt,  # out [member, path, year]
):  # fmt: skip
    """Fill ``core`` (reported) and ``res`` (counted resilience) [percent of GDP],
    ``gdp`` (real, base-year US$ bn) and ``debt`` [percent of GDP].

    Per year: will moves (mean-reverting logit, plus jumps, plus persistent threat /
    US offsets, minus a high-debt drag); the plan closes a will-dependent fraction of
    the gap to the target path (less any reclassified pool), capped at ``dmax``; the
    budget is fixed in money on last year's expectation of nominal GDP; outturn =
    budget x execution rate; share = outturn / realised nominal GDP (+ reclassified
    spending + reporting noise).  ``path`` is [member, review outcome, year].
    """
    n_members, n_paths, n_years = u_g.shape
    for m in range(n_members):
        for p in numba.prange(n_paths):
            g_prev = g0[m]
            pi_prev = pi0[m]
            y = gdp0[m]
            y_real = gdp0[m]
            plan = s0[m]
            x = w0[m, p]
            r = r0[m, p]
            b = debt0[m]
            added = 0.0
            k = review[p]
            for t in range(n_years):
                eg = mu_g[m] + phi_g[m] * (g_prev - mu_g[m])
                epi = mu_pi[m] + phi_pi[m] * (pi_prev - mu_pi[m])
                y_expected = y * (1.0 + eg) * (1.0 + epi)

                x = x + kappa * (wbar[m] - x) + sig_w * u_w[m, p, t] + w_jump[m, p, t]
                drag = drag_coef * max(b - threshold, 0.0) / 10.0 * drag_mask[m, t]
                w = x + w_offset[m, p, t] - drag
                will = 1.0 / (1.0 + np.exp(-w))
                if t == reclass_start[m, p]:
                    added = pool[m]
                step = speed * will * (path[m, k, t] - added - plan)
                step = min(max(step, -dmax[m]), dmax[m])
                plan = max(plan + step, 0.0)
                budget = 0.01 * max(plan - dip[m, t], 0.0) * y_expected * budget_scale

                g = max(eg + sig_g[m] * u_g[m, p, t] + g_shock[t], RATE_FLOOR)
                pi = max(epi + sig_pi[m] * u_pi[m, p, t], RATE_FLOOR)
                y = y * (1.0 + g) * (1.0 + pi)
                y_real = y_real * (1.0 + g)
                genuine = 100.0 * budget * eta[m, p, t] / y
                core[m, p, t] = genuine + added + noise[m, p, t]

                r = max(r + will * res_speed * (res_cap - r) + zeta[m, p, t], 0.0)
                res[m, p, t] = min(r, res_cap)
                gdp[m, p, t] = y_real
                b = (
                    b * (1.0 + interest) / ((1.0 + g) * (1.0 + pi))
                    + deficit[m]
                    + debt_financed * (genuine - s0[m])
                )
                debt[m, p, t] = b
                g_prev = g
                pi_prev = pi
