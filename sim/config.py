"""YAML configuration -> validated, frozen dataclasses (and back to plain YAML)."""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from .errors import ConfigError
from .safe_io import read_text

_MAX_EXTENDS_DEPTH = 16


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
class JumpConfig:
    enabled: bool = _f(True, "punctuated budgets: compound Poisson jumps in will")
    rate_common: float = _f(0.03, "alliance-wide jumps per year", 0, 5)
    rate_member: float = _f(0.1, "member-specific jumps per year", 0, 5)
    mean: float = _f(0.0, "mean jump [logit]", -5, 5)
    sd: float = _f(0.8, "s.d. of a jump [logit]", 0, 5)


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


DEFAULT_TARGETS = (
    Target(name="core_3.5", measure="core", level=3.5),
    Target(name="total_5", measure="total", level=5.0),
)
DEFAULT_QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


@dataclass(frozen=True)
class Config:
    """A whole experiment.  Build with :func:`load_config` or :func:`from_dict`."""

    name: str = _f("run", "experiment name (used in the run directory name)")
    description: str = _f("", "free text")
    seed: int = _f(12345, "root seed of all random streams", 0, 2**63 - 1)
    paths: int = _f(20000, "number of Monte Carlo paths", 1, 10**9)
    chunk_size: int = _f(
        50000, "paths per chunk: sets the random streams and the peak memory", 1, 10**7
    )
    sample_paths: int = _f(
        0,
        "per-path trajectories stored for this many paths (spaghetti plots)",
        0,
        10000,
    )
    calibration: str | None = _f(
        None,
        "macro calibration: null = bundled sim/data/calibration.yaml (make calibrate); "
        "'asof' = estimated at run time from data up to the base year; or a file path",
    )
    base_year: int = _f(
        2026, "last observed year; projection starts the year after", 2014, 2026
    )
    horizon: int = _f(2035, "last projected year", 2015, 2100)
    target_years: tuple[int, ...] = _f(
        (2030, 2032, 2035), "years reported as deadlines"
    )
    targets: tuple[Target, ...] = _f(DEFAULT_TARGETS, "targets: name, measure, level")
    members: tuple[str, ...] | Literal["all"] = _f(
        "all", "'all' or a list of ISO3 codes"
    )
    quantiles: tuple[float, ...] = _f(DEFAULT_QUANTILES, "reported quantiles", 0, 1)
    meet_tolerance: float = _f(
        0.005,
        "a share within this of the level counts as meeting it [pp] (mirrors NATO's "
        "two-decimal rounding; convention, unsourced)",
        0,
        0.5,
    )
    data: DataConfig = _f(DataConfig(), "input data choices")
    macro: MacroConfig = _f(MacroConfig(), "real growth and deflator inflation")
    will: WillConfig = _f(WillConfig(), "political will (latent, logit scale)")
    policy: PolicyConfig = _f(PolicyConfig(), "target path and planning")
    execution: ExecutionConfig = _f(ExecutionConfig(), "budget execution")
    resilience: ResilienceConfig = _f(ResilienceConfig(), "security/resilience bucket")
    threat: ThreatConfig = _f(ThreatConfig(), "threat regime (common Markov chain)")
    us_stance: UsStanceConfig = _f(UsStanceConfig(), "US stance (common state)")
    elections: ElectionConfig = _f(ElectionConfig(), "elections and government change")
    jumps: JumpConfig = _f(JumpConfig(), "punctuated budgets")
    fiscal: FiscalConfig = _f(FiscalConfig(), "debt, debt drag, EU escape clause")
    review: ReviewConfig = _f(ReviewConfig(), "the 2029 review of the target path")
    reclass: ReclassConfig = _f(ReclassConfig(), "one-off reclassification into core")
    reporting: ReportingConfig = _f(ReportingConfig(), "noise in reported shares")
    sensitivity: SensitivityConfig = _f(
        SensitivityConfig(), "global sensitivity analysis"
    )
    sweep: dict[str, typing.Any] | None = _f(
        None,
        "scenarios run in one pass on common random numbers: name -> overrides "
        "(a mapping) or a config file (path relative to this file); output gets a "
        "'scenario' dimension",
    )
    grid: dict[str, list] | None = _f(
        None, "parameter grid run as a sweep: dotted key -> list of values"
    )

    @property
    def years(self) -> range:
        """Projected years (base_year+1 .. horizon)."""
        return range(self.base_year + 1, self.horizon + 1)


# ---------------------------------------------------------------- building and checking


def _suggest(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}allowed: {', '.join(allowed)}"


def _short(value, n: int = 60) -> str:
    """repr of a value, cut to ``n`` characters (error messages stay one short line)."""
    text = repr(value)
    return text if len(text) <= n else text[: n - 3] + "..."


def _type_name(tp) -> str:
    return getattr(tp, "__name__", str(tp))


def _convert(value: Any, tp: Any, key: str, meta: dict) -> Any:
    """Convert a YAML value to the annotated type, or raise ConfigError naming the key."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return _convert(value, a, key, meta)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(errors[-1] if errors else f"config key '{key}': bad value")
    if origin is Literal:
        if value not in args:
            allowed = ", ".join(repr(a) for a in args)
            raise ConfigError(
                f"config key '{key}': got {_short(value)}, allowed: {allowed}"
            )
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(
                f"config key '{key}': expected a list, got {_short(value)}"
            )
        return tuple(
            _convert(v, args[0], f"{key}[{i}]", meta) for i, v in enumerate(value)
        )
    if tp is typing.Any or tp is list:
        if tp is list and not isinstance(value, list):
            raise ConfigError(
                f"config key '{key}': expected a list, got {_short(value)}"
            )
        return value
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(
                f"config key '{key}': expected a mapping, got {_short(value)}"
            )
        ktp, vtp = args
        return {
            _convert(k, ktp, f"{key}.{k}", {}): _convert(v, vtp, f"{key}.{k}", meta)
            for k, v in value.items()
        }
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, key, meta)
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(
                f"config key '{key}': expected true or false, got {_short(value)}"
            )
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(
                f"config key '{key}': expected an integer, got {_short(value)}"
            )
        return _check_range(value, key, meta)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(
                f"config key '{key}': expected a number, got {_short(value)}"
            )
        return _check_range(float(value), key, meta)
    if tp is str:
        if isinstance(value, datetime.date):  # YAML reads 2026-07-03 as a date
            value = value.isoformat()
        if not isinstance(value, str):
            raise ConfigError(f"config key '{key}': expected text, got {_short(value)}")
        return value
    raise TypeError(f"unsupported config type {_type_name(tp)} for {key}")


def _check_range(value, key: str, meta: dict):
    lo, hi = meta.get("lo"), meta.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(
            f"config key '{key}': {_short(value)} is out of range [{lo}, {hi}]"
        )
    if value != value:  # NaN
        raise ConfigError(f"config key '{key}': NaN is not allowed")
    return value


def _build(cls, data: Any, prefix: str, meta: dict | None = None):
    """Instantiate dataclass ``cls`` from a mapping, rejecting unknown keys."""
    where = f"config key '{prefix}'" if prefix else "config"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping, got {_short(data)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if key not in fields:
            raise ConfigError(
                f"unknown config key '{full}': {_suggest(str(key), list(fields))}"
            )
        f = fields[key]
        # ByGroup fields inherit the range of the field that holds them
        fmeta = dict(f.metadata) if f.metadata else dict(meta or {})
        if isinstance(value, dict) and f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
            if dataclasses.is_dataclass(default):  # partial mappings keep defaults
                value = merge(to_dict(default), value)
        kwargs[key] = _convert(value, hints[key], full, fmeta)
    missing = [
        n
        for n, f in fields.items()
        if n not in kwargs
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{where}: missing key(s) {', '.join(missing)}")
    return cls(**kwargs)


def _cross_check(cfg: Config) -> None:
    """Checks that involve several keys."""
    if cfg.horizon <= cfg.base_year:
        raise ConfigError("config key 'horizon': must be after base_year")
    if not cfg.target_years:
        raise ConfigError("config key 'target_years': give at least one year")
    for y in cfg.target_years:
        if not cfg.base_year < y <= cfg.horizon:
            raise ConfigError(
                f"config key 'target_years': {y} is outside the projection "
                f"{cfg.base_year + 1}..{cfg.horizon}"
            )
    if list(cfg.target_years) != sorted(set(cfg.target_years)):
        raise ConfigError(
            "config key 'target_years': years must be increasing and unique"
        )
    names = [t.name for t in cfg.targets]
    if not names or any(not n for n in names) or len(set(names)) != len(names):
        raise ConfigError(
            "config key 'targets': give each target a unique, non-empty name"
        )
    if list(cfg.quantiles) != sorted(set(cfg.quantiles)) or not cfg.quantiles:
        raise ConfigError(
            "config key 'quantiles': must be increasing, unique, in [0, 1]"
        )
    from . import plans, vintages

    v = cfg.data.share_vintage
    ok = vintages.allowed(cfg.base_year)
    if v not in ok:
        raise ConfigError(
            f"config key 'data.share_vintage': {v!r} has no base year {cfg.base_year} "
            f"figures, allowed: {', '.join(ok)}"
        )
    log = plans.load_log(cfg.data.plans_file)  # also checks a user-supplied file
    try:
        plans.parse_asof(cfg.data.plans_asof, log)
    except ValueError:
        raise ConfigError(
            f"config key 'data.plans_asof': {cfg.data.plans_asof!r} is not a date, "
            "expected YYYY-MM-DD or null"
        ) from None
    ex = cfg.execution
    if ex.sd > 0 and ex.sd**2 >= ex.mean * (1 - ex.mean):
        raise ConfigError(
            "config key 'execution.sd': too large for a Beta distribution with this "
            f"mean (need sd < {(ex.mean * (1 - ex.mean)) ** 0.5:.4f})"
        )
    if not cfg.base_year < cfg.policy.deadline <= cfg.horizon:
        raise ConfigError(
            f"config key 'policy.deadline': {cfg.policy.deadline} is outside the "
            f"projection, allowed {cfg.base_year + 1}..{cfg.horizon} (the horizon)"
        )
    from .data import check_member_codes, load_members

    table = load_members(cfg.data.members_file)  # also checks a user-supplied file
    if cfg.calibration not in (None, "asof"):
        from .analyses import calibrate

        calibrate.load(cfg.calibration, cfg.base_year)
    if cfg.members != "all":
        check_member_codes(cfg.members, table)
    if cfg.policy.own_paths:
        check_member_codes(list(cfg.policy.own_paths), table, key="policy.own_paths")
    if cfg.policy.fixed_increase:
        check_member_codes(
            list(cfg.policy.fixed_increase), table, key="policy.fixed_increase"
        )
    for name, matrix in (
        ("threat", cfg.threat.transition),
        ("us_stance", cfg.us_stance.transition),
    ):
        for row in dataclasses.fields(matrix):
            probs = dataclasses.astuple(getattr(matrix, row.name))
            if abs(sum(probs) - 1) > 1e-9:
                raise ConfigError(
                    f"config key '{name}.transition.{row.name}': probabilities sum to "
                    f"{sum(probs):g}, must sum to 1"
                )
    for name, pins in (
        ("threat", cfg.threat.pinned),
        ("us_stance", cfg.us_stance.pinned),
    ):
        for year in pins or {}:
            if not cfg.base_year < year <= cfg.horizon:
                raise ConfigError(
                    f"config key '{name}': year {year} is outside the projection "
                    f"{cfg.base_year + 1}..{cfg.horizon}"
                )
    if cfg.sweep or cfg.grid:
        scenarios(cfg)  # validates every scenario
    check_bounds(cfg, len(table) if cfg.members == "all" else len(cfg.members))
    if cfg.sensitivity.groups:
        from .analyses.sensitivity import group_config

        for g in cfg.sensitivity.groups:  # both ends of every range must be valid
            for u in (0.0, 1.0):
                group_config(cfg, {g: u}, prefix=f"sensitivity.groups.{g}")
    if cfg.review.p_relax + cfg.review.p_tighten > 1:
        raise ConfigError("config keys 'review.p_relax' + 'review.p_tighten' exceed 1")


def from_dict(data: dict) -> Config:
    """Validate a plain mapping (already merged) into a :class:`Config`."""
    data = dict(data)
    data.pop("extends", None)
    cfg = _build(Config, data, "")
    _cross_check(cfg)
    return cfg


def to_dict(cfg: Config) -> dict:
    """Plain, YAML-ready mapping of a config (tuples become lists)."""

    def plain(x):
        if dataclasses.is_dataclass(x):
            return {f.name: plain(getattr(x, f.name)) for f in dataclasses.fields(x)}
        if isinstance(x, tuple | list):
            return [plain(v) for v in x]
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        return x

    return plain(cfg)


def to_yaml(cfg: Config) -> str:
    return yaml.safe_dump(to_dict(cfg), sort_keys=False, allow_unicode=True)


# ---------------------------------------------------------------- files and overrides


MAX_CONFIG_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_DEPTH = 32
MAX_SCENARIOS = 1000
MAX_NAME_CHARS = 100
MAX_NODES = 100_000
"""Most YAML nodes a document may have once its aliases are expanded (the bundled
calibration, the largest file read, has about 2,300)."""


def _check_events(text: str, where: str) -> None:
    """Check the YAML event stream, before anything is built: at most MAX_ALIASES
    aliases, MAX_NODES nodes once aliases are expanded and MAX_DEPTH levels of
    nesting (aliases included); no alias to an anchor still open (recursion)."""
    done: dict[str, tuple[int, int]] = {}  # anchor -> (expanded nodes, height)
    stack: list[list] = [[None, 0, 0]]  # open collections: [anchor, nodes, height]
    aliases = 0

    def add(nodes: int, height: int) -> None:
        if len(stack) + height - 1 > MAX_DEPTH:
            raise ConfigError(f"{where}: nested deeper than {MAX_DEPTH} levels")
        stack[-1][1] += nodes
        stack[-1][2] = max(stack[-1][2], height)
        if stack[-1][1] > MAX_NODES:
            raise ConfigError(
                f"{where}: more than {MAX_NODES:,} YAML nodes once aliases are "
                "expanded (an alias bomb?)"
            )

    for e in yaml.parse(text):
        if isinstance(e, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise ConfigError(f"{where}: more than {MAX_ALIASES} YAML aliases")
            if e.anchor not in done:
                raise ConfigError(f"{where}: alias *{e.anchor} is inside its anchor")
            add(*done[e.anchor])
        elif isinstance(e, yaml.ScalarEvent):
            if e.anchor is not None:
                done[e.anchor] = (1, 1)
            add(1, 1)
        elif isinstance(e, yaml.CollectionStartEvent):
            add(0, 1)  # the depth check, before the collection's content
            stack.append([e.anchor, 1, 0])
        elif isinstance(e, yaml.CollectionEndEvent):
            anchor, nodes, height = stack.pop()
            if anchor is not None:
                done[anchor] = (nodes, height + 1)
            add(nodes, height + 1)


def parse_yaml(text: str, where: str) -> object:
    """safe_load with limits: size, aliases (no 'billion laughs'), nodes after alias
    expansion and nesting depth, all checked before the document is built."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{where}: larger than {MAX_CONFIG_BYTES} bytes")
    _check_events(text, where)
    try:
        return yaml.safe_load(text)
    except ValueError as e:  # e.g. an impossible date such as 2026-13-01
        raise ConfigError(f"{where}: invalid value ({e})") from None


def read_yaml_file(path: Path, what: str, limit: int = MAX_CONFIG_BYTES) -> object:
    """A YAML file parsed with :func:`parse_yaml`'s limits, after a bounded read of a
    regular file; errors are one ConfigError line naming the file."""
    text = read_text(path, what, ConfigError, limit)
    try:
        return parse_yaml(text, f"{what} {path}")
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(e, "problem", None) or "invalid YAML"
        raise ConfigError(f"malformed YAML in {path}{where}: {problem}") from None


def _read_yaml(path: Path) -> dict:
    data = read_yaml_file(path, "config file")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: top level must be a mapping of keys")
    return data


def merge(base: dict, over: dict) -> dict:
    """Deep-merge ``over`` into ``base`` (mappings merge, everything else replaces)."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def read_config_tree(path: str | Path, _depth: int = 0) -> dict:
    """Read a YAML config, resolving ``extends:`` (relative to the file) recursively."""
    path = Path(path)
    if _depth > _MAX_EXTENDS_DEPTH:
        raise ConfigError(f"config file {path}: 'extends' chain is too deep (a cycle?)")
    data = _read_yaml(path)
    section = data.get("data")
    for key in ("members_file", "plans_file"):  # file-relative
        if isinstance(section, dict) and isinstance(section.get(key), str):
            section[key] = str(path.parent / section[key])
    if isinstance(data.get("calibration"), str) and data["calibration"] != "asof":
        data["calibration"] = str(path.parent / data["calibration"])  # file-relative
    if isinstance(data.get("sweep"), dict):  # scenario files, relative to this file
        for name, entry in list(data["sweep"].items()):
            if isinstance(entry, str):
                sub = read_config_tree(path.parent / entry, _depth + 1)
                for k in ("sweep", "grid"):
                    sub.pop(k, None)
                data["sweep"][name] = sub
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(f"config key 'extends' in {path}: expected a file path")
    base = read_config_tree(path.parent / parent, _depth + 1)
    return merge(base, data)


def parse_override(text: str) -> dict:
    """Turn ``a.b.c=value`` into ``{'a': {'b': {'c': value}}}`` (value parsed as YAML)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not p for p in key.split(".")):
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE, e.g. macro.shock_df=4")
    try:
        value = parse_yaml(raw, f"--set {text!r}") if raw.strip() else ""
    except (yaml.YAMLError, RecursionError):
        raise ConfigError(f"--set {text!r}: value is not valid YAML") from None
    out: dict = {}
    node = out
    parts = key.split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = value
    return out


def load_config(
    path: str | Path, overrides: list[str] | tuple[str, ...] = ()
) -> Config:
    """Load, merge (``extends:``), override (``a.b=v`` strings) and validate a config."""
    data = read_config_tree(path)
    for o in overrides:
        data = merge(data, parse_override(o))
    return from_dict(data)


def replace(cfg: Config, **changes) -> Config:
    """Copy of ``cfg`` with top-level fields changed, re-validated."""
    return from_dict(merge(to_dict(cfg), changes))


def n_scenarios(cfg: Config) -> int:
    """Number of scenarios of a sweep or grid (1 without), before expanding them."""
    import math

    n = len(cfg.sweep or {}) + (
        math.prod(map(len, cfg.grid.values())) if cfg.grid else 0
    )
    return max(n, 1)


def check_bounds(cfg: Config, n_members: int) -> None:
    """Limits checked before any computing: name length and chunk memory."""
    from .engine import check_memory

    if len(cfg.name) > MAX_NAME_CHARS:
        raise ConfigError(
            f"config key 'name': {len(cfg.name)} characters, at most {MAX_NAME_CHARS} "
            "(it names the run directory)"
        )
    check_memory(cfg, n_members, n_scenarios(cfg))


def scenarios(cfg: Config) -> dict[str, Config]:
    """The configs of a sweep or grid, by scenario name ({cfg.name: cfg} without one).

    Every scenario must share the dimensions and random streams of the base: members,
    years, targets, paths, chunk size and seed.
    """
    import itertools

    base = to_dict(cfg)
    base.pop("sweep")
    base.pop("grid")
    n = n_scenarios(cfg)
    if n > MAX_SCENARIOS:
        raise ConfigError(
            f"config keys 'sweep'/'grid': {n:,} scenarios, at most {MAX_SCENARIOS} "
            "(each runs every path; split the sweep)"
        )
    entries: dict[str, dict] = {}
    for name, over in (cfg.sweep or {}).items():
        if not isinstance(over, dict):
            raise ConfigError(
                f"config key 'sweep.{name}': expected a mapping or a file"
            )
        entries[str(name)] = over
    if cfg.grid:
        keys = list(cfg.grid)
        for values in itertools.product(*(cfg.grid[k] for k in keys)):
            name = ",".join(f"{k}={v}" for k, v in zip(keys, values, strict=True))
            over: dict = {}
            for k, v in zip(keys, values, strict=True):
                over = merge(over, parse_override(f"{k}={v}"))
            entries[name] = over
    if not entries:
        return {cfg.name: cfg}
    out = {}
    shared = ("members", "base_year", "horizon", "targets", "paths", "chunk_size", "seed",
              "target_years", "quantiles", "meet_tolerance")  # fmt: skip
    for name, over in entries.items():
        try:
            sc = from_dict(
                merge(base, {k: v for k, v in over.items() if k != "extends"})
            )
        except ConfigError as e:
            raise ConfigError(f"sweep scenario {name!r}: {e}") from None
        for k in shared:
            if getattr(sc, k) != getattr(cfg, k):
                raise ConfigError(
                    f"sweep scenario {name!r}: '{k}' must equal the base config's "
                    "(scenarios share dimensions and random streams)"
                )
        out[name] = sc
    return out
