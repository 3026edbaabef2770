"""Score differences with standard errors clustered by member: the model against
the naive forecasters in one result (:func:`score_differences`,
:func:`crps_differences`), and one result against another, e.g. a backtest without
and with the 2022 invasion known (:func:`compare_results`)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .. import constants as C
from . import scores


def clustered_difference(diff: np.ndarray, valid: np.ndarray) -> tuple[float, float]:
    """Mean of the score differences ``diff`` [origin, member, year] where ``valid``,
    and its standard error clustered by member (a member's forecasts from several
    origins and years are not independent): sqrt(sum_m (D_m - n_m mean)^2) / n with
    D_m the member's summed differences and n_m its forecasts."""
    n = int(valid.sum())
    if not n:
        return np.nan, np.nan
    per = np.where(valid, diff, 0.0).sum(axis=(0, 2))
    cnt = valid.sum(axis=(0, 2))
    mean = per.sum() / n
    return float(mean), float(np.sqrt(((per - cnt * mean) ** 2).sum()) / n)


def log_loss(p: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Negative log probability of what happened, per forecast (as scores.log_score)."""
    q = np.clip(p, scores.LOG_CLIP, 1 - scores.LOG_CLIP)
    return -np.log(np.where(outcome, q, 1 - q))


def score_differences(prob, outcome, valid) -> dict[str, np.ndarray]:
    """Model minus each forecaster's Brier and log score [forecaster, threshold],
    pooled over origins, each with its member-clustered s.e.
    (:func:`clustered_difference`): ``brier``, ``brier_se``, ``log``, ``log_se``."""
    nf, _, nt = prob.shape[:3]
    out = {k: np.full((nf, nt), np.nan) for k in ("brier", "brier_se", "log", "log_se")}
    for t in range(nt):
        v = valid[:, t]  # [origin, member, year]
        e = np.broadcast_to(outcome[t][None], v.shape)
        p = np.where(v, prob[:, :, t], 0.5)  # [f, origin, m, y]
        losses = {"brier": (p - e) ** 2, "log": log_loss(p, e)}
        for name, loss in losses.items():
            for f in range(nf):
                out[name][f, t], out[f"{name}_se"][f, t] = clustered_difference(
                    loss[0] - loss[f], v
                )
    return out


def brier_differences(prob, outcome, valid) -> tuple[np.ndarray, np.ndarray]:
    """Model minus each forecaster's Brier score [forecaster, threshold] and its
    member-clustered s.e. (:func:`score_differences`)."""
    d = score_differences(prob, outcome, valid)
    return d["brier"], d["brier_se"]


def crps_differences(crps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Model minus each forecaster's mean CRPS [forecaster] over the member-years
    (of every origin) where all forecasters have one, and its member-clustered s.e.;
    ``crps`` [forecaster, origin, member, year] [pp].  The CRPS is the Brier score
    integrated over all thresholds: this tests the whole distribution at once."""
    valid = np.isfinite(crps).all(axis=0)
    pairs = [clustered_difference(crps[0] - c, valid) for c in crps]
    return np.array([d for d, _ in pairs]), np.array([s for _, s in pairs])


def compare_results(a: xr.Dataset, b: xr.Dataset, years=None, forecaster="model"):
    """Two backtest or skill results (``a``, ``b``: the same origins, members and
    thresholds, e.g. without and with the 2022 invasion known) scored on ``years``
    (default all).  One row per score: the Brier and log score of ``forecaster`` at
    each threshold [% of GDP], and its CRPS [pp] (the whole distribution: the Brier
    score integrated over every threshold); columns ``n`` (forecasts), ``a``, ``b``
    (mean scores), ``b - a`` with its member-clustered ``se`` and ``z`` = (b - a)/se."""
    import pandas as pd
    import yaml

    years = list(a[C.YEAR].values if years is None else years)
    tol = yaml.safe_load(a.attrs["config"])["meet_tolerance"]
    obs = a.observed.sel(year=years).values  # [member, year]
    sel = {"forecaster": forecaster, "year": years}
    pa, pb = (x.p_forecast.sel(sel).values for x in (a, b))  # [origin, thr, m, y]
    rows = []

    def row(score, t, la, lb, v):
        d, se = clustered_difference(lb - la, v)
        rows.append({"score": score, "threshold": t, "n": int(v.sum()),
                     "a": la[v].mean(), "b": lb[v].mean(), "b - a": d, "se": se,
                     "z": d / se if se > 0 else np.nan})  # fmt: skip

    for k, t in enumerate(a[C.THRESHOLD].values):
        e = np.broadcast_to(obs >= t - tol, pa[:, k].shape)
        v = np.isfinite(pa[:, k]) & np.isfinite(pb[:, k]) & np.isfinite(obs)
        qa, qb = np.where(v, pa[:, k], 0.5), np.where(v, pb[:, k], 0.5)
        row("Brier", f"{float(t):g}", (qa - e) ** 2, (qb - e) ** 2, v)
        row("log", f"{float(t):g}", log_loss(qa, e), log_loss(qb, e), v)
    ca, cb = (x.crps_member.sel(sel).values for x in (a, b))  # [origin, member, year]
    row("CRPS", "all", ca, cb, np.isfinite(ca) & np.isfinite(cb))
    return (
        pd.DataFrame(rows)
        .set_index(["score", "threshold"])
        .sort_index(level="score", sort_remaining=False)
    )
