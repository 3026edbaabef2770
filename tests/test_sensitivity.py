"""Sobol indices: the estimator on Ishigami, and a tiny analysis of the model."""

import numpy as np
import pytest

from sim.analyses.sensitivity import ranked_table, run_sensitivity, sobol
from sim.config import ConfigError
from sim.io import write_run
from sim.report import write_report

from .conftest import make_config


def ishigami(u, a=7.0, b=0.1):
    x = -np.pi + 2 * np.pi * np.asarray(u)
    return np.sin(x[0]) + a * np.sin(x[1]) ** 2 + b * x[2] ** 4 * np.sin(x[0])


def test_sobol_recovers_the_ishigami_indices():
    # analytic values (a=7, b=0.1): S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244
    idx, _, _ = sobol(ishigami, 3, 2048, num_resamples=100, seed=3)
    s1, st = idx["S1"][0], idx["ST"][0]
    tol_s1 = np.maximum(2 * idx["S1_conf"][0], 0.03)  # 2x the 95% bootstrap half-width
    tol_st = np.maximum(2 * idx["ST_conf"][0], 0.03)
    np.testing.assert_array_less(np.abs(s1 - [0.3139, 0.4424, 0.0]), tol_s1)
    np.testing.assert_array_less(np.abs(st - [0.5576, 0.4424, 0.2437]), tol_st)


def test_tiny_sensitivity_run_and_report(tmp_path):
    cfg = make_config(sensitivity={
        "n_base": 4, "paths": 60, "num_resamples": 20,
        "groups": {"will_level": {"will.mean_logit.core": [-1.0, 2.0]},
                   "nothing": {"resilience.noise_sd": [0.05, 0.05]}},
    })  # fmt: skip
    ds = run_sensitivity(cfg)
    assert list(ds["group"].values) == ["will_level", "nothing"]
    assert (
        "n_meeting_core_3.5" in ds["output"].values
        and "p_core_3.5_DEU" in ds["output"].values
    )
    assert float(
        ds["ST"].sel(group="nothing", output="p_core_3.5_DEU")
    ) == pytest.approx(0, abs=1e-9)
    assert "will_level" in ranked_table(ds)
    run_dir = write_run(ds, tmp_path)
    page = write_report(run_dir).read_text()
    assert (
        'id="sensitivity"' in page
        and (run_dir / "report" / "figures" / "sobol_n_meeting_core_3.5.png").exists()
    )


def test_bad_sensitivity_groups_are_config_errors():
    with pytest.raises(ConfigError, match="sensitivity.groups.g"):
        make_config(sensitivity={"groups": {"g": {"will.nope": [0, 1]}}})
    with pytest.raises(ConfigError, match=r"expected \[lo, hi\]"):
        make_config(sensitivity={"groups": {"g": {"will.vol": [0.1]}}})
