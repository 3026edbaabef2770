"""Extend, precision targets, reproduce, and dask: all equal fresh runs bit for bit."""

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from sim.cli import cli
from sim.io import write_run
from sim.runner import differences, execute, stored_config, with_paths
from sim.state import load_state

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
    assert r.returncode == 2 and "no results file" in r.stderr
    assert not any(tmp_path.iterdir())


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=40) as lc, Client(lc) as client:  # fmt: skip
        yield client


def test_dask_two_workers_equal_one_process(cluster):
    cfg = _cfg(550, sample_paths=120)  # five complete chunks and a tail of 50
    _, local, _ = execute(cfg)
    _, remote, state = execute(cfg, cluster)
    assert differences(local, remote) == []
    assert state.n_full == 5 and state.tail.n_paths == 50
    _, extended, _ = execute(with_paths(cfg, 700), cluster, state=state)
    _, fresh, _ = execute(with_paths(cfg, 700))
    assert differences(extended, fresh) == []
    np.testing.assert_array_equal(
        remote["sample_core_share"], local["sample_core_share"]
    )


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
