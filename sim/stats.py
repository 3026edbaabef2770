"""Monte Carlo statistics of results: binomial and paired standard errors, histogram
quantiles and scores.  Used by assemble, runner, the analyses, show and report."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .constants import HISTOGRAMS


def binomial_se(p, n: int):
    """Monte Carlo s.e. sqrt(p(1-p)/n) of a probability ``p`` from ``n`` paths [1]."""
    return np.sqrt(p * (1 - p) / n)


def worst_se(n: int) -> float:
    """The largest binomial s.e. of ``n`` paths, 0.5/sqrt(n) (at p = 0.5) [1]."""
    return 0.5 / np.sqrt(n)


def unpaired_se(se_a, se_b):
    """s.e. of a difference of two independent estimates, sqrt(se_a^2 + se_b^2)."""
    return np.sqrt(se_a**2 + se_b**2)


def paired_difference(ds: xr.Dataset, a: str, b: str):
    """(p_a - p_b, paired s.e. from the joint counts, unpaired s.e.) DataArrays of a
    sweep's scenarios ``a`` and ``b`` (same paths: common random numbers)."""
    n = int(ds.attrs["n_paths"])
    pa = ds["p_meet"].sel(scenario=a)
    pb = ds["p_meet"].sel(scenario=b)
    pab = ds["p_both"].sel(scenario=a, scenario_b=b)
    diff = pa - pb
    var = (pa + pb - 2 * pab - diff**2).clip(min=0)
    paired = np.sqrt(var / n)
    unpaired = unpaired_se(
        ds["p_meet_se"].sel(scenario=a), ds["p_meet_se"].sel(scenario=b)
    )
    return diff, paired, unpaired


def hist_quantiles(hist: np.ndarray, name: str, q) -> np.ndarray:
    """Quantiles [..., quantile] of histograms [..., bin], reading the CDF as
    piecewise linear within bins (error at most one bin width)."""
    lo, width, n = HISTOGRAMS[name]
    cum = np.cumsum(hist, axis=-1)
    total = cum[..., -1:]
    out = []
    for qq in np.atleast_1d(q):
        target = qq * total
        b = (cum < target).sum(axis=-1, keepdims=True)
        b = np.minimum(b, n - 1)
        below = np.take_along_axis(cum, b, -1) - np.take_along_axis(hist, b, -1)
        inbin = np.take_along_axis(hist, b, -1)
        frac = np.where(inbin > 0, (target - below) / np.maximum(inbin, 1), 0.0)
        out.append((lo + width * (b + np.clip(frac, 0, 1)))[..., 0])
    return np.stack(out, axis=-1)


def hist_crps(hist: np.ndarray, name: str, y: float) -> float:
    """CRPS at ``y`` of the distribution with ``hist``'s weights at the bin centres."""
    lo, width, n = HISTOGRAMS[name]
    x = lo + width * (np.arange(n) + 0.5)
    w = hist / hist.sum()
    cdf = np.cumsum(w)
    first = (w * np.abs(x - y)).sum()
    second = 2.0 * (w * x * ((cdf - w) - (1.0 - cdf))).sum()
    return float(first - 0.5 * second)


def quantile(da: xr.DataArray, p: float) -> float:
    """The stored quantile of ``da`` nearest to ``p``."""
    return float(da.sel(quantile=p, method="nearest"))
