"""Random streams: one per (seed, chunk, stream, mechanism), none shared."""

import itertools

import numpy as np

from sim.rng import MECHANISMS, chunks, stream


def test_every_chunk_stream_and_mechanism_draws_its_own_numbers():
    firsts = {}
    for c, s, m in itertools.product(range(24), range(4), MECHANISMS):
        firsts[(c, s, m)] = tuple(stream(20250625, c, s, m).integers(0, 2**63, 2))
    assert len(set(firsts.values())) == len(firsts)
    assert (
        tuple(stream(20250625, 8, 1).integers(0, 2**63, 2)) == firsts[(8, 1, "macro")]
    )


def test_chunks_cover_the_paths_once():
    assert chunks(1050, 100)[-2:] == [(9, 100), (10, 50)]
    assert sum(n for _, n in chunks(1050, 100)) == 1050
    assert chunks(100, 100) == [(0, 100)] and chunks(0, 100) == []
    assert np.all(np.diff([c for c, _ in chunks(1050, 100)]) == 1)
