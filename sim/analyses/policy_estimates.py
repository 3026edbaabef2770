"""Estimators of the policy model's parameters from the historical panel (README,
"Policy model"): plain functions of [year, member] arrays, called by
:func:`sim.analyses.calibrate.calibrate` with the data up to its as-of year.

- :func:`revisions`: commitment revisions as compound-Poisson jumps, from the moments
  of annual changes of the log share (variance, first autocovariance, kurtosis);
- :func:`member_scales`: each member's revision s.d. relative to the pool, its own
  changes shrunk toward the pool by empirical Bayes (credibility);
- :func:`landing`: the share of near misses topped up to a committed level, from the
  bunching of shares just above it;
- :func:`gap_closing`: will levels per group, from how fast members closed the gap to
  the 2% pledge path;
- :func:`threat_step`: commitments raised per unit of threat level, from the change
  in shares after the 2014 step (Crimea) across exposures;
- :func:`debt_stress`: whether shares fall when debt is high (informational: the
  model adds no such cut, the estimate finds none);
- :func:`consolidation`: the cut in the share after a recession, from the change in
  the share over the years around one.
"""

from __future__ import annotations

import numpy as np

MAX_RATE = 3.0
"""Jump rates above 3 a year are not told apart from Gaussian revisions: capped."""
SPIKE = 0.4
"""A change of the log share above 0.4 (about +-50%) that the next year reverses by at
least half is a one-year spike (a one-off payment such as Bulgaria's 2019 fighter purchase, or a conflict year
such as North Macedonia's 2001), not a revision of policy: both changes left out."""


def without_spikes(d: np.ndarray) -> np.ndarray:
    """Annual changes ``d`` [year, member] with one-year spikes (SPIKE) set to NaN."""
    out = d.copy()
    with np.errstate(invalid="ignore"):
        spike = (np.abs(d[:-1]) > SPIKE) & (d[:-1] * d[1:] < 0) & (
            np.abs(d[1:]) >= 0.5 * np.abs(d[:-1])
        )  # fmt: skip
    out[:-1][spike] = np.nan
    out[1:][spike] = np.nan
    return out


def revisions(share: np.ndarray, normal: np.ndarray, rate_common: float) -> dict:
    """Commitment revisions [fraction of the share] from the annual changes of the log
    of ``share`` [year, member] into the ``normal`` [year] years, pooled over members
    (relative changes: a member at 4% revises by twice as many pp as one at 2%).

    Changes are persistent revisions (compound Poisson: rate lambda, N(0, sd^2) jumps)
    plus transitory noise (outturn, reporting) of variance s2, so
    var(d) = lambda sd^2 + 2 s2, cov(d_t, d_t-1) = -s2 and the fourth cumulant of d is
    3 lambda sd^4 (transitory noise taken as Gaussian).  A positive first
    autocorrelation instead (a ramp-up, once begun, goes on) is the ``momentum`` of
    revisions: the AR(1) coefficient of the yearly revision (s2 = 0 then).  ``rate_member`` is lambda less
    the alliance-wide ``rate_common`` (revisions.rate_common, same size distribution).
    """
    d = log_changes(share)
    ok = np.isfinite(d) & normal[1:, None]
    x = d[ok]
    x = x - x.mean()
    var = float(x.var(ddof=1))
    pair = ok[1:] & ok[:-1]
    mean = d[ok].mean()
    a, b = d[1:][pair] - mean, d[:-1][pair] - mean
    cov1 = float((a * b).mean())
    s2 = max(-cov1, 0.0)
    momentum = max(cov1 / var, 0.0)
    v_p = max(var - 2 * s2, 0.1 * var)
    k4 = float((x**4).mean() - 3 * var**2)
    sd2 = max(k4 / (3 * v_p), v_p / MAX_RATE)
    rate = v_p / sd2
    return {
        "rate_member": round(max(rate - rate_common, 0.0), 4),
        "momentum": round(momentum, 4),
        "sd": round(float(np.sqrt(sd2)), 4),
        "transitory_sd": round(float(np.sqrt(s2)), 4),
        "n_changes": int(x.size),
        "n_spikes_left_out": int(
            (np.isfinite(share[1:] - share[:-1]) & ~np.isfinite(d)).sum()
        ),
        "n_jumps": round(rate * x.size, 1),
        "change_sd": round(float(np.sqrt(var)), 4),
    }


def log_changes(share: np.ndarray) -> np.ndarray:
    """Annual changes of the log of ``share`` [year, member], one-year spikes left
    out (NaN): what :func:`revisions` and :func:`member_scales` are estimated from."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.where(share > 0, share, np.nan))
    return without_spikes(logs[1:] - logs[:-1])


def member_scales(share: np.ndarray, normal: np.ndarray, pooled: np.ndarray) -> dict:
    """Each member's revision s.d. as a multiple of the pooled one: its own variance
    of log-share changes, shrunk toward the pool by empirical Bayes.

    Data: d_it, the changes of :func:`log_changes` of ``share`` [year, member] [% GDP]
    into the ``normal`` [year] years; x_it = (d_it - mu)^2 with mu the pooled mean change, n_i the
    member's changes, xbar_i their mean (its own variance [log-points^2]).
    Model: E[x_it | i] = s_i^2, the member's variance, which varies across members
    around m = E[s_i^2] with variance a; within a member Var(x_it | i) has mean e.
    Hyperparameters by the method of moments over the ``pooled`` [member] members
    (Buhlmann-Straub, no distributional assumption; N = sum n_i, I members):
    m = sum n_i xbar_i / N (the pooled variance), e = sum_i sum_t (x_it - xbar_i)^2 /
    sum (n_i - 1), a = (sum n_i (xbar_i - m)^2 - (I - 1) e) / (N - sum n_i^2 / N);
    a <= 0 (no heterogeneity beyond sampling noise): every member gets the pool.
    Estimate (the best linear predictor of s_i^2, the posterior mean under a
    scaled-inverse-chi2 prior on s_i^2 with Gaussian changes):
    s_i^2 = w_i xbar_i + (1 - w_i) m, weight w_i = n_i / (n_i + k), k = e / a: the
    member's number of changes against the k changes the prior is worth.  A member
    with no changes (or outside ``pooled``, whose own changes are still used: its own
    past) gets m from the others.  ``scale`` = sqrt(s_i^2 / m) multiplies the pooled
    revision s.d.; rate and momentum stay pooled.
    Uncertainty of s_i^2: the same posterior mean in Gaussian-equivalent units: each
    change is worth 1/c Gaussian ones, c = e / (2 (a + m^2)) = (2 + excess kurtosis
    within members) / 2, so the prior is scaled-inverse-chi2 with 2 + k/c degrees of
    freedom and the posterior has ``dof`` = 2 + (k + n_i) / c (null when a <= 0).
    Assumes changes independent within a member (momentum, 0.17, is ignored here).
    """
    d = log_changes(share)
    ok = np.isfinite(d) & normal[1:, None]
    pool = np.asarray(pooled, bool)
    mu = d[ok & pool].mean()
    x = np.where(ok, (d - mu) ** 2, 0.0)
    n = ok.sum(0)
    with np.errstate(invalid="ignore"):
        xbar = x.sum(0) / n
    use = pool & (n >= 2)
    ni, xi = n[use], xbar[use]
    total = ni.sum()
    m = float((ni * xi).sum() / total)
    e = float(((x - xbar) ** 2 * ok)[:, use].sum() / (ni - 1).sum())
    a = float(((ni * (xi - m) ** 2).sum() - (use.sum() - 1) * e)
              / (total - (ni**2).sum() / total))  # fmt: skip
    k = e / a if a > 0 else np.inf
    w = np.where(n > 0, n / (n + k), 0.0)
    s2 = np.where(n > 0, w * np.nan_to_num(xbar) + (1 - w) * m, m)
    c = e / (2 * (max(a, 0.0) + m * m))
    dof = 2 + (k + n) / c if a > 0 else np.full(n.size, np.nan)
    return {
        "pooled_var": m,
        "within_var": e,
        "between_var": a,
        "prior_changes": k,
        "kurtosis_factor": c,
        "n_changes": n,
        "own_sd": np.sqrt(xbar),
        "weight": w,
        "scale": np.sqrt(s2 / m),
        "dof": dof,
    }


def landing(share: np.ndarray, level: float, band: float) -> dict:
    """Share of the member-years just below ``level`` that are topped up to it.

    With a smooth density, shares in [level - band, level) and [level, level + band)
    are about equally many; topping up a fraction q of those below moves them above:
    below = m (1 - q), above = m (1 + q).  Jeffreys posterior of (1 + q) / 2:
    Beta(above + 1/2, below + 1/2); q = max(2 theta - 1, 0).  Returns the posterior
    parameters and mean of q (by numerical integration of the clipped transform).
    """
    v = share[np.isfinite(share)]
    below = int(((v >= level - band) & (v < level)).sum())
    above = int(((v >= level) & (v < level + band)).sum())
    a, b = above + 0.5, below + 0.5
    theta = np.linspace(0.0005, 0.9995, 1000)
    logw = (a - 1) * np.log(theta) + (b - 1) * np.log1p(-theta)
    w = np.exp(logw - logw.max())  # the posterior on a grid, without overflow
    q_mean = float((np.maximum(2 * theta - 1, 0) * w).sum() / w.sum())
    return {
        "level": level,
        "band_pp": band,
        "below": below,
        "above": above,
        "beta_a": a,
        "beta_b": b,
        "p_topup": round(q_mean, 4),
    }


def consolidation(
    share: np.ndarray, growth: np.ndarray, keep: np.ndarray, recession: float
) -> dict:
    """Cut in the share [pp] after a recession.

    ``share`` [year, member] [% GDP], ``growth`` real GDP growth [% / yr], ``keep``
    [year] the usable years.  The change in the share from the year before a recession
    (growth below ``recession`` [%]) to two years after it, less the mean change over
    all such three-year windows: the denominator's dip and rebound cancel over the
    window (as in the model, where budgets are set as shares of expected GDP), what is
    left is the budget response.  Positive = shares cut after recessions.
    """
    three = share[3:] - share[:-3]  # [i]: from year i to i + 3; recession in i + 1
    ok = np.isfinite(three) & keep[3:, None] & keep[:-3, None]
    ok &= keep[1:-2, None] & keep[2:-1, None]
    rec = ok & (growth[1:-2] < recession)
    if rec.sum() < 3:
        return {"consolidation_pp": 0.0, "n_recessions": int(rec.sum())}
    excess = float(three[rec].mean() - three[ok].mean())
    return {
        "consolidation_pp": round(max(-excess, 0.0), 4),
        "n_recessions": int(rec.sum()),
        "n_windows": int(ok.sum()),
        "recession_growth_pct": recession,
    }


def gap_closing(
    share: np.ndarray,
    years: np.ndarray,
    groups: list[str],
    fit: tuple[int, int],
    level: float = 2.0,
    base: int = 2014,
    deadline: int = 2024,
    min_gap: float = 0.05,
) -> dict:
    """Share of the gap to the pledge path closed per year, per group, and its logit
    (the will level ``will.mean_logit`` that gives it at speed 1).

    ``share`` [year, member] over ``years`` (``base`` included), ``groups`` [member].
    The pledge path is linear from the ``base``-year share to ``level`` at ``deadline``
    (never below the base share); for member-years in ``fit`` (inclusive) more than
    ``min_gap`` below it, the change is regressed on the gap without intercept (the
    model's plan step speed x W x gap, its revisions having mean 0).
    """
    k0 = int(np.flatnonzero(years == base)[0])
    s0 = share[k0]
    out = {}
    for g in dict.fromkeys(groups):
        cols = [i for i, x in enumerate(groups) if x == g]
        xs, ys = [], []
        for t in range(fit[0], fit[1] + 1):
            k = int(np.flatnonzero(years == t)[0])
            frac = min((t - base) / (deadline - base), 1.0)
            path = np.maximum(s0[cols] + (level - s0[cols]) * frac, s0[cols])
            gap = path - share[k - 1, cols]
            dy = share[k, cols] - share[k - 1, cols]
            ok = np.isfinite(gap) & np.isfinite(dy) & (gap > min_gap)
            xs.append(gap[ok])
            ys.append(dy[ok])
        x, y = np.concatenate(xs), np.concatenate(ys)
        if x.size < 5:
            continue
        beta = float((x * y).sum() / (x * x).sum())
        b = min(max(beta, 0.02), 0.98)
        out[g] = {
            "closed_per_year": round(beta, 4),
            "mean_logit": round(float(np.log(b / (1 - b))), 2),
            "n": int(x.size),
        }
    return out


def threat_step(before: np.ndarray, after: np.ndarray, exposure: np.ndarray) -> dict:
    """Commitment raised per unit of threat level at exposure 1 [pp]: the slope of
    the share change ``after`` - ``before`` [member] on ``exposure`` [member] (OLS with
    intercept, members with both shares), for a step of one threat level between the
    two years (the 2014 step, moderate -> high)."""
    d = after - before
    ok = np.isfinite(d) & np.isfinite(exposure)
    x, y = exposure[ok], d[ok]
    xc = x - x.mean()
    slope = float((xc * (y - y.mean())).sum() / (xc * xc).sum())
    resid = y - y.mean() - slope * xc
    se = float(np.sqrt((resid**2).sum() / (x.size - 2) / (xc * xc).sum()))
    return {"commitment_pp": round(slope, 2), "se": round(se, 2), "n": int(x.size)}


def debt_stress(
    share: np.ndarray, debt: np.ndarray, keep: np.ndarray, threshold: float
) -> dict:
    """Annual share change [pp] regressed (OLS with intercept, pooled) on last year's
    gross debt above ``threshold`` [% GDP] per 10 pp: the slope and its s.e.
    ``share``, ``debt`` [year, member]; ``keep`` [year] the usable years."""
    d = share[1:] - share[:-1]
    x = np.maximum(debt[:-1] - threshold, 0.0) / 10.0
    ok = np.isfinite(d) & np.isfinite(x) & keep[1:, None] & keep[:-1, None]
    X = np.column_stack([np.ones(ok.sum()), x[ok]])
    y = d[ok]
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    e = y - X @ b
    cov = np.linalg.inv(X.T @ X) * (e @ e) / (y.size - 2)
    return {
        "slope_pp_per_10pp": round(float(b[1]), 4),
        "se": round(float(np.sqrt(cov[1, 1])), 4),
        "n": int(y.size),
        "n_above": int((x[ok] > 0).sum()),
        "threshold_pct": threshold,
    }
