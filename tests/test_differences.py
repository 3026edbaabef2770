"""Score differences with member-clustered standard errors, by hand."""

import numpy as np
import pytest
import xarray as xr

from sim.analyses.differences import (
    brier_differences,
    compare_results,
    crps_differences,
    score_differences,
)


def test_brier_differences_by_hand():
    """One origin, one threshold.  Member 0: two forecasts of an event that happened,
    model 1.0 (squared error 0), other 0.6 (0.16): differences -0.16, -0.16.
    Member 1: one forecast of an event that did not happen, model 0.5 (0.25), other
    0.4 (0.16): +0.09.  Mean (-0.32 + 0.09) / 3; clustered s.e.
    sqrt((-0.32 - 2 m)^2 + (0.09 - m)^2) / 3 = sqrt(2 x (1/6)^2) / 3."""
    prob = np.full((2, 1, 1, 2, 2), np.nan)
    prob[0, 0, 0] = [[1.0, 1.0], [0.5, np.nan]]  # the model
    prob[1, 0, 0] = [[0.6, 0.6], [0.4, np.nan]]
    outcome = np.array([[[True, True], [False, False]]])
    diff, se = brier_differences(prob, outcome, np.isfinite(prob).all(axis=0))
    assert diff[0, 0] == 0.0 and se[0, 0] == 0.0
    assert diff[1, 0] == pytest.approx(-0.23 / 3)
    assert se[1, 0] == pytest.approx(np.sqrt(2) / 6 / 3)


def test_log_and_crps_differences_by_hand():
    """The log score and the CRPS get the same member-clustered differences as the
    Brier score: per forecast losses summed by member, mean over all forecasts."""
    prob = np.full((2, 1, 1, 2, 2), np.nan)
    prob[0, 0, 0] = [[0.8, 0.8], [0.5, np.nan]]  # the model
    prob[1, 0, 0] = [[0.6, 0.6], [0.4, np.nan]]
    outcome = np.array([[[True, True], [False, False]]])
    d = score_differences(prob, outcome, np.isfinite(prob).all(axis=0))
    per = np.array([2 * (np.log(0.6) - np.log(0.8)), np.log(0.6) - np.log(0.5)])
    mean = per.sum() / 3
    assert d["log"][1, 0] == pytest.approx(mean)
    se = np.sqrt((per[0] - 2 * mean) ** 2 + (per[1] - mean) ** 2) / 3
    assert d["log_se"][1, 0] == pytest.approx(se)
    assert d["log"][0, 0] == 0.0 and d["log_se"][0, 0] == 0.0
    crps = np.full((3, 1, 2, 2), np.nan)  # [forecaster, origin, member, year]
    crps[0, 0] = [[0.1, 0.3], [0.2, np.nan]]
    crps[1, 0] = [[0.2, 0.2], [0.4, 0.5]]
    crps[2, 0] = [[0.1, 0.3], [0.2, np.nan]]  # scored where all three have one
    diff, se = crps_differences(crps)
    # model - persistence: member 0 sums 0.0, member 1 -0.2 over 3 member-years
    assert diff[1] == pytest.approx(-0.2 / 3)
    assert se[1] == pytest.approx(
        np.sqrt((0 + 2 * 0.2 / 3) ** 2 + (-0.2 + 0.2 / 3) ** 2) / 3
    )
    # model - climatology: 0 in each of the three member-years
    assert diff[2] == pytest.approx(0.0) and se[2] == pytest.approx(0.0)


def test_compare_results_scores_two_runs_on_chosen_years():
    """b minus a on the chosen years, per threshold and for the CRPS, with
    member-clustered s.e.; a result compared with itself differs by exactly 0."""
    years = [2022, 2023, 2024]
    obs = np.array([[1.9, 2.1, 2.3], [1.0, 1.1, np.nan]])  # [member, year]

    def result(p_model, crps_model):
        p = np.full((3, 1, 1, 2, 3), 0.5)  # [forecaster, origin, threshold, m, y]
        p[0, 0, 0] = p_model
        c = np.full((3, 1, 2, 3), 0.3)
        c[0, 0] = crps_model
        return xr.Dataset(
            {"p_forecast": (("forecaster", "origin", "threshold", "member", "year"), p),
             "crps_member": (("forecaster", "origin", "member", "year"), c),
             "observed": (("member", "year"), obs)},
            coords={"forecaster": ["model", "persistence", "climatology"],
                    "origin": [2014], "threshold": [2.0], "member": ["A", "B"],
                    "year": years},
            attrs={"config": "meet_tolerance: 0.005\n"},
        )  # fmt: skip

    a = result([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]], [[0.2, 0.2, 0.2], [0.1, 0.1, 0.1]])
    b = result([[0.0, 1.0, 1.0], [0.0, 0.0, 0.0]], [[0.1, 0.1, 0.1], [0.1, 0.1, 0.1]])
    t = compare_results(a, b, years)
    # events: A 0/1/1, B 0/0/(unknown): b is right everywhere, a always 0.5
    assert t.loc[("Brier", "2"), "n"] == 5
    assert t.loc[("Brier", "2"), "a"] == pytest.approx(0.25)
    assert t.loc[("Brier", "2"), "b"] == 0.0
    assert t.loc[("Brier", "2"), "b - a"] == pytest.approx(-0.25)
    assert t.loc[("Brier", "2"), "se"] == pytest.approx(0.0)  # the same per forecast
    assert t.loc[("log", "2"), "b - a"] < 0
    # CRPS: A -0.1 in each of 3 years, B 0 (a CRPS is scored wherever both have one)
    assert t.loc[("CRPS", "all"), "n"] == 6
    assert t.loc[("CRPS", "all"), "b - a"] == pytest.approx(-0.3 / 6)
    m = -0.3 / 6
    se = np.sqrt((-0.3 - 3 * m) ** 2 + (0 - 3 * m) ** 2) / 6
    assert t.loc[("CRPS", "all"), "se"] == pytest.approx(se)
    same = compare_results(a, a)
    assert (same["b - a"] == 0).all() and (same["se"] == 0).all()
