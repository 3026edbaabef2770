"""The one numba decorator of the model's step functions."""

from __future__ import annotations

import os

import numba

CACHE = os.environ.get("SIM_NUMBA_CACHE", "1") != "0"


def step(fn):
    """@njit for a one-year step function: inlined into the kernel's loop, cached."""
    return numba.njit(nogil=True, cache=CACHE, inline="always")(fn)
