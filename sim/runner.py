"""Whole runs: fixed size or to a precision target, fresh or extended, on this machine
or a dask cluster; and reproduction checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr
import yaml

from . import constants as C
from .assemble import to_dataset
from .config import Config, from_dict, merge, parse_yaml, to_dict
from .distributed import mapper
from .engine import RunState, simulate
from .errors import RunError
from .io import open_results
from .reduce import Partial
from .stats import binomial_se


def with_paths(cfg: Config, paths: int) -> Config:
    return from_dict(merge(to_dict(cfg), {"paths": int(paths)}))


def worst_se(cfg: Config, mi, part: Partial, top: int = 3) -> tuple[float, list[str]]:
    """Largest Monte Carlo s.e. of p_meet over counted cells, and the top cells."""
    p = part.meet / part.n_paths
    se = binomial_se(p, part.n_paths)
    se[:, ~mi.counted] = -1
    order = np.argsort(se, axis=None)[::-1][:top]
    cells = []
    for flat in order:
        k, m, t = np.unravel_index(flat, se.shape)
        cells.append(
            f"{cfg.targets[k].name} {mi.iso3[m]} {mi.years[t]}: se {se[k, m, t]:.4f}"
        )
    return float(se.max()), cells


TARGET_SE_CAP = 2_000_000
"""Most paths ``--target-se`` uses without ``--max-paths`` (about 90 s here)."""


def _round_up(n: float, step: int) -> int:
    return int(-(-int(np.ceil(n)) // step) * step)


def se_paths(target_se: float, granule: int) -> int:
    """Paths that bring every binomial s.e. sqrt(p(1-p)/n) <= 0.5/sqrt(n) down to
    ``target_se``, whatever p: the most a precision target can need."""
    return _round_up(0.25 / target_se**2, granule)


def execute(
    cfg: Config,
    client=None,
    target_se: float | None = None,
    max_paths: int | None = None,
    state: RunState | None = None,
    progress=None,
    log=None,
) -> tuple[Config, xr.Dataset, RunState]:
    """Run ``cfg`` (continuing ``state`` if given).  With ``target_se``, grow the run
    until every counted p_meet s.e. is at most that, or ``max_paths`` (default: the
    paths that suffice for any p, at most ``TARGET_SE_CAP``) is reached.

    Each step is sized from the current worst s.e. (s.e. ~ 1/sqrt(n), so about
    n (se/target)^2 paths are needed), rounded up to a multiple of min(chunk size,
    1000); a step continues the chunks and random streams of the previous one, so
    the result equals a fixed-size run of the final size.  The returned config holds
    the final path count."""
    if target_se is None:
        mi, state = simulate(
            cfg, progress=progress, state=state, map_chunks=mapper(client)
        )
        return cfg, to_dataset(cfg, mi, state.total()), state
    granule = min(cfg.chunk_size, 1000)
    enough = se_paths(target_se, granule)
    cap = max_paths or min(enough, TARGET_SE_CAP)
    done = state.total().n_paths if state else 0
    paths = min(cap, max(done, min(cfg.paths, _round_up(enough / 4, granule))))
    while True:
        cfg = with_paths(cfg, paths)
        mi, state = simulate(
            cfg, progress=progress, state=state, map_chunks=mapper(client)
        )
        se, cells = worst_se(cfg, mi, state.total())
        if log:
            log(f"{paths} paths: worst p_meet s.e. {se:.4f} ({cells[0]})")
        if se <= target_se or paths >= cap:
            break
        need = _round_up(paths * (se / target_se) ** 2, granule)
        paths = min(cap, max(need, paths + granule))
    if log:
        reached = "reached" if se <= target_se else f"not reached (cap {cap} paths)"
        log(f"target s.e. {target_se} {reached}; binding cells: " + "; ".join(cells))
    return cfg, to_dataset(cfg, mi, state.total()), state


def run(cfg: Config, engine: str = "numba", progress=None) -> xr.Dataset:
    """Simulate ``cfg`` and return the results Dataset (the same one written to disk)."""
    mi, state = simulate(cfg, engine=engine, progress=progress)
    return to_dataset(cfg, mi, state.total())


def stored_config(run_dir: str | Path) -> tuple[Config, xr.Dataset]:
    """The resolved configuration a results file was made with (parsed with the
    project's YAML limits and validated like any config)."""
    ds = open_results(run_dir)
    text = ds.attrs.get("config")
    if not isinstance(text, str):
        raise RunError(f"{run_dir}: results file has no 'config' attribute")
    try:
        data = parse_yaml(text, f"stored config of {run_dir}")
    except yaml.YAMLError as e:
        raise RunError(
            f"{run_dir}: the stored config is not valid YAML ({type(e).__name__})"
        ) from None
    if not isinstance(data, dict):
        raise RunError(f"{run_dir}: the stored config is not a mapping of keys")
    return from_dict(data), ds


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


def execute_sweep(cfg: Config, progress=None, engine: str = "numba") -> xr.Dataset:
    """Run every scenario of ``cfg.sweep``/``cfg.grid`` on the same chunks and random
    streams (common random numbers) and count, per pair of scenarios, the paths on which
    both met each target: the basis of paired differences with small standard errors."""
    import pandas as pd

    from .config import scenarios, to_yaml
    from .engine import simulate_chunk
    from .params import build_inputs
    from .rng import chunks

    scs = scenarios(cfg)
    names = list(scs)
    mis = {s: build_inputs(c) for s, c in scs.items()}
    mi0 = mis[names[0]]
    n_t, n_m, n_y = len(cfg.targets), len(mi0.iso3), len(mi0.years)
    joint = np.zeros((len(names), len(names), n_t, n_m, n_y), np.int64)
    totals: dict[str, Partial] = {}
    for chunk, n in chunks(cfg.paths, cfg.chunk_size):
        hits = {}
        for s in names:
            h = np.zeros((n_t, n_m, n, n_y), np.uint8)
            k = max(cfg.sample_paths - chunk * cfg.chunk_size, 0)
            part = simulate_chunk(scs[s], mis[s], chunk, n, engine, samples=k, hits=h)
            totals[s] = part if s not in totals else totals[s] + part
            hits[s] = h
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                joint[i, j] += (hits[a] & hits[b]).sum(axis=2, dtype=np.int64)
        if progress is not None:
            progress(n)
    parts = [to_dataset(scs[s], mis[s], totals[s]) for s in names]
    ds = xr.concat(
        parts, dim=pd.Index(names, name=C.SCENARIO), combine_attrs="override"
    )
    n_paths = totals[names[0]].n_paths
    mask = mi0.counted[None, None, None, :, None]
    ds["p_both"] = xr.Variable(
        (C.SCENARIO, C.SCENARIO_B, C.TARGET, C.MEMBER, C.YEAR),
        np.where(mask, joint / n_paths, np.nan),
        attrs={"long_name": "probability that the target is met in both scenarios "
               "(same paths: common random numbers)", "units": "1"},
    )  # fmt: skip
    ds = ds.assign_coords({C.SCENARIO_B: names})
    ds[C.SCENARIO].attrs["long_name"] = "scenario of the sweep"
    ds[C.SCENARIO_B].attrs["long_name"] = "second scenario of a pair"
    ds.attrs.update(
        config=to_yaml(cfg), experiment=cfg.name, sim_kind="sweep",
        title=f"NATO defence-spending Monte Carlo sweep: {cfg.name}",
        scenarios=", ".join(names),
    )  # fmt: skip
    return ds
