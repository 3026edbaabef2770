"""Variance-based global sensitivity (Sobol indices via SALib) of the main outputs to
named parameter groups, every evaluation on the same random numbers."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .. import constants as C
from ..config import (
    Config,
    ConfigError,
    from_dict,
    group_config,
    merge,
    to_dict,
    to_yaml,
)  # fmt: skip
from ..engine import MEMORY_BUDGET, DrawCache, simulate
from ..params import build_inputs
from ..provenance import run_attrs
from ..stats import hist_quantiles


def outputs(
    cfg: Config, cache: DrawCache | None = None
) -> tuple[list[str], np.ndarray]:
    """Output names and values of one evaluation: the expected number of members
    meeting each target and the median alliance core share in the first target year,
    and each counted member's P(first target met) that year.  ``cache``: draws kept
    between evaluations (same results, less time)."""
    mi, state = simulate(cfg, cache=cache)
    part = state.total()
    t = list(mi.years).index(cfg.target_years[0])
    names, vals = [], []
    n = part.n_paths
    for k, tgt in enumerate(cfg.targets):
        counts = part.n_meeting[k, t]
        names.append(f"n_meeting_{tgt.name}")
        vals.append(float((counts * np.arange(counts.size)).sum() / n))
    names.append("alliance_core_median")
    vals.append(
        float(hist_quantiles(part.hists["alliance_core"][t], "alliance_core", [0.5])[0])
    )
    for j in np.flatnonzero(mi.counted):
        names.append(f"p_{cfg.targets[0].name}_{mi.iso3[j]}")
        vals.append(part.meet[0, j, t] / n)
    return names, np.array(vals)


def draw_cache(cfg: Config) -> DrawCache | None:
    """A cache of the members' draws for evaluations of ``cfg`` with other
    parameters, or None where it would need more than half the memory budget."""
    mi = build_inputs(cfg)
    need = DrawCache.bytes_per_path(len(mi.iso3), len(mi.years)) * cfg.paths
    return DrawCache() if need <= MEMORY_BUDGET // 2 else None


def sobol(func, n_vars: int, n_base: int, num_resamples: int = 100, seed: int = 1,
          progress=None):  # fmt: skip
    """First-order and total Sobol indices (with 95% bootstrap half-widths) of ``func``
    (unit cube [0, 1]^n_vars -> vector of outputs) by Saltelli sampling (SALib)."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = {"num_vars": n_vars, "names": [f"x{i}" for i in range(n_vars)],
               "bounds": [[0.0, 1.0]] * n_vars}  # fmt: skip
    x = sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    ys = []
    for row in x:
        ys.append(np.atleast_1d(func(row)))
        if progress is not None:
            progress(1)
    y = np.array(ys)
    out = {
        k: np.empty((y.shape[1], n_vars)) for k in ("S1", "S1_conf", "ST", "ST_conf")
    }
    for i in range(y.shape[1]):
        if np.ptp(y[:, i]) == 0:  # constant output: no variance to attribute
            for k in out:
                out[k][i] = 0.0
            continue
        r = analyze.analyze(problem, y[:, i], calc_second_order=False,
                            num_resamples=num_resamples, conf_level=0.95, seed=seed)  # fmt: skip
        for k in out:
            out[k][i] = r[k]
    return out, x, y


def run_sensitivity(cfg: Config, progress=None) -> xr.Dataset:
    """Sobol indices of the outputs to ``cfg.sensitivity.groups``."""
    sens = cfg.sensitivity
    if not sens.groups:
        raise ConfigError("config key 'sensitivity.groups': give at least one group")
    groups = list(sens.groups)
    base = from_dict(
        merge(to_dict(cfg), {"paths": sens.paths, "chunk_size": sens.paths})
    )
    cache = draw_cache(base)
    names = outputs(group_config(base, dict.fromkeys(groups, 0.5)), cache)[0]

    def evaluate(u):
        return outputs(group_config(base, dict(zip(groups, u, strict=True))), cache)[1]

    idx, x, y = sobol(evaluate, len(groups), sens.n_base, sens.num_resamples,
                      seed=cfg.seed % (2**32), progress=progress)  # fmt: skip
    units = {"long_name": "", "units": "1"}
    ds = xr.Dataset(
        {
            k: (
                (C.OUTPUT, C.PARAM_GROUP),
                v,
                {
                    **units,
                    "long_name": {
                        "S1": "first-order Sobol index",
                        "ST": "total Sobol index",
                        "S1_conf": "95% bootstrap half-width of S1",
                        "ST_conf": "95% bootstrap half-width of ST",
                    }[k],
                },
            )
            for k, v in idx.items()
        },  # fmt: skip
        coords={C.OUTPUT: names, C.PARAM_GROUP: groups},
    )
    ds["output_mean"] = (
        C.OUTPUT,
        y.mean(0),
        {"long_name": "mean output over the sample", "units": "1"},
    )
    ds["output_sd"] = (
        C.OUTPUT,
        y.std(0),
        {"long_name": "s.d. of the output over the sample", "units": "1"},
    )
    ds.attrs.update(run_attrs(base, sens.paths, "sensitivity"))
    ds.attrs.update(
        title=f"Global sensitivity: {cfg.name}", experiment=f"{cfg.name}_sensitivity",
        sim_kind="sensitivity",
        seed=np.int64(cfg.seed), n_paths=np.int64(sens.paths), n_evaluations=len(y),
        method="Saltelli sampling and Sobol indices (SALib), first-order and total; "
        "all evaluations use the same seed and chunks (common random numbers); "
        f"members' draws {'reused' if cache else 'drawn again'} between evaluations "
        "where their parameters are unchanged",
        groups="; ".join(f"{g}: {sens.groups[g]}" for g in groups),
        config=to_yaml(cfg),
    )  # fmt: skip
    build_inputs(base)  # fail early on data problems (already checked by config)
    return ds


def ranked_table(ds: xr.Dataset, output: str | None = None) -> str:
    """Groups ranked by total index for one output (default: the first)."""
    out = output or str(ds[C.OUTPUT].values[0])
    sub = ds.sel(output=out)
    order = np.argsort(-sub["ST"].values)
    lines = [f"{ds.attrs['experiment']}: {int(ds.attrs['n_evaluations'])} evaluations of "
             f"{int(ds.attrs['n_paths'])} paths; output {out} (mean "
             f"{float(ds['output_mean'].sel(output=out)):.2f}, s.d. "
             f"{float(ds['output_sd'].sel(output=out)):.2f})",
             f"{'group':22} {'ST':>14} {'S1':>14}"]  # fmt: skip
    for i in order:
        g = str(sub[C.PARAM_GROUP].values[i])
        lines.append(f"{g:22} {float(sub.ST[i]):6.3f} ±{float(sub.ST_conf[i]):5.3f} "
                     f"{float(sub.S1[i]):6.3f} ±{float(sub.S1_conf[i]):5.3f}")  # fmt: skip
    return "\n".join(lines)
