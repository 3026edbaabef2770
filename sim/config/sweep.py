"""Configs derived from a config: the scenarios of a sweep or grid and the settings
of sensitivity groups; :func:`from_dict` validates a config together with them."""

from __future__ import annotations

from ..errors import ConfigError
from .load import parse_override
from .schema import Config, merge, to_dict
from .validate import build

MAX_SCENARIOS = 1000


def n_scenarios(cfg: Config) -> int:
    """Number of scenarios of a sweep or grid (1 without), before expanding them."""
    import math

    n = len(cfg.sweep or {}) + (
        math.prod(map(len, cfg.grid.values())) if cfg.grid else 0
    )
    return max(n, 1)


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


def group_config(cfg: Config, factors: dict[str, float], prefix: str = "") -> Config:
    """``cfg`` with each sensitivity group's keys set to lo + u (hi - lo) for its
    factor u in [0, 1]."""
    data = to_dict(cfg)
    data["sensitivity"]["groups"] = None  # the evaluated configs carry no analysis
    for g, u in factors.items():
        for key, rng in cfg.sensitivity.groups[g].items():
            where = prefix or f"sensitivity.groups.{g}"
            if not (isinstance(rng, list) and len(rng) == 2
                    and all(isinstance(v, int | float) for v in rng)):  # fmt: skip
                raise ConfigError(
                    f"config key '{where}.{key}': expected [lo, hi] numbers"
                )
            value = rng[0] + u * (rng[1] - rng[0])
            try:
                data = merge(data, parse_override(f"{key}={float(value)!r}"))
            except ConfigError as e:
                raise ConfigError(f"config key '{where}': {e}") from None
    try:
        return from_dict(data)
    except ConfigError as e:
        raise ConfigError(
            f"config key '{prefix or 'sensitivity.groups'}': {e}"
        ) from None


def from_dict(data: dict) -> Config:
    """Validate a plain mapping (already merged) into a :class:`Config`, with every
    scenario of its sweep and both ends of every sensitivity range."""
    cfg = build(data)
    if cfg.sweep or cfg.grid:
        scenarios(cfg)
    for g in cfg.sensitivity.groups or {}:
        for u in (0.0, 1.0):
            group_config(cfg, {g: u}, prefix=f"sensitivity.groups.{g}")
    return cfg
