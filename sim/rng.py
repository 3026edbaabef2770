"""Independent, reproducible random streams keyed by (seed, chunk, stream)."""

from __future__ import annotations

import numpy as np

COMMON_STREAM = 0
"""Stream id of the alliance-wide factors; member k (row k of the member table) is k+1."""


def stream(seed: int, chunk: int, stream_id: int) -> np.random.Generator:
    """Generator for one chunk of paths and one stream.

    The key does not depend on which members are selected, the thread count or the
    order in which chunks are computed, so each chunk's draws are reproducible alone.
    """
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(chunk, stream_id))
    return np.random.Generator(np.random.PCG64(ss))


def chunks(n_paths: int, chunk_size: int) -> list[tuple[int, int]]:
    """(chunk index, number of paths) for each chunk; only the last may be short."""
    full, rest = divmod(n_paths, chunk_size)
    out = [(i, chunk_size) for i in range(full)]
    if rest:
        out.append((full, rest))
    return out
