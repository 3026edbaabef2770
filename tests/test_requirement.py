"""The requirement solver on a deterministic configuration with a known answer."""

import numpy as np
import pytest

from sim.analyses.requirement import requirements, solve, table

from .conftest import ZERO_VOL, make_config


def test_fixed_increase_plan_in_the_kernel():
    from sim.runner import run

    policy = ZERO_VOL["policy"] | {"fixed_increase": {"DEU": 0.3}}
    ds = run(make_config(**(ZERO_VOL | {"policy": policy}), paths=10, chunk_size=10))
    s0 = float(ds["base_share"].sel(member="DEU"))
    expected = s0 + 0.3 * np.arange(1, 6)
    np.testing.assert_allclose(
        ds["core_share_mean"].sel(member="DEU"), expected, atol=1e-9
    )


def test_bisection_finds_the_hand_computed_rate():
    # zero volatility, no politics: the share in 2030 is s0 + 5 r exactly, so the
    # smallest r with P(core >= 3.5 - 0.005) >= 0.7 is (3.495 - s0) / 5
    cfg = make_config(**ZERO_VOL, paths=20, chunk_size=20, horizon=2030,
                      target_years=[2030])  # fmt: skip
    res = solve(cfg, 0.7, "core_3.5", 2030)
    ds = requirements(cfg, 0.7)
    for code, rate in zip(res["codes"], res["rate"], strict=True):
        s0 = float(ds["base_share"].sel(member=code))
        expected = max((3.495 - s0) / 5, 0.0)
        assert rate == pytest.approx(expected, abs=1e-4), code
    assert float(ds["rate_core"].sel(member="POL")) == 0.0  # already above 3.5
    assert "0 (already)" in table(ds)
    assert "reclassification" not in table(ds)  # ZERO_VOL switches it off


def test_table_says_when_reclassification_adds_to_the_rate():
    import xarray as xr

    ds = xr.Dataset(coords={"member": ["DEU"]})
    ds["base_share"] = ("member", [2.7])
    ds["rate_core"] = ds["rate_core_se"] = ds["announced_rate"] = ("member", [0.2])
    ds.attrs.update(target_year=2030, prob=0.7, n_paths=100)
    for enabled, said in ((True, True), (False, False)):
        ds.attrs["config"] = f"reclass:\n  enabled: {str(enabled).lower()}\n"
        assert ("reclassification" in table(ds)) is said
