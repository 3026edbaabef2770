"""Version and git provenance recorded in every results file."""

from __future__ import annotations

import datetime as dt
import functools
import subprocess
from importlib import metadata
from pathlib import Path


@functools.cache
def git_commit() -> str:
    """Commit of the source tree this package runs from (``-dirty`` if modified)."""
    here = Path(__file__).resolve().parent
    try:
        sha = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return sha + ("-dirty" if dirty else "")


def versions() -> dict[str, str]:
    """Versions of sim and the libraries that shape its results."""
    out = {}
    for pkg in ("sim", "numpy", "numba", "xarray", "netCDF4", "PyYAML"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def run_attrs(cfg, n_paths: int, command: str, calibration: dict | None = None) -> dict:
    """Global attributes every results file carries: what ran, with what, when."""
    import numpy as np

    from .config import to_yaml

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ver = versions()
    return {
        "Conventions": "CF-1.10",
        "sim_kind": command,
        "experiment": cfg.name,
        "history": f"{now} created by sim {command} (seed {cfg.seed}, {n_paths} paths)",
        "seed": np.int64(cfg.seed),
        "n_paths": np.int64(n_paths),
        "chunk_size": np.int64(cfg.chunk_size),
        "base_year": np.int32(cfg.base_year),
        "target_years": np.asarray(cfg.target_years, dtype=np.int32),
        "config": to_yaml(cfg),
        "calibration": str(calibration or {}),
        "sim_version": ver["sim"],
        "git_commit": git_commit(),
        "software_versions": ", ".join(f"{k} {v}" for k, v in ver.items()),
    }
