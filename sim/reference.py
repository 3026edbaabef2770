"""Slow, obviously correct numpy version of the kernel's equations (for tests)."""

from __future__ import annotations

import numpy as np

from .kernel import RATE_FLOOR


def project(
    g0,
    pi0,
    mu_g,
    mu_pi,
    phi_g,
    phi_pi,
    sig_g,
    sig_pi,
    gdp0,
    s0,
    path,
    dmax,
    wbar,
    kappa,
    sig_w,
    speed,
    budget_scale,
    res_cap,
    res_speed,
    u_g,
    u_pi,
    u_w,
    eta,
    zeta,
    w0,
    r0,
):
    """Same inputs as :func:`sim.kernel.project`; returns (core, res, gdp) arrays.

    Vectorised over paths, explicit loops over members and years, written straight
    from the model equations in README.md.
    """
    n_members, n_paths, n_years = u_g.shape
    core = np.empty(u_g.shape)
    res = np.empty(u_g.shape)
    gdp = np.empty(u_g.shape)
    for m in range(n_members):
        g_prev = np.full(n_paths, g0[m])
        pi_prev = np.full(n_paths, pi0[m])
        y = np.full(n_paths, gdp0[m])
        y_real = y.copy()
        plan = np.full(n_paths, s0[m])
        w = w0[m].copy()
        r = r0[m].copy()
        for t in range(n_years):
            # expectations of this year's growth and inflation, formed last year
            eg = mu_g[m] + phi_g[m] * (g_prev - mu_g[m])
            epi = mu_pi[m] + phi_pi[m] * (pi_prev - mu_pi[m])
            y_expected = y * (1 + eg) * (1 + epi)
            # political will: mean-reverting on the logit scale
            w = w + kappa * (wbar[m] - w) + sig_w * u_w[m, :, t]
            will = 1 / (1 + np.exp(-w))
            # planned share: will-dependent step toward the path, capped
            step = np.clip(speed * will * (path[m, t] - plan), -dmax[m], dmax[m])
            plan = np.maximum(plan + step, 0)
            budget = plan / 100 * y_expected * budget_scale
            # realised macro and nominal GDP
            g = np.maximum(eg + sig_g[m] * u_g[m, :, t], RATE_FLOOR)
            pi = np.maximum(epi + sig_pi[m] * u_pi[m, :, t], RATE_FLOOR)
            y = y * (1 + g) * (1 + pi)
            y_real = y_real * (1 + g)
            core[m, :, t] = 100 * budget * eta[m, :, t] / y
            # security / resilience bucket, counted up to the cap
            r = np.maximum(r + will * res_speed * (res_cap - r) + zeta[m, :, t], 0)
            res[m, :, t] = np.minimum(r, res_cap)
            gdp[m, :, t] = y_real
            g_prev, pi_prev = g, pi
    return core, res, gdp
