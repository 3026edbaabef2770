"""Political-economy mechanisms as transforms of pre-drawn random numbers (the
alliance-wide states with numpy; ``first_success`` in numba, used by the kernel)."""

from __future__ import annotations

import numba
import numpy as np

from .model.jit import CACHE


def markov_chain(
    u: np.ndarray,
    transition: np.ndarray,
    start: int,
    pinned: dict[int, int] | None = None,
    active: np.ndarray | None = None,
) -> np.ndarray:
    """States [path, year] of a Markov chain driven by uniforms ``u`` [path, year].

    Row s of ``transition`` holds P(next | s).  In year index t the chain moves only
    where ``active[t]`` (default: every year); ``pinned`` maps a year index to a
    state forced in that year, from which the chain goes on.
    """
    n, n_years = u.shape
    cum = np.cumsum(transition, axis=1)
    cum[:, -1] = 1.0  # guard against rounding in rows that sum to 1
    state = np.full(n, start, dtype=np.int64)
    out = np.empty((n, n_years), dtype=np.int8)
    for t in range(n_years):
        if pinned and t in pinned:
            state = np.full(n, pinned[t], dtype=np.int64)
        elif active is None or active[t]:
            state = (u[:, t, None] >= cum[state]).sum(axis=1)
        out[:, t] = state
    return out


def compound_poisson(
    counts: np.ndarray, z: np.ndarray, mean: float, sd: float
) -> np.ndarray:
    """Sum of ``counts`` i.i.d. N(mean, sd^2) jumps, from one standard normal ``z``."""
    return counts * mean + sd * np.sqrt(counts) * z


def review_outcome(u: np.ndarray, p_relax: float, p_tighten: float) -> np.ndarray:
    """0 keep, 1 relax, 2 tighten, from uniforms ``u`` [path]."""
    out = np.zeros(u.shape, dtype=np.int64)
    out[u < p_relax + p_tighten] = 2
    out[u < p_relax] = 1
    return out


def cumulative_hazard(rate: np.ndarray) -> np.ndarray:
    """Cumulative hazard sum(-log(1 - rate)) [path, year] of yearly success
    probabilities ``rate`` [path, year]: computed once per chunk for all members."""
    with np.errstate(divide="ignore"):
        return np.cumsum(-np.log1p(-rate), axis=1)


@numba.njit(nogil=True, cache=CACHE)
def first_success(e, hazard):
    """Year index of the first success of independent yearly trials of cumulative
    hazard ``hazard`` [path, year] (:func:`cumulative_hazard`), per path; n_years if
    none.

    Uses one standard exponential ``e`` [path] per path: the first year whose
    cumulative hazard reaches ``e`` (same distribution as one uniform per year, with
    one draw instead of n_years).
    """
    n, n_years = hazard.shape
    out = np.full(n, n_years, dtype=np.int64)
    for p in range(n):
        for t in range(n_years):
            if hazard[p, t] >= e[p]:
                out[p] = t
                break
    return out
