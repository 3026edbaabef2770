"""dask runs: bitwise equal to one process, safe to repeat on one client, and a clean
error instead of a hang when workers or the scheduler go away.  No fixed ports: the
HTTP servers and schedulers listen on port 0 of 127.0.0.1."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr

from sim import distributed
from sim.config import load_config
from sim.errors import RunError
from sim.runner import differences, execute, with_paths

from .conftest import make_config

ROOT = Path(__file__).resolve().parents[1]


def _cfg(paths, **kw):
    return make_config(paths=paths, chunk_size=100, **kw)


@pytest.fixture(scope="module")
def cluster():
    """A 2-process LocalCluster, closed even when a test fails."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      scheduler_port=0, dashboard_address=distributed.LOCAL_HTTP,
                      silence_logs=40) as lc, Client(lc) as client:  # fmt: skip
        yield client


@contextlib.contextmanager
def processes(tmp_path, workers=1):
    """(address, [scheduler, worker...] Popen): `dask scheduler` and `dask worker`
    as separate processes on 127.0.0.1, port 0, no nanny; all killed on exit."""
    from dask.distributed import Client

    file = tmp_path / "scheduler.json"
    procs = []

    def spawn(*args):
        procs.append(subprocess.Popen([sys.executable, "-m", "dask", *map(str, args)],
                                      cwd=ROOT, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))  # fmt: skip

    try:
        spawn("scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", file,
              "--no-dashboard", "--dashboard-address", distributed.LOCAL_HTTP)  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline and procs[0].poll() is None
            with contextlib.suppress(OSError, ValueError):
                address = json.loads(file.read_text())["address"]
                break
            time.sleep(0.05)
        for _ in range(workers):
            spawn("worker", "--scheduler-file", file, "--nthreads", "1", "--no-nanny",
                  "--host", "127.0.0.1", "--no-dashboard", "--dashboard-address", distributed.LOCAL_HTTP)  # fmt: skip
        with Client(address, timeout="10s") as c:
            c.wait_for_workers(workers, timeout=60)
        yield address, procs
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=30)


def test_two_workers_equal_one_process(cluster):
    cfg = _cfg(550, sample_paths=120)  # five complete chunks and a tail of 50
    _, local, _ = execute(cfg)
    _, remote, state = execute(cfg, cluster)
    assert differences(local, remote) == []
    assert state.n_full == 5 and state.tail.n_paths == 50
    _, extended, _ = execute(with_paths(cfg, 700), cluster, state=state)
    _, fresh, _ = execute(with_paths(cfg, 700))
    assert differences(extended, fresh) == []
    assert "sample_core_share" in remote


def test_repeated_runs_extends_and_targets_on_one_client(cluster):
    """The same config again and again on one client: keys never collide."""
    cfg = _cfg(350)
    _, local, _ = execute(cfg)
    _, local_more, _ = execute(with_paths(cfg, 550))
    fixed = {}  # paths reached with the precision target -> the fixed-size run
    for _ in range(10):
        _, ds, state = execute(cfg, cluster)
        assert differences(local, ds) == []
        _, more, _ = execute(with_paths(cfg, 550), cluster, state=state)
        assert differences(local_more, more) == []
        reached, ds, _ = execute(_cfg(3000), cluster, target_se=0.04)
        assert reached.paths < 3000 and float(ds["p_meet_se"].max()) <= 0.04
        if reached.paths not in fixed:
            fixed[reached.paths] = execute(reached)[1]
        assert differences(fixed[reached.paths], ds) == []


def test_a_killed_worker_is_replaced_and_the_result_unchanged(cluster):
    cfg = _cfg(10000)  # 100 chunks: the kill lands mid-run
    _, local, _ = execute(cfg)
    pids = sorted(cluster.run(os.getpid).values())
    reported = []

    def kill_one(n):  # when the first chunk is in, 99 are still to come
        if not reported:
            os.kill(pids[0], signal.SIGKILL)
        reported.append(n)

    _, ds, _ = execute(cfg, cluster, progress=kill_one)
    assert differences(local, ds) == []
    assert reported == [100] * 100  # each chunk counted once, recomputed or not
    cluster.wait_for_workers(2, timeout=60)  # the nanny restarted it
    assert pids[0] not in cluster.run(os.getpid).values()


def test_no_worker_left_is_a_run_error_not_a_hang(tmp_path, monkeypatch):
    from dask.distributed import Client

    monkeypatch.setattr(distributed, "NO_WORKERS_S", 2.0)
    monkeypatch.setattr(distributed, "POLL_S", 0.2)
    with processes(tmp_path) as (address, procs), Client(address) as client:

        def kill_worker(n):
            procs[1].kill()

        t0 = time.monotonic()
        with pytest.raises(RunError, match="no workers for 2 s"):
            execute(_cfg(20000), client, progress=kill_worker)
        assert time.monotonic() - t0 < 60


def _sim(*args, env=None, **kw):
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env, **kw)  # fmt: skip


def test_separate_scheduler_process_from_the_environment(tmp_path, tiny_yaml):
    """A scheduler and a worker started as a team would, found through
    DASK_SCHEDULER_ADDRESS (with a note saying so), same result as one process."""
    with processes(tmp_path) as (address, _):
        env = os.environ | {distributed.SCHEDULER_ENV: address}
        r = _sim("run", tiny_yaml, "--out", tmp_path / "dask", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[0] == (
        f"note: using dask scheduler {address} from DASK_SCHEDULER_ADDRESS "
        "(--scheduler overrides it)"
    )
    _, local, _ = execute(load_config(tiny_yaml))
    remote = xr.load_dataset(Path(r.stdout.splitlines()[-1]) / "results.nc")
    assert differences(local, remote) == []


def test_cli_local_cluster_and_its_bound(tmp_path, tiny_yaml):
    r = _sim("run", tiny_yaml, "--scheduler", "local:1", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert [ln for ln in r.stderr.splitlines() if not ln.startswith("warning: ")] == []
    top = distributed.max_local_workers()
    t0 = time.monotonic()
    r = _sim(
        "run", tiny_yaml, "--scheduler", f"local:{top + 1}", "--out", tmp_path / "x"
    )
    assert r.returncode == 2 and time.monotonic() - t0 < 30
    assert r.stderr == (
        f"error: --scheduler 'local:{top + 1}': expected local or local:N with N from 1 "
        f"to {top} (4 per CPU)\n"
    )
    assert not (tmp_path / "x").exists()


def test_scheduler_going_away_mid_run_is_one_error_line(tmp_path):
    out = tmp_path / "runs"
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SIM_QUIET")}
    with processes(tmp_path) as (address, procs):
        p = subprocess.Popen(
            [sys.executable, "-m", "sim", "run", "configs/baseline.yaml", "--paths",
             "200000", "--set", "chunk_size=2000", "--scheduler", address, "--out", out],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            first = p.stderr.readline()  # the first progress line: 10% done
            procs[0].kill()
            _, err = p.communicate(timeout=120)
        finally:
            p.kill()
            p.wait(timeout=30)
    assert first.startswith("baseline: ") and "paths/s" in first, first
    lines = err.splitlines()
    assert p.returncode == 2, err
    assert (
        lines[-1].startswith("error: dask scheduler ") and "nothing was written" in err
    )
    assert all(x.startswith("baseline: ") for x in lines[:-1]), err
    assert not out.exists() or list(out.iterdir()) == []


def test_bad_scheduler_specs_are_one_line_errors():
    for spec in ("udp://x", "local:0", "local:x", "local:-1"):
        with pytest.raises(RunError, match="expected local"):
            distributed.parse(spec)
    assert distributed.parse("local:2") == 2
    assert distributed.parse("tcp://127.0.0.1:1") == "tcp://127.0.0.1:1"
    assert distributed.parse(None) is None


def test_sweeps_say_they_do_not_use_the_environment_scheduler(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sim.cli import cli

    monkeypatch.setenv(distributed.SCHEDULER_ENV, "tcp://127.0.0.1:1")  # nobody there
    sweep = ROOT / "configs" / "sweeps" / "will_volatility.yaml"
    r = CliRunner().invoke(cli, ["run", str(sweep), "--paths", "100", "--set",
                                 "members=[DEU]", "--out", str(tmp_path)])  # fmt: skip
    assert r.exit_code == 0, r.output
    notes = [ln for ln in r.stderr.splitlines() if not ln.startswith("warning: ")]
    assert notes == [
        "note: sweeps run in one process: DASK_SCHEDULER_ADDRESS is not used"
    ]
