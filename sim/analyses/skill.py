"""Out-of-sample skill: the backtest rerun from several origins and scored at several
thresholds, against random-walk persistence and climatology (README, "Out-of-sample
skill").  Each origin sees data up to itself only; the scores pool the origins."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .. import constants as C
from .. import preflight
from ..config import Config, from_dict, to_dict
from ..errors import ConfigError
from ..inputs.build_members import read_source
from ..provenance import run_attrs
from .evaluate import (  # noqa: F401 (score_table, year_ranges: the API of skill)
    LAST_YEAR,
    NOT_FITTED,
    THRESHOLDS,
    check_thresholds,
    forecasts,
    leave_one_out,
    score_lines,
    score_table,
    scores_dataset,
    threshold_targets,
    year_ranges,
)

ORIGINS = (2014, 2016, 2018, 2020)
FIRST_ORIGIN = 2014
"""The June-2024 NATO edition, the realised shares, covers 2014-2024."""


def check_grid(origins, thresholds) -> None:
    """ConfigError unless origins are increasing years in 2014..2023 and thresholds
    increasing shares in (0, 20) [% of GDP]."""
    o, t = list(origins), list(thresholds)
    if not o or o != sorted(set(o)) or not FIRST_ORIGIN <= o[0] <= o[-1] < LAST_YEAR:
        raise ConfigError(
            f"--origins {','.join(map(str, o))}: give increasing years in "
            f"{FIRST_ORIGIN}..{LAST_YEAR - 1} (realised NATO shares cover "
            f"{FIRST_ORIGIN}-{LAST_YEAR})"
        )
    check_thresholds(t)


def members_at(cfg: Config, origin: int) -> list[str]:
    """The config's members that were Allies with armed forces in ``origin``."""
    tab = read_source("nato_members.csv").set_index("iso3")
    codes = list(tab.index) if cfg.members == "all" else list(cfg.members)
    return [
        c for c in codes
        if tab.loc[c, "has_armed_forces"] == 1
        and tab.loc[c, "nato_accession_year"] <= origin
    ]  # fmt: skip


def rebase(cfg: Config, origin: int, thresholds) -> Config:
    """``cfg`` re-based at ``origin``: base year the origin, horizon 2024, a core
    target per threshold, calibration estimated from data up to the origin, the
    June-2024 NATO shares and the national plans announced by the end of the origin
    year; target years after the origin (else 2024)."""
    d = to_dict(cfg)
    d.update(
        base_year=origin,
        horizon=LAST_YEAR,
        members=members_at(cfg, origin),
        target_years=[y for y in cfg.target_years if origin < y <= LAST_YEAR]
        or [LAST_YEAR],
        targets=threshold_targets(thresholds),
        calibration="asof",
    )
    d["data"] = d["data"] | {
        "share_vintage": "jun2024",
        "plans_asof": f"{origin}-12-31",
    }
    try:
        return preflight.check(from_dict(d))
    except ConfigError as e:
        raise ConfigError(f"origin {origin}: {e}") from None


def left_out(cfg: Config, member: str) -> Config:
    """``cfg`` (re-based, calibration: asof) for ``member`` alone, every pooled
    estimate of its calibration made without it: leave-one-member-out."""
    d = to_dict(cfg)
    d.update(members=[member], calibration_leave_out=[member])
    return from_dict(d)


def skill(
    cfg: Config,
    origins=ORIGINS,
    thresholds=THRESHOLDS,
    progress=None,
    scheduler=None,
    leave_one_member_out: bool = False,
) -> xr.Dataset:
    """Out-of-sample scores of ``cfg`` re-based at each origin, at every threshold;
    ``leave_one_member_out``: each member's forecasts from a run of that member
    alone whose pooled estimates did not see it."""
    check_grid(origins, thresholds)
    if cfg.sweep or cfg.grid:
        raise ConfigError("skill: give a config without sweep: or grid:")
    configs = [rebase(cfg, o, thresholds) for o in origins]  # all checked first
    if leave_one_member_out:
        runs = [
            leave_one_out([forecasts(left_out(c, m), progress, scheduler)
                           for m in c.members])
            for c in configs
        ]  # fmt: skip
    else:
        runs = [forecasts(c, progress, scheduler) for c in configs]
    ds = scores_dataset(runs, origins, thresholds, cfg.meet_tolerance)
    attrs = run_attrs(cfg, runs[0]["n_paths"], "skill",
                      {o: r["calibration"] for o, r in zip(origins, runs, strict=True)})  # fmt: skip
    for key in ("base_year", "target_years"):  # one per origin: see origins, fitted_*
        attrs.pop(key)
    loo = (
        " Leave-one-member-out: each member is forecast by a run of that member alone "
        "whose calibration's pooled (cross-member) estimates left it out; its own AR(1) "
        "macro fits, base share and plans are its own past."
        if leave_one_member_out
        else ""
    )
    ds.attrs = {
        "title": f"NATO defence-spending out-of-sample skill: {cfg.name}"
        + (" (leave-one-member-out)" if leave_one_member_out else ""),
        "source": "sim model re-based at each origin vs NATO Defence Expenditure "
        "(June-2024 edition) realised shares",
        "comment": (
            f"Event: core share >= threshold - {cfg.meet_tolerance}, every year from "
            f"the origin + 1 to {LAST_YEAR}. The config re-based at each origin: base "
            "year = origin, calibration estimated from data up to the origin, plans "
            "announced by the end of the origin year. Persistence: random walk from the "
            "origin share (annual s.d. from the calibration as of the origin). "
            "Climatology: each member's frequency in SIPRI data over the ten years to "
            "the origin, smoothed (k+0.5)/(n+1). Scores pool every member-year forecast "
            "of every origin with equal weight." + loo
        ),
        "leave_one_member_out": int(leave_one_member_out),
        "origins": np.asarray(origins, np.int32),
        "thresholds": np.asarray(thresholds, float),
        **{f"fitted_{o}": r["fitted"] for o, r in zip(origins, runs, strict=True)},
        "not_fitted": NOT_FITTED,
        **attrs,
    }
    return ds


def summary(ds: xr.Dataset) -> str:
    """Printed summary: what was fitted on which years, scores per threshold against
    the naive forecasters, CRPS, reliability, forecasts below 5% and coverage."""
    origins = [int(o) for o in ds[C.ORIGIN].values]
    loo = bool(ds.attrs.get("leave_one_member_out", 0))
    lines = [
        f"{ds.attrs['experiment']} out of sample"
        + (" (leave-one-member-out)" if loo else "")
        + f": origins {', '.join(map(str, origins))}, {int(ds.attrs['n_paths'])} paths "
        + ("per member run" if loo else "each")
        + f", forecasts of every year to {int(ds.year[-1])}",
        f"event: {ds.attrs['comment'].split('. ')[0].removeprefix('Event: ')}; "
        "realised: NATO June-2024 edition (2023-24 estimates)",
        *score_lines(ds),
    ]
    return "\n".join(lines)
