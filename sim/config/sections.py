"""The config sections: one frozen dataclass per YAML section, each field with its
docstring and inclusive range (see :func:`_f`), checked on load."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal


def _f(default: Any, doc: str, lo: float | None = None, hi: float | None = None, **kw):
    """Field with a docstring and an inclusive range [lo, hi] checked on load."""
    meta = {"doc": doc, "lo": lo, "hi": hi, **kw}
    if isinstance(default, list | dict) or dataclasses.is_dataclass(default):
        return field(default_factory=lambda: _copy(default), metadata=meta)
    return field(default=default, metadata=meta)


def _copy(x):
    return dataclasses.replace(x) if dataclasses.is_dataclass(x) else type(x)(x)


@dataclass(frozen=True)
class ByGroup:
    """One value per threat-exposure group (see data/member_assumptions.csv)."""

    frontline: float
    core: float
    constrained: float
    us: float


@dataclass(frozen=True)
class Target:
    name: str = _f("", "label used as the `target` coordinate, e.g. core_3.5")
    measure: Literal["core", "total"] = _f("core", "core share, or core + resilience")
    level: float = _f(3.5, "threshold [percent of GDP]", 0.0, 50.0)


@dataclass(frozen=True)
class DataConfig:
    share_vintage: Literal["latest", "jul2026", "mar2026", "aug2025", "jun2024"] = _f(
        "latest",
        "NATO figures for the base-year share: latest = July-2026 edition (core "
        "definition) for base years 2024-2026, June-2024 before; mar2026 / aug2025 = "
        "press-quoted 2025 estimates (base year 2025); jun2024 (base year <= 2024)",
    )
    members_file: str | None = _f(
        None,
        "member table CSV replacing the bundled one (same columns); null = bundled",
    )
    plans_asof: str | None = _f(
        None,
        "national plans as announced by this date (YYYY-MM-DD); null = the newest "
        "announcement in the log, but not after the end of the base year",
    )
    plans_file: str | None = _f(
        None,
        "announcement log CSV replacing sim/data/sources/national_targets.csv (same "
        "columns); null = bundled",
    )
    use_conditional_plans: bool = _f(
        False,
        "use conditional plans (Italy's, tied to leaving the EU excessive deficit "
        "procedure) as if certain; false = the member follows its other plans or the "
        "alliance rule",
    )
    national_definition_plans: Literal["wedge", "drop", "as_nato"] = _f(
        "wedge",
        "plan levels stated in a national definition: wedge = shifted to the NATO "
        "basis by the member's NATO minus national figure in the latest year up to the "
        "base year that has both (else left out); drop = left out; as_nato = read as "
        "NATO-basis levels",
    )


@dataclass(frozen=True)
class MacroConfig:
    shock_model: Literal["student_t", "normal", "bootstrap"] = _f(
        "student_t",
        "student_t / normal: AR(1) shocks with a common factor; bootstrap: whole "
        "historical years of calibrated residuals, jointly across members",
    )
    bootstrap_block: int = _f(
        1, "consecutive historical years per bootstrap block", 1, 10
    )
    growth_common_corr: float | None = _f(
        None, "cross-member correlation of growth shocks; null = calibration", 0.0, 0.99
    )
    inflation_common_corr: float | None = _f(
        None,
        "cross-member correlation of inflation shocks; null = calibration",
        0.0,
        0.99,
    )
    growth_inflation_corr: float | None = _f(
        None, "within-member growth-inflation shock correlation; null = calibration",
        -0.95, 0.95,
    )  # fmt: skip
    shock_df: float | None = _f(
        None, "Student-t degrees of freedom; null = calibration", 2.05, 1e6
    )
    growth_vol_scale: float = _f(
        1.0, "multiplier on estimated growth volatility", 0, 10
    )
    inflation_vol_scale: float = _f(1.0, "multiplier on inflation volatility", 0, 10)
    growth_ar: float | None = _f(
        None, "common AR(1) persistence of growth; null = member estimates", -0.9, 0.99
    )
    inflation_ar: float | None = _f(
        None,
        "common AR(1) persistence of inflation; null = member estimates",
        -0.9,
        0.99,
    )
    growth_mean_shift: float = _f(
        0.0, "added to every member's mean growth [pp]", -10, 10
    )
    inflation_mean_shift: float = _f(0.0, "added to mean inflation [pp]", -10, 50)
    growth_shocks: dict[int, float] | None = _f(
        None,
        "year -> unforeseen common shock to every member's real growth [pp], e.g. "
        "{2027: -3.0}; budgets are not revised for it",
        -30,
        30,
    )


@dataclass(frozen=True)
class WillConfig:
    mean_logit: ByGroup = _f(
        ByGroup(frontline=1.5, core=0.5, constrained=-0.5, us=0.0),
        "long-run level of political will on the logit scale, per group (assumption)",
        -10,
        10,
    )
    initial_sd: float = _f(
        0.5, "s.d. of the initial will around its long-run level [logit]", 0, 5
    )
    reversion: float = _f(0.15, "mean reversion per year (kappa)", 0, 1)
    vol: float = _f(0.3, "s.d. of annual will shocks [logit]", 0, 5)
    common_corr: float = _f(0.5, "cross-member correlation of will shocks", 0, 0.99)
    speed: float = _f(
        1.0, "fraction of the gap to the target path closed per year at full will", 0, 1
    )


@dataclass(frozen=True)
class PolicyConfig:
    core_level: float = _f(3.5, "alliance core target [percent of GDP]", 0, 20)
    deadline: int = _f(2035, "year by which the alliance core level is due", 2000, 2100)
    path_rule: Literal["max", "alliance", "national", "national_only"] = _f(
        "max",
        "target path: max = higher of the alliance and national paths; alliance = "
        "linear to core_level at deadline; national = announced national path where "
        "one exists, else alliance; national_only = announced path, else hold the "
        "base-year share (no convergence to the alliance level)",
    )
    absorption_pp: ByGroup = _f(
        ByGroup(frontline=1.0, core=0.6, constrained=0.6, us=0.6),
        "largest change in the planned share in one year [pp of GDP] (assumption)",
        0,
        10,
    )
    margin_pp: float = _f(
        0.0, "planners aim this far above the target path [pp] (assumption)", 0, 2
    )
    budget_for_underspend: bool = _f(
        True, "budget = plan / mean execution rate, so expected outturn meets the plan"
    )
    fixed_increase: dict[str, float] | None = _f(
        None,
        "ISO3 -> planned core share rising by this many pp a year from the base year, "
        "regardless of will (used by sim requirement)",
        -5,
        5,
    )
    own_paths: dict[str, OwnPath] | None = _f(
        None,
        "members on their own path (ISO3 -> level, until, rejoin_deadline), replacing "
        "the alliance and national paths; null = none",
    )


@dataclass(frozen=True)
class ExecutionConfig:
    mean: float = _f(0.97, "mean execution rate (outturn / budget)", 0.5, 1.0)
    sd: float = _f(0.03, "s.d. of the execution rate (Beta distributed)", 0.0, 0.2)


@dataclass(frozen=True)
class ResilienceConfig:
    cap: float = _f(1.5, "most security/resilience spending counted [pp of GDP]", 0, 10)
    prior_mean: float = _f(1.0, "mean of the uncertain base-year level [pp]", 0, 10)
    prior_sd: float = _f(0.3, "s.d. of the base-year level [pp]", 0, 5)
    speed: float = _f(
        0.3, "fraction of the gap to the cap closed per year at W=1", 0, 1
    )
    noise_sd: float = _f(0.05, "s.d. of annual noise in the level [pp]", 0, 2)
    member_priors: bool = _f(
        True,
        "members with a published claim start at it (priors_file; claims, not NATO "
        "figures); false = prior_mean for every member",
    )
    priors_file: str | None = _f(
        None,
        "member priors CSV replacing sim/data/resilience_priors.csv; null = bundled",
    )
    ruling_year: int = _f(
        2029,
        "year NATO may rule a category out (the 2029 review; assumption)",
        2000,
        2100,
    )
    p_ruling: float = _f(
        0.3, "probability (per path, alliance-wide) that a category is ruled out "
        "(assumption)", 0, 1,
    )  # fmt: skip
    haircut: float = _f(
        0.2, "fraction of counted resilience removed from the ruling year on "
        "(assumption: one of the five Hague categories)", 0, 1,
    )  # fmt: skip


@dataclass(frozen=True)
class UsBudgetConfig:
    enabled: bool = _f(
        True,
        "the USA follows its own budget regimes (sim/inputs/us_budget.py); false = the "
        "alliance rule like any member",
    )
    p_build_up: float = _f(
        0.5, "probability of the build-up regime in the first projected year "
        "(assumption)", 0, 1,
    )  # fmt: skip
    p_switch: float = _f(
        0.5, "probability that the regime changes when a new administration takes "
        "office (us_stance calendar; assumption); 0 = never", 0, 1,
    )  # fmt: skip
    real_growth_pct: float = _f(
        0.0, "real growth of national-defence dollars in both regimes after the last "
        "figure [percent/yr] (0 = flat in real terms; assumption)", -10, 10,
    )  # fmt: skip
    wedge_pp: float | None = _f(
        None, "NATO-basis minus national-basis share [pp]; null = from the latest year "
        "with both figures", -5, 5,
    )  # fmt: skip


THREAT_STATES = ("moderate", "high", "acute")
US_STANCES = ("pressure", "neutral", "retrenchment")
REVIEW_OUTCOMES = ("keep", "relax", "tighten")
ThreatState = Literal["moderate", "high", "acute"]
UsStance = Literal["pressure", "neutral", "retrenchment"]


@dataclass(frozen=True)
class ByThreat:
    """One value per threat regime."""

    moderate: float
    high: float
    acute: float


@dataclass(frozen=True)
class ThreatMatrix:
    """Annual transition probabilities: row = this year's regime, columns = next year's."""

    moderate: ByThreat
    high: ByThreat
    acute: ByThreat


@dataclass(frozen=True)
class ByStance:
    """One value per US stance."""

    pressure: float
    neutral: float
    retrenchment: float


@dataclass(frozen=True)
class StanceMatrix:
    """Transition probabilities of the US stance when a new administration takes office."""

    pressure: ByStance
    neutral: ByStance
    retrenchment: ByStance


@dataclass(frozen=True)
class ThreatConfig:
    enabled: bool = _f(True, "common threat regime shifts will (x member exposure)")
    start: ThreatState = _f("high", "regime in the base year (war in Ukraine goes on)")
    transition: ThreatMatrix = _f(
        ThreatMatrix(
            moderate=ByThreat(moderate=0.83, high=0.15, acute=0.02),
            high=ByThreat(moderate=0.20, high=0.78, acute=0.02),
            acute=ByThreat(moderate=0.0, high=0.30, acute=0.70),
        ),
        "annual transition probabilities (domain.md 6.4: unsourced priors)",
        0,
        1,
    )
    level: ByThreat = _f(
        ByThreat(moderate=0.0, high=1.0, acute=2.0),
        "threat level of each regime",
        -10,
        10,
    )
    effect: float = _f(
        0.5, "will shift per unit of threat level at exposure 1 [logit]", -5, 5
    )
    commitment_pp: float = _f(
        0.34,
        "committed share raised per unit of threat level at exposure 1 [pp]: the 2014 "
        "-> 2017 change of NATO shares (June-2024 edition) regressed on exposure "
        "(calibration policy.threat)",
        0,
        5,
    )
    pinned: dict[int, ThreatState] | None = _f(
        None,
        "year -> regime forced in that year (e.g. {2027: moderate}); chain goes on",
    )


@dataclass(frozen=True)
class UsStanceConfig:
    enabled: bool = _f(True, "US stance (common state) moves allies' will")
    start: UsStance = _f("pressure", "stance in the base year")
    transition: StanceMatrix = _f(
        StanceMatrix(
            pressure=ByStance(pressure=0.5, neutral=0.4, retrenchment=0.1),
            neutral=ByStance(pressure=0.3, neutral=0.6, retrenchment=0.1),
            retrenchment=ByStance(pressure=0.2, neutral=0.3, retrenchment=0.5),
        ),
        "stance transition when a new administration takes office (assumption)",
        0,
        1,
    )
    switch_lag: int = _f(
        1, "years from a US presidential election to a new stance", 0, 3
    )
    effect_allies: ByStance = _f(
        ByStance(pressure=0.0, neutral=-0.2, retrenchment=0.3),
        "will shift of members other than the US, relative to the start [logit]",
        -5,
        5,
    )
    commitment_allies: ByStance = _f(
        ByStance(pressure=0.0, neutral=-0.2, retrenchment=0.3),
        "committed share of members other than the US shifted, relative to the start "
        "[pp] (assumption)",
        -5,
        5,
    )
    effect_us: ByStance = _f(
        ByStance(pressure=0.0, neutral=0.0, retrenchment=-0.5),
        "will shift of the US itself, relative to the start [logit]",
        -5,
        5,
    )
    pinned: dict[int, UsStance] | None = _f(
        None, "year -> stance forced from that year"
    )


@dataclass(frozen=True)
class ElectionConfig:
    enabled: bool = _f(True, "elections from the bundled calendar")
    p_change: float = _f(
        0.4, "probability of a change of government per election", 0, 1
    )
    p_up: float = _f(0.5, "probability that a change of government raises will", 0, 1)
    jump: float = _f(
        0.5, "size of the will jump at a change of government [logit]", 0, 5
    )
    dip_pp: float = _f(0.03, "planned share lowered in election years [pp]", 0, 1)
    cycle_years: int | None = _f(
        None, "cycle after the calendar's last year; null = member's term", 1, 10
    )


@dataclass(frozen=True)
class RevisionConfig:
    enabled: bool = _f(
        True,
        "commitments are revised: compound Poisson jumps in each member's committed "
        "share, alliance-wide and own (cuts as well as increases)",
    )
    rate_common: float = _f(0.03, "alliance-wide revisions per year (assumption)", 0, 5)
    rate_member: float | None = _f(
        None, "own revisions per year; null = calibration (policy.revisions)", 0, 5
    )
    mean: float = _f(0.0, "mean revision [pp]", -5, 5)
    sd: float | None = _f(None, "s.d. of one revision [pp]; null = calibration", 0, 5)
    momentum: float | None = _f(
        None,
        "AR(1) coefficient of a member's yearly revision (a ramp-up goes on); null = "
        "calibration",
        0,
        0.95,
    )
    parameter_uncertainty: bool = _f(
        True,
        "each path draws its revision s.d. and landing probability from their "
        "sampling distributions (calibration counts); false = point estimates",
    )
    member_scale: Literal["estimated", "pooled"] = _f(
        "estimated",
        "each member's revision s.d.: 'estimated' = the pooled s.d. times the member's "
        "scale (its own share changes shrunk toward the pool, calibration "
        "policy.revisions.member_scale); 'pooled' = the same s.d. for every member",
    )


@dataclass(frozen=True)
class LandingConfig:
    enabled: bool = _f(
        True,
        "a member whose commitment is due and whose outturn falls short by at most "
        "the calibration's band (0.25 pp) tops up or reclassifies to the level",
    )
    p_topup: float | None = _f(
        None, "probability of topping up a near miss; null = calibration", 0, 1
    )


@dataclass(frozen=True)
class FiscalConfig:
    enabled: bool = _f(True, "government debt evolves and high debt drags on will")
    threshold: float = _f(
        90.0, "debt above which will is dragged [percent of GDP]", 0, 500
    )
    drag_per_10pp: float = _f(
        0.1, "will drag per 10 pp of debt above threshold [logit]", 0, 5
    )
    debt_financed: float = _f(
        1.0, "share of defence spending above the base year that adds to deficits", 0, 1
    )
    interest_shift_pp: float = _f(
        0.0, "extra interest rate on the whole debt stock [pp per year]", -5, 20
    )
    consolidation_pp: float | None = _f(
        None,
        "cut in the committed share the year after a recession [pp]; null = "
        "calibration (policy.consolidation)",
        0,
        5,
    )
    recession_growth_pct: float = _f(
        0.0, "real growth below which a year is a recession [%]", -20, 10
    )
    escape_clause: bool = _f(True, "no debt drag while the EU escape clause is active")
    escape_clause_end: int = _f(
        2028, "last year of the EU national escape clause", 2024, 2100
    )


@dataclass(frozen=True)
class ReviewOutcome:
    level_change: float = _f(0.0, "change of the core level [pp]", -10, 10)
    deadline_shift: int = _f(0, "change of the deadline [years]", -20, 20)


@dataclass(frozen=True)
class ReviewConfig:
    enabled: bool = _f(True, "the 2029 review can change the target path")
    year: int = _f(2029, "year of the review (Hague declaration)", 2000, 2100)
    p_relax: float = _f(0.3, "probability the path is relaxed (domain.md 6.4)", 0, 1)
    p_tighten: float = _f(0.1, "probability the path is tightened", 0, 1)
    relax: ReviewOutcome = _f(
        ReviewOutcome(level_change=0.0, deadline_shift=3), "what relaxing does"
    )
    tighten: ReviewOutcome = _f(
        ReviewOutcome(level_change=0.0, deadline_shift=-2), "what tightening does"
    )
    pinned: Literal["keep", "relax", "tighten"] | None = _f(
        None, "force the outcome in every path; null = random"
    )


@dataclass(frozen=True)
class ReclassConfig:
    enabled: bool = _f(True, "one-off reclassification of existing spending into core")
    pool_pp: ByGroup = _f(
        ByGroup(frontline=0.1, core=0.2, constrained=0.4, us=0.0),
        "size of the one-off pool per group [pp of GDP] (domain.md 6.4: 0.2; IT/CA/ES 0.3-0.5)",
        0,
        5,
    )
    rate: float = _f(0.15, "probability per year of using the pool (if unused)", 0, 1)
    pressure_multiplier: float = _f(
        2.0, "rate multiplier while the US stance is 'pressure'", 0, 20
    )


@dataclass(frozen=True)
class ReportingConfig:
    enabled: bool = _f(True, "reported share = true share + noise")
    noise_sd: float = _f(0.07, "s.d. of NATO estimate noise [pp] (domain.md 6.4)", 0, 2)


@dataclass(frozen=True)
class OwnPath:
    """A member's own path: hold ``level`` to ``until`` then (optionally) rejoin."""

    level: float = _f(2.0, "share held [percent of GDP]", 0, 30)
    until: int | None = _f(None, "last year held; null = whole horizon", 2000, 2100)
    rejoin_deadline: int | None = _f(
        None,
        "after 'until', reach the alliance level by max(deadline, this)",
        2000,
        2100,
    )


@dataclass(frozen=True)
class SensitivityConfig:
    groups: dict[str, dict[str, list]] | None = _f(
        None,
        "parameter groups for sim sensitivity: name -> {dotted.key: [value at 0, value "
        "at 1]}; one uniform factor per group moves all its keys together",
    )
    n_base: int = _f(
        32, "Saltelli base sample size (evaluations: n_base x (groups+2))", 4, 4096
    )
    paths: int = _f(
        2000, "paths per model evaluation (common random numbers)", 10, 10**7
    )
    num_resamples: int = _f(
        100, "bootstrap resamples for the confidence intervals", 10, 10000
    )
