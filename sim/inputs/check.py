"""A config checked against the data files it names, before anything is computed:
member table, announcement log and its cut-off date, share vintage, calibration file,
member codes.  Errors are one ConfigError (or DataError) line naming the key or file."""

from __future__ import annotations

from ..config import Config, scenarios
from ..errors import ConfigError, DataError
from . import calibration, plans, resilience_priors, us_budget, vintages
from .data import check_member_codes, load_members


def _check_one(cfg: Config) -> int:
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
    table = load_members(cfg.data.members_file)  # also checks a user-supplied file
    if cfg.calibration not in (None, "asof"):
        calibration.read(cfg.calibration)
    if cfg.members != "all":
        check_member_codes(cfg.members, table)
    if cfg.calibration_leave_out:
        check_member_codes(
            list(cfg.calibration_leave_out), table, key="calibration_leave_out"
        )
    if cfg.policy.own_paths:
        check_member_codes(list(cfg.policy.own_paths), table, key="policy.own_paths")
    if cfg.policy.fixed_increase:
        check_member_codes(
            list(cfg.policy.fixed_increase), table, key="policy.fixed_increase"
        )
    if cfg.resilience.member_priors:
        if cfg.base_year < 2025 and cfg.resilience.priors_file is None:
            raise ConfigError(
                "config key 'resilience.member_priors': the bundled claims date from "
                f"2025-26, after base year {cfg.base_year} (a backtest cannot know "
                "them); set resilience.member_priors: false"
            )
        pri = resilience_priors.load(cfg.resilience.priors_file)
        unknown = [c for c in pri.index if c not in table.index]
        if unknown:
            raise DataError(
                f"data file {cfg.resilience.priors_file or resilience_priors.PRIORS_CSV}"
                f": unknown member code(s) {', '.join(unknown)}"
            )
    if cfg.us_budget.enabled and (cfg.members == "all" or "USA" in cfg.members):
        if cfg.base_year < min(us_budget.load()["fiscal_year"]):
            raise ConfigError(
                f"config key 'us_budget.enabled': the US budget figures start after "
                f"base year {cfg.base_year} (a backtest cannot know them); set "
                "us_budget.enabled: false"
            )
    r = cfg.resilience
    if r.p_ruling > 0 and r.ruling_year <= cfg.base_year:
        raise ConfigError(
            f"config key 'resilience.ruling_year': {r.ruling_year} is not after the "
            f"base year {cfg.base_year}; move it or set resilience.p_ruling: 0"
        )
    return len(table) if cfg.members == "all" else len(cfg.members)


def check(cfg: Config) -> int:
    """Check ``cfg`` and every scenario of its sweep against the data; return the
    number of members it runs."""
    n = _check_one(cfg)
    if cfg.sweep or cfg.grid:
        for sc in scenarios(cfg).values():
            _check_one(sc)
    return n
