"""The whole experiment as one frozen dataclass, and back to plain YAML."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Literal

import yaml

from .sections import (
    DataConfig,
    ElectionConfig,
    ExecutionConfig,
    FiscalConfig,
    LandingConfig,
    MacroConfig,
    PolicyConfig,
    ReclassConfig,
    ReportingConfig,
    ResilienceConfig,
    ReviewConfig,
    RevisionConfig,
    SensitivityConfig,
    Target,
    ThreatConfig,
    UsBudgetConfig,
    UsStanceConfig,
    WillConfig,
    _f,
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
    calibration_leave_out: tuple[str, ...] = _f(
        (),
        "with calibration: asof, members (ISO3) that no pooled (cross-member) estimate "
        "sees; their own AR(1) fits are kept (leave-one-member-out skill)",
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
    us_budget: UsBudgetConfig = _f(UsBudgetConfig(), "the US budget process (regimes)")
    elections: ElectionConfig = _f(ElectionConfig(), "elections and government change")
    revisions: RevisionConfig = _f(RevisionConfig(), "commitment revisions")
    landing: LandingConfig = _f(LandingConfig(), "top-ups of near misses")
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


def merge(base: dict, over: dict) -> dict:
    """Deep-merge ``over`` into ``base`` (mappings merge, everything else replaces)."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out
