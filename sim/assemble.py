"""Reductions -> labelled xarray Dataset with CF attributes and provenance."""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import constants as C
from .cf import label_coords
from .config import REVIEW_OUTCOMES, THREAT_STATES, US_STANCES, Config
from .inputs import us_budget, vintages
from .params import ModelInputs
from .provenance import run_attrs
from .reduce import CONDITIONS, Partial, out_of_range
from .stats import binomial_se, hist_quantiles


def _attrs(name: str) -> dict:
    long_name, units = C.VARIABLES[name]
    return {"long_name": long_name, "units": units}


def to_dataset(cfg: Config, mi: ModelInputs, red: Partial) -> xr.Dataset:
    """Build the results Dataset (see README, "Output contract")."""
    n = red.n_paths
    q = np.asarray(cfg.quantiles)
    mask = mi.counted[None, :, None]  # Iceland etc.: not applicable -> NaN

    def prob(counts):
        p = counts / n
        return np.where(mask, p, np.nan), np.where(mask, binomial_se(p, n), np.nan)

    def member_quantiles(name):
        out = hist_quantiles(red.hists[name], name, q)  # [member, year, quantile]
        return np.where(mi.counted[:, None, None], out, np.nan)

    def alliance_quantiles(name):
        return hist_quantiles(red.hists[name], name, q)

    p_meet, p_se = prob(red.meet)
    p_by, p_by_se = prob(red.meet_by)
    dims_tmy = (C.TARGET, C.MEMBER, C.YEAR)
    dims_myq = (C.MEMBER, C.YEAR, C.QUANTILE)
    cmask = mi.counted[:, None]
    data = {
        "p_meet": (dims_tmy, p_meet),
        "p_meet_se": (dims_tmy, p_se),
        "p_meet_by": (dims_tmy, p_by),
        "p_meet_by_se": (dims_tmy, p_by_se),
        "core_share": (dims_myq, member_quantiles("core")),
        "total_share": (dims_myq, member_quantiles("total")),
        "resilience_share": (dims_myq, member_quantiles("res")),
        "core_share_mean": (
            (C.MEMBER, C.YEAR),
            np.where(cmask, red.core_sum / C.FIXED_SHARE / n, np.nan),
        ),
        "total_share_mean": (
            (C.MEMBER, C.YEAR),
            np.where(cmask, red.total_sum / C.FIXED_SHARE / n, np.nan),
        ),
        "alliance_core_share": (
            (C.YEAR, C.QUANTILE),
            alliance_quantiles("alliance_core"),
        ),
        "alliance_total_share": (
            (C.YEAR, C.QUANTILE),
            alliance_quantiles("alliance_total"),
        ),
        "p_alliance_meet": ((C.TARGET, C.YEAR), red.alliance_meet / n),
        "n_meeting": ((C.TARGET, C.YEAR, C.COUNT), red.n_meeting / n),
        "n_meeting_mean": (
            (C.TARGET, C.YEAR),
            (red.n_meeting * np.arange(red.n_meeting.shape[-1])).sum(-1) / n,
        ),
        "base_share": ((C.MEMBER,), np.where(mi.counted, mi.base_share, np.nan)),
        "target_path": ((C.MEMBER, C.YEAR), np.where(cmask, mi.path[:, 0], np.nan)),
        "gdp_base": ((C.MEMBER,), mi.gdp0),
        "counted": ((C.MEMBER,), mi.counted.astype(np.int8)),
        "p_on_path": ((C.MEMBER, C.YEAR), np.where(cmask, red.on_path / n, np.nan)),
        "shortfall_usd": (
            dims_tmy,
            np.where(mask, red.shortfall / C.FIXED_MONEY / n, np.nan),
        ),
        "alliance_shortfall_usd": (
            (C.TARGET, C.YEAR),
            red.shortfall.sum(1) / C.FIXED_MONEY / n,
        ),
        "debt_share": (dims_myq, member_quantiles("debt")),
        "p_regime": ((C.REGIME, C.YEAR), red.regime / n),
        "p_us_stance": ((C.STANCE, C.YEAR), red.stance / n),
        "p_review": ((C.REVIEW,), red.review / n),
    }
    ty = list(cfg.target_years)
    with np.errstate(invalid="ignore", divide="ignore"):
        given = (
            red.cond_meet / red.cond_count.T[None, None]
        )  # [target, member, ty, cond]
        n_given = red.cond_meet.sum(1) / red.cond_count.T[None]
    data["p_meet_given"] = (
        (C.TARGET, C.MEMBER, C.TARGET_YEAR, C.CONDITION),
        np.where(mi.counted[None, :, None, None], given, np.nan),
    )
    data["n_meeting_mean_given"] = ((C.TARGET, C.TARGET_YEAR, C.CONDITION), n_given)
    data["p_condition"] = ((C.TARGET_YEAR, C.CONDITION), red.cond_count.T / n)
    if red.samples:
        dims = (C.MEMBER, C.SAMPLE, C.YEAR)
        cmask3 = mi.counted[:, None, None]
        data["sample_core_share"] = (
            dims,
            np.where(cmask3, red.samples["core"], np.nan),
        )
        total = red.samples["core"] + red.samples["res"]
        data["sample_total_share"] = (dims, np.where(cmask3, total, np.nan))
    ds = xr.Dataset(
        {k: xr.Variable(dims, v, attrs=_attrs(k)) for k, (dims, v) in data.items()},
        coords={
            C.MEMBER: list(mi.iso3),
            C.YEAR: mi.years.astype(np.int32),
            C.TARGET: [t.name for t in cfg.targets],
            C.QUANTILE: q,
            C.COUNT: np.arange(red.n_meeting.shape[-1], dtype=np.int32),
            "member_name": (C.MEMBER, list(mi.names)),
            "group": (C.MEMBER, list(mi.groups)),
            "base_share_source": (C.MEMBER, list(mi.base_share_source)),
            "path_rule": (C.MEMBER, list(mi.path_kind)),
            "plan_date": (C.MEMBER, list(mi.plan_date)),
            "plan_conditional": (C.MEMBER, mi.plan_conditional),
            "resilience_prior": (C.MEMBER, mi.res_prior_mean),
            "measure": (C.TARGET, [t.measure for t in cfg.targets]),
            "level": (C.TARGET, [t.level for t in cfg.targets]),
            C.REGIME: list(THREAT_STATES),
            C.STANCE: list(US_STANCES),
            C.REVIEW: list(REVIEW_OUTCOMES),
            C.TARGET_YEAR: np.asarray(ty, dtype=np.int32),
            C.CONDITION: list(CONDITIONS),
        },
    )
    label_coords(ds)
    ds["level"].attrs.update(long_name="target level", units="percent")
    ds["p_meet_se"].attrs["comment"] = "binomial standard error sqrt(p(1-p)/n_paths)"
    excluded = [c for c, k in zip(mi.iso3, mi.counted, strict=True) if not k]
    ds.attrs = {
        "title": f"NATO defence-spending Monte Carlo: {cfg.name}",
        "institution": "sim (NATO defence-spending scenario simulator)",
        "source": (
            "sim Monte Carlo model; member data: NATO defence expenditure (base-year "
            "shares: see share_definition), IMF WEO Oct-2025, national announcements "
            "as of plans_asof; see sim/data/sources/SOURCES.md"
        ),
        "share_vintage": mi.share_vintage,
        "share_definition": vintages.DEFINITIONS[mi.share_vintage],
        "plans_asof": mi.plans_asof,
        "references": "sim/data/sources/SOURCES.md; sim/data/members_columns.csv",
        "comment": (
            "Shares are percent of nominal GDP; meeting a level means share >= level - "
            f"{cfg.meet_tolerance} pp. Alliance shares are weighted by real GDP over "
            "counted members at base-year prices and US$ exchange rates. Members "
            f"without armed forces ({', '.join(excluded) or 'none'}) are excluded from "
            "core targets, counts and alliance aggregates; their values are NaN."
        ),
        "excluded_members": ", ".join(excluded),
        "quantile_method": (
            "read from fixed-width histograms (shares: 0.005 pp bins, debt: 0.1 pp), "
            "piecewise-linear within a bin; values at the top of a histogram's range: "
            + ", ".join(f"{k} {v}" for k, v in out_of_range(red).items())
        ),
        **run_attrs(cfg, n, "run", mi.calibration),
    }
    ds.attrs["policy_parameters"] = policy_used(mi)
    ds.attrs["commitment_due"] = commitment_due(cfg, mi)
    if mi.us_budget is not None:
        ds.attrs["us_budget"] = us_budget.describe(
            mi.us_budget, mi.years, ty, cfg.us_budget.p_switch
        )
    return ds


def policy_used(mi) -> str:
    """The policy model's parameters this run used (config or calibration)."""
    p = mi.policy
    scale = p.get("member_scale_mean", np.ones(1))
    return (
        f"revisions {p['rate_member']:.2f}/yr own (+ alliance-wide), s.d. "
        f"{p['rev_sd']:.3f} of the planned share"
        + (
            f" times each member's scale (x{scale.min():.2f}-{scale.max():.2f})"
            if (scale != 1).any()
            else ""
        )
        + f", momentum {p['momentum']:.2f}; near "
        f"misses within {p['landing_band']:.2f} pp of a due commitment topped up with p "
        f"{p['p_topup']:.2f}; cut after a recession {p['consolidation_pp']:.3f} pp"
    )


def commitment_due(cfg, mi) -> str:
    """Per counted member, the first year its path (review kept) reaches the alliance
    core level: from then the commitment is a floor and near misses are topped up."""
    level = cfg.policy.core_level
    out = []
    for i, iso in enumerate(mi.iso3):
        if not mi.counted[i]:
            continue
        due = np.flatnonzero(mi.path[i, 0] >= level)
        out.append(f"{iso} {int(mi.years[due[0]])}" if due.size else f"{iso} -")
    return ", ".join(out)
