"""Failure modes: interruption, concurrency, unwritable output, guards, degenerate input."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sim.engine import check_outputs
from sim.errors import RunError
from sim.io import write_run
from sim.params import build_inputs
from sim.runner import run

from .conftest import ZERO_VOL, make_config

ROOT = Path(__file__).resolve().parents[1]


def _start(*args):
    return subprocess.Popen([sys.executable, "-m", "sim", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


@pytest.mark.parametrize(("sig", "code", "word"),
                         [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])  # fmt: skip
def test_signal_during_a_run_leaves_nothing(tmp_path, sig, code, word):
    out = tmp_path / "runs"
    p = _start("run", "configs/baseline.yaml", "--paths", "3000000", "--out", out)
    time.sleep(6)
    p.send_signal(sig)
    _, err = p.communicate(timeout=120)
    assert p.returncode == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "Traceback" not in err
    assert not out.exists() or list(out.iterdir()) == []


def test_interrupted_extend_keeps_the_earlier_results(tmp_path):
    from sim.runner import execute

    _, ds, state = execute(make_config())
    run_dir = write_run(ds, tmp_path, state)
    before = (run_dir / "results.nc").read_bytes()
    p = _start("extend", run_dir, "--paths", "3000000")
    time.sleep(6)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 143, err
    assert (run_dir / "results.nc").read_bytes() == before
    assert sorted(x.name for x in tmp_path.iterdir()) == [run_dir.name]  # no temp dirs


def test_concurrent_runs_get_distinct_complete_directories(tmp_path, tiny_yaml):
    procs = [_start("run", tiny_yaml, "--out", tmp_path) for _ in range(4)]
    dirs = [p.communicate(timeout=300)[0].strip().splitlines()[-1] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len(set(dirs)) == 4
    assert all((Path(d) / "results.nc").exists() for d in dirs)


def test_run_names_cannot_escape_the_output_directory(tmp_path):
    ds = run(make_config(name="../../evil/..", paths=50, chunk_size=50))
    d = write_run(ds, tmp_path)
    assert d.parent == tmp_path and "/" not in d.name and not d.name.startswith(".")


def test_unwritable_output_is_a_clear_error(tmp_path, tiny_yaml):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    r = subprocess.run([sys.executable, "-m", "sim", "run", str(tiny_yaml), "--out",
                        str(blocker / "runs")], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 2 and r.stderr.startswith(
        "error: cannot create output directory"
    )
    assert blocker.read_text() == "not a directory"


def test_numerical_guard_names_member_year_and_chunk():
    mi = build_inputs(make_config())
    ok = np.ones((3, len(mi.years)))
    bad = ok.copy()
    bad[1, 2] = np.nan
    with pytest.raises(
        RunError, match=r"non-finite core share for DEU in 2028 \(chunk 4\)"
    ):
        check_outputs(mi, 4, 0, bad, ok, ok, ok, 0 * ok)
    with pytest.raises(RunError, match=r"negative spending or GDP for POL in 2026"):
        check_outputs(mi, 0, 1, ok - 2, ok, ok, ok, 0 * ok)


@pytest.mark.parametrize(
    "changes",
    [
        {"members": ["DEU"]},
        {"horizon": 2026, "target_years": [2026], "policy": {"deadline": 2026}},
        ZERO_VOL
        | {
            "review": {"enabled": True, "pinned": "relax"},
            "elections": {"enabled": True, "p_change": 1.0, "p_up": 0.0},
        },  # fmt: skip
        {"review": {"p_relax": 1.0, "p_tighten": 0.0}, "reclass": {"rate": 1.0}},
    ],
)
def test_degenerate_but_legal_configs_run(changes):
    ds = run(make_config(paths=60, chunk_size=30, **changes))
    counted = ds["counted"].values.astype(bool)
    assert np.isfinite(ds["p_meet"].values[:, counted]).all()


def test_cf_attributes_on_every_coordinate_and_variable():
    ds = run(make_config(paths=50, chunk_size=50))
    for name in list(ds.coords) + list(ds.data_vars):
        assert ds[name].attrs.get("long_name") or name in ("member_name", "group",
            "base_share_source", "path_rule", "measure"), name  # fmt: skip
    for key in ("Conventions", "title", "history", "source", "references", "comment"):
        assert ds.attrs[key]
