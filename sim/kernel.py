"""Numba kernel: project every member's paths year by year from pre-drawn shocks."""

from __future__ import annotations

import os

import numba
import numpy as np

_CACHE = os.environ.get("SIM_NUMBA_CACHE", "1") != "0"
RATE_FLOOR = -0.5
"""Growth and inflation below -50 %/yr are floored: a numerical guard against extreme
Student-t draws turning nominal GDP negative, far outside any observed year."""


@numba.njit(nogil=True, cache=_CACHE)
def project(
    g0, pi0, mu_g, mu_pi, phi_g, phi_pi, sig_g, sig_pi,  # [member] macro
    gdp0, s0, path, dmax, wbar, kappa, sig_w, speed, budget_scale,  # plan
    res_cap, res_speed,  # resilience
    debt0, deficit, drag_mask, drag_coef, threshold, debt_financed, interest,  # fiscal
    dip, pool, g_shock, fixed_rate,  # dip [m, y]; pool [m]; shock [y]; fixed plan [m]
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
        for p in range(n_paths):
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
                if np.isnan(fixed_rate[m]):
                    step = speed * will * (path[m, k, t] - added - plan)
                    step = min(max(step, -dmax[m]), dmax[m])
                    plan = max(plan + step, 0.0)
                else:  # a fixed plan: constant increase from the base year (requirement)
                    plan = max(s0[m] + fixed_rate[m] * (t + 1), 0.0)
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


@numba.njit(nogil=True, cache=_CACHE, inline="always")
def from_normal(table, z, lo, inv_step, steps):
    """Tabulated F^-1(Phi(z)) (see :mod:`sim.sampling`; numpy twin: ``transform``)."""
    x = min(max((z - lo) * inv_step, 0.0), float(steps))
    i = min(int(x), steps - 1)
    frac = x - i
    return table[i] + frac * (table[i + 1] - table[i])


@numba.njit(nogil=True, cache=_CACHE)
def draw_member(
    g_macro, g_jumps, g_elect, g_reclass, g_report, g_boot, g_exec,  # Generators
    df, a_g, a_pi, a_w, c, exec_mean, exec_sd, noise_sd, wbar, initial_sd,
    gamma_tab, beta_tab, z_lo, inv_step, steps,
    prior_mean, prior_sd, res_noise_sd,
    jumps_on, rate_member, jump_mean, jump_sd,
    elect_on, election, p_change, p_up, jump_size,
    reclass_on, reclass_rate, report_on,
    f_g, f_pi, f_w, common_offset, common_jump, boot, z_hist_g, z_hist_pi,
    u_g, u_pi, u_w, eta, zeta, w_offset, w_jump, noise, w0, r0, reclass_start,
):  # fmt: skip
    """One member's shocks for one chunk, drawn in exactly the order of
    :func:`sim.shocks.draw_member` (numpy), so both give identical numbers.

    Outputs are [path, year] (``w0``, ``r0``, ``reclass_start``: [path]).
    ``common_offset`` already holds the member's threat and US-stance will shift;
    ``boot`` [path, year] indexes rows of the residual panels (-1: no bootstrap).
    """
    n, n_years = u_g.shape
    sq_g = np.sqrt(1.0 - a_g * a_g)
    sq_pi = np.sqrt(1.0 - a_pi * a_pi)
    sq_w = np.sqrt(1.0 - a_w * a_w)
    sq_c = np.sqrt(1.0 - c * c)
    for p in range(n):  # bivariate t: two normals, then one shared chi-square
        for t in range(n_years):
            u_g[p, t] = g_macro.standard_normal()
    for p in range(n):
        for t in range(n_years):
            u_pi[p, t] = g_macro.standard_normal()
    for p in range(n):
        for t in range(n_years):
            mix = 1.0
            if df > 0:
                z = g_macro.standard_normal()
                gam = from_normal(gamma_tab, z, z_lo, inv_step, steps)
                mix = np.sqrt((df - 2.0) / (2.0 * gam))
            ug = a_g * f_g[p, t] + sq_g * (u_g[p, t] * mix)
            own = a_pi * f_pi[p, t] + sq_pi * (u_pi[p, t] * mix)
            u_g[p, t] = ug
            u_pi[p, t] = c * ug + sq_c * own
    for p in range(n):
        for t in range(n_years):
            u_w[p, t] = a_w * f_w[p, t] + sq_w * g_macro.standard_normal()
    if exec_sd > 0:
        for p in range(n):
            for t in range(n_years):
                z = g_exec.standard_normal()
                eta[p, t] = from_normal(beta_tab, z, z_lo, inv_step, steps)
    else:
        eta[:, :] = exec_mean
    for p in range(n):
        for t in range(n_years):
            zeta[p, t] = res_noise_sd * g_macro.standard_normal()
    for p in range(n):
        w0[p] = wbar + initial_sd * g_macro.standard_normal()
    for p in range(n):
        r0[p] = max(prior_mean + prior_sd * g_macro.standard_normal(), 0.0)
    if boot[0, 0] >= 0:  # whole historical years, jointly across members
        for p in range(n):
            for t in range(n_years):
                v = z_hist_g[boot[p, t]]
                u_g[p, t] = v if np.isfinite(v) else np.nan
        for p in range(n):
            for t in range(n_years):
                if not np.isfinite(u_g[p, t]):
                    u_g[p, t] = g_boot.standard_normal()
        for p in range(n):
            for t in range(n_years):
                v = z_hist_pi[boot[p, t]]
                u_pi[p, t] = v if np.isfinite(v) else g_boot.standard_normal()

    for p in range(n):
        for t in range(n_years):
            w_offset[p, t] = common_offset[p, t]
    counts = np.empty((n, n_years))
    for p in range(n):
        for t in range(n_years):
            counts[p, t] = g_jumps.poisson(rate_member)
    for p in range(n):
        for t in range(n_years):
            z = g_jumps.standard_normal() if counts[p, t] > 0 else 0.0
            own = counts[p, t] * jump_mean + jump_sd * np.sqrt(counts[p, t]) * z
            w_jump[p, t] = common_jump[p, t] + own if jumps_on else 0.0
    for p in range(n):  # u_change, drawn for election years only
        for t in range(n_years):
            counts[p, t] = g_elect.random() if election[t] else 1.0
    for p in range(n):
        for t in range(n_years):
            if election[t]:
                u_sign = g_elect.random()
                if elect_on and counts[p, t] < p_change:
                    w_jump[p, t] += jump_size if u_sign < p_up else -jump_size
    for p in range(
        n
    ):  # first success via an exponential clock (politics.first_success)
        e = g_reclass.standard_exponential()
        reclass_start[p] = n_years
        if reclass_on:
            hazard = 0.0
            for t in range(n_years):
                hazard += -np.log1p(-reclass_rate[p, t])
                if hazard >= e:
                    reclass_start[p] = t
                    break
    for p in range(n):
        for t in range(n_years):
            z = g_report.standard_normal()
            noise[p, t] = noise_sd * z if report_on else 0.0


@numba.njit(nogil=True, cache=_CACHE, inline="always")
def _bin(x, lo, inv_width, n_bins):
    if not np.isfinite(x):
        return n_bins - 1
    b = np.floor((x - lo) * inv_width)
    return int(min(max(b, 0.0), n_bins - 1.0))


@numba.njit(nogil=True, cache=_CACHE)
def reduce_member(
    core, res, gdp, debt,  # [path, year] one member's outputs
    levels, is_total, tol, line, fx_share, fx_money, specs,
    meet, meet_by, on_path, core_sum, total_sum, shortfall,  # member slices
    h_core, h_total, h_res, h_debt,  # member slices [year, bin]
    count, d_core, d_total, y_sum,  # thread accumulators [.., path, year]
    hits,  # [target, path, year] uint8 per-path "met" flags, or size 0 on the path axis
):  # fmt: skip
    """Add one counted member's paths to the mergeable integer reductions.

    ``specs`` rows are (lo, 1/width, n_bins) of the core, total, res and debt
    histograms; ``levels``/``is_total`` describe the targets.
    """
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
    count, d_core, d_total, y_sum, levels, is_total, tol, specs,
    n_meeting, alliance_meet, h_core, h_total,
):  # fmt: skip
    """Alliance reductions from the summed per-path accumulators of all members."""
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
