"""The files of a run: run directories and results files (atomic writes, never
overwriting, clear errors) and ``reductions.npz``, the mergeable state of a run (for
``sim extend``).

The state file is written with a hash of the run's stored config and read back only
if it matches its results file and config in every key, shape, dtype and count, so a
stale, edited or foreign file is one clear error, never a wrong result."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import tempfile
import zipfile
from dataclasses import fields
from pathlib import Path

import numpy as np
import xarray as xr

from .cf import encoding
from .constants import CONFIG_FILE, MEMBER, RESULT_FILE, YEAR
from .errors import RunError
from .reduce import Partial
from .safe_io import check_regular, open_regular


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


# --- reductions.npz: the mergeable state of a run ------------------------------

REDUCTIONS_FILE = "reductions.npz"
HASH_KEY = "config_sha256"
SAMPLES = ("core", "res")
COUNTS = ("meet", "meet_by", "on_path", "n_meeting", "alliance_meet", "regime",
          "stance", "review", "cond_count", "cond_meet")  # fmt: skip
"""Fields that count paths: each entry in [0, n_paths]."""
PARTITIONS = ("n_meeting", "regime", "stance", "review")
"""Fields whose last (or, for states, first) axis splits every path exactly once."""


def config_hash(config_text: str) -> str:
    """SHA-256 of a stored config (seed, paths and chunk size included)."""
    return hashlib.sha256(config_text.encode("utf-8")).hexdigest()


def _flatten(tag: str, part: Partial) -> dict[str, np.ndarray]:
    flat = {}
    for f in fields(part):
        value = getattr(part, f.name)
        if isinstance(value, dict):
            flat |= {f"{tag}.{f.name}.{k}": np.asarray(v) for k, v in value.items()}
        else:
            flat[f"{tag}.{f.name}"] = np.asarray(value)
    return flat


def save_state(path, full: Partial | None, tail: Partial | None, config: str) -> None:
    """Write the partials of a run and the hash of its stored ``config`` text."""
    flat = {HASH_KEY: np.array(config_hash(config))}
    for tag, part in (("full", full), ("tail", tail)):
        if part is not None:
            flat |= _flatten(tag, part)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **flat)


def _expected(cfg, ds) -> dict[str, tuple[tuple, np.dtype]]:
    """Key -> (shape, dtype) of every array a valid state file of ``ds`` holds."""
    n_t, n_ty = len(cfg.targets), len(cfg.target_years)
    n_m, n_y = ds.sizes[MEMBER], ds.sizes[YEAR]
    template = Partial.empty(n_t, n_m, n_y, int(ds["counted"].sum()), n_ty)
    cs, paths = cfg.chunk_size, cfg.paths
    out = {HASH_KEY: ((), np.dtype("<U64"))}
    for tag, n_done, n in (("full", 0, paths // cs * cs), ("tail", paths // cs * cs,
                                                           paths % cs)):  # fmt: skip
        if n == 0:
            continue
        out |= {
            k: (v.shape, np.dtype(np.int64)) for k, v in _flatten(tag, template).items()
        }
        k = min(max(cfg.sample_paths - n_done, 0), n)  # sample paths in these chunks
        if k:
            out |= {
                f"{tag}.samples.{s}": ((n_m, k, n_y), np.dtype(float)) for s in SAMPLES
            }
    return out


def _check_counts(tag: str, part: Partial, n: int, counted: np.ndarray) -> str | None:
    """What is wrong with the counts of one partial of ``n`` paths, or None."""
    if part.n_paths != n:
        return f"{tag}.n_paths is {part.n_paths}, the results file says {n}"
    for name in COUNTS:
        a = getattr(part, name)
        if a.size and (a.min() < 0 or a.max() > n):
            return f"{tag}.{name} has counts outside [0, {n}]"
    if part.shortfall.size and part.shortfall.min() < 0:
        return f"{tag}.shortfall is negative"
    sums = {"n_meeting": part.n_meeting.sum(-1), "regime": part.regime.sum(0),
            "stance": part.stance.sum(0), "review": part.review.sum()}  # fmt: skip
    sums |= {f"hists.{k}": (h[counted] if h.ndim == 3 else h).sum(-1)
             for k, h in part.hists.items()}  # fmt: skip
    for name, s in sums.items():
        if np.any(s != n):
            return f"{tag}.{name} does not add up to {n} paths"
    return None


def _read_npy(f, shape: tuple, dtype: np.dtype) -> np.ndarray | None:
    """The array in .npy stream ``f`` if its header says ``shape`` and ``dtype``
    (checked before any data is read, so memory stays bounded), else None."""
    version = np.lib.format.read_magic(f)
    if version not in ((1, 0), (2, 0)):
        return None
    read_header = getattr(np.lib.format, f"read_array_header_{version[0]}_0")
    got_shape, fortran, got_dtype = read_header(f)
    if got_shape != shape or got_dtype != dtype or fortran:
        return None
    nbytes = int(np.prod(shape)) * dtype.itemsize
    data = f.read(nbytes + 1)
    if len(data) != nbytes:
        return None
    return np.frombuffer(data, dtype).reshape(shape).copy()


def _read_arrays(path: Path, expected: dict, fail) -> dict[str, np.ndarray]:
    """Exactly the ``expected`` arrays of an .npz file, each read only after its key,
    shape and dtype are checked (a forged file cannot make us allocate much)."""
    budget = sum(8 * int(np.prod(s)) + 4096 for s, _ in expected.values())
    with open_regular(path, "state file", RunError, budget) as fh:
        try:
            zf = zipfile.ZipFile(fh)
            names = {i.filename.removesuffix(".npy") for i in zf.infolist()}
            if names != set(expected):
                extra = sorted(names - set(expected))
                missing = sorted(set(expected) - names)
                fail(
                    f"unexpected keys {extra[:3]}"
                    if extra
                    else f"missing {missing[:3]}"
                )
            arrays = {}
            for k, (shape, dtype) in expected.items():
                with zf.open(f"{k}.npy") as f:
                    arrays[k] = _read_npy(f, shape, dtype)
                if arrays[k] is None:
                    fail(f"{k} is not {dtype}{list(shape)}")
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            fail(f"not a valid .npz file ({type(e).__name__})")
    return arrays


def _partials(arrays: dict[str, np.ndarray]) -> dict[str, Partial]:
    out: dict[str, dict] = {}
    for key, v in arrays.items():
        tag, _, name = key.partition(".")
        if not name:  # the hash
            continue
        d = out.setdefault(tag, {"hists": {}, "samples": {}})
        group, _, sub = name.partition(".")
        if sub:
            d[group][sub] = v
        else:
            d[name] = int(v) if name == "n_paths" else v
    return {tag: Partial(**d) for tag, d in out.items()}


def load_state(run_dir, cfg, ds):
    """The :class:`sim.engine.RunState` stored in ``run_dir``, validated against its
    results ``ds`` and stored config ``cfg``; RunError (one line) if anything differs."""
    from .engine import RunState

    path = Path(run_dir) / REDUCTIONS_FILE
    if not path.exists():
        raise RunError(f"{path} is missing: the run cannot be extended")

    def fail(problem: str):
        raise RunError(f"state file {path}: {problem}: the run cannot be extended")

    arrays = _read_arrays(path, _expected(cfg, ds), fail)
    if str(arrays[HASH_KEY]) != config_hash(ds.attrs["config"]):
        fail("written for another config or seed (hash mismatch)")
    cs, paths = cfg.chunk_size, cfg.paths
    if int(ds.attrs["n_paths"]) != paths:
        fail(f"the results file has {ds.attrs['n_paths']} paths, its config {paths}")
    parts = _partials(arrays)
    counted = ds["counted"].values.astype(bool)
    for tag, n in (("full", paths // cs * cs), ("tail", paths % cs)):
        if tag in parts:
            problem = _check_counts(tag, parts[tag], n, counted)
            if problem:
                fail(problem)
    return RunState(full=parts.get("full"), n_full=paths // cs, tail=parts.get("tail"))
