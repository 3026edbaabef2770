"""Fast exact-to-1e-6 samplers: a distribution's quantile function composed with the
normal CDF, tabulated on a fine grid of a standard normal variate.

For a continuous distribution F, X = F^-1(Phi(Z)) with Z ~ N(0, 1) has distribution F.
The map h = F^-1 o Phi is smooth, so it is tabulated once per parameter set on Z in
[-8.5, 8.5] (step 0.00025) from SciPy's inverse regularised incomplete gamma and beta
functions and interpolated linearly: relative error below 1e-6 everywhere for gamma
shapes >= 1 (the model's shapes are df/2 > 1) and for the Beta execution rates, far less
in the body; Z is clamped beyond +-8.5 (probability 2e-17). One normal draw and a table look-up replace
numpy's gamma (~40 ns) and Beta (~100 ns) rejection samplers.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import special

Z_LO, Z_HI = -8.5, 8.5
STEPS = 68_000
"""Intervals of the grid (step 0.00025)."""
INV_STEP = STEPS / (Z_HI - Z_LO)


def _grid() -> np.ndarray:
    return np.linspace(Z_LO, Z_HI, STEPS + 1)


@functools.lru_cache(maxsize=16)
def gamma_table(a: float) -> np.ndarray:
    """h(z) = F^-1(Phi(z)) for Gamma(shape a, scale 1); both tails from the side
    where the probability is small, so neither rounds to 0 or 1."""
    z = _grid()
    lower = special.gammaincinv(a, special.ndtr(np.minimum(z, 0)))
    upper = special.gammainccinv(a, special.ndtr(-np.maximum(z, 0)))
    return np.where(z <= 0, lower, upper)


@functools.lru_cache(maxsize=16)
def beta_table(a: float, b: float) -> np.ndarray:
    """h(z) = F^-1(Phi(z)) for Beta(a, b) (upper half via 1 - Beta(b, a))."""
    z = _grid()
    lower = special.betaincinv(a, b, special.ndtr(np.minimum(z, 0)))
    upper = 1.0 - special.betaincinv(b, a, special.ndtr(-np.maximum(z, 0)))
    return np.where(z <= 0, lower, upper)


def transform(table: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Apply a table to normal draws with numpy (the alliance-wide draws; each
    member's draws use the same look-up in numba, :func:`sim.kernel.from_normal`)."""
    x = np.clip((z - Z_LO) * INV_STEP, 0.0, float(STEPS))
    i = np.minimum(x.astype(np.int64), STEPS - 1)
    frac = x - i
    return table[i] + frac * (table[i + 1] - table[i])
