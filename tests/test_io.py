"""Results files: contract, netCDF round trip, atomic and non-overwriting run dirs."""

import numpy as np
import pytest
import xarray as xr
import yaml

from sim import constants as C
from sim.config import from_dict
from sim.errors import RunError
from sim.io import open_results, write_run
from sim.runner import run


@pytest.fixture(scope="module")
def tiny_ds():
    from .conftest import make_config

    return run(make_config())


def test_output_contract(tiny_ds):
    ds = tiny_ds
    assert set(ds.dims) == {
        C.MEMBER, C.YEAR, C.TARGET, C.QUANTILE, C.COUNT, C.REGIME, C.STANCE, C.REVIEW,
        "target_year", "condition",
    }  # fmt: skip
    assert list(ds["target"].values) == ["core_3.5", "total_5"]
    assert {0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95} <= set(ds["quantile"].values)
    assert ds["p_meet"].dims == ("target", "member", "year")
    assert ds["core_share"].dims == ("member", "year", "quantile")
    assert ds["alliance_core_share"].dims == ("year", "quantile")
    assert ds["n_meeting"].dims == ("target", "year", "count")
    for name in (
        "p_meet",
        "p_meet_se",
        "p_meet_by",
        "total_share",
        "alliance_total_share",
    ):
        assert name in ds
    for v in ds.data_vars.values():
        assert v.attrs["long_name"] and "units" in v.attrs
    a = ds.attrs
    assert a["Conventions"] == "CF-1.10"
    for key in ("title", "history", "source", "seed", "n_paths", "config", "sim_version",
                "git_commit"):  # fmt: skip
        assert key in a, key
    assert a["seed"] == 7 and a["n_paths"] == 400
    assert from_dict(yaml.safe_load(a["config"])).seed == 7


def test_netcdf_round_trip(tiny_ds, tmp_path):
    run_dir = write_run(tiny_ds, tmp_path)
    assert run_dir.name.startswith("tiny-") and run_dir.name.endswith("-s7")
    back = open_results(run_dir)
    xr.testing.assert_identical(back.drop_attrs(), tiny_ds.drop_attrs())
    for k, v in tiny_ds.attrs.items():
        np.testing.assert_array_equal(back.attrs[k], v)
    assert (run_dir / "config.yaml").read_text() == tiny_ds.attrs["config"]
    assert open_results(run_dir / "results.nc").sizes == back.sizes


def test_never_overwrites_an_earlier_run(tiny_ds, tmp_path):
    dirs = {write_run(tiny_ds, tmp_path) for _ in range(3)}
    assert len(dirs) == 3
    assert all((d / "results.nc").exists() for d in dirs)


def test_failed_write_leaves_nothing(tiny_ds, tmp_path, monkeypatch):
    import errno

    def boom(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", boom)
    with pytest.raises(RunError, match="No space left on device"):
        write_run(tiny_ds, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_open_results_errors(tmp_path):
    with pytest.raises(RunError, match="no results file"):
        open_results(tmp_path)
    bad = tmp_path / "results.nc"
    bad.write_text("not netcdf")
    with pytest.raises(RunError, match="cannot read results file"):
        open_results(tmp_path)
