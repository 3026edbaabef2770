"""Where a run's time goes: thread-seconds per stage of a chunk, collected only when
switched on (``sim bench`` does; the engine's results do not depend on it)."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

STAGES = (
    "common draws",
    "member draws",
    "projection",
    "reductions",
    "alliance reductions",
    "conditional view",
    "merging",
)
"""The stages :func:`sim.engine.simulate` times, in the order they run."""


class Profile:
    """Seconds per stage, summed over threads (so stages run in parallel add up to
    more than the wall time); thread-safe."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STAGES, 0.0)
        self._lock = threading.Lock()

    @contextmanager
    def stage(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            dt = time.perf_counter() - t0
            with self._lock:
                self.seconds[name] += dt


class _Off:
    """The profile when nobody asked for one: timing costs nothing."""

    @contextmanager
    def stage(self, name: str):
        yield


OFF = _Off()
active: Profile | _Off = OFF
"""The profile the engine reports to (module state: set by :func:`collect`)."""


@contextmanager
def collect():
    """Profile everything the engine runs inside the ``with`` block."""
    global active
    active = Profile()
    try:
        yield active
    finally:
        active = OFF
