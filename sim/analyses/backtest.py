"""Backtest: run the model from a past base year and score it against what happened."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .. import constants as C
from .. import preflight
from ..config import Config, from_dict, to_dict
from ..errors import ConfigError
from ..provenance import run_attrs
from .evaluate import (
    LAST_YEAR,
    NOT_FITTED,
    THRESHOLDS,
    check_thresholds,
    forecasts,
    score_lines,
    scores_dataset,
    threshold_targets,
)


def backtest(
    cfg: Config, thresholds=THRESHOLDS, progress=None, scheduler=None
) -> xr.Dataset:
    """Scores of the model and two naive forecasters at every threshold [% of GDP];
    see README, "Backtest".  ``scheduler``: None (this process) or a dask ``Client``."""
    check_thresholds(thresholds)
    if cfg.base_year >= LAST_YEAR:
        raise ConfigError(
            f"backtest: base_year must be before {LAST_YEAR} (realised data end "
            f"{LAST_YEAR})"
        )
    if cfg.horizon > LAST_YEAR:
        raise ConfigError(
            f"backtest: horizon must be {LAST_YEAR} at most (realised data end "
            f"{LAST_YEAR})"
        )
    if cfg.sweep or cfg.grid:
        raise ConfigError("backtest: give a config without sweep: or grid:")
    d = to_dict(cfg)
    d["targets"] = threshold_targets(thresholds)  # targets only count; paths unchanged
    run = forecasts(preflight.check(from_dict(d)), progress, scheduler)
    origin = cfg.base_year
    ds = scores_dataset([run], [origin], thresholds, cfg.meet_tolerance)
    ds = ds.assign_coords(member_name=(C.MEMBER, run["names"]))
    ds.attrs = {
        "title": f"NATO defence-spending backtest: {cfg.name}",
        "source": "sim model vs NATO Defence Expenditure (June-2024 edition) realised "
        "shares",
        "comment": (
            f"Event: core share >= threshold - {cfg.meet_tolerance}, every year from "
            f"{origin + 1} to {cfg.horizon}. Persistence: random walk from the "
            f"base-year share with annual s.d. {run['sigma'][0]:.3f} pp (calibration "
            f"as of {origin}). Climatology: each member's frequency in SIPRI data over "
            f"{run['fit']['window'][0]}-{run['fit']['window'][1]} (SIPRI's definition "
            "differs from NATO's; not spliced), smoothed (k+0.5)/(n+1). Realised "
            "2023-2024 values are NATO estimates."
        ),
        "leave_one_member_out": 0,
        "origins": np.asarray([origin], np.int32),
        "thresholds": np.asarray(thresholds, float),
        f"fitted_{origin}": run["fitted"],
        "not_fitted": NOT_FITTED.replace(
            " (set by hand, the same at every origin)", " (set by hand)"
        ),  # fmt: skip
        **run_attrs(cfg, run["n_paths"], "backtest", run["calibration"]),
    }
    return ds


def summary(ds: xr.Dataset) -> str:
    """Printed summary: scores per threshold, reliability, coverage and a
    per-member table of the model's probabilities in the final year."""
    f = [str(x) for x in ds[C.FORECASTER].values]
    origin = int(ds[C.ORIGIN][0])
    y = int(ds.year[-1])
    n = int(np.isfinite(ds.observed).sum())
    lines = [
        f"{ds.attrs['experiment']}: base year {origin}, {int(ds.attrs['n_paths'])} "
        f"paths, {n} member-years to {y}",
        f"event: {ds.attrs['comment'].split('. ')[0].removeprefix('Event: ')}; "
        "realised: NATO June-2024 edition (2023-24 estimates)",
        *score_lines(ds),
        f"\nP(share >= threshold in {y}), model [{'/'.join(f[1:])} at the first "
        "threshold]; base = base-year share, obs = realised share [%]",
        f"{'member':6} {'base':>5} {'obs ' + str(y):>8} "
        + " ".join(f"{float(t):>6g}" for t in ds[C.THRESHOLD].values)
        + f" {'[' + '/'.join(n[:5] for n in f[1:]) + ']':>13}",
    ]  # fmt: skip
    p = ds.p_forecast.isel(origin=0).sel(year=y)
    for m in ds.member.values:
        model = " ".join(
            f"{float(v):6.3f}" for v in p.sel(forecaster="model", member=m).values
        )
        naive = "/".join(
            f"{float(p.sel(forecaster=n, member=m)[0]):.3f}" for n in f[1:]
        )
        lines.append(
            f"{m:6} {float(ds.base_share.isel(origin=0).sel(member=m)):5.2f} "
            f"{float(ds.observed.sel(member=m, year=y)):8.2f} {model} {naive:>13}"
        )
    return "\n".join(lines)
