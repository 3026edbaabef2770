"""Out-of-sample skill: scores on hand-made cases, the naive forecasters recomputed
independently, no data after an origin, interval coverage, the command."""

import math
import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim import params
from sim.analyses import calibrate as calibration
from sim.analyses import scores
from sim.analyses import skill as sk
from sim.cli import cli
from sim.config import load_config
from sim.errors import ConfigError
from sim.inputs import build_members

from .conftest import CONFIGS

TINY = ["paths=200", "chunk_size=200", "members=[DEU, POL, EST, ESP]"]
ORIGINS, THRESHOLDS = (2016, 2020), (2.0, 3.0)


@pytest.fixture(scope="module")
def tiny():
    cfg = load_config(CONFIGS / "backtest" / "wales2014.yaml", TINY)
    return sk.skill(cfg, ORIGINS, THRESHOLDS)


def test_score_table_by_hand():
    # forecasters x origins x thresholds x members x years; NaN = no forecast
    nan = np.nan
    prob = np.full((3, 2, 1, 1, 2), nan)
    prob[:, 0, 0, 0] = [[0.9, 0.2], [0.5, 0.5], [0.0, 1.0]]  # origin 0: two years
    prob[:, 1, 0, 0, 1] = [0.03, 0.6, 0.5]  # origin 1: second year only
    obs = np.array([[2.5, 1.0]])  # event (>= 2) in year 0 only
    s = sk.score_table(prob, obs, np.array([2.0]))
    assert s["n_origin"].tolist() == [[2], [1]]
    assert s["brier_origin"][0, 0, 0] == pytest.approx((0.01 + 0.04) / 2)
    assert s["brier_origin"][0, 1, 0] == pytest.approx(0.0009)
    assert s["brier"][0, 0] == pytest.approx((0.01 + 0.04 + 0.0009) / 3)
    assert s["brier"][2, 0] == pytest.approx((1 + 1 + 0.25) / 3)
    clip = -math.log(scores.LOG_CLIP)  # climatology gave 0 and 1 to what went wrong
    assert s["log"][2, 0] == pytest.approx((2 * clip - math.log(0.5)) / 3)
    assert s["log_origin"][1, 0, 0] == pytest.approx(-math.log(0.5))
    count, mean_p, freq = s["reliability"][0]
    assert count.sum() == 3 and count[0] == 1 and count[2] == 1 and count[9] == 1
    assert freq[9] == 1.0 and freq[0] == 0.0 and mean_p[0] == pytest.approx(0.03)
    # below 5%: model 0.03 (no event); climatology 0.0 (the event happened)
    assert s["low"][0].tolist() == [1, pytest.approx(0.03), 0]
    assert s["low"][2].tolist() == [1, 0.0, 1] and s["low"][1, 0] == 0


def test_interval_coverage_by_hand():
    lo = np.array([1.0, 1.0, 1.0, np.nan, 1.0])
    hi = np.array([2.0, 2.0, 2.0, 2.0, 2.0])
    y = np.array([1.0, 2.0, 2.01, 1.5, np.nan])  # ends count as inside
    assert scores.interval_coverage(lo, hi, y) == (2, 3)


def test_year_ranges():
    assert sk.year_ranges([2003, 2001, 2002, 2005]) == "2001-2003, 2005"


def test_grid_and_config_checks():
    for o, t in (((2013,), (2.0,)), ((2018, 2016), (2.0,)), ((2024,), (2.0,)),
                 ((2016,), (3.0, 2.0)), ((2016,), (0.0,))):  # fmt: skip
        with pytest.raises(ConfigError):
            sk.check_grid(o, t)
    cfg = load_config(CONFIGS / "backtest" / "wales2014_invasion.yaml", TINY)
    with pytest.raises(ConfigError, match="^origin 2022: config key 'threat'"):
        sk.rebase(cfg, 2022, (2.0,))


def test_rebase_uses_data_to_the_origin():
    cfg = load_config(CONFIGS / "baseline.yaml", ["horizon=2035"])
    r = sk.rebase(load_config(CONFIGS / "backtest" / "wales2014.yaml"), 2018, (2.0,))
    assert (r.base_year, r.horizon, r.calibration) == (2018, 2024, "asof")
    assert r.data.plans_asof == "2018-12-31" and r.target_years == (2019, 2024)
    assert [t.level for t in r.targets] == [2.0]
    assert "MNE" not in sk.members_at(cfg, 2016) and "MNE" in sk.members_at(cfg, 2018)
    assert "ISL" not in sk.members_at(cfg, 2020) and "MKD" in sk.members_at(cfg, 2020)


def test_outputs_and_pooled_scores(tiny):
    ds = tiny
    assert ds.attrs["sim_kind"] == "skill"
    assert list(ds.origin.values) == [2016, 2020] and ds.sizes["year"] == 8
    # no forecast for years up to the origin
    assert np.isnan(ds.p_forecast.sel(origin=2020, year=2020)).all()
    assert np.isfinite(ds.p_forecast.sel(origin=2020, year=2021)).all()
    for o in ORIGINS:
        assert f"{o}-12-31" in ds.attrs[f"fitted_{o}"]
        assert f"SIPRI {o - 9}-{o}" in ds.attrs[f"fitted_{o}"]
    assert "2000-2019" in ds.attrs["fitted_2020"]  # 2020 itself is a left-out year
    outcome = ds.observed >= ds.threshold - 0.005
    for f in ds.forecaster.values:  # pooled Brier = mean over every member-year
        for t in ds.threshold.values:
            p = ds.p_forecast.sel(forecaster=f, threshold=t)
            err = ((p - outcome.sel(threshold=t)) ** 2).values
            assert float(ds.brier.sel(forecaster=f, threshold=t)) == pytest.approx(
                np.nanmean(err)
            )
    assert int(ds.reliability_count.sum("bin")[0]) == int(ds.n_forecasts.sum())
    assert int(ds.n_forecasts.sel(origin=2016).sum()) == 4 * 8 * 2
    assert float(ds.crps[0]) == pytest.approx(float(ds.crps_member[0].mean()))
    assert "fitted on data up to each origin only" in sk.summary(ds)


def test_naive_forecasters_recomputed_independently(tiny):
    from scipy.stats import norm

    ds = tiny
    raw = pd.read_csv(build_members.SOURCES / "defence_share_gdp.csv", comment="#")
    for o in ORIGINS:
        share = calibration.calibrate(asof=o, means="history")["share"]
        entry = share.get("nato_jun2024", share["sipri"])
        if entry["years"][1] - entry["years"][0] < 5:
            entry = share["sipri"]
        sigma = entry["change_sd_pp"]
        for m in ds.member.values:
            rows = raw[raw.iso3 == m]
            nato = rows[rows.source_id == "NATO_DE_2024"].set_index("year")
            sipri = rows[rows.source_id == "SIPRI_MILEX_1949_2024"].set_index("year")
            s0 = nato.loc[o, "value_pct_gdp"]
            past = sipri.loc[o - 9 : o, "value_pct_gdp"].dropna().to_numpy()
            for t in ds.threshold.values:
                for y in range(o + 1, 2025):
                    cell = dict(origin=o, threshold=t, member=m, year=y)
                    pers = norm.sf(t - 0.005, loc=s0, scale=sigma * np.sqrt(y - o))
                    clim = ((past >= t - 0.005).sum() + 0.5) / (len(past) + 1)
                    got = ds.p_forecast.sel(**cell)
                    assert float(got.sel(forecaster="persistence")) == pytest.approx(
                        pers, abs=1e-12
                    )
                    assert float(got.sel(forecaster="climatology")) == pytest.approx(
                        clim
                    )
            z = norm.ppf(0.95)
            lo = ds.interval_lower.sel(forecaster="persistence", origin=o, member=m)
            assert float(lo) == pytest.approx(s0 - z * sigma)


def test_coverage_counted_from_the_intervals(tiny):
    ds = tiny
    for o in ORIGINS:
        y = ds.observed.sel(year=o + 1)
        for f in ("model", "persistence"):
            lo = ds.interval_lower.sel(forecaster=f, origin=o)
            hi = ds.interval_upper.sel(forecaster=f, origin=o)
            inside = int(((lo <= y) & (y <= hi)).sum())
            assert int(ds.coverage_hits.sel(forecaster=f, origin=o)) == inside
        assert int(ds.coverage_n.sel(origin=o)) == 4
        q = ds.interval_lower.sel(forecaster="model", origin=o)
        assert (q < ds.interval_upper.sel(forecaster="model", origin=o)).all()
    hits = ds.coverage_hits.sel(forecaster="model").sum()
    assert float(ds.coverage.sel(forecaster="model")) == pytest.approx(float(hits) / 8)
    assert np.isnan(ds.coverage.sel(forecaster="climatology"))


def _clear_caches():
    params._asof_table.cache_clear()
    calibration._sources.cache_clear()


def test_forecasts_use_no_data_after_the_origin(tmp_path, monkeypatch):
    """Every share and macro figure after 2016 changed in a copy of the sources: the
    2016 forecasts stay the same; only what they are scored against moves."""
    cfg = load_config(CONFIGS / "backtest" / "wales2014.yaml", TINY)
    before = sk.skill(cfg, (2016,), (2.0,))
    src = tmp_path / "sources"
    shutil.copytree(build_members.SOURCES, src)
    for name, col in (("defence_share_gdp.csv", "value_pct_gdp"),
                      ("macro_history.csv", None)):  # fmt: skip
        df = pd.read_csv(src / name, comment="#")
        late = df["year"] > 2016
        cols = [col] if col else [c for c in df.columns if df[c].dtype.kind == "f"]
        df.loc[late, cols] = df.loc[late, cols] * 1.5 + 0.3
        df.to_csv(src / name, index=False)
    monkeypatch.setattr(build_members, "SOURCES", src)
    _clear_caches()
    try:
        after = sk.skill(cfg, (2016,), (2.0,))
    finally:
        monkeypatch.undo()
        _clear_caches()
    assert not np.allclose(before.observed, after.observed)  # the copy was read
    for v in ("p_forecast", "interval_lower", "interval_upper", "base_share"):
        np.testing.assert_array_equal(before[v], after[v])
    assert before.attrs["fitted_2016"] == after.attrs["fitted_2016"]


def test_skill_cli_and_show(tmp_path):
    args = ["skill", str(CONFIGS / "backtest" / "wales2014.yaml"), "--paths", "200",
            "--origins", "2016,2020", "--thresholds", "2,3", "--out", str(tmp_path),
            "--set", "members=[DEU, POL]"]  # fmt: skip
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    assert "origins 2016, 2020" in r.output and "one year ahead" in r.output
    run_dir = r.output.strip().splitlines()[-1]
    shown = CliRunner().invoke(cli, ["show", run_dir])
    assert shown.exit_code == 0 and "fitted on data up to each origin" in shown.output
    bad = CliRunner().invoke(cli, [*args[:5], "2013", *args[6:]])
    assert isinstance(bad.exception, ConfigError) and "--origins 2013" in str(
        bad.exception
    )
    assert len(list(tmp_path.iterdir())) == 1  # nothing written by the bad call


FIXED = ["macro.growth_common_corr=0.6", "macro.inflation_common_corr=0.3",
         "macro.growth_inflation_corr=0.2", "macro.shock_df=6",
         "revisions.rate_member=1.0", "revisions.sd=0.08", "revisions.momentum=0.17",
         "landing.p_topup=0.6", "fiscal.consolidation_pp=0.05",
         "revisions.member_scale=pooled"]  # fmt: skip
"""Every pooled calibration value the engine reads, set in the config instead (the
member scales of the revision s.d. are shrunk toward the pool: not used)."""


@pytest.mark.parametrize("pooled", [True, False])
def test_leave_one_out_changes_only_what_is_pooled(pooled):
    """Leave-one-member-out: with nothing pooled read from the calibration, each
    member's model forecast (run alone) equals the normal run's bit for bit; with
    the calibration's pooled values it moves.  Persistence's s.d. is pooled: it
    always moves, climatology (a member's own past) never."""
    cfg = load_config(CONFIGS / "backtest" / "wales2014.yaml",
                      TINY + ([] if pooled else FIXED))  # fmt: skip
    normal = sk.skill(cfg, ORIGINS, THRESHOLDS)
    loo = sk.skill(cfg, ORIGINS, THRESHOLDS, leave_one_member_out=True)
    assert loo.attrs["leave_one_member_out"] == 1 and "leave-one" in sk.summary(loo)
    assert list(loo.member.values) == list(normal.member.values)
    for v in ("p_forecast", "crps_member"):
        a, b = (d[v].sel(forecaster="model").values for d in (normal, loo))
        assert np.array_equal(a, b, equal_nan=True) != pooled, v
    a, b = (d.p_forecast.sel(forecaster="climatology") for d in (normal, loo))
    np.testing.assert_array_equal(a, b)
    sd, sd_loo = normal.persistence_sd, loo.persistence_sd
    assert (sd_loo != sd).all() and float(abs(sd_loo - sd).max()) < 0.1
    for o in ORIGINS:
        assert "pooled estimates (common shock" in loo.attrs[f"fitted_{o}"]


def test_calibration_leave_out_is_checked():
    path = CONFIGS / "backtest" / "wales2014.yaml"
    from sim import preflight

    for over, msg in ((["calibration_leave_out=[XXX]"], "unknown member code 'XXX'"),
                      (["calibration_leave_out=[DEU]", "calibration=null"],
                       "only with calibration: asof")):  # fmt: skip
        with pytest.raises(ConfigError, match=f"'calibration_leave_out'.*{msg}"):
            preflight.check(load_config(path, over))


def test_skill_leave_one_out_cli(tmp_path):
    args = ["skill", str(CONFIGS / "backtest" / "wales2014.yaml"), "--paths", "100",
            "--origins", "2016,2020", "--thresholds", "2,3", "--out", str(tmp_path),
            "--set", "members=[DEU, POL]", "--leave-one-out"]  # fmt: skip
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    assert "out of sample (leave-one-member-out)" in r.output
    assert "paths per member run" in r.output
    run_dir = r.output.strip().splitlines()[-1]
    shown = CliRunner().invoke(cli, ["show", run_dir])
    assert shown.exit_code == 0 and "leave-one-member-out" in shown.output
