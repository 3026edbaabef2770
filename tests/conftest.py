"""Shared fixtures: a tiny config that runs in well under a second."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import preflight
from sim.config import from_dict, load_config, merge, to_dict

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
DATA = Path(__file__).parent / "data"

OLD_LOG = DATA / "national_targets_2026-02.csv"
"""The announcement log bundled before issue 14 (newest rows dated 2026-02-26 and "2026-02", so known by 2026-02-28), verbatim."""
OLD_VINTAGE = {
    "base_year": 2025,
    "target_years": [2032, 2035],
    "policy": {"deadline": 2032},
    "data": {
        "share_vintage": "mar2026",
        "plans_file": str(OLD_LOG),
        "plans_asof": "2026-02-28",  # what the old code read: the whole old log
        "national_definition_plans": "as_nato",  # the old bundle did not tell them apart
    },
}
"""Base 2025 on the Mar-2026 figures, Antalya 2032, plans as the old bundle had them:
what the model ran on before the July-2026 data (the stored golden results)."""
TODAY_DATA = {
    "share_vintage": "latest",
    "plans_file": None,
    "plans_asof": None,
    "national_definition_plans": "wedge",
}
"""The baseline's data section (July-2026 figures, the bundled log, plans as of its
newest row): what tests on today's data merge over TINY's old vintage."""
OLD_OWN_PATHS = {
    "ESP": {"level": 2.1},
    "PRT": {"level": 2.0, "until": 2029, "rejoin_deadline": 2035},
    "SVK": {"level": 2.1, "until": 2029, "rejoin_deadline": 2035},
}
"""The own paths of the baseline before the July-2026 data (golden results)."""

TINY = {
    "name": "tiny",
    "seed": 7,
    "paths": 400,
    "chunk_size": 150,
    "horizon": 2030,
    "target_years": [2028, 2030],
    "members": ["DEU", "POL", "ISL", "ESP"],
    "policy": {"deadline": 2028},
    "base_year": 2025,
    "data": OLD_VINTAGE["data"],
}
"""Tests pinned to the old vintage keep their hand-checked numbers (base year 2025)."""

MECHANISMS = (
    "threat", "us_stance", "elections", "revisions", "landing", "fiscal", "review",
    "reclass", "reporting",
)  # fmt: skip
FOUNDATION_MACRO = {
    "growth_common_corr": 0.6,
    "inflation_common_corr": 0.5,
    "growth_inflation_corr": 0.1,
    "shock_df": 5.0,
}
ISSUE15_OFF = {
    "us_budget": {"enabled": False},
    "resilience": {"member_priors": False, "p_ruling": 0.0},
}
"""The US budget module and the member resilience priors and ruling (issue 15) off:
the model the goldens were written with."""
POLITICS_OFF = (
    {k: {"enabled": False} for k in MECHANISMS}
    | ISSUE15_OFF
    | {
        "policy": {"own_paths": None},
        "macro": FOUNDATION_MACRO,
    }
)
"""Every political-economy mechanism switched off, with the foundation's (issue 2)
shock parameters: the foundation model."""

ZERO_VOL = POLITICS_OFF | {
    "macro": {"growth_vol_scale": 0.0, "inflation_vol_scale": 0.0},
    "will": {"vol": 0.0, "initial_sd": 0.0},
    "execution": {"sd": 0.0},
    "resilience": {"prior_sd": 0.0, "noise_sd": 0.0, "p_ruling": 0.0},
    "policy": {"own_paths": None, "deadline": 2028},
}


def make_config(**changes):
    """Baseline config merged with the tiny settings and ``changes``, checked as
    ``sim run`` checks it (data files, memory)."""
    base = to_dict(load_config(CONFIGS / "baseline.yaml"))
    return preflight.check(from_dict(merge(merge(base, TINY), changes)))


def _foundation():
    """The foundation model (issue 2) on the tiny config (tests/test_politics.py)."""
    return make_config(**POLITICS_OFF)


def old_vintage_baseline():
    """configs/baseline.yaml on the data before issue 14 (tests/test_vintages.py)."""
    over = [
        "paths=400",
        "chunk_size=200",
        "name=baseline",
        "base_year=2025",
        "target_years=[2032, 2035]",
        "policy.deadline=2032",
    ]
    over += [f"data.{k}={v}" for k, v in OLD_VINTAGE["data"].items()]  # fmt: skip
    over += ["policy.own_paths=null", f"policy.own_paths={OLD_OWN_PATHS}"]
    over += ["us_budget.enabled=false", "resilience.member_priors=false"]
    over += ["resilience.p_ruling=0"]  # the model before issue 15
    over += ["revisions.member_scale=pooled"]  # as stored: one s.d. for all members
    return load_config(CONFIGS / "scenarios" / "antalya2032.yaml", over)


GOLDEN = {
    "golden_foundation.nc": _foundation,
    "golden_mar2026_baseline.nc": old_vintage_baseline,
}
"""Golden results file in tests/data -> the config whose run it stores."""


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/data/golden_*.nc from the current code before the tests "
        "run (on purpose only, e.g. a declared bug fix; `make golden`)",
    )


def write_golden(name: str) -> Path:
    """Run GOLDEN[name] and rewrite tests/data/``name`` with the variables it holds
    now (all, for a new file), atomically."""
    import os
    import subprocess

    import xarray as xr

    from sim.runner import run

    path = DATA / name
    ds = run(GOLDEN[name]())
    if path.exists():
        with xr.open_dataset(path, engine="netcdf4") as old:
            ds = ds[list(old.data_vars)]
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True, timeout=30).stdout.strip()  # fmt: skip
    ds.attrs = {
        "comment": f"tests/conftest.py GOLDEN[{name!r}], written by pytest "
        f"--update-golden at commit {commit or 'unknown'} (plus uncommitted changes, "
        "if any)"
    }
    tmp = path.with_name(f".{name}.tmp")
    ds.to_netcdf(tmp, engine="netcdf4")
    os.replace(tmp, path)
    return path


def pytest_configure(config):
    if config.getoption("--update-golden", default=False):
        for name in GOLDEN:
            print(f"rewrote {write_golden(name)}")


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
