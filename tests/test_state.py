"""reductions.npz: read back only if it matches its results file and config exactly."""

import subprocess
import sys

import numpy as np
import pytest

from sim.errors import RunError
from sim.io import REDUCTIONS_FILE, load_state, write_run
from sim.runner import execute, stored_config

from .conftest import make_config


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A 250-path run in chunks of 100 (two complete chunks and a tail) with 120
    sample paths: every kind of key a state file holds."""
    _, ds, state = execute(make_config(paths=250, chunk_size=100, sample_paths=120))
    return write_run(ds, tmp_path_factory.mktemp("runs"), state)


def _arrays_of(path):
    with np.load(path) as z:
        return dict(z)


def _arrays(run_dir):
    return _arrays_of(run_dir / REDUCTIONS_FILE)


def _copy(run_dir, tmp_path, edit=None):
    import shutil

    d = tmp_path / "run"
    shutil.copytree(run_dir, d)
    if edit is not None:
        arrays = _arrays(d)
        edit(arrays)
        np.savez_compressed(d / REDUCTIONS_FILE, **arrays)
    return d


def test_a_written_state_loads_whole(run_dir):
    cfg, ds = stored_config(run_dir)
    state = load_state(run_dir, cfg, ds)
    assert state.n_full == 2 and state.full.n_paths == 200 and state.tail.n_paths == 50
    assert state.full.samples["core"].shape == (4, 120, 5) and not state.tail.samples
    assert int(state.total().meet.max()) <= 250


def _set(key, value):
    def edit(a):
        a[key] = np.asarray(value)

    return edit


def _scale(key, factor):
    def edit(a):
        a[key] = a[key] * factor

    return edit


def _other_seed(a):
    """The state of the same run with another seed (same keys, shapes and counts)."""
    import tempfile

    from sim.io import save_state

    _, ds, state = execute(make_config(paths=250, chunk_size=100, sample_paths=120,
                                       seed=8))  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        save_state(f"{tmp}/r.npz", state.full, state.tail, ds.attrs["config"])
        a.update(_arrays_of(f"{tmp}/r.npz"))


TAMPERS = {
    "n_paths edited": (_set("full.n_paths", 300), r"full.n_paths is 300, the results file says 200"),
    "extra key": (_set("bogus", np.zeros(3)), r"unexpected keys \['bogus'\]"),
    "missing key": (lambda a: a.pop("tail.meet"), r"missing \['tail.meet'\]"),
    "int32 counts": (lambda a: a.update({"full.meet": a["full.meet"].astype(np.int32)}),
                     r"full.meet is not int64"),
    "wrong shape": (lambda a: a.update({"full.meet": a["full.meet"][:, :2]}), r"full.meet is not int64\[2, 4, 5\]"),
    "negative count": (_scale("full.meet_by", -1), r"full.meet_by has counts outside \[0, 200\]"),
    "count above n_paths": (_scale("tail.on_path", 10**6), r"tail.on_path has counts outside \[0, 50\]"),
    "broken partition": (_set("full.review", np.zeros(3, np.int64)), r"full.review does not add up to 200"),
    "another seed": (_other_seed, r"written for another config or seed"),
    "pickled object": (_set("full.meet", np.array([None], dtype=object)), r"full.meet is not int64"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_tampered_state_is_one_error_line(run_dir, tmp_path, name):
    edit, message = TAMPERS[name]
    d = _copy(run_dir, tmp_path, edit)
    cfg, ds = stored_config(d)
    with pytest.raises(RunError, match=rf"state file .*reductions.npz: {message}"):
        load_state(d, cfg, ds)


def test_not_a_zip_a_fifo_or_a_forged_header(run_dir, tmp_path):
    import os

    d = _copy(run_dir, tmp_path)
    cfg, ds = stored_config(d)
    path = d / REDUCTIONS_FILE
    path.write_text("not a zip")
    with pytest.raises(RunError, match="not a valid .npz file"):
        load_state(d, cfg, ds)
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(RunError, match="is a FIFO, not a regular file"):
        load_state(d, cfg, ds)
    path.unlink()
    import zipfile

    header = b"\x93NUMPY\x01\x00v\x00{'descr': '<i8', 'fortran_order': False, 'shape': (10000000000,), }"
    with zipfile.ZipFile(path, "w") as zf:  # huge claimed shape, nothing behind it
        for k in _arrays(run_dir):
            zf.writestr(f"{k}.npy", header.ljust(128, b" ")[:127] + b"\n")
    with pytest.raises(RunError, match=r"is not (int64|<U64)"):
        load_state(d, cfg, ds)


def test_sim_extend_refuses_an_edited_state_and_writes_nothing(run_dir, tmp_path):
    d = _copy(run_dir, tmp_path, _set("full.n_paths", 300))
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    r = subprocess.run([sys.executable, "-m", "sim", "extend", str(d), "--paths", "100"],
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.startswith("error: state file ") and r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no temp dirs
