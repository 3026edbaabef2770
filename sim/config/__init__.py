"""The config layer: YAML -> a validated, frozen :class:`Config` (and back).

schema/sections: the dataclasses; load: reading YAML with limits, ``extends:`` and
``--set``; validate: types, ranges and cross-key checks; sweep: derived configs
(sweep scenarios, sensitivity groups).  Pure apart from reading the YAML: the data
files a config names are checked by :mod:`sim.inputs.check`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .load import locate, parse_override, parse_yaml, read_config_tree, read_yaml_file
from .schema import Config, merge, to_dict, to_yaml
from .sections import REVIEW_OUTCOMES, THREAT_STATES, US_STANCES
from .sweep import from_dict, group_config, n_scenarios, scenarios

__all__ = [
    "REVIEW_OUTCOMES",
    "THREAT_STATES",
    "US_STANCES",
    "Config",
    "ConfigError",
    "from_dict",
    "group_config",
    "load_config",
    "merge",
    "n_scenarios",
    "parse_override",
    "parse_yaml",
    "read_config_tree",
    "read_yaml_file",
    "scenarios",
    "to_dict",
    "to_yaml",
]


def load_config(
    path: str | Path, overrides: list[str] | tuple[str, ...] = ()
) -> Config:
    """Load, merge (``extends:``), override (``a.b=v`` strings) and validate a config."""
    data = read_config_tree(path)
    for o in overrides:
        data = merge(data, parse_override(o))
    try:
        return from_dict(data)
    except ConfigError as e:
        raise locate(e, path, overrides) from None
