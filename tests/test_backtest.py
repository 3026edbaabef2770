"""Scores, naive forecasters and the backtest pipeline."""

import numpy as np
import pytest
from click.testing import CliRunner

from sim.analyses import scores
from sim.analyses.backtest import backtest, summary
from sim.analyses.naive import observed_shares, persistence_forecast
from sim.cli import cli
from sim.config import load_config
from sim.errors import ConfigError
from sim.rng import stream

from .conftest import CONFIGS

K = 4.5


def test_brier_and_log_score_by_hand():
    p = np.array([0.9, 0.2, 0.5])
    o = np.array([True, False, True])
    assert scores.brier(p, o) == pytest.approx((0.01 + 0.04 + 0.25) / 3)
    assert scores.log_score(p, o) == pytest.approx(
        -(np.log(0.9) + np.log(0.8) + np.log(0.5)) / 3
    )
    assert scores.log_score(np.array([0.0]), np.array([True])) == pytest.approx(
        -np.log(scores.LOG_CLIP)
    )


def test_reliability_bins():
    p = np.array([0.05, 0.07, 0.95, 1.0, 0.5])
    o = np.array([False, True, True, True, False])
    count, mean_p, freq = scores.reliability(p, o)
    assert count.sum() == 5 and count[0] == 2 and count[9] == 2 and count[5] == 1
    assert freq[0] == 0.5 and mean_p[9] == pytest.approx(0.975)
    assert np.isnan(freq[3])


def test_crps_sample_by_hand_and_against_the_normal_formula():
    assert scores.crps_sample(np.array([0.0, 1.0]), 0.0) == pytest.approx(0.25)
    assert scores.crps_sample(np.array([2.0]), 3.5) == pytest.approx(1.5)
    n = 200_000
    x = 1.0 + 2.0 * stream(1, 0, 0).standard_normal(n)
    exact = scores.crps_normal(1.0, 2.0, 2.5)
    # s.e. of the sample CRPS is below s.d.|X - y| / sqrt(n) (the dominant term)
    assert abs(scores.crps_sample(x, 2.5) - exact) < K * 2.5 / np.sqrt(n)
    assert scores.crps_normal(0.0, 0.0, 1.0) == 1.0


def test_persistence_forecast_is_a_random_walk_probability():
    p = persistence_forecast(np.array([2.0, 1.0]), 2.0, np.array([1.0, 4.0]), 0.5)
    assert p[0, 0] == pytest.approx(0.5)
    assert p[1, 1] == pytest.approx(scores.normal_sf(np.array([1.0 / (0.5 * 2)]))[0])


def test_observed_shares_come_from_nato_2024_edition():
    obs = observed_shares(["DEU", "ISL"], np.array([2014, 2024]), "NATO_DE_2024")
    assert obs[0, 0] == pytest.approx(1.1851) and obs[0, 1] == pytest.approx(2.119)
    assert np.isnan(obs[1]).all()


@pytest.fixture(scope="module")
def tiny_backtest():
    cfg = load_config(
        CONFIGS / "backtest" / "wales2014.yaml",
        ["paths=400", "members=[DEU, POL, USA, ESP, LVA]", "chunk_size=200"],
    )
    return backtest(cfg)


def test_backtest_outputs(tiny_backtest):
    ds = tiny_backtest
    assert list(ds.forecaster.values) == ["model", "persistence", "climatology"]
    assert ds.sizes["year"] == 10 and int(ds.year[0]) == 2015
    assert list(ds.threshold.values) == [1.5, 2.0, 2.5, 3.0, 3.5]
    for v in ("p_forecast", "observed", "brier", "log_score", "crps", "crps_member",
              "reliability_count", "coverage"):  # fmt: skip
        assert v in ds and ds[v].attrs["units"] and ds[v].attrs["long_name"]
    assert int(ds.reliability_count.sel(forecaster="model").sum()) == 5 * 50
    for t in ds.threshold.values:  # Brier of every forecaster at every threshold
        outcome = ds.observed >= t - 0.005
        for f in ds.forecaster.values:
            p = ds.p_forecast.sel(forecaster=f, threshold=t, origin=2014)
            assert float(ds.brier.sel(forecaster=f, threshold=t)) == pytest.approx(
                float(((p - outcome) ** 2).mean())
            )
    # CRPS of every forecast year, not only the last
    crps = ds.crps_member.sel(forecaster="model", origin=2014)
    assert np.isfinite(crps).all() and float(crps.sel(year=2015).mean()) < float(
        crps.sel(year=2024).mean()
    )  # one year ahead is easier than ten
    assert float(ds.crps[0]) == pytest.approx(float(crps.mean()))
    usa = ds.p_forecast.sel(forecaster="model", threshold=2.0, member="USA")
    assert float(usa.min()) > 0.9  # 3.7% in 2014
    assert "SIPRI 2005-2014" in ds.attrs["fitted_2014"]
    text = summary(ds)
    assert "wales2014: base year 2014" in text and "fitted on data up to" in text


def test_backtest_model_probabilities_are_the_runs():
    """Scoring at several thresholds changes nothing in the model: at the config's
    own target level the backtest's probabilities are a plain run's, bit for bit."""
    from sim.runner import run

    cfg = load_config(CONFIGS / "backtest" / "wales2014.yaml",
                      ["paths=300", "members=[DEU, POL, LVA]", "chunk_size=300"])  # fmt: skip
    plain = run(cfg).p_meet.sel(target="nato_2")
    ds = backtest(cfg, thresholds=(2.0, 3.0))
    got = ds.p_forecast.sel(forecaster="model", threshold=2.0, origin=2014)
    np.testing.assert_array_equal(got.values, plain.values)


def test_backtest_rejects_future_base_years():
    cfg = load_config(CONFIGS / "baseline.yaml", ["paths=10"])
    with pytest.raises(ConfigError, match="base_year must be before 2024"):
        backtest(cfg)


def test_backtest_cli(tmp_path):
    r = CliRunner().invoke(
        cli,
        ["backtest", str(CONFIGS / "backtest" / "origin2018.yaml"), "--paths", "200",
         "--out", str(tmp_path), "--set", "members=[DEU, FRA, POL]"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "origin2018: base year 2018" in r.output
    assert "3.50" in r.output and "CRPS of the share" in r.output
    one = CliRunner().invoke(cli, ["backtest", str(CONFIGS / "backtest" / "origin2018.yaml"),
                                   "--paths", "100", "--out", str(tmp_path), "--thresholds", "2",
                                   "--set", "members=[DEU]"])  # fmt: skip
    assert one.exit_code == 0 and "3.50" not in one.output
    bad = CliRunner().invoke(cli, ["backtest", str(CONFIGS / "backtest" / "origin2018.yaml"),
                                   "--out", str(tmp_path), "--thresholds", "3,2"])  # fmt: skip
    assert isinstance(bad.exception, ConfigError) and "--thresholds 3,2" in str(
        bad.exception
    )
    assert len(list(tmp_path.iterdir())) == 2
    assert (
        tmp_path / r.output.strip().splitlines()[-1].split("/")[-1] / "results.nc"
    ).exists()
