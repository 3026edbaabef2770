"""What a path on the command line is (a run, sweep, backtest, sensitivity or
requirement directory or results file), and which commands read it."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from .constants import RESULT_FILE, SCENARIO
from .errors import RunError

KINDS = {
    "run": "a run directory (sim run)",
    "sweep": "a sweep directory (sim run on a config with sweep: or grid:)",
    "backtest": "a backtest directory (sim backtest)",
    "skill": "an out-of-sample skill directory (sim skill)",
    "sensitivity": "a sensitivity directory (sim sensitivity)",
    "requirement": "a requirement directory (sim requirement)",
}
READERS = {
    "run": ("show", "compare", "report", "extend", "reproduce"),
    "sweep": ("show", "compare", "report", "reproduce"),
    "backtest": ("show", "report"),
    "skill": ("show", "report"),
    "sensitivity": ("show", "report"),
    "requirement": ("show",),
}
"""Commands that read each kind."""
_PLURAL = {"run": "runs", "sweep": "sweeps", "backtest": "backtests",
           "skill": "skill results",
           "sensitivity": "sensitivity analyses", "requirement": "requirement tables"}  # fmt: skip
_MAGIC = (b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF\r\n\x1a\n")
"""First bytes of netCDF classic, 64-bit offset, CDF-5 and netCDF-4 (HDF5) files."""


def kind_of(ds: xr.Dataset) -> str | None:
    """The ``sim_kind`` attribute, or (files written before it existed) the kind
    recognised from the variables; None for a netCDF file sim did not write."""
    kind = ds.attrs.get("sim_kind")
    if kind in KINDS:
        return str(kind)
    if "ST" in ds.data_vars:
        return "sensitivity"
    if "coverage" in ds.data_vars and "member_name" not in ds.coords:
        return "skill"  # a backtest has the coverage too, and member names
    if "brier" in ds.data_vars:
        return "backtest"
    if "rate_core" in ds.data_vars:
        return "requirement"
    if "p_meet" in ds.data_vars and "n_paths" in ds.attrs:
        return "sweep" if SCENARIO in ds.dims else "run"
    return None


def _not_results(path: Path, command: str) -> str:
    """Why a path that exists is not a results file or directory."""
    if path.is_dir():
        runs = sorted(p.parent.name for p in path.glob(f"*/{RESULT_FILE}"))
        if runs:
            return (
                f"{path} is a folder of {len(runs)} result directories, not one of "
                f"them: give one, e.g. sim {command} {path / runs[-1]}"
            )
        if (path / "report.html").exists():
            return (
                f"{path} is a report directory (sim report): give the run directory "
                "it was made from"
            )
        return f"{path} is a directory without {RESULT_FILE}: not a result directory"
    if not path.is_file():
        return f"{path} is not a regular file or directory"
    if path.suffix in (".yaml", ".yml"):
        with path.open(errors="replace") as f:
            head = f.read(4096)
        if head.startswith("provenance:") and "sim calibrate" in head[:300]:
            return (
                f"{path} is a calibration file (sim calibrate): use it in a run with "
                f"--set calibration={path}"
            )
        return f"{path} is a config file: run it with sim run {path}"
    with path.open("rb") as f:
        head = f.read(8)
    if not head.startswith(_MAGIC):
        return f"{path} is not a netCDF results file"
    return ""


def open_kind(
    path: str | Path, command: str, need_dir: bool = False
) -> tuple[str, xr.Dataset]:
    """(kind, Dataset) of a result directory or results file that ``sim command``
    reads; otherwise one RunError line saying what the path is and which command
    fits.  ``need_dir``: the command needs the directory, not just its file."""
    path = Path(path)
    if not path.exists():
        raise RunError(f"{path}: no such file or directory")
    why = _not_results(path, command) if not (path / RESULT_FILE).is_file() else ""
    if why:
        raise RunError(why)
    file = path / RESULT_FILE if path.is_dir() else path
    try:
        with xr.open_dataset(file, engine="netcdf4") as ds:
            ds = ds.load()
    except (OSError, ValueError, RuntimeError) as e:
        raise RunError(f"cannot read results file {file}: {e}") from None
    kind = kind_of(ds)
    if kind is None:
        raise RunError(
            f"{file} is a netCDF file that sim did not write (no sim_kind attribute "
            "and none of its variables)"
        )
    if command not in READERS[kind]:
        fits = ", ".join(f"sim {c}" for c in READERS[kind])
        readers = [_PLURAL[k] for k, cs in READERS.items() if command in cs]
        reads = ", ".join(readers[:-1]) + " and " * (len(readers) > 1) + readers[-1]
        raise RunError(
            f"{path} is {KINDS[kind]}: sim {command} reads {reads}; "
            f"for this one use {fits}"
        )
    if need_dir and not path.is_dir():
        raise RunError(
            f"{path} is a results file: sim {command} needs its run directory "
            f"({path.parent})"
        )
    return kind, ds


def check_config_path(path: str | Path) -> None:
    """One RunError line when a config argument is a result directory, a results
    file or another folder (a missing or malformed file is the loader's to report)."""
    path = Path(path)
    if path.is_dir():
        if (path / RESULT_FILE).is_file():
            raise RunError(
                f"{path} is a result directory, not a config file (sim reproduce "
                f"{path} reruns a run from its stored config)"
            )
        raise RunError(f"{path} is a directory: give a config file (YAML)")
    if path.is_file():
        with path.open("rb") as f:
            if f.read(8).startswith(_MAGIC):
                raise RunError(f"{path} is a netCDF results file, not a config file")


def run_label(path: str | Path) -> str:
    """A run's name in tables: its directory name (the folder of a results file)."""
    path = Path(path)
    return (path.parent if path.is_file() else path).resolve().name
