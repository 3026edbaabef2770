"""Draw the standardised shocks of one chunk of paths (numpy only, outside the kernel)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Config
from .rng import COMMON_STREAM, stream


@dataclass(frozen=True)
class Shocks:
    """Shocks for one chunk; arrays are [member, path, year] unless stated."""

    u_g: np.ndarray  # growth shock, unit variance
    u_pi: np.ndarray  # inflation shock, unit variance
    u_w: np.ndarray  # will shock, unit variance
    eta: np.ndarray  # execution rate (outturn / budget)
    zeta: np.ndarray  # resilience noise [pp]
    w0: np.ndarray  # [member, path] initial will [logit]
    r0: np.ndarray  # [member, path] base-year resilience spending [pp]


def standard_draws(rng: np.random.Generator, df: float | None, size) -> np.ndarray:
    """Unit-variance draws: Student-t with ``df`` degrees of freedom, or Gaussian."""
    if df is None:
        return rng.standard_normal(size)
    return rng.standard_t(df, size) * np.sqrt((df - 2.0) / df)


def beta_mean_sd(rng: np.random.Generator, mean: float, sd: float, size) -> np.ndarray:
    """Beta draws with the given mean and standard deviation (constant if sd == 0)."""
    if sd == 0:
        return np.full(size, mean)
    k = mean * (1 - mean) / sd**2 - 1
    return rng.beta(mean * k, (1 - mean) * k, size)


def draw(
    cfg: Config,
    stream_ids: np.ndarray,
    wbar: np.ndarray,
    chunk: int,
    n: int,
    n_years: int,
) -> Shocks:
    """Shocks for chunk ``chunk`` of ``n`` paths over ``n_years`` for the given members.

    Common factors come from the common stream; each member's own draws from its
    stream, in a fixed order, so a member's shocks do not depend on which other
    members are selected.
    """
    m = cfg.macro
    df = m.shock_df
    shape = (n, n_years)
    common = stream(cfg.seed, chunk, COMMON_STREAM)
    f_g = standard_draws(common, df, shape)
    f_pi = standard_draws(common, df, shape)
    f_w = common.standard_normal(shape)

    a_g, a_pi, a_w = (
        np.sqrt(m.growth_common_corr),
        np.sqrt(m.inflation_common_corr),
        np.sqrt(cfg.will.common_corr),
    )
    c = m.growth_inflation_corr
    k = len(stream_ids)
    out = {
        name: np.empty((k, n, n_years))
        for name in ("u_g", "u_pi", "u_w", "eta", "zeta")
    }
    w0 = np.empty((k, n))
    r0 = np.empty((k, n))
    res = cfg.resilience
    for j, sid in enumerate(stream_ids):
        rng = stream(cfg.seed, chunk, int(sid) + 1)
        z_g = standard_draws(rng, df, shape)
        z_pi = standard_draws(rng, df, shape)
        z_w = rng.standard_normal(shape)
        u_g = a_g * f_g + np.sqrt(1 - a_g**2) * z_g
        own_pi = a_pi * f_pi + np.sqrt(1 - a_pi**2) * z_pi
        out["u_g"][j] = u_g
        out["u_pi"][j] = c * u_g + np.sqrt(1 - c**2) * own_pi
        out["u_w"][j] = a_w * f_w + np.sqrt(1 - a_w**2) * z_w
        out["eta"][j] = beta_mean_sd(rng, cfg.execution.mean, cfg.execution.sd, shape)
        out["zeta"][j] = res.noise_sd * rng.standard_normal(shape)
        w0[j] = wbar[j] + cfg.will.initial_sd * rng.standard_normal(n)
        r0[j] = np.maximum(res.prior_mean + res.prior_sd * rng.standard_normal(n), 0.0)
    return Shocks(w0=w0, r0=r0, **out)
