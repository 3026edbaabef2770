"""Whole-model behaviour: moments, deterministic limits, identities, reproducibility."""

import numpy as np
import pytest

from sim import engine
from sim.engine import project_chunk
from sim.params import build_inputs
from sim.runner import run
from sim.shocks import draw

from .conftest import TODAY_DATA as TODAY
from .conftest import ZERO_VOL, make_config

K = 4.5


def test_simulated_growth_moments_match_the_config():
    # No persistence: realised real growth (from the real-GDP output) must have the
    # member's mean and innovation s.d.
    cfg = make_config(members=["DEU", "POL"], paths=20_000, macro={"growth_ar": 0.0})
    mi = build_inputs(cfg)
    sh = draw(cfg, mi, 0, cfg.paths)
    gdp = project_chunk(cfg, mi, sh).gdp
    prev = np.concatenate(
        [np.broadcast_to(mi.gdp0[:, None, None], gdp[:, :, :1].shape), gdp[:, :, :-1]],
        2,
    )
    real = gdp / prev - 1
    for j in range(2):
        g = real[j].ravel()
        n = g.size
        assert abs(g.mean() - mi.mu_g[j]) < K * mi.sig_g[j] / np.sqrt(n)
        # Student-t(5) has kurtosis 9: s.e. of the variance is sigma^2 sqrt(8/n)
        assert abs(g.var() / mi.sig_g[j] ** 2 - 1) < K * np.sqrt(8 / n)


def _hand_path(s0, path, will, dmax):
    plan, out = s0, []
    for target in path:
        plan = plan + min(max(will * (target - plan), -dmax), dmax)
        out.append(plan)
    return np.array(out)


def test_zero_volatility_gives_deterministic_paths_and_0_1_probabilities():
    cfg = make_config(**ZERO_VOL, paths=64)
    ds = run(cfg)
    mi = build_inputs(cfg)
    counted = ds["counted"].values.astype(bool)
    p = ds["p_meet"].values[:, counted]
    assert set(np.unique(p)) <= {0.0, 1.0}
    q = ds["core_share"].values[counted]
    # one value per member-year: every quantile within one histogram bin of it
    np.testing.assert_allclose(q, q[..., :1].repeat(q.shape[-1], -1), atol=0.005)
    for j, iso in enumerate(mi.iso3):
        if not counted[j]:
            continue
        will = 1 / (1 + np.exp(-mi.wbar[j]))
        expected = _hand_path(mi.base_share[j], mi.path[j, 0], will, mi.dmax[j])
        np.testing.assert_allclose(
            ds["core_share"].sel(member=iso, quantile=0.5).values, expected, atol=0.005
        )
        np.testing.assert_allclose(
            ds["core_share_mean"].sel(member=iso), expected, atol=1e-9
        )
    # Poland's plan is above 3.5 throughout; Spain's (low will) is below in 2028.
    assert ds["p_meet"].sel(target="core_3.5", member="POL").min() == 1.0
    assert ds["p_meet"].sel(target="core_3.5", member="ESP", year=2028) == 0.0


def test_probability_identities(tiny_config):
    ds = run(tiny_config)
    counted = ds["counted"].values.astype(bool)
    pm, pby = ds["p_meet"][:, counted], ds["p_meet_by"][:, counted]
    assert (pby >= pm - 1e-15).all()
    assert (pby.diff("year") >= 0).all()
    np.testing.assert_allclose(ds["n_meeting"].sum("count"), 1.0, rtol=1e-12)
    # E[number meeting] equals the sum of the members' probabilities, exactly
    np.testing.assert_allclose(ds["n_meeting_mean"], pm.sum("member"), rtol=1e-12)
    assert ds.sizes["count"] == counted.sum() + 1
    assert np.isnan(ds["p_meet"].sel(member="ISL")).all()
    assert "ISL" in ds.attrs["excluded_members"]
    p, se = ds["p_meet"][:, counted], ds["p_meet_se"][:, counted]
    np.testing.assert_allclose(se, np.sqrt(p * (1 - p) / ds.attrs["n_paths"]))
    q = ds["total_share"].values[counted]
    assert (np.diff(q, axis=-1) >= 0).all()
    assert (q >= ds["core_share"].values[counted] - 1e-12).all()


def test_same_seed_same_result_other_seed_differs(tiny_config):
    a, b = run(tiny_config), run(tiny_config)
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values)
    c = run(make_config(seed=8))
    assert not np.array_equal(a["core_share"].values, c["core_share"].values)


def test_no_two_chunks_share_paths():
    """Chunks 0..11 of one run: every member's first sample path differs between any
    two chunks (a chunk reusing another's streams would repeat its paths)."""
    cfg = make_config(paths=240, chunk_size=20)
    mi = build_inputs(cfg)
    counted = np.flatnonzero(mi.counted)
    first = [engine.simulate_chunk(cfg, mi, c, 20, samples=1).samples["core"][counted, 0]
             for c in range(12)]  # fmt: skip
    for a in range(12):
        for b in range(a):
            same = (first[a] == first[b]).all(axis=-1)  # member's whole trajectory
            assert not same.any(), (a, b)


def test_memory_estimate_matches_traced_allocations():
    """memory_need's bytes per path and for one partial against tracemalloc's peak of
    one chunk (numpy allocations are traced), all members, 1 and 2 threads."""
    import tracemalloc

    cfg = make_config(members="all", horizon=2035, target_years=[2032, 2035])
    mi = build_inputs(cfg)
    engine.simulate_chunk(cfg, mi, 0, 50, threads=2)  # compile outside the trace
    for threads in (1, 2):
        per_path, fixed = engine.memory_need(len(mi.iso3), len(mi.years), 2, 2, threads)
        tracemalloc.start()
        engine.simulate_chunk(cfg, mi, 0, 4000, threads=threads)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        estimate = per_path * 4000 + fixed / 4  # one partial of the four counted
        assert 0.85 < peak / estimate < 1.15, (threads, peak, estimate)


def test_chunk_memory_and_name_length_are_checked_on_load():
    from sim.errors import ConfigError

    with pytest.raises(
        ConfigError,
        match=r"'chunk_size': 10,000,000 paths per chunk "
        r"need about .* GiB, more than the 4 GiB budget: at most ",
    ) as e:
        make_config(members="all", paths=10**7, chunk_size=10**7)  # fmt: skip
    most = int(str(e.value).split("at most ")[1].split()[0].replace(",", ""))
    per_path, fixed = engine.memory_need(32, 5, 2, 2, engine.n_threads())
    assert most == (engine.MEMORY_BUDGET - fixed) // per_path
    make_config(members="all", paths=most, chunk_size=most)  # the maximum is allowed
    make_config(members="all", paths=5, chunk_size=10**7)  # chunks are at most paths
    with pytest.raises(ConfigError, match="'name': 101 characters, at most 100"):
        make_config(name="n" * 101)


def test_numba_and_numpy_engines_agree(tiny_config):
    a = run(tiny_config, engine="numba")
    b = run(tiny_config, engine="numpy")
    for v in a.data_vars:
        np.testing.assert_allclose(a[v].values, b[v].values, rtol=1e-10, equal_nan=True)


def test_progress_callback_counts_all_paths(tiny_config):
    seen = []
    engine.simulate(tiny_config, progress=seen.append)
    assert sum(seen) == tiny_config.paths and len(seen) == 3 * 3  # chunks x members


def test_later_deadline_does_not_raise_2032_probability():
    early = run(
        make_config(
            horizon=2035,
            target_years=[2032, 2035],
            paths=2000,
            policy={"own_paths": None},
        )
    )
    late = run(make_config(horizon=2035, target_years=[2032, 2035], paths=2000,
                           policy={"deadline": 2035, "own_paths": None}))  # fmt: skip
    c = "core_3.5"
    # Spain has no national path above the alliance one, so the deadline binds
    e = early["p_meet"].sel(target=c, year=2032, member="ESP")
    lt = late["p_meet"].sel(target=c, year=2032, member="ESP")
    assert float(lt) < float(e)


@pytest.mark.parametrize("rule", ["alliance", "national", "max"])
def test_path_rules_build(rule):
    mi = build_inputs(make_config(policy={"path_rule": rule}, horizon=2035,
                                  target_years=[2032, 2035]))  # fmt: skip
    deu = mi.path[mi.iso3.index("DEU"), 0]
    years = list(mi.years)
    if rule == "alliance":
        assert deu[years.index(2028)] == pytest.approx(3.5)  # deadline 2028 in tiny
    else:  # Germany's national plan: 3.5 in 2029 (national_targets.csv)
        assert deu[years.index(2029)] == pytest.approx(3.5)


@pytest.mark.parametrize("threads", [1, 2])
def test_progress_steps_inside_a_chunk(threads):
    """One chunk: a progress step per counted member, summing to the chunk's paths."""
    from sim.engine import simulate

    steps = []
    simulate(make_config(paths=300, chunk_size=300), progress=steps.append,
             threads=threads)  # fmt: skip
    assert len(steps) == 3 and sum(steps) == 300 and all(s > 0 for s in steps)


def test_resilience_ruling_lowers_total_5_by_p_times_the_affected_share():
    """Common random numbers: the ruling has its own stream, so with p_ruling = 0, p and
    1 every other draw is the same. A member-year meets total_5 without the ruling but
    not with it on a share A of paths; the ruling hits a share p of paths independently,
    so P(total >= 5) falls by p * A, with s.e. sqrt(pA(1 - pA) / n)."""
    n, p = 4000, 0.3
    over = dict(
        members=["LVA", "GRC", "DNK", "CAN"], paths=n, chunk_size=2000, horizon=2031,
        target_years=[2029, 2031], data=TODAY, base_year=2026,
        policy={"deadline": 2031}, review={"enabled": False},
    )  # fmt: skip

    def p_total(p_ruling):
        rs = {"ruling_year": 2029, "haircut": 0.5, "p_ruling": p_ruling}
        ds = run(make_config(**over, resilience=rs))
        return ds["p_meet"].sel(target="total_5").values  # [member, year]

    none, some, all_ = p_total(0.0), p_total(p), p_total(1.0)
    affected = none - all_
    assert (affected[:, :2] == 0).all()  # 2027-2028: before the ruling
    assert affected.max() > 0.1  # the check has something to measure
    se = np.sqrt(p * affected * (1 - p * affected) / n)
    np.testing.assert_array_less(np.abs(none - some - p * affected), 4 * se + 1e-12)


def test_draw_cache_reruns_give_a_fresh_runs_results_bit_for_bit(monkeypatch):
    """Runs sharing a DrawCache (sensitivity analyses) equal fresh runs, whichever
    parameters change between them (blocks of 256 paths: several per chunk); only
    the changed mechanisms are drawn again."""
    from sim.kernel import EXECUTION, REVISIONS
    from sim.shocks import common_digest, draw_common, draw_params, mechanism_keys

    from .test_reduce import _assert_full_partials_equal

    monkeypatch.setattr(engine, "BLOCK", 256)
    base = dict(members=["DEU", "POL", "USA"], paths=1500, chunk_size=600)
    configs = [
        make_config(**base),
        make_config(**base, revisions={"sd": 0.05}),
        make_config(**base, revisions={"sd": 0.05}, execution={"sd": 0.02}),
        make_config(**base, will={"vol": 0.5}, landing={"p_topup": 0.3}),
        make_config(**base, macro={"shock_model": "normal"}, seed=8),
        make_config(**base, macro={"shock_model": "bootstrap"}),
        make_config(**base, landing={"enabled": False}, reporting={"enabled": False}),
        make_config(**base, revisions={"parameter_uncertainty": False}),
        make_config(**base, elections={"p_change": 0.6}, reclass={"enabled": False}),
        make_config(**base, horizon=2031),
        make_config(**base),
    ]
    cache = engine.DrawCache()
    for cfg in configs:
        _, cached = engine.simulate(cfg, cache=cache)
        _, fresh = engine.simulate(cfg)
        _assert_full_partials_equal(cached.total(), fresh.total())
    assert len(cache.entries) == 3 * 3 * 3  # (seed, years) x chunks x members
    # the base config's draws (the last run) differ from the third config's only in
    # revisions and execution: those two are the mechanisms drawn again
    cfg = configs[2]
    mi = build_inputs(cfg)
    cm = draw_common(cfg, mi, 0, 600)
    keys = mechanism_keys(draw_params(cfg, mi, cm, 0), common_digest(cm))
    entry = cache.entries[(cfg.seed, 0, int(mi.stream_ids[0]), 600, len(mi.years))]
    redraw = entry.redraw(keys)
    assert set(np.flatnonzero(redraw)) == {REVISIONS, EXECUTION}
