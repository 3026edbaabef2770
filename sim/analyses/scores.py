"""Proper scores for probability and distribution forecasts (plain numpy)."""

from __future__ import annotations

import math

import numpy as np

LOG_CLIP = 1e-4
"""Probabilities are clipped to [1e-4, 1 - 1e-4] in the log score, so a forecast of
exactly 0 or 1 that turns out wrong costs log(1e4) = 9.2 instead of infinity."""


def brier(p: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared difference between probability and 0/1 outcome (lower is better)."""
    return float(np.mean((p - outcome) ** 2))


def log_score(p: np.ndarray, outcome: np.ndarray) -> float:
    """Mean negative log probability given to what happened (lower is better)."""
    q = np.clip(p, LOG_CLIP, 1 - LOG_CLIP)
    return float(np.mean(-np.log(np.where(outcome, q, 1 - q))))


def reliability(p: np.ndarray, outcome: np.ndarray, n_bins: int = 10):
    """Per forecast-probability bin [0, 0.1), ..., [0.9, 1]: count, mean forecast,
    observed frequency (NaN for empty bins)."""
    idx = np.minimum((p * n_bins).astype(int), n_bins - 1)
    count = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore"):
        mean_p = np.bincount(idx, weights=p, minlength=n_bins) / count
        freq = np.bincount(idx, weights=outcome.astype(float), minlength=n_bins) / count
    return count, mean_p, freq


def interval_coverage(lower, upper, y) -> tuple[int, int]:
    """(outcomes inside [lower, upper], outcomes with an interval and a value)."""
    lower, upper, y = (np.asarray(a, dtype=float) for a in (lower, upper, y))
    ok = np.isfinite(lower) & np.isfinite(upper) & np.isfinite(y)
    inside = ok & (lower <= y) & (y <= upper)
    return int(inside.sum()), int(ok.sum())


def crps_sample(samples: np.ndarray, y: float) -> float:
    """CRPS of the empirical distribution of ``samples`` at observation ``y``.

    E|X - y| - E|X - X'|/2, with the second term from the sorted samples exactly.
    """
    x = np.sort(np.asarray(samples, dtype=float))
    n = x.size
    first = np.abs(x - y).mean()
    i = np.arange(1, n + 1)
    second = 2.0 * ((2 * i - n - 1) * x).sum() / n**2
    return float(first - 0.5 * second)


def crps_normal(mu: float, sigma: float, y: float) -> float:
    """Closed-form CRPS of N(mu, sigma^2) at ``y`` (Gneiting and Raftery 2007)."""
    if sigma == 0:
        return abs(y - mu)
    z = (y - mu) / sigma
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    cdf = 0.5 * (1 + math.erf(z / math.sqrt(2)))
    return sigma * (z * (2 * cdf - 1) + 2 * pdf - 1 / math.sqrt(math.pi))


def normal_sf(x: np.ndarray) -> np.ndarray:
    """P(Z > x) for a standard normal Z."""
    erfc = np.vectorize(math.erfc)
    return 0.5 * erfc(np.asarray(x, dtype=float) / math.sqrt(2))
