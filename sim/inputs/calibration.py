"""Reading a macro calibration file (estimating one is :mod:`sim.calibrate`)."""

from __future__ import annotations

import functools
from pathlib import Path

from ..config import read_yaml_file
from ..errors import ConfigError

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "data" / "calibration.yaml"

MAX_BYTES = 1_000_000
"""Largest calibration file read (the bundled one is about 28 kB)."""


@functools.lru_cache(maxsize=8)
def read(path: str) -> dict:
    """The calibration mapping in file ``path`` (bounded read, YAML limits, the three
    sections present); errors are one ConfigError line naming the file."""
    p = Path(path)
    cal = read_yaml_file(p, "calibration file", MAX_BYTES)
    if not isinstance(cal, dict) or not {"common", "members", "residuals"} <= set(cal):
        raise ConfigError(
            f"calibration file {p}: needs sections common, members, residuals"
        )
    return cal
