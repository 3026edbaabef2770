"""Streaming reductions: exact merges, histogram quantiles, thread independence."""

import numpy as np
import pytest

from sim import reduce
from sim.engine import simulate, simulate_chunk
from sim.params import build_inputs
from sim.rng import stream

from .conftest import make_config


def _assert_partials_equal(a, b):
    for name in ("n_paths", "meet", "meet_by", "on_path", "core_sum", "total_sum",
                 "shortfall", "n_meeting", "alliance_meet", "regime", "stance", "review"):  # fmt: skip
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for k in a.hists:
        np.testing.assert_array_equal(a.hists[k], b.hists[k], err_msg=k)


def test_histogram_quantiles_are_within_0_01_pp_of_exact():
    x = 2.5 + 0.4 * stream(3, 0, 0).standard_t(5, (2, 200_000))
    hist = reduce._hist(x[:, :, None], "core")[:, 0]  # [series, bin]
    q = np.array([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95])
    approx = reduce.hist_quantiles(hist, "core", q)
    exact = np.quantile(x, q, axis=1).T
    assert np.abs(approx - exact).max() < 0.01
    assert np.abs(approx - exact).max() <= reduce.HISTOGRAMS["core"][1] + 1e-3


def test_chunk_merge_is_exact_and_order_free(tiny_config):
    mi = build_inputs(tiny_config)
    parts = [simulate_chunk(tiny_config, mi, c, 150) for c in range(3)]
    a = (parts[0] + parts[1]) + parts[2]
    b = parts[2] + (parts[1] + parts[0])
    _assert_partials_equal(a, b)
    whole = simulate(tiny_config)[1].total()  # 400 paths = chunks of 150, 150, 100
    assert whole.n_paths == 400


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_one_and_two_threads_give_identical_reductions(engine):
    cfg = make_config(members="all", paths=300, chunk_size=300)
    mi = build_inputs(cfg)
    one = simulate_chunk(cfg, mi, 0, 300, engine, threads=1)
    two = simulate_chunk(cfg, mi, 0, 300, engine, threads=2)
    _assert_partials_equal(one, two)


def test_numba_engine_equals_the_numpy_reference_on_the_same_streams():
    cfg = make_config(members="all", paths=400, chunk_size=400)
    mi = build_inputs(cfg)
    fast = simulate_chunk(cfg, mi, 0, 400, "numba")
    slow = simulate_chunk(cfg, mi, 0, 400, "numpy")
    _assert_partials_equal(fast, slow)


def test_bootstrap_engine_equals_reference():
    cfg = make_config(paths=200, chunk_size=200, macro={"shock_model": "bootstrap"})
    mi = build_inputs(cfg)
    _assert_partials_equal(simulate_chunk(cfg, mi, 0, 200, "numba"),
                           simulate_chunk(cfg, mi, 0, 200, "numpy"))  # fmt: skip


def test_sample_paths_are_stored_on_request():
    from sim.engine import run

    ds = run(make_config(sample_paths=170))  # spans two chunks of 150
    assert ds.sizes["sample"] == 170
    assert ds["sample_core_share"].sel(member="POL").min() > 3.0
    assert "sample_core_share" not in run(make_config())


def test_hist_crps_matches_sample_crps():
    from sim import scores

    x = 2.0 + 0.3 * stream(8, 0, 0).standard_normal(100_000)
    hist = reduce._hist(x[:, None], "core")[0]
    assert reduce.hist_crps(hist, "core", 2.4) == pytest.approx(
        scores.crps_sample(x, 2.4), abs=0.003
    )
