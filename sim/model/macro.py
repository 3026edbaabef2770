"""Macro: AR(1) growth and inflation around member means, nominal and real GDP."""

from __future__ import annotations

import numpy as np

from .jit import step

RATE_FLOOR = -0.5
"""Growth and inflation below -50 %/yr are floored: a numerical guard against extreme
Student-t draws turning nominal GDP negative, far outside any observed year."""


@step
def expected(prev, mu, phi):
    """This year's expected rate [fraction/yr], formed last year: AR(1) around ``mu``."""
    return mu + phi * (prev - mu)


@step
def growth(expect, sig, u, shock):
    """Realised real growth [fraction/yr]: expectation + sig x unit shock ``u`` +
    the common unforeseen ``shock``, floored at RATE_FLOOR."""
    return np.maximum(expect + sig * u + shock, RATE_FLOOR)


@step
def inflation(expect, sig, u):
    """Realised deflator inflation [fraction/yr], floored at RATE_FLOOR."""
    return np.maximum(expect + sig * u, RATE_FLOOR)


@step
def nominal(y, g, pi):
    """Nominal GDP [US$ bn] one year on at real growth ``g`` and inflation ``pi``."""
    return y * (1.0 + g) * (1.0 + pi)
