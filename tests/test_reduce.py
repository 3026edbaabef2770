"""Streaming reductions: exact merges, thread independence."""

import numpy as np
import pytest

from sim import reduce
from sim.engine import simulate, simulate_chunk
from sim.model.inputs import Outputs
from sim.params import build_inputs

from .conftest import make_config


def _assert_partials_equal(a, b):
    for name in ("n_paths", "meet", "meet_by", "on_path", "core_sum", "total_sum",
                 "shortfall", "n_meeting", "alliance_meet", "regime", "stance", "review"):  # fmt: skip
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for k in a.hists:
        np.testing.assert_array_equal(a.hists[k], b.hists[k], err_msg=k)


def _assert_full_partials_equal(a, b):
    from dataclasses import fields

    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, dict):
            assert x.keys() == y.keys(), f.name
            for k in x:
                np.testing.assert_array_equal(x[k], y[k], err_msg=f"{f.name}.{k}")
        else:
            np.testing.assert_array_equal(x, y, err_msg=f.name)


def test_merged_chunks_equal_one_reduction_of_all_their_paths(tiny_config):
    """Merging the integer partials of 3 chunks equals reducing the concatenated
    per-path outputs of those chunks at once with the numpy reference."""
    from sim.engine import project_chunk
    from sim.shocks import draw

    cfg, sizes = tiny_config, (150, 150, 100)
    mi = build_inputs(cfg)
    merged = simulate_chunk(cfg, mi, 0, sizes[0])
    for c, n in enumerate(sizes[1:], 1):
        merged = merged + simulate_chunk(cfg, mi, c, n)
    shocks = [draw(cfg, mi, c, n) for c, n in enumerate(sizes)]
    outs = [project_chunk(cfg, mi, sh, "numpy") for sh in shocks]
    paths = [np.concatenate(x, axis=1) for x in zip(*outs, strict=True)]
    states = [np.concatenate([getattr(sh, k) for sh in shocks])
              for k in ("regime", "stance", "review")]  # fmt: skip
    whole = reduce.reduce_numpy(cfg, mi, *states, *paths[:4])
    _assert_full_partials_equal(merged, whole)
    assert merged.n_paths == 400 == simulate(cfg)[1].total().n_paths


def test_one_and_two_threads_equal_the_numpy_reference():
    cfg = make_config(members="all", paths=300, chunk_size=300)
    mi = build_inputs(cfg)
    one = simulate_chunk(cfg, mi, 0, 300, "numba", threads=1)
    two = simulate_chunk(cfg, mi, 0, 300, "numba", threads=2)
    _assert_partials_equal(one, two)
    _assert_partials_equal(two, simulate_chunk(cfg, mi, 0, 300, "numpy"))


def test_numba_engine_equals_the_numpy_reference_on_the_same_streams(monkeypatch):
    from sim import engine

    monkeypatch.setattr(engine, "BLOCK", 128)  # four blocks per member and chunk
    cfg = make_config(members="all", paths=400, chunk_size=400)
    mi = build_inputs(cfg)
    fast = simulate_chunk(cfg, mi, 0, 400, "numba")
    slow = simulate_chunk(cfg, mi, 0, 400, "numpy")
    _assert_partials_equal(fast, slow)


def _reduce_by_hand(cfg, core):
    """Both engines' reductions of hand-made shares ``core`` [member, path, year]
    (no resilience, GDP 100, debt 50, every common state 0)."""
    from sim import kernel
    from sim.model.inputs import PathSums

    mi = build_inputs(cfg)
    n_m, n, n_y = core.shape
    res, gdp, debt = (
        np.zeros_like(core),
        np.full_like(core, 100.0),
        np.full_like(core, 50.0),
    )
    zeros = np.zeros((n, n_y), np.int64)
    no_top_up = np.zeros_like(core)  # shares as given: pre-noise share = core
    ref = reduce.reduce_numpy(
        cfg, mi, zeros, zeros, np.zeros(n, np.int64), core, res, gdp, debt
    )
    ty = reduce.target_year_index(cfg, mi)
    part = reduce.Partial.empty(
        len(cfg.targets), n_m, n_y, int(mi.counted.sum()), len(ty)
    )
    tg = reduce.targets(cfg)
    sums = PathSums(np.zeros((len(tg.levels), n, n_y), np.int64),
                    *(np.zeros((n, n_y), np.int64) for _ in range(3)))  # fmt: skip
    for j in np.flatnonzero(mi.counted):
        kernel.reduce_member(
            Outputs(core[j], res[j], gdp[j], debt[j], core[j], no_top_up[j]), mi.line[j], tg,
            reduce.member_sums(part, j), sums, np.zeros((len(tg.levels), 0, 1), np.uint8),
        )  # fmt: skip
    return ref, part


@pytest.mark.parametrize("tol", [0.005, 0.0])
def test_a_share_exactly_at_level_minus_tolerance_counts_as_met(tol):
    """The meet comparison is >=: on the boundary is met, one ulp below is not."""
    cfg = make_config(meet_tolerance=tol)
    edge = 3.5 - tol  # the engines' own threshold, bit for bit
    core = np.empty((4, 3, 5))  # [member, path, year]
    core[:, 0], core[:, 1], core[:, 2] = edge, np.nextafter(edge, 0.0), 3.6
    ref, fast = _reduce_by_hand(cfg, core)
    counted = build_inputs(cfg).counted
    for part in (ref, fast):
        assert (part.meet[0][counted] == 2).all()  # paths 0 and 2, every year
        assert (part.meet_by[0][counted] == 2).all()
        assert (part.meet[1] == 0).all()  # total_5 not met


def test_bootstrap_engine_equals_reference():
    cfg = make_config(paths=200, chunk_size=200, macro={"shock_model": "bootstrap"})
    mi = build_inputs(cfg)
    _assert_partials_equal(simulate_chunk(cfg, mi, 0, 200, "numba"),
                           simulate_chunk(cfg, mi, 0, 200, "numpy"))  # fmt: skip


def test_sample_paths_are_stored_on_request():
    from sim.runner import run

    ds = run(make_config(sample_paths=170))  # spans two chunks of 150
    assert ds.sizes["sample"] == 170
    pol = ds["sample_core_share"].sel(member="POL")
    assert bool(np.isfinite(pol).all())  # both chunks' samples are filled
    assert float(pol.median()) > 3.5  # Poland's own paths (its plan is above 4%)
    assert "sample_core_share" not in run(make_config())


def test_recession_flag_is_cumulative():
    """'recession=yes' in a target year: alliance real GDP fell in any year so far."""
    y_sum = np.array([
        [90, 95, 100, 105, 110],  # fell in the first year only
        [101, 102, 103, 104, 105],  # never fell
        [101, 102, 103, 104, 100],  # fell in the last year only
    ])  # fmt: skip
    regime = stance = np.zeros((3, 5), np.int64)
    masks = reduce.condition_masks(regime, stance, y_sum, 100.0, np.array([2, 4]))
    yes = reduce.CONDITIONS.index("recession=yes")
    np.testing.assert_array_equal(
        masks[yes], [[True, True], [False, False], [False, True]]
    )
    np.testing.assert_array_equal(masks[yes - 1], ~masks[yes])
