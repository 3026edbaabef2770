"""Plan / policy: the planned share's step toward the target path, and the budget."""

from __future__ import annotations

import numpy as np

from .jit import step


@step
def toward(plan, speed, will, target, added, dmax):
    """Planned share [% GDP] after one year: closes ``speed`` x ``will`` of the gap to
    ``target`` less reclassified ``added`` [pp], the step capped at +-``dmax`` [pp/yr],
    never below 0."""
    s = speed * will * (target - added - plan)
    s = np.minimum(np.maximum(s, -dmax), dmax)
    return np.maximum(plan + s, 0.0)


@step
def fixed(s0, rate, t):
    """A fixed plan [% GDP]: base share ``s0`` plus ``rate`` [pp/yr] for t + 1 years."""
    return np.maximum(s0 + rate * (t + 1), 0.0)


@step
def budget(plan, dip, y_expected, scale):
    """Budget [US$ bn], fixed in money on expected nominal GDP ``y_expected``: the
    planned share less the election-year ``dip`` [pp], times ``scale`` (1 / mean
    execution rate when budgeting for underspend)."""
    return 0.01 * np.maximum(plan - dip, 0.0) * y_expected * scale
