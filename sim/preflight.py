"""Everything checked before a run computes: the config against the data files
(:mod:`sim.inputs.check`) and a chunk's memory (:func:`sim.engine.check_memory`)."""

from __future__ import annotations

from .config import Config, n_scenarios
from .engine import check_memory
from .inputs.check import check as check_inputs


def check(cfg: Config) -> Config:
    """``cfg``, once its data files and memory need are checked (ConfigError if not)."""
    check_memory(cfg, check_inputs(cfg), n_scenarios(cfg))
    return cfg
