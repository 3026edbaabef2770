"""Extend, precision targets and reproduce: all equal fresh runs bit for bit (dask:
test_distributed.py)."""

import subprocess
import sys

import pytest
import xarray as xr
from click.testing import CliRunner

from sim.cli import cli
from sim.io import load_state, write_run
from sim.runner import differences, execute, se_paths, stored_config

from .conftest import make_config


def _cfg(paths, **kw):
    return make_config(paths=paths, chunk_size=100, **kw)


@pytest.mark.parametrize(("first", "added"), [(300, 300), (250, 100)])
def test_extend_equals_a_fresh_run(tmp_path, first, added):
    cfg, ds, state = execute(_cfg(first))
    run_dir = write_run(ds, tmp_path, state)
    r = CliRunner().invoke(cli, ["extend", str(run_dir), "--paths", str(added)])
    assert r.exit_code == 0, r.output
    _, fresh, _ = execute(_cfg(first + added))
    extended = xr.open_dataset(run_dir / "results.nc").load()
    assert extended.attrs["n_paths"] == first + added
    assert differences(extended, fresh) == []
    cfg2, stored = stored_config(run_dir)
    assert cfg2.paths == first + added
    assert load_state(run_dir, cfg2, stored).n_full == (first + added) // 100


def test_target_se_equals_a_fixed_size_run():
    logs = []
    cfg, ds, _ = execute(_cfg(5000), target_se=0.03, log=logs.append)
    assert cfg.paths % 100 == 0 and cfg.paths < 5000
    counted = ds["counted"].values.astype(bool)
    assert float(ds["p_meet_se"][:, counted].max()) <= 0.03
    _, fixed, _ = execute(_cfg(cfg.paths))
    assert differences(ds, fixed) == []
    assert "binding cells" in logs[-1]
    capped, _, _ = execute(_cfg(200), target_se=0.001, max_paths=300)
    assert capped.paths == 300


def test_target_se_steps_are_sized_from_the_se_and_need_no_cap():
    """Pilot at a quarter of the worst case, then one step to n (se/target)^2, in
    multiples of 1000 paths inside chunks of 2000: equal to a fixed run of that size."""
    logs = []
    cfg, ds, _ = execute(make_config(paths=20000, chunk_size=2000), target_se=0.01,
                         log=logs.append)  # fmt: skip
    steps = [int(ln.split()[0]) for ln in logs if "worst p_meet s.e." in ln]
    assert steps[0] == 1000 and steps[-1] == cfg.paths
    se0 = float(logs[0].split("s.e. ")[1].split()[0])
    assert steps[1] == min(-(-int(1000 * (se0 / 0.01) ** 2) // 1000) * 1000,
                           se_paths(0.01, 1000))  # fmt: skip
    assert float(ds["p_meet_se"].max()) <= 0.01 and cfg.paths <= se_paths(0.01, 1000)
    _, fixed, _ = execute(make_config(paths=cfg.paths, chunk_size=2000))
    assert differences(ds, fixed) == []


def test_target_se_not_reached_exits_1_with_the_run_written(tiny_yaml, tmp_path):
    out = tmp_path / "runs"
    r = CliRunner().invoke(cli, ["run", str(tiny_yaml), "--out", str(out),
                                 "--target-se", "0.001", "--max-paths", "300"])  # fmt: skip
    assert r.exit_code == 1
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and "target s.e. 0.001 not reached" in errors[0]
    (run_dir,) = out.iterdir()
    assert f"in {run_dir}" in errors[0]
    assert xr.open_dataset(run_dir / "results.nc").attrs["n_paths"] == 300


def test_reproduce_reports_identical_and_differences(tmp_path):
    _, ds, state = execute(_cfg(200))
    run_dir = write_run(ds, tmp_path, state)
    r = CliRunner().invoke(cli, ["reproduce", str(run_dir)])
    assert r.exit_code == 0 and "identical" in r.output
    tampered = ds.copy(deep=True)
    tampered["p_meet"].values[0, 0, 0] += 0.01
    other = write_run(tampered, tmp_path)
    r = CliRunner().invoke(cli, ["reproduce", str(other)])
    assert r.exit_code == 1 and r.output.strip() == "differs: p_meet"


def test_bad_scheduler_and_extend_errors(tmp_path):
    def sim(*args):
        return subprocess.run([sys.executable, "-m", "sim", *map(str, args)],
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    r = sim("run", "configs/baseline.yaml", "--paths", "10", "--scheduler", "udp://x",
            "--out", tmp_path)  # fmt: skip
    assert r.returncode == 2 and "--scheduler 'udp://x'" in r.stderr
    r = sim("extend", tmp_path, "--paths", "10")
    assert r.returncode == 2 and "without results.nc" in r.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(("edit", "message"), [
    (lambda c: c.replace("calibration: null", "calibration: /dev/zero"),
     "calibration file /dev/zero is a character device, not a regular file"),
    (lambda c: c.replace("grid: null", "grid:\n  will.vol: [&a [0,0,0,0,0,0,0,0,0], "
                         + ", ".join(f"&{c} [" + ",".join([f"*{p}"] * 9) + "]"
                                     for p, c in zip("abcdefgh", "bcdefghi", strict=True))
                         + "]"),
     "stored config of .*: more than 100,000 YAML nodes"),
    (lambda c: "[unclosed", ".*: the stored config is not valid YAML"),
])  # fmt: skip
def test_stored_config_is_read_with_the_project_limits(tmp_path, edit, message):
    """sim reproduce of a results file whose stored config is hostile: one line,
    within seconds, in 2 GiB of address space."""
    import re
    import resource

    _, ds, state = execute(_cfg(100))
    ds.attrs["config"] = edit(ds.attrs["config"])
    assert ds.attrs["config"] != execute(_cfg(100))[1].attrs["config"]
    run_dir = write_run(ds, tmp_path, state)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    r = subprocess.run([sys.executable, "-m", "sim", "reproduce", str(run_dir)],
                       capture_output=True, text=True, timeout=60, preexec_fn=limit)  # fmt: skip
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert re.match(f"error: {message}", r.stderr), r.stderr
