"""Every kind of netCDF file the project writes passes the IOOS compliance-checker's
CF-1.10 suite: no errors, no warnings, no check that crashes on the file."""

import netCDF4
import pytest
from click.testing import CliRunner

from sim.cli import cli

from .conftest import CONFIGS

SMALL = ["--set", "members=[DEU, POL, ISL, ESP]", "--set", "horizon=2030",
         "--set", "target_years=[2028, 2030]", "--set", "policy.deadline=2028"]  # fmt: skip

COMMANDS = {
    "run": ["run", CONFIGS / "baseline.yaml", "--paths", "300", "--set", "chunk_size=200",
            "--set", "sample_paths=5", *SMALL],
    "sweep": ["run", CONFIGS / "sweeps" / "will_volatility.yaml", "--paths", "200",
              "--set", "chunk_size=200", *SMALL],
    "backtest": ["backtest", CONFIGS / "backtest" / "wales2014.yaml", "--paths", "200",
                 "--set", "members=[DEU, POL, USA]"],
    "skill": ["skill", CONFIGS / "backtest" / "wales2014.yaml", "--paths", "100",
              "--origins", "2016,2020", "--thresholds", "2,3", "--set",
              "members=[DEU, POL]"],
    "requirement": ["requirement", CONFIGS / "baseline.yaml", "--paths", "100", *SMALL],
    "sensitivity": ["sensitivity", CONFIGS / "sensitivity.yaml", "--set",
                    "sensitivity.n_base=4", "--set", "sensitivity.paths=50", *SMALL],
}  # fmt: skip


def cf_problems(path) -> dict[str, list[str]]:
    """Failed CF-1.10 checks of a file by priority, and the checks that crashed."""
    from compliance_checker.runner import CheckSuite

    suite = CheckSuite()
    suite.load_all_available_checkers()
    ds = suite.load_dataset(str(path))
    try:
        results, crashed = suite.run_all(ds, ["cf:1.10"], skip_checks=[])["cf:1.10"]
    finally:
        ds.close()
    out = {"errors": [], "warnings": [], "info": [], "crashed": sorted(crashed)}
    kind = {3: "errors", 2: "warnings", 1: "info"}
    for r in results:
        passed = r.value if isinstance(r.value, bool) else r.value[0] == r.value[1]
        if not passed:
            out[kind[r.weight]] += [f"{r.name}: {m}" for m in r.msgs]
    return out


@pytest.mark.parametrize("kind", COMMANDS)
def test_every_file_type_is_cf_clean(kind, tmp_path):
    r = CliRunner().invoke(cli, [*map(str, COMMANDS[kind]), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    [path] = tmp_path.glob("*/results.nc")
    with netCDF4.Dataset(path) as nc:  # what makes the file worth checking
        assert nc.Conventions == "CF-1.10" and len(nc.variables) > 5
    clean = {"errors": [], "warnings": [], "info": [], "crashed": []}
    assert cf_problems(path) == clean


def test_the_checker_finds_what_it_should(tmp_path):
    """The checker is alive: the two faults issue 12 found are errors to it."""
    path = tmp_path / "bad.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.Conventions = "CF-1.10"
        nc.createDimension("quantile", 2)
        q = nc.createVariable("quantile", "f8", ("quantile",), fill_value=-1.0)
        q.long_name, q.units = "quantile", "1"
        q[:] = [0.1, 0.9]
        v = nc.createVariable("shortfall_usd", "f8", ("quantile",))
        v.long_name, v.units = "shortfall", "billion US$ (base-year prices)"
    errors = cf_problems(path)["errors"]
    assert any("'quantile' must not have the _FillValue" in e for e in errors), errors
    assert any("billion US$" in e and "UDUNITS" in e for e in errors), errors
