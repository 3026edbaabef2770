"""Run directories and results files: atomic writes, never overwriting, clear errors."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

import xarray as xr

from .cf import encoding
from .constants import CONFIG_FILE, RESULT_FILE
from .errors import RunError
from .safe_io import check_regular
from .state import REDUCTIONS_FILE, save_state


def run_dir_name(name: str, seed: int, when: dt.datetime | None = None) -> str:
    """``<name>-<UTC timestamp>-s<seed>`` with the name made filesystem-safe."""
    when = when or dt.datetime.now(dt.UTC)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "run"
    return f"{safe}-{when.strftime('%Y%m%dT%H%M%SZ')}-s{seed}"


def _write_files(ds: xr.Dataset, folder: Path, state) -> None:
    ds.to_netcdf(folder / RESULT_FILE, engine="netcdf4", encoding=encoding(ds))
    (folder / CONFIG_FILE).write_text(ds.attrs["config"], encoding="utf-8")
    if state is not None:  # the mergeable reductions, for `sim extend`
        save_state(folder / REDUCTIONS_FILE, state.full, state.tail, ds.attrs["config"])


def prepare_out(out_root: str | Path) -> Path:
    """Create the output directory (before any work), or raise a clear RunError."""
    out_root = Path(out_root)
    if out_root.exists() and not out_root.is_dir():
        raise RunError(f"--out {out_root} is a file: give a folder")
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunError(
            f"cannot create output directory {out_root}: {e.strerror}"
        ) from None
    if not os.access(out_root, os.W_OK):
        raise RunError(f"output directory {out_root} is not writable")
    return out_root


def write_run(ds: xr.Dataset, out_root: str | Path = "runs", state=None) -> Path:
    """Write ``results.nc`` and ``config.yaml`` into a new run directory; return it.

    Files are written into a hidden temporary directory that is renamed into place
    only when complete, so a run directory is either complete or absent.  An existing
    directory is never overwritten: a ``-1``, ``-2``... suffix is added instead.
    """
    out_root = prepare_out(out_root)
    base = run_dir_name(str(ds.attrs.get("experiment", "run")), int(ds.attrs["seed"]))
    try:
        tmp = Path(
            tempfile.mkdtemp(prefix=f".{base}.", suffix=".partial", dir=out_root)
        )
    except OSError as e:
        raise RunError(
            f"cannot write in output directory {out_root}: {e.strerror}"
        ) from None
    try:
        _write_files(ds, tmp, state)
        for i in range(1000):
            final = out_root / (base if i == 0 else f"{base}-{i}")
            if final.exists():
                continue
            try:
                os.rename(tmp, final)
            except OSError:
                continue
            return final
        raise RunError(f"no free run directory name for {base} in {out_root}")
    except OSError as e:  # e.g. a full disk: nothing partial is left
        shutil.rmtree(tmp, ignore_errors=True)
        raise RunError(
            f"cannot write the run in {out_root}: {e.strerror or e}"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def rewrite_run(run_dir: str | Path, ds: xr.Dataset, state) -> Path:
    """Replace a run directory's files with new ones (``sim extend``): all are written
    to a hidden sibling first, then each file is swapped in with an atomic rename,
    the results file last."""
    run_dir = Path(run_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".{run_dir.name}.", suffix=".partial",
                                dir=run_dir.parent))  # fmt: skip
    try:
        _write_files(ds, tmp, state)
        signals = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)  # the swap is not interrupted
        try:
            for name in (REDUCTIONS_FILE, CONFIG_FILE, RESULT_FILE):
                os.replace(tmp / name, run_dir / name)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
    except OSError as e:
        raise RunError(f"cannot rewrite {run_dir}: {e.strerror or e}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return run_dir


def results_path(path: str | Path) -> Path:
    """The results file of a run directory, or the file itself."""
    path = Path(path)
    return path / RESULT_FILE if path.is_dir() else path


def open_results(path: str | Path) -> xr.Dataset:
    """Load a results file (or run directory) fully into memory."""
    file = results_path(path)
    if not file.exists():
        raise RunError(f"no results file at {file}")
    check_regular(file, "results file", RunError)  # a FIFO would block the reader
    try:
        with xr.open_dataset(file, engine="netcdf4") as ds:
            return ds.load()
    except (OSError, ValueError) as e:
        raise RunError(f"cannot read results file {file}: {e}") from None
