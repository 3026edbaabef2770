"""What it would take: the smallest constant annual increase in the planned core share
that makes a target likely, by bisection on common random numbers."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .. import constants as C
from ..config import Config, from_dict, merge, to_dict
from ..engine import simulate
from ..params import build_inputs
from ..provenance import run_attrs
from ..stats import binomial_se

RATE_BOUNDS = (0.0, 2.0)
"""Annual increases searched [pp of GDP per year]; above 2.0 the answer is '> 2'."""
ITERATIONS = 16
EVALUATIONS_PER_TARGET = ITERATIONS + 4
"""Runs per solved target: both bounds, the bisection steps and the s.e. slope."""
DELTA = 0.02
"""Half-width [pp/yr] of the finite difference giving dP/d(rate) for the s.e."""


def n_evaluations(cfg: Config) -> int:
    """Runs of ``requirements``: one solve per measure with a target."""
    measures = {t.measure for t in cfg.targets} & {"core", "total"}
    return EVALUATIONS_PER_TARGET * len(measures)


def _p_meet(
    cfg: Config, rates: np.ndarray, codes, k: int, t: int, progress=None
) -> tuple[np.ndarray, int]:
    over = {
        "policy": {
            "fixed_increase": {c: float(r) for c, r in zip(codes, rates, strict=True)}
        }
    }
    mi, state = simulate(from_dict(merge(to_dict(cfg), over)))
    part = state.total()
    if progress is not None:
        progress(1)
    return part.meet[k, :, t] / part.n_paths, part.n_paths


def solve(cfg: Config, prob: float, target: str, year: int, progress=None) -> dict:
    """Per counted member: the smallest fixed annual increase (from the base year) with
    P(target met in ``year``) >= ``prob``, its Monte Carlo s.e., and P at the answer.

    All members are solved at once: a member's outcome depends only on its own plan and
    the common random numbers, so one run per bisection step serves every member.
    """
    mi = build_inputs(cfg)
    codes = [c for c, k in zip(mi.iso3, mi.counted, strict=True) if k]
    sel = np.flatnonzero(mi.counted)
    k = [t.name for t in cfg.targets].index(target)
    t = list(mi.years).index(year)
    lo = np.full(len(codes), RATE_BOUNDS[0])
    hi = np.full(len(codes), RATE_BOUNDS[1])
    p_hi, n = _p_meet(cfg, hi, codes, k, t, progress)
    p_lo, _ = _p_meet(cfg, lo, codes, k, t, progress)
    for _ in range(ITERATIONS):
        mid = 0.5 * (lo + hi)
        p_mid, _ = _p_meet(cfg, mid, codes, k, t, progress)
        ok = p_mid[sel] >= prob
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    rate = np.where(p_lo[sel] >= prob, RATE_BOUNDS[0], hi)
    rate = np.where(p_hi[sel] >= prob, rate, np.inf)  # not reachable within the bounds
    up, _ = _p_meet(
        cfg, np.minimum(rate, RATE_BOUNDS[1]) + DELTA, codes, k, t, progress
    )
    down, _ = _p_meet(
        cfg,
        np.maximum(np.minimum(rate, RATE_BOUNDS[1]) - DELTA, 0),
        codes,
        k,
        t,
        progress,
    )
    slope = (up[sel] - down[sel]) / (2 * DELTA)
    se_p = binomial_se(prob, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(
            np.isfinite(rate) & (rate > 0) & (slope > 0), se_p / slope, np.nan
        )
    return {"codes": codes, "rate": rate, "se": se, "n_paths": n}


def announced_rate(cfg: Config, mi, j: int, year: int) -> float:
    """Average annual increase of the member's announced national path to its last
    point (the plan as of ``data.plans_asof``)."""
    points = mi.plan_points[j]
    if not points:
        return np.nan
    y = max(points)
    return (points[y] - mi.base_share[j]) / (y - cfg.base_year)


def requirements(cfg: Config, prob: float, progress=None) -> xr.Dataset:
    """Requirement for the first core target and the first total target in the first
    target year, with the announced national rates for comparison."""
    year = int(cfg.target_years[0])
    mi = build_inputs(cfg)
    out = {}
    for measure in ("core", "total"):
        tgt = next((t for t in cfg.targets if t.measure == measure), None)
        if tgt is None:
            continue
        res = solve(cfg, prob, tgt.name, year, progress)
        out[f"rate_{measure}"] = (res["rate"], tgt.name)
        out[f"rate_{measure}_se"] = (res["se"], tgt.name)
        codes, n = res["codes"], res["n_paths"]
    sel = [mi.iso3.index(c) for c in codes]
    ds = xr.Dataset(coords={"member": codes})
    for name, (vals, tname) in out.items():
        ds[name] = ("member", vals, {
            "long_name": f"smallest constant annual increase of the planned core share "
            f"giving P({tname} in {year}) >= {prob}" + (" (s.e.)" if name.endswith("se") else ""),
            "units": C.PP_PER_YEAR})  # fmt: skip
    ds["base_share"] = ("member", mi.base_share[sel], {"long_name": "base-year core share",
                                                        "units": "percent"})  # fmt: skip
    ds["announced_rate"] = ("member", [announced_rate(cfg, mi, j, year) for j in sel],
                            {"long_name": "average annual increase of the announced "
                             "national path", "units": C.PP_PER_YEAR})  # fmt: skip
    ds.attrs.update(title=f"NATO defence-spending requirements: {cfg.name}",
                    **run_attrs(cfg, n, "requirement", mi.calibration),
                    prob=prob, target_year=year,
                    method=f"bisection ({ITERATIONS} steps) on common random numbers; "
                    f"s.e. = s.e.(P) / (dP/drate) by central difference +-{DELTA}")  # fmt: skip
    return ds


def _reclass_on(ds: xr.Dataset) -> bool:
    """Whether the stored config of a requirement file has reclassification on."""
    from ..config import ConfigError, parse_yaml

    try:
        cfg = parse_yaml(str(ds.attrs.get("config", "")), "stored config")
        return bool(cfg["reclass"]["enabled"])
    except (ConfigError, KeyError, TypeError):
        return False


def table(ds: xr.Dataset, members=None) -> str:
    """Printed requirement table [pp of GDP per year], with the announced rate."""
    lines = [
        "Smallest constant annual increase of the planned core share from the base year "
        f"[pp/yr] with P(met in {int(ds.attrs['target_year'])}) >= {ds.attrs['prob']}; "
        f"{int(ds.attrs['n_paths'])} paths",
    ]
    if _reclass_on(ds):
        lines.append(
            "the model's one-off reclassification of existing spending (reclass.*) comes "
            "on top of this increase; --set reclass.enabled=false for new money alone"
        )
    lines.append(
        f"{'member':6} {'base':>5} {'core 3.5':>16} {'total 5':>16} {'announced':>10}"
    )
    for m in members or ds.member.values:

        def cell(v, se):
            if not np.isfinite(v):
                return "> 2.0"
            return "0 (already)" if v == 0 else f"{v:6.3f} ±{se:6.3f}"

        core = cell(
            float(ds.rate_core.sel(member=m)), float(ds.rate_core_se.sel(member=m))
        )
        tot = (
            cell(
                float(ds.rate_total.sel(member=m)),
                float(ds.rate_total_se.sel(member=m)),
            )
            if "rate_total" in ds
            else ""
        )
        ann = float(ds.announced_rate.sel(member=m))
        lines.append(f"{m:6} {float(ds.base_share.sel(member=m)):5.2f} {core:>16} {tot:>16} "
                     f"{'' if np.isnan(ann) else f'{ann:.3f}':>10}")  # fmt: skip
    return "\n".join(lines)
