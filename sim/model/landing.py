"""Landing: near misses of a due commitment topped up (late-year spending,
reclassification) to the committed level."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from .jit import step


@step
def topped_up(core, level, band, path, u, p):
    """Reported share [% GDP] after a possible top-up: where the announced ``path``
    has reached ``level`` (the commitment is due) and ``core`` falls short of it by at
    most ``band`` [pp], it is raised to ``level`` if the uniform ``u`` < ``p``."""
    near = (path >= level) * (core < level) * (core >= level - band) * (u < p)
    return core + near * (level - core)


def p_at_least(x, pre, sd, p, level, band):
    """P(reported share >= ``x``) [1] given the share before noise ``pre`` [% GDP]
    (arrays over paths): the reporting noise (s.d. ``sd`` [pp], 0: none) and the
    top-up of :func:`topped_up` (probability ``p``, 0 where not due) integrated out.
    A top-up lifts a share in [level - band, min(x, level)) to ``level`` >= x.
    The conditional (Rao-Blackwell) estimator of P(met) is the mean of this over
    paths; the benchmark reports its variance reduction (README, "Speed")."""
    pre, p = np.asarray(pre, float), np.asarray(p, float)

    def below(y):  # P(pre + noise < y)
        return (pre < y).astype(float) if sd <= 0 else ndtr((y - pre) / sd)

    lo, hi = level - band, np.minimum(x, level)
    top = np.where((p > 0) & (level >= x) & (hi > lo), p * (below(hi) - below(lo)), 0.0)
    return 1.0 - below(x) + top
