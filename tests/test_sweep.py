"""Sweeps on common random numbers: scenario dimension, joint counts, paired s.e."""

import numpy as np
import pytest
from click.testing import CliRunner

from sim.cli import cli
from sim.config import ConfigError, scenarios
from sim.io import write_run
from sim.report import write_report
from sim.runner import execute_sweep, run
from sim.stats import paired_difference

from .conftest import make_config


def _sweep(**kw):
    return make_config(
        paths=600, chunk_size=200,
        sweep={"base": {}, "late": {"policy": {"deadline": 2030}},
               "brave": {"will": {"mean_logit": {"core": 0.67}}}},
        **kw,
    )  # fmt: skip


@pytest.fixture(scope="module")
def sweep_ds():
    return execute_sweep(_sweep())


def test_each_scenario_equals_its_own_run(sweep_ds):
    assert list(sweep_ds["scenario"].values) == ["base", "late", "brave"]
    for name, cfg in scenarios(_sweep()).items():
        alone = run(cfg)
        for v in ("p_meet", "core_share", "n_meeting"):
            np.testing.assert_array_equal(
                sweep_ds[v].sel(scenario=name), alone[v], err_msg=v
            )


def test_joint_counts_and_paired_standard_errors(sweep_ds):
    both = sweep_ds["p_both"]
    for s in sweep_ds["scenario"].values:  # a scenario with itself: its own p_meet
        np.testing.assert_array_equal(both.sel(scenario=s, scenario_b=s),
                                      sweep_ds["p_meet"].sel(scenario=s))  # fmt: skip
    pa = sweep_ds["p_meet"].sel(scenario="brave")
    pb = sweep_ds["p_meet"].sel(scenario="base")
    joint = both.sel(scenario="brave", scenario_b="base").fillna(0)
    assert (joint <= np.minimum(pa, pb).fillna(0) + 1e-12).all()
    diff, paired, unpaired = paired_difference(sweep_ds, "brave", "base")
    cell = dict(target="core_3.5", member="DEU", year=2030)
    assert float(diff.sel(cell)) > 0  # more will -> more likely
    assert float(paired.sel(cell)) < 0.6 * float(unpaired.sel(cell))


def test_paired_se_is_the_sd_of_per_path_differences(sweep_ds):
    """Against an independent computation: the per-path 'met' flags of two scenarios
    (same chunks and streams), their differences' s.d. / sqrt(n)."""
    from sim.engine import simulate_chunk
    from sim.params import build_inputs
    from sim.rng import chunks

    scs = scenarios(_sweep())
    flags = {}
    for name in ("brave", "base"):
        mi = build_inputs(scs[name])
        parts = []
        for c, n in chunks(600, 200):
            h = np.zeros((2, len(mi.iso3), n, len(mi.years)), np.uint8)
            simulate_chunk(scs[name], mi, c, n, hits=h)
            parts.append(h)
        flags[name] = np.concatenate(parts, axis=2).astype(float)
    d = flags["brave"] - flags["base"]  # [target, member, path, year]
    _, paired, _ = paired_difference(sweep_ds, "brave", "base")
    counted = sweep_ds["counted"].sel(scenario="base").values.astype(bool)
    expected = d.std(axis=2) / np.sqrt(600)
    paired = paired.transpose("target", "member", "year").values
    np.testing.assert_allclose(paired[:, counted], expected[:, counted],
                               rtol=1e-9, atol=1e-15)  # fmt: skip
    assert expected[:, counted].max() > 0.005  # not a trivial comparison


def test_grid_and_bad_sweeps():
    cfg = make_config(grid={"will.vol": [0.2, 0.4], "will.speed": [0.5, 1.0]})
    names = list(scenarios(cfg))
    assert names[0] == "will.vol=0.2,will.speed=0.5" and len(names) == 4
    with pytest.raises(ConfigError, match="sweep scenario 'x': .*'paths' must equal"):
        make_config(sweep={"x": {"paths": 5}})
    with pytest.raises(
        ConfigError, match="sweep scenario 'y': unknown config key 'wil'"
    ):
        make_config(sweep={"y": {"wil": {}}})
    big = {f"will.{k}": [0.1] * 10 for k in ("vol", "speed", "reversion")}
    with pytest.raises(ConfigError, match="'grid': 1,001 scenarios, at most 1000"):
        make_config(grid=big, sweep={"extra": {}})  # 10^3 + 1, before expanding


def test_sweep_cli_compare_and_report(tmp_path):
    ds = execute_sweep(_sweep())
    run_dir = write_run(ds, tmp_path)
    r = CliRunner().invoke(cli, ["compare", str(run_dir), "--cell", "core_3.5@2030"])
    assert r.exit_code == 0 and "brave - base" in r.output and "[±" in r.output
    page = write_report(run_dir).read_text()
    assert 'id="scenarios"' in page
    assert (
        run_dir / "report" / "figures" / "scenario_comparison.png"
    ).stat().st_size > 5000


def test_paths_seed_and_members_flags_apply_to_every_scenario(tmp_path, tiny_yaml):
    """Scenario files inherit their own paths and members; the flags override them."""
    import xarray as xr

    (tmp_path / "late.yaml").write_text(
        f"extends: {tiny_yaml}\npolicy: {{deadline: 2030}}\n"
    )
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"extends: {tiny_yaml}\nsweep:\n  base: {{}}\n  late: late.yaml\n")
    r = CliRunner().invoke(cli, ["run", str(sweep), "--out", str(tmp_path / "runs"),
                                 "--paths", "120", "--seed", "5", "--members", "DEU,POL"])  # fmt: skip
    assert r.exit_code == 0, r.output
    ds = xr.open_dataset(
        tmp_path / "runs" / r.output.strip().splitlines()[-1] / "results.nc"
    )
    assert int(ds.attrs["n_paths"]) == 120 and int(ds.attrs["seed"]) == 5
    assert list(ds["member"].values) == ["DEU", "POL"]
    assert list(ds["scenario"].values) == ["base", "late"]
