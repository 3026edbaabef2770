"""Member resilience priors (sim/inputs/resilience_priors.py): published claims."""

import numpy as np
import pytest

from sim import preflight
from sim.errors import DataError
from sim.inputs import resilience_priors as rp
from sim.params import build_inputs

from .conftest import make_config


def test_bundled_claims_and_the_common_prior_elsewhere():
    df = rp.load()
    assert df.loc["ITA", "prior_mean_pp"] == 0.7
    assert df.loc["CAN", "prior_mean_pp"] == 1.5
    assert np.isnan(df.loc["EST", "prior_mean_pp"])  # "on track": no level stated
    assert df["source"].str.contains("not a NATO figure").all()
    got = rp.prior_means(["ITA", "CAN", "EST", "DEU"], 1.0)
    np.testing.assert_array_equal(got, [0.7, 1.5, 1.0, 1.0])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("iso3,prior_mean_pp\nITA,0.7\n", "missing column(s) reading, source"),
        (
            "iso3,prior_mean_pp,reading,source\nITA,0.7,r,s\nITA,0.8,r,s\n",
            "one row per",
        ),
        ("iso3,prior_mean_pp,reading,source\nITA,-1,r,s\n", "'prior_mean_pp'"),
        ("iso3,prior_mean_pp,reading,source\nITA,0.7,r,\n", "needs its source"),
    ],
)
def test_bad_file_is_one_data_error_naming_it(tmp_path, body, message):
    f = tmp_path / "priors.csv"
    f.write_text(body)
    with pytest.raises(DataError) as e:
        rp.load(str(f))
    assert str(f) in str(e.value) and message in str(e.value)
    assert "\n" not in str(e.value)


def test_unknown_member_in_the_file_is_an_error(tmp_path):
    f = tmp_path / "priors.csv"
    f.write_text("iso3,prior_mean_pp,reading,source\nGER,0.7,r,s\n")
    with pytest.raises(DataError, match="unknown member code.*GER"):
        preflight.check(make_config(resilience={"priors_file": str(f)}))


def test_priors_reach_the_draws_and_can_be_switched_off():
    cfg = make_config(members=["ITA", "DEU"])
    assert list(build_inputs(cfg).res_prior_mean) == [0.7, 1.0]
    off = make_config(members=["ITA", "DEU"], resilience={"member_priors": False})
    assert list(build_inputs(off).res_prior_mean) == [1.0, 1.0]
