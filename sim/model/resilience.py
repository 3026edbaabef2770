"""Resilience: security spending that NATO counts up to a cap."""

from __future__ import annotations

import numpy as np

from .jit import step


@step
def spending(r, will, speed, cap, noise):
    """Resilience spending [% GDP] one year on: moves ``will`` x ``speed`` [1/yr] of
    the way to ``cap``, plus ``noise`` [pp], never below 0."""
    return np.maximum(r + will * speed * (cap - r) + noise, 0.0)


@step
def counted(r, cap, haircut):
    """The part of resilience spending ``r`` [% GDP] that counts: at most ``cap``,
    less the fraction ``haircut`` that NATO does not accept."""
    return np.minimum(r, cap) * (1.0 - haircut)
