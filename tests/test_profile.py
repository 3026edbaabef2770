"""The run profile: stages timed only on request, results unchanged by it."""

import numpy as np

from sim import engine, profile

from .conftest import make_config


def test_profiling_times_every_stage_and_changes_no_result():
    cfg = make_config(paths=300, chunk_size=150)
    _, plain = engine.simulate(cfg)
    with profile.collect() as prof:
        _, timed = engine.simulate(cfg)
    assert profile.active is profile.OFF  # switched off again after the block
    for stage in profile.STAGES:
        assert prof.seconds[stage] > 0, stage
    a, b = plain.total(), timed.total()
    np.testing.assert_array_equal(a.meet, b.meet)
    np.testing.assert_array_equal(a.hists["core"], b.hists["core"])


def test_draws_only_draws_every_counted_member(monkeypatch):
    calls = []
    real = engine.kernel.draw_member
    monkeypatch.setattr(engine.kernel, "draw_member",
                        lambda g, q, d, *a: calls.append(d.u_g.shape) or real(g, q, d, *a))  # fmt: skip
    cfg = make_config(paths=300, chunk_size=150)
    mi = engine.draws_only(cfg)
    assert len(calls) == 2 * int(mi.counted.sum())  # two chunks
    assert set(calls) == {(150, len(mi.years))}
