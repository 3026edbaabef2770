"""Plain mapping -> :class:`Config`: types, ranges and vocabularies of every key,
then the checks that involve several keys.  Pure: no file is read here."""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import types
import typing
from typing import Any, Literal

from ..errors import ConfigError
from .schema import Config, merge, to_dict

MAX_NAME_CHARS = 100

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
    """Checks that involve several keys (the data files are checked by
    :mod:`sim.inputs.check`)."""
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
    if len(cfg.name) > MAX_NAME_CHARS:
        raise ConfigError(
            f"config key 'name': {len(cfg.name)} characters, at most {MAX_NAME_CHARS} "
            "(it names the run directory)"
        )
    if cfg.calibration_leave_out and cfg.calibration != "asof":
        raise ConfigError(
            "config key 'calibration_leave_out': only with calibration: asof (a "
            "calibration file is estimated already)"
        )
    if cfg.review.p_relax + cfg.review.p_tighten > 1:
        raise ConfigError("config keys 'review.p_relax' + 'review.p_tighten' exceed 1")


def build(data: dict) -> Config:
    """A :class:`Config` from a plain mapping (already merged), each key and each
    combination of keys checked; the configs it derives are checked by
    :func:`sim.config.sweep.from_dict`."""
    data = dict(data)
    data.pop("extends", None)
    cfg = _build(Config, data, "")
    _cross_check(cfg)
    return cfg
