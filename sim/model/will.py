"""Political will: a mean-reverting logit state with jumps and persistent offsets."""

from __future__ import annotations

import numpy as np

from .jit import step


@step
def state(x, reversion, wbar, vol, u, jump):
    """Next logit state [logit]: reverts at ``reversion`` [1/yr] to ``wbar``, plus
    ``vol`` x unit shock ``u`` and the year's ``jump`` (elections, budgets)."""
    return x + reversion * (wbar - x) + vol * u + jump


@step
def level(x, offset, drag):
    """Will in (0, 1) from the state [logit], the persistent threat / US ``offset``
    [logit] and the high-debt ``drag`` [logit] (:func:`sim.model.fiscal.drag`)."""
    w = x + offset - drag
    return 1.0 / (1.0 + np.exp(-w))
