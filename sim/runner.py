"""Whole runs: fixed size or to a precision target, fresh or extended, on this machine
or a dask cluster; and reproduction checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr
import yaml

from .assemble import to_dataset
from .config import Config, from_dict, merge, to_dict
from .constants import CONFIG_FILE, RESULT_FILE
from .engine import RunState, simulate
from .errors import RunError
from .io import open_results
from .reduce import Partial, load_partials

REDUCTIONS_FILE = "reductions.npz"


def with_paths(cfg: Config, paths: int) -> Config:
    return from_dict(merge(to_dict(cfg), {"paths": int(paths)}))


def worst_se(cfg: Config, mi, part: Partial, top: int = 3) -> tuple[float, list[str]]:
    """Largest Monte Carlo s.e. of p_meet over counted cells, and the top cells."""
    p = part.meet / part.n_paths
    se = np.sqrt(p * (1 - p) / part.n_paths)
    se[:, ~mi.counted] = -1
    order = np.argsort(se, axis=None)[::-1][:top]
    cells = []
    for flat in order:
        k, m, t = np.unravel_index(flat, se.shape)
        cells.append(
            f"{cfg.targets[k].name} {mi.iso3[m]} {mi.years[t]}: se {se[k, m, t]:.4f}"
        )
    return float(se.max()), cells


def execute(
    cfg: Config,
    client=None,
    target_se: float | None = None,
    max_paths: int | None = None,
    state: RunState | None = None,
    progress=None,
    log=None,
) -> tuple[Config, xr.Dataset, RunState]:
    """Run ``cfg`` (continuing ``state`` if given).  With ``target_se``, add whole
    chunks until every counted p_meet s.e. is at most that (or ``max_paths``);
    the returned config holds the final path count."""
    if target_se is None:
        mi, state = simulate(cfg, progress=progress, state=state, scheduler=client)
        return cfg, to_dataset(cfg, mi, state.total()), state
    cs = cfg.chunk_size
    batch = max(1, len(client.scheduler_info()["workers"])) if client else 1
    cap = max_paths or cfg.paths
    paths = state.n_full * cs if state else 0
    while True:
        paths = min((paths // cs + batch) * cs, cap)
        cfg = with_paths(cfg, paths)
        mi, state = simulate(cfg, progress=progress, state=state, scheduler=client)
        se, cells = worst_se(cfg, mi, state.total())
        if log:
            log(f"{paths} paths: worst p_meet s.e. {se:.4f} ({cells[0]})")
        if se <= target_se or paths >= cap:
            break
    if log:
        reached = "reached" if se <= target_se else f"not reached (cap {cap} paths)"
        log(f"target s.e. {target_se} {reached}; binding cells: " + "; ".join(cells))
    return cfg, to_dataset(cfg, mi, state.total()), state


def load_state(run_dir: Path, cfg: Config) -> RunState:
    """The stored reductions of a run directory."""
    path = Path(run_dir) / REDUCTIONS_FILE
    if not path.exists():
        raise RunError(f"{path} is missing: the run cannot be extended")
    try:
        parts = load_partials(path)
    except (OSError, ValueError, KeyError) as e:
        raise RunError(f"cannot read {path}: {e}") from None
    full = parts.get("full")
    return RunState(
        full=full,
        n_full=(full.n_paths // cfg.chunk_size) if full else 0,
        tail=parts.get("tail"),
    )


def stored_config(run_dir: str | Path) -> tuple[Config, xr.Dataset]:
    """The resolved configuration a results file was made with."""
    ds = open_results(run_dir)
    try:
        return from_dict(yaml.safe_load(ds.attrs["config"])), ds
    except (KeyError, yaml.YAMLError) as e:
        raise RunError(
            f"{run_dir}: results file has no usable 'config' attribute ({e})"
        ) from None


def differences(a: xr.Dataset, b: xr.Dataset) -> list[str]:
    """Names of data variables that are not bitwise identical (NaN equal to NaN)."""
    out = []
    for v in sorted(set(a.data_vars) | set(b.data_vars)):
        if v not in a or v not in b:
            out.append(v)
            continue
        x, y = a[v].values, b[v].values
        same = x.shape == y.shape and np.array_equal(
            x, y, equal_nan=x.dtype.kind == "f"
        )
        if not same:
            out.append(v)
    return out


def run_files(run_dir: Path) -> tuple[Path, Path, Path]:
    d = Path(run_dir)
    return d / RESULT_FILE, d / CONFIG_FILE, d / REDUCTIONS_FILE
