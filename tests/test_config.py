"""Config loading: extends, overrides, round trip, and one fixture per kind of error."""

import dataclasses
from pathlib import Path

import pytest

from sim.config import (
    ConfigError,
    from_dict,
    load_config,
    parse_override,
    to_dict,
    to_yaml,
)
from sim.errors import DataError
from sim.inputs.check import check

from .conftest import CONFIGS

BAD = Path(__file__).parent / "data" / "bad"


def test_shipped_configs_load():
    base = load_config(CONFIGS / "baseline.yaml")
    antalya = load_config(CONFIGS / "scenarios" / "antalya2032.yaml")
    assert base.policy.deadline == 2035 and antalya.policy.deadline == 2032
    assert base.target_years == (2030, 2032, 2035) == antalya.target_years
    assert antalya.name == "antalya2032" and antalya.paths == base.paths
    assert [t.name for t in base.targets] == ["core_3.5", "total_5"]
    assert base.horizon >= 2035
    assert base.base_year == 2026 and base.data.share_vintage == "latest"
    assert base.data.plans_asof is None and base.review.year == 2029
    for path in sorted(CONFIGS.rglob("*.yaml")):  # every shipped config validates
        load_config(path)


def test_overrides_reach_nested_keys_and_are_validated():
    cfg = load_config(
        CONFIGS / "baseline.yaml",
        [
            "paths=123",
            "macro.shock_df=null",
            "will.mean_logit.core=1.25",
            "members=[DEU]",
        ],
    )
    assert cfg.paths == 123 and cfg.macro.shock_df is None
    assert cfg.will.mean_logit.core == 1.25 and cfg.will.mean_logit.frontline == 0.62
    assert cfg.members == ("DEU",)
    with pytest.raises(ConfigError, match="'will.mean_logit.cor'.*did you mean 'core'"):
        load_config(CONFIGS / "baseline.yaml", ["will.mean_logit.cor=1"])


def test_round_trip_through_yaml(tmp_path):
    cfg = load_config(
        CONFIGS / "scenarios" / "antalya2032.yaml", ["data.plans_asof=2026-02-26"]
    )
    assert cfg.data.plans_asof == "2026-02-26"  # YAML reads the date; kept as ISO text
    path = tmp_path / "resolved.yaml"
    path.write_text(to_yaml(cfg))
    assert load_config(path) == cfg


def test_config_is_frozen():
    cfg = load_config(CONFIGS / "baseline.yaml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.paths = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("malformed.yaml", r"malformed YAML in .*malformed.yaml \(line 3"),
        ("unknown_key.yaml", r"unknown config key 'macro.growth_comon_corr': did you mean "
                             r"'growth_common_corr'"),
        ("out_of_range.yaml", r"'macro.growth_common_corr': 1.5 is out of range \[0.0, 0.99\]"),
        ("unknown_member.yaml", r"unknown member code 'GER'.*allowed: ALB"),
        ("wrong_type.yaml", r"'paths': expected an integer, got 'many'"),
        ("missing_parent.yaml", r"config file not found: .*no_such_parent.yaml"),
        ("target_year_beyond_horizon.yaml", r"'target_years': 2040 is outside .*2027..2035"),
        ("vintage_without_base_year.yaml", r"'data.share_vintage': 'mar2026' has no base year "
                                           r"2026 figures, allowed: latest, jul2026"),
        ("plans_asof_not_a_date.yaml", r"'data.plans_asof': '3 July 2026' is not a date, "
                                       r"expected YYYY-MM-DD"),
        ("bad_measure.yaml", r"'targets\[0\].measure': got 'gross', allowed: 'core', 'total'"),
        ("not_a_mapping.yaml", r"top level must be a mapping"),
        ("missing_calibration.yaml", r"calibration file not found: .*no_such_calibration"),
    ],
)  # fmt: skip
def test_bad_config_fixture_gives_clear_error(fixture, message):
    with pytest.raises(ConfigError, match=message):
        check(load_config(BAD / fixture))


def test_broken_member_file_names_the_file():
    with pytest.raises(DataError, match=r"broken_members.csv: missing column"):
        check(load_config(BAD / "broken_data_file.yaml"))


@pytest.mark.parametrize(
    "fixture",
    ["unknown_member.yaml", "vintage_without_base_year.yaml",
     "plans_asof_not_a_date.yaml", "missing_calibration.yaml", "broken_data_file.yaml"],
)  # fmt: skip
def test_loading_reads_no_data_file(fixture):
    """The config layer checks the YAML alone; the data it names is checked by
    sim.inputs.check (where `sim run` and `sim validate` call it)."""
    assert load_config(BAD / fixture).name


def test_config_layer_imports_nothing_above_it():
    """sim/config/ imports only the standard library, yaml, sim.errors, sim.safe_io
    and its own modules: one-way layers."""
    import ast

    allowed = {"errors", "safe_io"}
    for path in (Path(__file__).parents[1] / "sim" / "config").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                assert node.module in allowed, (path.name, node.module)
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert not (node.module or "").startswith("sim"), path.name
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("sim") for a in node.names)


def test_a_typo_in_a_parent_config_names_that_file(tmp_path):
    parent = tmp_path / "parent.yaml"
    parent.write_text("will: {vol: 0.3, vool: 1}\nmacro: {shock_df: 1}\n")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\npaths: 10\n")
    with pytest.raises(ConfigError) as e:
        load_config(child)
    assert str(e.value).startswith(
        f"unknown config key 'will.vool' (in {parent}): did you mean 'vol'?"
    )
    parent.write_text("macro: {shock_df: 1}\n")
    with pytest.raises(ConfigError, match=rf"'macro.shock_df' \(in {parent}\): 1.0 is"):
        load_config(child)
    child.write_text("extends: parent.yaml\nmacro: {shock_df: 1.5}\n")
    with pytest.raises(ConfigError, match=r"^config key 'macro.shock_df': 1.5 is out"):
        load_config(child)  # the child's own key: no file named
    with pytest.raises(ConfigError, match=r"^config key 'will.vol': 9.0 is out"):
        load_config(child, ["macro.shock_df=4", "will.vol=9"])  # a --set value


def test_impossible_yaml_date_is_a_config_error():
    with pytest.raises(
        ConfigError, match=r"--set.*invalid value \(month must be in 1..12"
    ):
        load_config(CONFIGS / "baseline.yaml", ["data.plans_asof=2026-13-01"])


@pytest.mark.parametrize("text", ["paths", "=3", "a..b=1", "paths=[1"])
def test_bad_override_syntax(text):
    with pytest.raises(ConfigError, match="--set"):
        parse_override(text)


def test_cross_checks():
    base = to_dict(load_config(CONFIGS / "baseline.yaml"))
    for change, msg in [
        ({"execution": {"mean": 0.97, "sd": 0.2}}, "execution.sd"),
        ({"targets": [{"name": "a", "level": 1}, {"name": "a", "level": 2}]}, "unique"),
        ({"quantiles": [0.5, 0.1]}, "quantiles"),
        ({"target_years": [2035, 2032]}, "increasing"),
        ({"policy": {"deadline": 2025}}, "policy.deadline"),
        ({"base_year": 2027}, "out of range"),
    ]:
        with pytest.raises(ConfigError, match=msg):
            from_dict({**base, **change})
    for change, msg in [
        ({"base_year": 2024, "data": {"share_vintage": "mar2026"}}, "jul2026, jun2024"),
        (
            {"base_year": 2020, "data": {"share_vintage": "jul2026"}},
            "allowed: latest, jun2024",
        ),
    ]:
        with pytest.raises(ConfigError, match=msg):
            check(from_dict({**base, **change}))


def test_public_load_config_checks_the_data_files_too():
    """`sim.load_config` (the Python API) reports an unknown member code as the CLI
    does, not as a traceback from deep inside the run."""
    import sim
    from sim.config import load_config

    root = Path(__file__).resolve().parents[1]
    over = ["members=[DEU, XXX]"]
    load_config(root / "configs" / "baseline.yaml", over)  # the YAML itself is fine
    with pytest.raises(ConfigError, match="unknown member code 'XXX'"):
        sim.load_config(root / "configs" / "baseline.yaml", over)
