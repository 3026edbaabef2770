"""Landing: near misses of a due commitment topped up (late-year spending,
reclassification) to the committed level."""

from __future__ import annotations

from .jit import step


@step
def topped_up(core, level, band, path, u, p):
    """Reported share [% GDP] after a possible top-up: where the announced ``path``
    has reached ``level`` (the commitment is due) and ``core`` falls short of it by at
    most ``band`` [pp], it is raised to ``level`` if the uniform ``u`` < ``p``."""
    near = (path >= level) * (core < level) * (core >= level - band) * (u < p)
    return core + near * (level - core)
