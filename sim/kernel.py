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
    g0,
    pi0,
    mu_g,
    mu_pi,
    phi_g,
    phi_pi,
    sig_g,
    sig_pi,  # [member] macro
    gdp0,
    s0,
    path,
    dmax,
    wbar,
    kappa,
    sig_w,
    speed,
    budget_scale,  # policy
    res_cap,
    res_speed,  # resilience
    u_g,
    u_pi,
    u_w,
    eta,
    zeta,
    w0,
    r0,  # shocks [member, path, (year)]
    core,
    res,
    gdp,  # out [member, path, year]
):
    """Fill ``core`` and ``res`` (counted resilience) [percent], ``gdp`` (real) [bn US$].

    Per year: will moves (mean-reverting logit); the plan closes a will-dependent
    fraction of the gap to the target path, capped at ``dmax``; the budget is fixed
    in money on last year's expectation of nominal GDP; outturn = budget x execution
    rate; share = outturn / realised nominal GDP.
    """
    n_members, n_paths, n_years = u_g.shape
    for m in range(n_members):
        for p in numba.prange(n_paths):
            g_prev = g0[m]
            pi_prev = pi0[m]
            y = gdp0[m]
            y_real = gdp0[m]
            plan = s0[m]
            w = w0[m, p]
            r = r0[m, p]
            for t in range(n_years):
                eg = mu_g[m] + phi_g[m] * (g_prev - mu_g[m])
                epi = mu_pi[m] + phi_pi[m] * (pi_prev - mu_pi[m])
                y_expected = y * (1.0 + eg) * (1.0 + epi)

                w = w + kappa * (wbar[m] - w) + sig_w * u_w[m, p, t]
                will = 1.0 / (1.0 + np.exp(-w))
                step = speed * will * (path[m, t] - plan)
                step = min(max(step, -dmax[m]), dmax[m])
                plan = max(plan + step, 0.0)
                budget = 0.01 * plan * y_expected * budget_scale

                g = max(eg + sig_g[m] * u_g[m, p, t], RATE_FLOOR)
                pi = max(epi + sig_pi[m] * u_pi[m, p, t], RATE_FLOOR)
                y = y * (1.0 + g) * (1.0 + pi)
                y_real = y_real * (1.0 + g)
                core[m, p, t] = 100.0 * budget * eta[m, p, t] / y

                r = max(r + will * res_speed * (res_cap - r) + zeta[m, p, t], 0.0)
                res[m, p, t] = min(r, res_cap)
                gdp[m, p, t] = y_real
                g_prev = g
                pi_prev = pi
