"""Shared fixtures: a tiny config that runs in well under a second."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.config import from_dict, load_config, merge, to_dict

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
DATA = Path(__file__).parent / "data"

TINY = {
    "name": "tiny",
    "seed": 7,
    "paths": 400,
    "chunk_size": 150,
    "horizon": 2030,
    "target_years": [2028, 2030],
    "members": ["DEU", "POL", "ISL", "ESP"],
    "policy": {"deadline": 2028},
}

MECHANISMS = (
    "threat", "us_stance", "elections", "jumps", "fiscal", "review", "reclass", "reporting"
)  # fmt: skip
FOUNDATION_MACRO = {
    "growth_common_corr": 0.6,
    "inflation_common_corr": 0.5,
    "growth_inflation_corr": 0.1,
    "shock_df": 5.0,
}
POLITICS_OFF = {k: {"enabled": False} for k in MECHANISMS} | {
    "policy": {"own_paths": None},
    "macro": FOUNDATION_MACRO,
}
"""Every political-economy mechanism switched off, with the foundation's (issue 2)
shock parameters: the foundation model."""

ZERO_VOL = POLITICS_OFF | {
    "macro": {"growth_vol_scale": 0.0, "inflation_vol_scale": 0.0},
    "will": {"vol": 0.0, "initial_sd": 0.0},
    "execution": {"sd": 0.0},
    "resilience": {"prior_sd": 0.0, "noise_sd": 0.0},
    "policy": {"own_paths": None, "deadline": 2028},
}


def make_config(**changes):
    """Baseline config merged with the tiny settings and ``changes``."""
    base = to_dict(load_config(CONFIGS / "baseline.yaml"))
    return from_dict(merge(merge(base, TINY), changes))


@pytest.fixture
def tiny_config():
    return make_config()


@pytest.fixture
def tiny_yaml(tmp_path):
    """A tiny config file that extends the shipped baseline."""
    path = tmp_path / "tiny.yaml"
    import yaml

    path.write_text(
        f"extends: {CONFIGS / 'baseline.yaml'}\n" + yaml.safe_dump(TINY),
        encoding="utf-8",
    )
    return path


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    """No progress lines in tests (they are for people watching long runs)."""
    monkeypatch.setenv("SIM_QUIET", "1")


@pytest.fixture(autouse=True)
def _no_ambient_scheduler(monkeypatch):
    """A user's DASK_SCHEDULER_ADDRESS must not send the tests' runs to their cluster."""
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
