"""Config + member table -> plain per-member arrays for the engine (no randomness here)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .analyses import calibrate as calibration
from .analyses.calibrate import LANDING_BAND
from .config import Config
from .errors import DataError
from .inputs import build_members, plans, resilience_priors, us_budget, vintages
from .inputs.data import load_members, parse_years
from .model.inputs import Members, Scalars


@dataclass(frozen=True)
class ModelInputs:
    """Everything the engine needs, as arrays over the selected members (axis 0).

    Rates are fractions per year, shares in percent of GDP, GDP in billion US$.
    """

    iso3: tuple[str, ...]
    names: tuple[str, ...]
    groups: tuple[str, ...]
    stream_ids: np.ndarray  # [member] position in the full member table (RNG key)
    counted: np.ndarray  # [member] bool: has armed forces
    years: np.ndarray  # [year]
    base_share: np.ndarray  # [member] percent
    base_share_source: tuple[str, ...]
    share_vintage: str  # resolved vintage of the base-year shares (vintages.py)
    plans_asof: str  # cut-off date of the announcement log (ISO)
    plan_date: tuple[str, ...]  # announcement date of the plan followed, "" if none
    plan_conditional: np.ndarray  # [member] 1 if the plan followed is conditional
    plan_points: tuple[dict, ...]  # year -> level of each member's plan after the base
    gdp0: np.ndarray  # [member] billion US$
    g0: np.ndarray  # [member] base-year real growth, fraction
    pi0: np.ndarray  # [member] base-year deflator inflation, fraction
    mu_g: np.ndarray
    mu_pi: np.ndarray
    phi_g: np.ndarray
    phi_pi: np.ndarray
    sig_g: np.ndarray  # [member] innovation s.d., fraction
    sig_pi: np.ndarray
    wbar: np.ndarray  # [member] long-run will, logit
    dmax: np.ndarray  # [member] absorption limit, pp per year
    path: np.ndarray  # [member, variant, year] target path, percent (variant: review
    # outcome keep/relax/tighten; for the USA under us_budget, its regime sequence)
    path_kind: tuple[str, ...]  # which path each member follows
    line: np.ndarray  # [member, year] linear base -> core level at deadline, percent
    exposure: np.ndarray  # [member] threat exposure, 0..1
    is_us: np.ndarray  # [member] bool
    election: np.ndarray  # [member, year] bool: government-forming election
    dip: np.ndarray  # [member, year] election-year dip of the planned share, pp
    us_switch: np.ndarray  # [year] bool: a new US administration takes office
    debt0: np.ndarray  # [member] base-year gross debt, percent of GDP
    deficit: np.ndarray  # [member] baseline deficit (IMF), percent of GDP
    drag_mask: np.ndarray  # [member, year] 1 where high debt drags on will
    pool: np.ndarray  # [member] reclassification pool, pp of GDP
    g_shock: np.ndarray  # [year] unforeseen common growth shock, fraction
    fixed_rate: np.ndarray  # [member] fixed annual plan increase, pp/yr (NaN: none)
    common: dict  # resolved shock correlations and Student-t df (config or calibration)
    z_growth: np.ndarray  # [historical year, member] standardised residuals (bootstrap)
    z_inflation: np.ndarray
    policy: (
        dict  # resolved policy parameters (config or calibration), see policy_params
    )
    calibration: dict  # provenance of the calibration used
    res_prior_mean: np.ndarray  # [member] base-year resilience prior mean, pp of GDP
    us_budget: dict | None  # the US regimes (sim/inputs/us_budget.py); None: off


def _alliance_path(
    s0: float, level: float, base: int, deadline: int, years
) -> np.ndarray:
    """Linear from s0 (base year) to ``level`` at ``deadline``, then held; never below s0."""
    if s0 >= level:
        return np.full(len(years), s0)
    frac = np.clip((np.asarray(years) - base) / (deadline - base), 0.0, 1.0)
    return s0 + (level - s0) * frac


def plan_points(points, base: int, deadline: int) -> dict[int, float]:
    """Year -> level of a plan's points (year, level, held) after the base year.

    Undated points take the alliance ``deadline``; a target (held) whose year is past
    applies from the year after the base; past budget points are dropped; several
    points in one year keep the highest.
    """
    pts: dict[int, float] = {}
    for y, lv, held in points:
        y = deadline if y is None else y
        if y <= base:
            if not held:
                continue
            y = base + 1
        pts[y] = max(lv, pts.get(y, -np.inf))
    return dict(sorted(pts.items()))


def national_path(
    points, s0: float, base: int, deadline: int, years
) -> np.ndarray | None:
    """Piecewise-linear path from the base-year share through the plan's points
    (:func:`plan_points`), the last level held; None if no point lies after the base."""
    pts = plan_points(points, base, deadline)
    if not pts:
        return None
    xs = [base, *pts]
    ys = [s0, *pts.values()]
    return np.interp(np.asarray(years, dtype=float), xs, ys)


def share_in(row: pd.Series, year: int, vintage: str) -> tuple[float, str]:
    """A member's share in ``year`` from a resolved vintage, and the column used."""
    for col in vintages.columns(year, vintage):
        if col in row.index and pd.notna(row[col]):
            return float(row[col]), col
    return np.nan, ""


def base_share(table: pd.DataFrame, cfg: Config) -> tuple[np.ndarray, list[str]]:
    """Base-year share per member following the configured vintage, and its source."""
    b = cfg.base_year
    vintage = vintages.resolve(b, cfg.data.share_vintage)
    values, sources = [], []
    for _, row in table.iterrows():
        value, col = share_in(row, b, vintage)
        values.append(value)
        if col:
            carried = col == vintages.CARRIED and b != 2024
            sources.append(
                col + (" (carried forward: no base-year figure)" if carried else "")
            )
        else:
            sources.append(
                "none (no armed forces)" if not row["has_armed_forces"] else "none"
            )
    return np.array(values), sources


@functools.lru_cache(maxsize=16)
def _resolved_plans(path, asof, base_year: int, conditional: bool, national: str):
    """plans.resolve of the announcement log (read once per file, like the log
    itself): analyses build inputs for hundreds of configs that share it."""
    log = plans.load_log(path)
    return plans.resolve(log, plans.parse_asof(asof, log, base_year), conditional,
                         national)  # fmt: skip


def member_plans(cfg: Config, table: pd.DataFrame) -> dict[str, plans.Plan]:
    """Each member's plan as of ``data.plans_asof`` on the NATO basis of the run's
    vintage, dated by the rows that shape its path (see sim/plans.py)."""
    d, b = cfg.data, cfg.base_year
    vintage = vintages.resolve(b, d.share_vintage)
    out = {}
    found = _resolved_plans(d.plans_file, d.plans_asof, b, d.use_conditional_plans,
                            d.national_definition_plans)  # fmt: skip
    for iso, plan in found.items():
        if iso in table.index:

            def nato(year: int, row=table.loc[iso]) -> float:
                return share_in(row, year, vintage)[0]

            out[iso] = plans.for_run(plan, b, nato, d.national_definition_plans)
    return out


def concrete_points(plan: plans.Plan | None) -> list:
    """(year, level, held) of a plan from :func:`member_plans` (NATO basis)."""
    return [] if plan is None else [(p.year, p.level, p.held) for p in plan.points]


def _variants(cfg: Config) -> list[tuple[float, int]]:
    """(level, deadline) of the alliance core target after keep / relax / tighten."""
    p, r = cfg.policy, cfg.review
    out = [(p.core_level, p.deadline)]
    for o in (r.relax, r.tighten):
        out.append(
            (p.core_level + o.level_change, max(p.deadline + o.deadline_shift, r.year))
        )
    return out


def _review_applies(cfg: Config) -> bool:
    return cfg.review.enabled and cfg.base_year + 1 < cfg.review.year <= cfg.horizon


def _after_review(
    before: np.ndarray, level: float, deadline: int, r: int, years: np.ndarray
) -> np.ndarray:
    """``before`` until year r-1, then linear from its value at r-1 toward the new
    (level, deadline); never below that value."""
    out = before.copy()
    later = years >= r
    prev = before[np.flatnonzero(years == r - 1)[0]]
    out[later] = _alliance_path(prev, level, r - 1, deadline, years[later])
    return out


def _own_path(own, level: float, deadline: int, years: np.ndarray) -> np.ndarray:
    """Hold ``own.level``; after ``own.until``, rejoin the alliance ``level`` by
    max(deadline, own.rejoin_deadline)."""
    path = np.full(len(years), own.level)
    if own.until is None:
        return path
    due = max(deadline, own.rejoin_deadline or deadline, own.until + 1)
    later = years > own.until
    path[later] = _alliance_path(own.level, level, own.until, due, years[later])
    return path


def member_paths(cfg: Config, iso: str, s0: float, points, years: np.ndarray):
    """Target paths [review outcome (keep, relax, tighten), year] of one member, and
    the rule that gave them.  Outcomes differ only from the review year on; under
    ``max`` a national plan that never lies above the alliance path is reported as
    such.  ``points``: (year, level, held) of the member's plan."""
    p, b = cfg.policy, cfg.base_year
    own = (p.own_paths or {}).get(iso)
    nat = None if own else national_path(points, s0, b, p.deadline, years)
    if own is not None:
        kind = "own"
    elif p.path_rule == "national_only" and nat is None:
        kind = "hold base share"
    elif p.path_rule == "alliance" or nat is None:
        kind = "alliance"
    else:
        kind = "max(alliance, national)" if p.path_rule == "max" else "national"
    n_variants = 3 if _review_applies(cfg) else 1
    rows = []
    binding = False
    for k, (level, deadline) in enumerate(_variants(cfg)[:n_variants]):
        if own is not None:
            path = _own_path(own, level, deadline, years)
        else:
            path = _alliance_path(s0, p.core_level, b, p.deadline, years)
            if k:
                path = _after_review(path, level, deadline, cfg.review.year, years)
            if kind == "national":
                path = nat
            elif kind == "hold base share":
                path = np.full(len(years), s0)
            elif kind.startswith("max"):
                binding |= bool(np.any(nat > path + 1e-9))
                path = np.maximum(path, nat)
        if k:
            path = np.where(years < cfg.review.year, rows[0], path)
        rows.append(path)
    rows += [rows[0]] * (3 - n_variants)
    if kind.startswith("max") and not binding:
        kind = "alliance (national plan not above it)"
    return np.array(rows), kind


def election_flags(text: str, cycle: int, years: np.ndarray) -> np.ndarray:
    """Bool [year]: election years from the calendar, extended by ``cycle`` years."""
    known = parse_years(text)
    if not known:
        return np.zeros(len(years), bool)
    all_years = set(known)
    y = known[-1]
    while y <= years[-1]:
        y += cycle
        all_years.add(y)
    return np.isin(years, sorted(all_years))


def member_table(cfg: Config) -> pd.DataFrame:
    """The member table for the config's base year: the bundled one (2024-2026), or
    one built from what was known then (earlier base years, for backtests)."""
    if cfg.data.members_file or cfg.base_year >= 2024:
        return load_members(cfg.data.members_file)
    return _asof_table(cfg.base_year).copy()


@functools.lru_cache(maxsize=16)
def _asof_table(year: int) -> pd.DataFrame:
    return build_members.build(asof=year).set_index("iso3", drop=False)


def build_inputs(cfg: Config) -> ModelInputs:
    """Turn a validated config and the member table into engine arrays."""
    full = member_table(cfg)
    cal = calibration.load(cfg.calibration, cfg.base_year, cfg.calibration_leave_out)
    codes = list(full.index) if cfg.members == "all" else list(cfg.members)
    table = full.loc[codes]
    years = np.arange(cfg.base_year + 1, cfg.horizon + 1)
    b = cfg.base_year
    counted = table["has_armed_forces"].to_numpy() == 1
    s0, s0_src = base_share(table, cfg)
    s0 = np.where(counted, s0, 0.0)
    missing = [
        c for c, v, k in zip(codes, s0, counted, strict=True) if k and np.isnan(v)
    ]
    if missing:
        raise DataError(f"no base-year defence share for {', '.join(missing)}")

    m = cfg.macro
    pct = 0.01
    missing = [c for c in codes if c not in cal["members"]]
    if missing:
        raise DataError(f"calibration has no parameters for {', '.join(missing)}")

    def calib(key: str) -> np.ndarray:
        return np.array([cal["members"][c][key] for c in codes], dtype=float)

    phi_g = calib("growth_ar") if m.growth_ar is None else None
    phi_pi = calib("inflation_ar") if m.inflation_ar is None else None
    n = len(codes)
    common = {
        k: getattr(m, k) if getattr(m, k) is not None else cal["common"][k]
        for k in ("growth_common_corr", "inflation_common_corr",
                  "growth_inflation_corr", "shock_df")
    }  # fmt: skip
    res = cal["residuals"]

    def z(var: str) -> np.ndarray:
        return np.array(
            [[np.nan if v is None else v for v in res[var][c]] for c in codes]
        ).T

    groups = tuple(table["group"])

    def by_group(values) -> np.ndarray:
        return np.array([getattr(values, g) if g != "none" else 0.0 for g in groups])

    p = cfg.policy
    plan_of = member_plans(cfg, table)
    paths, kinds, dates, cond, pts = [], [], [], [], []
    for iso, s, k in zip(codes, s0, counted, strict=True):
        plan = plan_of.get(iso)
        points = concrete_points(plan)
        pts.append(plan_points(points, b, p.deadline))
        if not k:
            paths.append(np.zeros((3, len(years))))
            kinds.append("none (no armed forces)")
            dates.append("")
            cond.append(0)
            continue
        path, kind = member_paths(cfg, iso, s, points, years)
        follows = kind in ("national", "max(alliance, national)")
        paths.append(path)
        kinds.append(kind)
        dates.append(plan.date if follows else "")
        cond.append(int(follows and plan.conditional))
    path = np.array(paths).reshape(n, 3, len(years))
    frac = np.clip((years - b) / (p.deadline - b), 0.0, 1.0)
    line = s0[:, None] + (p.core_level - s0[:, None]) * frac[None, :]

    el = cfg.elections
    election = np.array(
        [
            election_flags(
                full.loc[iso, "election_years"],
                el.cycle_years or int(full.loc[iso, "election_cycle_years"]),
                years,
            )
            for iso in codes
        ]
    ).reshape(n, len(years))
    if "USA" in full.index:
        us = election_flags(
            full.loc["USA", "election_years"],
            cfg.elections.cycle_years or int(full.loc["USA", "election_cycle_years"]),
            years - cfg.us_stance.switch_lag,
        )
    else:
        us = np.zeros(len(years), bool)
    us_info = None
    if cfg.us_budget.enabled and "USA" in codes and counted[codes.index("USA")]:
        us_info = us_paths(cfg, table.loc["USA"], years, us)
        path = _with_variants(path, codes.index("USA"), us_info["paths"])
        kinds[codes.index("USA")] = "US budget regimes"
        dates[codes.index("USA")] = ""
    path = path + np.where(counted, p.margin_pp, 0.0)[:, None, None]
    f = cfg.fiscal
    clause = (table["escape_clause"].to_numpy() == 1)[:, None] & (
        years <= f.escape_clause_end
    )
    drag_mask = np.ones((n, len(years))) if f.enabled else np.zeros((n, len(years)))
    if f.escape_clause:
        drag_mask[clause] = 0.0

    return ModelInputs(
        iso3=tuple(codes),
        names=tuple(table["name"]),
        groups=groups,
        stream_ids=np.array([full.index.get_loc(c) for c in codes], dtype=np.int64),
        counted=counted,
        years=years,
        base_share=s0,
        base_share_source=tuple(s0_src),
        share_vintage=vintages.resolve(b, cfg.data.share_vintage),
        plans_asof=plans.parse_asof(
            cfg.data.plans_asof, plans.load_log(cfg.data.plans_file), b
        ).isoformat(),
        plan_date=tuple(dates),
        plan_conditional=np.array(cond, dtype=np.int8),
        plan_points=tuple(pts),
        gdp0=table[f"gdp_usd_bn_{b}"].to_numpy(float),
        g0=pct * table[f"growth_{b}_pct"].to_numpy(float),
        pi0=pct * table[f"inflation_{b}_pct"].to_numpy(float),
        mu_g=pct * (calib("growth_mean") + m.growth_mean_shift),
        mu_pi=pct * (calib("inflation_mean") + m.inflation_mean_shift),
        phi_g=phi_g if phi_g is not None else np.full(n, m.growth_ar),
        phi_pi=phi_pi if phi_pi is not None else np.full(n, m.inflation_ar),
        sig_g=pct * m.growth_vol_scale * calib("growth_sd"),
        sig_pi=pct * m.inflation_vol_scale * calib("inflation_sd"),
        wbar=by_group(cfg.will.mean_logit),
        dmax=by_group(p.absorption_pp),
        path=path,
        path_kind=tuple(kinds),
        line=np.where(counted[:, None], line, 0.0),
        exposure=table["exposure"].to_numpy(float),
        is_us=np.array([c == "USA" for c in codes]),
        election=election & el.enabled,
        dip=np.where(election & el.enabled & counted[:, None], el.dip_pp, 0.0),
        us_switch=us,
        debt0=table[f"debt_{b}_pct_gdp"].to_numpy(float),
        deficit=-table["net_lending_mean_pct"].to_numpy(float),
        drag_mask=drag_mask,
        pool=by_group(cfg.reclass.pool_pp) * cfg.reclass.enabled,
        g_shock=pct
        * np.array([(m.growth_shocks or {}).get(int(y), 0.0) for y in years]),
        fixed_rate=np.array([(p.fixed_increase or {}).get(c, np.nan) for c in codes]),
        common=common,
        z_growth=z("growth"),
        z_inflation=z("inflation"),
        policy=policy_params(cfg, cal, cfg.calibration or "bundled", codes),
        calibration=cal.get("provenance", {}),
        res_prior_mean=resilience_priors.prior_means(
            codes, cfg.resilience.prior_mean, cfg.resilience.priors_file
        )
        if cfg.resilience.member_priors
        else np.full(n, cfg.resilience.prior_mean),
        us_budget=us_info,
    )


def policy_params(cfg: Config, cal: dict, source: str, codes=()) -> dict:
    """The policy model's parameters: config values where set, else the calibration's
    ``policy`` section (``source`` names the file in errors).

    ``rev_dof``: degrees of freedom of the revision variance (the estimated number of
    revisions behind it); ``land_a``, ``land_b``: Beta posterior of (1 + p_topup) / 2
    (both 0 when the config sets the value: no parameter uncertainty then).
    ``member_scale``, ``member_dof`` [member of ``codes``]: each member's revision s.d.
    is ``rev_sd`` x ``member_scale`` (``revisions.member_scale``; 1 when pooled), drawn
    per path with ``member_dof`` degrees of freedom (0 without parameter uncertainty;
    :func:`member_scales`); ``member_scale_mean``: the calibrated scale, the square
    root of the mean of those draws' variance."""
    rv, ld, f = cfg.revisions, cfg.landing, cfg.fiscal
    need = rv.rate_member is None or rv.sd is None or ld.p_topup is None
    need |= rv.momentum is None
    need |= f.consolidation_pp is None or rv.member_scale == "estimated"
    pol = cal.get("policy")
    if pol is None and need:
        raise DataError(
            f"calibration {source} has no policy section: rerun `sim calibrate`, or set "
            "revisions.rate_member, revisions.sd, revisions.momentum, landing.p_topup "
            "and fiscal.consolidation_pp in the config, with revisions.member_scale: "
            "pooled"
        )
    r = pol["revisions"] if pol else {}
    la = pol["landing"] if pol else {}
    sd_set = rv.sd is not None or rv.rate_member is not None
    out = {
        "rate_member": rv.rate_member
        if rv.rate_member is not None
        else r["rate_member"],
        "rev_sd": rv.sd if rv.sd is not None else r["sd"],
        "momentum": rv.momentum if rv.momentum is not None else r["momentum"],
        "rev_dof": 0.0 if sd_set else float(r["n_jumps"]),
        "p_topup": ld.p_topup if ld.p_topup is not None else la["p_topup"],
        "land_a": 0.0 if ld.p_topup is not None else float(la["beta_a"]),
        "land_b": 0.0 if ld.p_topup is not None else float(la["beta_b"]),
        "landing_band": float(la.get("band_pp", LANDING_BAND)),
        "consolidation_pp": f.consolidation_pp
        if f.consolidation_pp is not None
        else pol["consolidation"]["consolidation_pp"],
    }
    return out | member_scales(cfg, r, source, codes, out["rev_dof"])


def member_scales(cfg: Config, rev: dict, source: str, codes, rev_dof: float) -> dict:
    """Each member's multiple of the pooled revision s.d. and the degrees of freedom
    of its per-path draw [member of ``codes``], from the calibration's
    ``policy.revisions.member_scale`` (``rev``: the calibration's revisions section).

    The calibration's scale gives the posterior mean of the member's variance, which
    a draw sd^2 x dof / chi2(dof) has when sd^2 is that mean x (dof - 2) / dof: so with
    parameter uncertainty the scale is shrunk by sqrt((dof - 2) / dof).  Pooled, a
    member without an estimate or a between-member variance of 0: 1 and ``rev_dof``.
    A revision s.d. set in the config is scaled too, without uncertainty."""
    n, uncertain = len(codes), cfg.revisions.parameter_uncertainty
    pooled = {"member_scale": np.ones(n), "member_dof": np.full(n, rev_dof * uncertain),
              "member_scale_mean": np.ones(n)}  # fmt: skip
    if cfg.revisions.member_scale == "pooled" or not n:
        return pooled
    table = (rev.get("member_scale") or {}).get("members")
    if table is None:
        raise DataError(
            f"calibration {source} has no policy.revisions.member_scale: rerun `sim "
            "calibrate`, or set revisions.member_scale: pooled"
        )
    rows = [table.get(c) or {} for c in codes]
    mean = np.array([x.get("scale") or 1.0 for x in rows], float)
    dof = np.array([x.get("dof") or 0.0 for x in rows], float)
    scale = mean
    if rev_dof > 0 and uncertain:
        has = dof > 2
        scale = np.where(has, mean * np.sqrt(np.where(has, (dof - 2) / dof, 1)), mean)
        dof = np.where(has, dof, rev_dof)
    else:
        dof = np.zeros(n)
    return {"member_scale": scale, "member_dof": dof, "member_scale_mean": mean}


def _with_variants(path: np.ndarray, j: int, rows: np.ndarray) -> np.ndarray:
    """``path`` [member, variant, year] with member j's rows replaced by ``rows``
    [variant, year]; other members' extra variants repeat their first row (unused)."""
    n_v = max(path.shape[1], rows.shape[0])
    out = np.concatenate(
        [path, np.repeat(path[:, :1], n_v - path.shape[1], axis=1)], axis=1
    )
    out[j] = np.concatenate([rows, np.repeat(rows[:1], n_v - rows.shape[0], axis=0)])
    return out


def us_paths(cfg: Config, row: pd.Series, years: np.ndarray, switch) -> dict:
    """The USA's regime paths on the NATO basis (:mod:`sim.inputs.us_budget`), its
    target path per regime sequence (``paths`` [variant, year]) and what drew them."""
    ub, d = cfg.us_budget, cfg.data
    vintage = vintages.resolve(cfg.base_year, d.share_vintage)
    asof = plans.parse_asof(d.plans_asof, plans.load_log(d.plans_file), cfg.base_year)
    info = us_budget.regimes(
        cfg.base_year, asof, years, lambda y: share_in(row, y, vintage)[0],
        ub.real_growth_pct, ub.wedge_pp,
    )  # fmt: skip
    decisions = us_budget.decision_years(years, switch, ub.p_switch)
    info["decisions"] = decisions
    info["paths"] = us_budget.sequences(info["nato"], decisions)
    info["p_build_up"] = us_budget.p_build_up(
        len(years), decisions, ub.p_build_up, ub.p_switch
    )
    return info


def members(mi: ModelInputs, j: slice = slice(None)) -> Members:
    """The kernel's per-member bundle for the members in slice ``j``."""
    return Members(*(getattr(mi, "base_share" if f == "s0" else f)[j]
                     for f in Members._fields))  # fmt: skip


def scalars(cfg: Config, mi: ModelInputs) -> Scalars:
    """The kernel's alliance-wide parameters, named after their YAML keys."""
    w, p, r, f = cfg.will, cfg.policy, cfg.resilience, cfg.fiscal
    return Scalars(
        will_reversion=float(w.reversion), will_vol=float(w.vol),
        will_speed=float(w.speed),
        budget_scale=1.0 / cfg.execution.mean if p.budget_for_underspend else 1.0,
        resilience_cap=float(r.cap), resilience_speed=float(r.speed),
        drag_per_10pp=float(f.drag_per_10pp), threshold=float(f.threshold),
        debt_financed=float(f.debt_financed), interest=f.interest_shift_pp / 100.0,
        g_shock=mi.g_shock,
        consolidation_pp=float(mi.policy["consolidation_pp"]) * f.enabled,
        momentum=float(mi.policy["momentum"]),
        recession_growth=f.recession_growth_pct / 100.0,
        core_level=float(p.core_level), landing_band=mi.policy["landing_band"],
    )  # fmt: skip
