"""Political-economy mechanisms: off = foundation bit for bit; degenerate = exact."""

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim import politics
from sim.engine import project_chunk
from sim.params import build_inputs
from sim.rng import stream
from sim.runner import run
from sim.shocks import draw

from .conftest import MECHANISMS, POLITICS_OFF, ZERO_VOL, make_config

GOLDEN = Path(__file__).parent / "data" / "golden_foundation.nc"
K = 4.5


def _logistic(x):
    return 1 / (1 + np.exp(-x))


def _assert_same_as_golden(ds):
    with xr.open_dataset(GOLDEN, engine="netcdf4") as gold:
        for v in gold.data_vars:
            np.testing.assert_array_equal(ds[v].values, gold[v].values, err_msg=v)


def test_all_mechanisms_off_equals_the_foundation_bit_for_bit():
    _assert_same_as_golden(run(make_config(**POLITICS_OFF)))


@pytest.mark.parametrize(
    ("mechanism", "neutral"),
    [
        ("threat", {"effect": 0.0, "commitment_pp": 0.0}),
        ("us_stance", {"effect_allies": {"neutral": 0, "retrenchment": 0},
                       "effect_us": {"retrenchment": 0},
                       "commitment_allies": {"neutral": 0, "retrenchment": 0}}),
        ("elections", {"p_change": 0.0, "dip_pp": 0.0}),
        ("revisions", {"rate_common": 0.0, "rate_member": 0.0}),
        ("fiscal", {"threshold": 500.0, "consolidation_pp": 0.0}),
        ("landing", {"p_topup": 0.0}),
        ("review", {"p_relax": 0.0, "p_tighten": 0.0}),
        ("reclass", {"rate": 0.0}),
        ("reporting", {"noise_sd": 0.0}),
    ],
)  # fmt: skip
def test_each_mechanism_on_but_neutral_leaves_the_foundation_unchanged(
    mechanism, neutral
):
    cfg = make_config(**(POLITICS_OFF | {mechanism: {"enabled": True, **neutral}}))
    _assert_same_as_golden(run(cfg))


def _zero(members=("DEU", "POL", "ISL", "ESP", "BEL"), **changes):
    return make_config(**(ZERO_VOL | changes), paths=16, members=list(members))


def _core(cfg, iso):
    mi = build_inputs(cfg)
    sh = draw(cfg, mi, 0, cfg.paths)
    core, res, gdp, debt, *_ = project_chunk(cfg, mi, sh)
    j = mi.iso3.index(iso)
    return mi, j, core[j], debt[j]


def _hand_plan(s0, path, wills, dmax, pool=0.0):
    plan, out = s0, []
    for target, will in zip(path, wills, strict=True):
        plan = plan + min(max(will * (target - pool - plan), -dmax), dmax)
        out.append(plan)
    return np.array(out)


def test_pinned_acute_threat_shifts_will_and_commitment_by_exposure():
    years = {y: "acute" for y in range(2026, 2031)}
    cfg = _zero(threat={"enabled": True, "pinned": years, "effect": 0.5,
                        "commitment_pp": 0.4})  # fmt: skip
    for iso in ("POL", "ESP"):  # exposure 1 (land border), 0.1
        mi, j, core, _ = _core(cfg, iso)
        e = mi.exposure[j]
        will = _logistic(mi.wbar[j] + 0.5 * e * (2.0 - 1.0))
        path = mi.path[j, 0] + 0.4 * e * (2.0 - 1.0)
        expected = _hand_plan(mi.base_share[j], path, [will] * 5, mi.dmax[j])
        np.testing.assert_allclose(
            core, np.broadcast_to(expected, core.shape), rtol=1e-10
        )


def test_certain_government_change_jumps_will_and_dips_the_plan():
    cfg = _zero(elections={"enabled": True, "p_change": 1.0, "p_up": 1.0, "jump": 0.5,
                           "dip_pp": 0.03})  # fmt: skip
    mi, j, core, _ = _core(cfg, "DEU")  # Bundestag election 2029 in the calendar
    assert list(mi.years[mi.election[j]]) == [2029]
    x, wills = mi.wbar[j], []
    for y in mi.years:
        x = x + 0.15 * (mi.wbar[j] - x) + (0.5 if y == 2029 else 0.0)
        wills.append(_logistic(x))
    plan = _hand_plan(mi.base_share[j], mi.path[j, 0], wills, mi.dmax[j])
    expected = plan - np.where(mi.years == 2029, 0.03, 0.0)
    np.testing.assert_allclose(core[0], expected, rtol=1e-10)


def test_pinned_review_outcome_selects_the_relaxed_path():
    cfg = _zero(review={"enabled": True, "pinned": "relax"},
                policy={"own_paths": None, "deadline": 2030})  # fmt: skip
    mi, j, core, _ = _core(cfg, "ESP")
    assert not np.array_equal(mi.path[j, 1], mi.path[j, 0])
    will = _logistic(mi.wbar[j])
    expected = _hand_plan(mi.base_share[j], mi.path[j, 1], [will] * 5, mi.dmax[j])
    np.testing.assert_allclose(core[0], expected, rtol=1e-10)


def test_certain_reclassification_adds_the_pool_and_substitutes_for_effort():
    cfg = _zero(reclass={"enabled": True, "rate": 1.0})
    mi, j, core, _ = _core(cfg, "ESP")  # constrained group: pool 0.4 pp
    assert mi.pool[j] == 0.4
    will = _logistic(mi.wbar[j])
    plan = _hand_plan(mi.base_share[j], mi.path[j, 0], [will] * 5, mi.dmax[j], 0.4)
    np.testing.assert_allclose(core[0], plan + 0.4, rtol=1e-10)


def test_debt_recursion_and_escape_clause():
    cfg = _zero(fiscal={"enabled": True, "threshold": 0.0, "drag_per_10pp": 0.1,
                        "escape_clause_end": 2027, "interest_shift_pp": 1.0})  # fmt: skip
    mi, j, core, debt = _core(cfg, "BEL")  # escape clause activated: no drag to 2027
    g, pi = mi.g0[j], mi.pi0[j]
    b, x, wills, debts = mi.debt0[j], mi.wbar[j], [], []
    plan = mi.base_share[j]
    for t, y in enumerate(mi.years):
        g = mi.mu_g[j] + mi.phi_g[j] * (g - mi.mu_g[j])
        pi = mi.mu_pi[j] + mi.phi_pi[j] * (pi - mi.mu_pi[j])
        drag = 0.0 if y <= 2027 else 0.1 * b / 10
        will = _logistic(x - drag)
        wills.append(will)
        step = min(max(will * (mi.path[j, 0, t] - plan), -mi.dmax[j]), mi.dmax[j])
        plan = plan + step
        b = b * 1.01 / ((1 + g) * (1 + pi)) + mi.deficit[j] + (plan - mi.base_share[j])
        debts.append(b)
    np.testing.assert_allclose(debt[0], debts, rtol=1e-9)
    expected = _hand_plan(mi.base_share[j], mi.path[j, 0], wills, mi.dmax[j])
    np.testing.assert_allclose(core[0], expected, rtol=1e-9)


def test_reporting_noise_is_added_to_the_reported_share_only():
    on = make_config(
        **(POLITICS_OFF | {"reporting": {"enabled": True, "noise_sd": 0.07}})
    )
    off = make_config(**POLITICS_OFF)
    mi = build_inputs(on)
    sh_on, sh_off = draw(on, mi, 0, 200), draw(off, mi, 0, 200)
    core_on, res_on, gdp_on, *_ = project_chunk(on, mi, sh_on)
    core_off, res_off, gdp_off, *_ = project_chunk(off, mi, sh_off)
    np.testing.assert_allclose(core_on - core_off, sh_on.noise, atol=1e-12)
    np.testing.assert_array_equal(res_on, res_off)
    z = sh_on.noise[mi.counted].ravel()
    assert abs(z.std() - 0.07) < K * 0.07 / np.sqrt(2 * z.size)


def test_us_retrenchment_pinned_moves_allies_and_the_us():
    cfg = _zero(us_stance={"enabled": True, "pinned": {2029: "retrenchment"},
                           "commitment_allies": {"retrenchment": 0.2}})  # fmt: skip
    for iso, shift in (("DEU", 0.3), ("ESP", 0.3)):
        mi, j, core, _ = _core(cfg, iso)
        wills = [
            _logistic(mi.wbar[j] + (shift if y >= 2029 else 0.0)) for y in mi.years
        ]
        path = mi.path[j, 0] + np.where(mi.years >= 2029, 0.2, 0.0)
        expected = _hand_plan(mi.base_share[j], path, wills, mi.dmax[j])
        np.testing.assert_allclose(core[0], expected, rtol=1e-10)


def test_markov_chain_transition_frequencies():
    P = np.array([[0.83, 0.15, 0.02], [0.2, 0.78, 0.02], [0.0, 0.3, 0.7]])
    n, T = 40_000, 6
    states = politics.markov_chain(stream(5, 0, 0).random((n, T)), P, start=1)
    prev = np.concatenate([np.ones((n, 1), np.int8), states[:, :-1]], axis=1)
    for a in range(3):
        mask = prev == a
        total = mask.sum()
        for b_ in range(3):
            freq = (states[mask] == b_).mean()
            se = np.sqrt(max(P[a, b_] * (1 - P[a, b_]), 1e-12) / total)
            assert abs(freq - P[a, b_]) < K * se + 1e-12, (a, b_)
    pinned = politics.markov_chain(stream(5, 0, 0).random((10, T)), P, 1, pinned={2: 2})
    assert (pinned[:, 2] == 2).all()
    frozen = politics.markov_chain(stream(5, 0, 0).random((10, T)), P, 1,
                                   active=np.zeros(T, bool))  # fmt: skip
    assert (frozen == 1).all()


def test_election_and_jump_frequencies():
    """The kernel's election draws: a change of government with p_change in election
    years only, upward with p_up, of the configured size."""
    cfg = make_config(paths=20_000, members=["DEU", "FRA"], revisions={"enabled": False},
                      elections={"p_change": 0.4, "p_up": 0.7, "jump": 0.5})  # fmt: skip
    mi = build_inputs(cfg)
    n, T = 20_000, len(mi.years)
    el = mi.election[0]
    assert el.any()
    jumps = draw(cfg, mi, 0, n).w_jump[0]
    changed = jumps[:, el] != 0
    m = changed.size
    assert abs(changed.mean() - 0.4) < K * np.sqrt(0.24 / m)
    assert set(np.unique(np.abs(jumps[:, el][changed]))) == {0.5}
    up = (jumps[:, el][changed] > 0).mean()
    assert abs(up - 0.7) < K * np.sqrt(0.21 / changed.sum())
    assert (jumps[:, ~el] == 0).all()
    rng = stream(9, 0, 0)
    counts = rng.poisson(0.1, (n, T))
    assert abs(counts.mean() - 0.1) < K * np.sqrt(0.1 / counts.size)
    z = rng.standard_normal((n, T))
    np.testing.assert_array_equal(
        politics.compound_poisson(counts, z, 0.2, 0.8),
        counts * 0.2 + 0.8 * np.sqrt(counts) * z,
    )


def test_mechanism_streams_are_independent_of_each_other():
    a = make_config(elections={"p_change": 0.9})
    b = make_config(elections={"p_change": 0.1})
    mi = build_inputs(a)
    sa, sb = draw(a, mi, 0, 100), draw(b, mi, 0, 100)
    for name in (
        "u_g",
        "u_w",
        "eta",
        "noise",
        "regime",
        "stance",
        "review",
        "reclass_start",
    ):
        np.testing.assert_array_equal(
            getattr(sa, name), getattr(sb, name), err_msg=name
        )
    assert not np.array_equal(sa.w_jump, sb.w_jump)


def test_political_outputs(tiny_config):
    cfg = make_config(threat={"pinned": {2027: "moderate"}})
    ds = run(cfg)
    np.testing.assert_allclose(ds["p_regime"].sum("regime"), 1.0)
    np.testing.assert_allclose(ds["p_us_stance"].sum("us_stance"), 1.0)
    assert float(ds["p_regime"].sel(regime="moderate", year=2027)) == 1.0
    assert float(ds["p_review"].sum()) == pytest.approx(1.0)
    counted = ds["counted"].values.astype(bool)
    on = ds["p_on_path"][counted]
    assert (on.diff("year") <= 0).all()
    sf = ds["shortfall_usd"][:, counted]
    assert (sf >= 0).all()
    pol = ds["shortfall_usd"].sel(target="core_3.5", member="POL")
    esp = ds["shortfall_usd"].sel(target="core_3.5", member="ESP")
    assert (esp > 0).all() and (pol < 0.01 * esp).all()
    np.testing.assert_allclose(ds["alliance_shortfall_usd"], sf.sum("member"))
    assert (ds["debt_share"][counted] > 0).all()


def test_mechanisms_listed_in_tests_match_config():
    from sim.config import Config

    names = {f for f in Config.__dataclass_fields__}
    assert set(MECHANISMS) <= names


def test_unforeseen_growth_shock_raises_the_share_in_that_year():
    cfg = _zero(macro={"growth_vol_scale": 0.0, "inflation_vol_scale": 0.0,
                       "growth_shocks": {2027: -3.0}})  # fmt: skip
    base = _zero()
    mi, j, core, _ = _core(cfg, "DEU")
    _, _, core0, _ = _core(base, "DEU")
    g = mi.g0[j]
    for y in mi.years:
        g = mi.mu_g[j] + mi.phi_g[j] * (g - mi.mu_g[j])
        if y == 2027:
            break
    t = list(mi.years).index(2027)
    np.testing.assert_allclose(
        core[0, t], core0[0, t] * (1 + g) / (1 + g - 0.03), rtol=1e-10
    )
    np.testing.assert_array_equal(core[0, :t], core0[0, :t])


def test_national_only_holds_members_without_a_plan():
    cfg = make_config(policy={"path_rule": "national_only", "own_paths": None})
    mi = build_inputs(cfg)
    j = mi.iso3.index("DEU")
    assert mi.path_kind[j] == "national" and mi.path[j, 0, -1] == 3.5
    cfg = make_config(members=["FRA"], policy={"path_rule": "national_only"})
    mi = build_inputs(cfg)
    assert mi.path_kind[0] == "hold base share"
    assert (mi.path[0] == mi.base_share[0]).all()


def test_exponential_clock_gives_geometric_first_success():
    n, T, r = 100_000, 6, 0.2
    e = stream(4, 0, 0).standard_exponential(n)
    start = politics.first_success(e, politics.cumulative_hazard(np.full((n, T), r)))
    for t in range(T):
        p = (1 - r) ** t * r
        assert abs((start == t).mean() - p) < K * np.sqrt(p * (1 - p) / n)
    p_never = (1 - r) ** T
    assert abs((start == T).mean() - p_never) < K * np.sqrt(p_never * (1 - p_never) / n)
    certain = politics.first_success(
        e[:5], politics.cumulative_hazard(np.array([[0.0, 1.0, 0.0]] * 5))
    )
    assert (certain == 1).all()


def test_conditional_view_obeys_the_law_of_total_probability():
    ds = run(make_config(paths=600, chunk_size=200))
    counted = ds["counted"].values.astype(bool)
    for y in ds["target_year"].values:
        p = ds["p_meet"].sel(year=y)[:, counted]
        pc = ds["p_condition"].sel(target_year=y)
        given = ds["p_meet_given"].sel(target_year=y)[:, counted]
        for group in (["threat=moderate", "threat=high", "threat=acute"],
                      ["us=pressure", "us=neutral", "us=retrenchment"],
                      ["recession=no", "recession=yes"]):  # fmt: skip
            assert float(pc.sel(condition=group).sum()) == pytest.approx(1.0)
            total = (
                given.sel(condition=group).fillna(0) * pc.sel(condition=group)
            ).sum("condition")
            np.testing.assert_allclose(total, p, atol=1e-12)
    pinned = run(
        make_config(paths=100, chunk_size=100, threat={"pinned": {2028: "acute"}})
    )
    assert (
        float(pinned["p_condition"].sel(target_year=2028, condition="threat=acute"))
        == 1.0
    )
