"""Share vintages, and the golden check: the old vintage still gives the old numbers."""

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.config import ConfigError
from sim.inputs import vintages
from sim.runner import run

from .conftest import TODAY_DATA, make_config, old_vintage_baseline

GOLDEN = Path(__file__).parent / "data" / "golden_mar2026_baseline.nc"
"""configs/baseline.yaml, 400 paths, chunks of 200, run by the code before issue 14
(commit 50ff31f: base year 2025, Mar-2026 figures, Antalya 2032, the Feb-2026 plan log)."""


def test_latest_means_the_newest_edition_covering_the_base_year():
    assert vintages.resolve(2026, "latest") == "jul2026"
    assert vintages.resolve(2025, "latest") == "jul2026"
    assert vintages.resolve(2018, "latest") == "jun2024"
    assert vintages.resolve(2025, "mar2026") == "mar2026"
    assert vintages.allowed(2026) == ("latest", "jul2026")
    assert vintages.columns(2026, "jul2026") == (
        "share_2026_nato_jul2026",
    )  # no mixing
    assert vintages.columns(2025, "mar2026")[-1] == vintages.CARRIED
    assert set(vintages.DEFINITIONS) == {"jul2026", "mar2026", "aug2025", "jun2024"}


def test_old_vintage_baseline_equals_the_stored_result_bit_for_bit():
    ds = run(old_vintage_baseline())
    assert (
        ds.attrs["share_vintage"] == "mar2026"
        and ds.attrs["plans_asof"] == "2026-02-28"
    )
    with xr.open_dataset(GOLDEN, engine="netcdf4") as gold:
        assert len(gold.data_vars) >= 10
        for v in gold.data_vars:
            np.testing.assert_array_equal(ds[v].values, gold[v].values, err_msg=v)


def test_results_say_which_definition_and_plans_they_use():
    ds = run(make_config(paths=20, chunk_size=20, base_year=2026, horizon=2030,
                         target_years=[2030], policy={"deadline": 2030},
                         data=TODAY_DATA))  # fmt: skip
    assert ds.attrs["share_vintage"] == "jul2026"
    assert ds.attrs["share_definition"].startswith(
        "NATO core defence expenditure, July-2026"
    )
    assert ds.attrs["plans_asof"] == "2026-09-29"  # newest row of the bundled log
    assert ds["plan_date"].sel(member="DEU") == "2025-06-24"  # 3.5% in 2029
    assert int(ds["plan_conditional"].sel(member="DEU")) == 0
    assert float(ds["base_share"].sel(member="POL")) == 4.68
    old = run(make_config(paths=20, chunk_size=20))
    assert old.attrs["share_vintage"] == "mar2026"
    assert "pre-2026 definition" in old.attrs["share_definition"]


def test_a_base_year_without_figures_in_the_vintage_is_refused():
    with pytest.raises(
        ConfigError, match="'data.share_vintage': 'jun2024' has no base year 2026"
    ):
        make_config(base_year=2026, horizon=2030, data={"share_vintage": "jun2024"})
