"""The US budget module (sim/inputs/us_budget.py): figures, regimes, wedge, variants."""

import datetime as dt

import numpy as np
import pytest

from sim.errors import DataError
from sim.inputs import us_budget as ub
from sim.params import build_inputs, member_paths
from sim.shocks import draw_common

from .conftest import make_config

YEARS = np.arange(2027, 2036)
GDP = {2025: 30615.743, 2026: 31821.293, 2027: 33019.978}  # IMF WEO Oct 2025, US$ bn
GROWTH = {2026: 2.102, 2027: 2.055, 2028: 2.093, 2029: 1.881, 2030: 1.753}  # percent


def test_bundled_figures_have_sources():
    df = ub.load()
    assert set(df["item"]) == {"enacted", "request"}
    assert (df["source"].str.len() > 20).all()
    row = df[(df["item"] == "request") & (df["fiscal_year"] == 2027)].iloc[0]
    assert row["usd_bn"] == 1500


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("item,fiscal_year,usd_bn\n", "missing column(s) announced, source, note"),
        ("item,fiscal_year,usd_bn,announced,source,note\nguess,2027,1500,2026,x,y\n",
         "column 'item': guess not allowed"),
        ("item,fiscal_year,usd_bn,announced,source,note\nrequest,2027,lots,2026,x,y\n",
         "column 'usd_bn'"),
        ("item,fiscal_year,usd_bn,announced,source,note\nrequest,2027,1500,2026,,y\n",
         "every figure needs its source"),
        ("item,fiscal_year,usd_bn,announced,source,note\nrequest,2027,1500,soon,x,y\n",
         "column 'announced'"),
    ],
)  # fmt: skip
def test_bad_file_is_one_data_error_naming_it(tmp_path, body, message):
    f = tmp_path / "us.csv"
    f.write_text(body)
    with pytest.raises(DataError) as e:
        ub.load(str(f))
    assert str(f) in str(e.value) and message in str(e.value)
    assert "\n" not in str(e.value)


def test_regimes_by_hand():
    info = ub.regimes(2026, dt.date(2026, 9, 29), YEARS, lambda y: 3.17, 0.0, None)
    s25 = 100 * 892 / GDP[2025]  # FY2025 national defence, % of GDP
    assert info["enacted_share"] == pytest.approx(s25)
    assert info["wedge_pp"] == pytest.approx(3.17 - s25) and info["wedge_year"] == 2025
    # current law: flat real dollars, the share divided by (1 + real growth) each year
    g = [GROWTH[y] / 100 for y in (2026, 2027, 2028, 2029, 2030)]
    g += [np.mean(g)] * 5  # 2031-2035: the 2026-2030 mean
    want = s25 / np.cumprod(1 + np.array(g))  # 2026 .. 2035
    np.testing.assert_allclose(info["national"][0], want[1:], rtol=1e-12)
    assert 2.35 < info["national"][0, -1] < 2.45  # about 2.4% by 2035
    # build-up: the FY2027 request, then flat real dollars
    s27 = 100 * 1500 / GDP[2027]
    np.testing.assert_allclose(info["national"][1], s27 * np.r_[1, np.cumprod(
        1 / (1 + np.array(g[2:])))], rtol=1e-12)  # fmt: skip
    np.testing.assert_allclose(info["nato"], info["national"] + info["wedge_pp"])


def test_only_figures_known_by_the_cutoff_are_used():
    before = ub.regimes(2025, dt.date(2025, 12, 31), YEARS, lambda y: 3.22, 0.0, None)
    assert before["requests"] == {2026: 1010.0}  # the FY2027 request came in Jan 2026
    s26 = 100 * 1010 / GDP[2026]
    assert before["national"][1, 0] == pytest.approx(s26 / (1 + GROWTH[2027] / 100))
    with pytest.raises(DataError, match="no enacted US figure"):
        ub.regimes(2024, dt.date(2024, 12, 31), YEARS, lambda y: 3.3, 0.0, None)


def test_configured_wedge_and_real_growth():
    info = ub.regimes(2026, dt.date(2026, 9, 29), YEARS, lambda y: np.nan, 2.0, 0.5)
    assert info["wedge_pp"] == 0.5 and info["wedge_year"] is None
    flat = ub.regimes(2026, dt.date(2026, 9, 29), YEARS, lambda y: 3.17, 0.0, None)
    ratio = info["national"][:, 1:] / info["national"][:, :-1]
    flat_ratio = flat["national"][:, 1:] / flat["national"][:, :-1]
    np.testing.assert_allclose(ratio, flat_ratio * 1.02, rtol=1e-12)
    with pytest.raises(DataError, match="set us_budget.wedge_pp"):
        ub.regimes(2026, dt.date(2026, 9, 29), YEARS, lambda y: np.nan, 0.0, None)


def test_sequences_and_variant_draws_by_hand():
    nato = np.array([[3.0, 3.0, 3.0, 3.0], [4.0, 4.0, 4.0, 4.0]])
    paths = ub.sequences(nato, [0, 2])
    np.testing.assert_array_equal(
        paths, [[3, 3, 3, 3], [4, 4, 3, 3], [3, 3, 4, 4], [4, 4, 4, 4]]
    )
    u = np.array([[0.1, 0.9], [0.1, 0.2], [0.8, 0.2], [0.8, 0.9]])
    # build-up at the start if u0 < 0.5; switch at the next decision if u1 < 0.3
    np.testing.assert_array_equal(ub.draw_variant(u, 0.5, 0.3), [3, 1, 2, 0])
    assert ub.decision_years(YEARS, YEARS == 2029, 0.5) == [0, 2]
    assert ub.decision_years(YEARS, YEARS == 2029, 0.0) == [0]
    p = ub.p_build_up(4, [0, 2], 0.8, 0.25)
    np.testing.assert_allclose(p, [0.8, 0.8, 0.8 * 0.75 + 0.2 * 0.25] * 1 + [0.65])


def test_baseline_usa_follows_its_regimes_and_draws_them_with_the_set_odds():
    cfg = make_config(members=["USA", "DEU"], horizon=2035, target_years=[2035],
                      policy={"deadline": 2035}, data={"share_vintage": "latest",
                      "plans_file": None, "plans_asof": None}, base_year=2026)  # fmt: skip
    mi = build_inputs(cfg)
    j = mi.iso3.index("USA")
    assert mi.path_kind[j] == "US budget regimes"
    assert mi.us_budget["decisions"] == [
        0,
        2,
        6,
    ]  # 2027, new administrations 2029, 2033
    np.testing.assert_allclose(mi.path[j], mi.us_budget["paths"])
    assert mi.path.shape[1] == 8
    cm = draw_common(cfg, mi, 0, 20000)
    start = (cm.us_variant & 1).mean()  # bit 0: the regime drawn for 2027
    se = np.sqrt(0.25 / 20000)
    assert abs(start - cfg.us_budget.p_build_up) < 4 * se
    switched = ((cm.us_variant & 1) != ((cm.us_variant >> 1) & 1)).mean()
    assert abs(switched - cfg.us_budget.p_switch) < 4 * se


def test_switched_off_the_usa_follows_the_alliance_rule_again():
    cfg = make_config(members=["USA", "DEU"], us_budget={"enabled": False})
    mi = build_inputs(cfg)
    j = mi.iso3.index("USA")
    rows, kind = member_paths(cfg, "USA", mi.base_share[j], [], mi.years)
    assert mi.us_budget is None and mi.path_kind[j] == kind
    np.testing.assert_array_equal(mi.path[j], rows)
