"""Fiscal: gross debt and its drag on political will."""

from __future__ import annotations

import numpy as np

from .jit import step


@step
def drag(per_10pp, debt, threshold, mask):
    """Will drag [logit]: ``per_10pp`` per 10 pp of debt [% GDP] above ``threshold``,
    where ``mask`` (1 or 0) says high debt drags on this member in this year."""
    return per_10pp * np.maximum(debt - threshold, 0.0) / 10.0 * mask


@step
def debt(b, interest, g, pi, deficit, debt_financed, genuine, s0):
    """Debt [% GDP] one year on: carried at (1 + ``interest``) over nominal growth,
    plus the ``deficit`` [% GDP] and ``debt_financed`` x the defence spending above
    the base share ``s0`` [pp]."""
    return (
        b * (1.0 + interest) / ((1.0 + g) * (1.0 + pi))
        + deficit
        + debt_financed * (genuine - s0)
    )
