"""The `sim` command end to end: run, show, validate, and one-line errors."""

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import cli

BAD = Path(__file__).parent / "data" / "bad"


def _sim(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )  # fmt: skip


def test_run_then_show(tiny_yaml, tmp_path):
    out = tmp_path / "runs"
    r = CliRunner().invoke(cli, ["run", str(tiny_yaml), "--out", str(out), "--paths", "300",
                                 "--seed", "11", "--set", "name=cli"])  # fmt: skip
    assert r.exit_code == 0, r.output
    run_dir = Path(r.output.strip().splitlines()[-1])
    assert run_dir.parent == out and run_dir.name.startswith("cli-")
    assert run_dir.name.endswith("-s11")
    assert (run_dir / "results.nc").exists() and (run_dir / "config.yaml").exists()
    assert "POL" in r.output and "in 2028 by 2028" in " ".join(r.output.split())
    s = CliRunner().invoke(cli, ["show", str(run_dir)])
    assert s.exit_code == 0
    lines = s.stdout.splitlines()
    assert lines[0].startswith("cli: 300 paths, seed 11")
    assert "ISL" in s.stdout and "excluded" in s.stdout


def test_show_headers_say_in_and_by(tiny_yaml, tmp_path):
    """Each target's block has 'in Y' (p_meet) and 'by Y' (p_meet_by) columns, and the
    numbers under them are those variables."""
    import xarray as xr

    r = CliRunner().invoke(cli, ["run", str(tiny_yaml), "--out", str(tmp_path)])
    run_dir = Path(r.output.strip().splitlines()[-1])
    s = CliRunner().invoke(cli, ["show", str(run_dir)])
    lines = s.stdout.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("member"))
    assert lines[head].split()[4:] == ["in", "2028", "by", "2028", "in", "2030", "by",
                                       "2030"] * 2  # fmt: skip
    assert "core_3.5 (core >= 3.5%)" in lines[head - 1]
    assert '"in Y" = at or above the level in year Y' in s.stdout
    assert '"by Y" = in at least one year up to Y' in s.stdout
    ds = xr.open_dataset(run_dir / "results.nc")
    assert lines[head + 2].startswith("POL")  # sorted by P(core_3.5 in 2028)
    row = next(ln for ln in lines if ln.startswith("DEU")).split()
    expected = [f"{float(ds[v].sel(target=t, member='DEU', year=y)):.3f}"
                for t in ("core_3.5", "total_5") for y in (2028, 2030)
                for v in ("p_meet", "p_meet_by")]  # fmt: skip
    assert row[-8:] == expected
    assert "expected members meeting core_3.5 in Y" in s.stdout
    assert "expected members meeting core_3.5 by Y" in s.stdout


def test_too_few_paths_are_flagged(tiny_yaml, tmp_path):
    r = _sim("run", tiny_yaml, "--paths", "1", "--out", tmp_path)
    assert r.returncode == 0
    assert (
        "warning: 1 paths: probabilities have a Monte Carlo s.e. of up to 0.500"
        in r.stderr
    )
    assert "unreliable" in r.stderr
    big = CliRunner().invoke(cli, ["run", str(tiny_yaml), "--out", str(tmp_path),
                                   "--paths", "10000", "--members", "DEU"])  # fmt: skip
    assert big.exit_code == 0 and "warning" not in big.output


def test_validate(tiny_yaml, tmp_path):
    r = CliRunner().invoke(cli, ["validate", str(tiny_yaml), "--print"])
    assert r.exit_code == 0 and "ok:" in r.stderr and "seed: 7" in r.stdout
    printed = tmp_path / "printed.yaml"  # the printed config is itself a valid config
    printed.write_text(r.stdout)
    again = CliRunner().invoke(cli, ["validate", str(printed), "--print"])
    assert again.exit_code == 0 and again.stdout == r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", BAD / "unknown_key.yaml"], "did you mean 'growth_common_corr'"),
        (["run", BAD / "malformed.yaml"], "malformed YAML"),
        (["run", BAD / "unknown_member.yaml"], "unknown member code 'GER'"),
        (["run", BAD / "broken_data_file.yaml"], "broken_members.csv"),
        (
            ["run", "configs/baseline.yaml", "--paths", "0"],
            "'paths': 0 is out of range",
        ),
        (["run", "configs/baseline.yaml", "--set", "macro.shock_df=1"], "shock_df"),
        (["show", "no/such/run"], "no such file or directory"),
        (
            ["run", "configs/baseline.yaml", "--set", "us_budget.p_switch=2"],
            "'us_budget.p_switch': 2.0 is out of range [0, 1]",
        ),
        (
            ["run", "configs/baseline.yaml", "--set", "us_budget.regime=x"],
            "unknown config key 'us_budget.regime'",
        ),
        (
            ["run", "configs/baseline.yaml", "--set", "resilience.haircut=1.5"],
            "'resilience.haircut': 1.5 is out of range [0, 1]",
        ),
        (
            ["run", BAD / "broken_priors_file.yaml"],
            "broken_resilience_priors.csv: column 'prior_mean_pp'",
        ),
        (
            [
                "run",
                "configs/backtest/wales2014.yaml",
                "--set",
                "us_budget.enabled=true",
            ],
            "'us_budget.enabled': the US budget figures start after base year 2014",
        ),
        (
            ["run", "configs/baseline.yaml", "--set", "policy.deadline=2040"],
            "'policy.deadline': 2040 is outside the projection, allowed 2027..2035",
        ),
    ],
)
def test_errors_are_one_line_exit_2_and_leave_no_run(args, message, tmp_path):
    root = Path(__file__).resolve().parents[1]
    r = (
        _sim(*args, "--out", tmp_path / "runs", cwd=root)
        if args[0] == "run"
        else _sim(*args, cwd=root)
    )
    assert r.returncode == 2
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], (
        r.stderr
    )
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_usage_errors_exit_2():
    r = _sim("run")
    assert r.returncode == 2 and "Missing argument" in r.stderr


def test_python_m_sim_help():
    r = _sim("--help")
    assert r.returncode == 0 and "run" in r.stdout and "show" in r.stdout


def _run(tiny_yaml, out, *args):
    r = CliRunner().invoke(cli, ["run", str(tiny_yaml), "--out", str(out), *args])
    assert r.exit_code == 0, r.output
    return r.output.strip().splitlines()[-1]


def test_compare_two_runs(tiny_yaml, tmp_path):
    import xarray as xr

    a = _run(tiny_yaml, tmp_path, "--set", "name=a")
    b = _run(tiny_yaml, tmp_path, "--set", "name=b", "--set", "will.vol=0.6")
    r = CliRunner().invoke(cli, ["compare", a, b, "--cell", "core_3.5@2028",
                                 "--members", "DEU,ESP"])  # fmt: skip
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == f"runs: A: {Path(a).name}; B: {Path(b).name}"
    assert lines[2].split() == ["P(core_3.5", "in", "2028)", "A", "B", "B", "-", "A"]
    assert lines[4].startswith("DEU") and lines[5].startswith("ESP")
    assert lines[6].startswith("E[members meeting]")
    da, db = (xr.open_dataset(Path(d) / "results.nc") for d in (a, b))
    sel = dict(target="core_3.5", year=2028, member="DEU")
    diff = float(db["p_meet"].sel(sel)) - float(da["p_meet"].sel(sel))
    assert lines[4].split()[-2] == f"{diff:+.3f}"
    by = CliRunner().invoke(cli, ["compare", a, b, "--by", "--cell", "core_3.5@2030"])
    assert "P(core_3.5 by 2030)" in by.stdout
    bad = _sim("compare", a, "--cell", "core_9@2028")
    assert bad.returncode == 2 and "--cell 'core_9@2028'" in bad.stderr


def test_compare_subset_and_superset_in_either_order(tiny_yaml, tmp_path):
    full = _run(tiny_yaml, tmp_path, "--set", "name=full")
    sub = _run(tiny_yaml, tmp_path, "--members", "DEU,POL", "--seed", "3")
    for pair in ((full, sub), (sub, full)):
        r = _sim("compare", *pair)
        assert r.returncode == 0, r.stderr
        assert "members the other runs lack (ESP)" in r.stderr
        assert "different seeds" in r.stderr
        rows = [ln.split()[0] for ln in r.stdout.splitlines() if ln[:3] in
                ("DEU", "POL", "ESP")]  # fmt: skip
        assert sorted(set(rows)) == ["DEU", "POL"]
        assert "E[of 2 common]" in r.stdout
    r = _sim("compare", full, sub, "--members", "ESP")
    assert r.returncode == 2 and "'ESP' is not a counted member" in r.stderr


def test_calibrate_command_writes_a_usable_file(tmp_path, tiny_yaml):
    out = tmp_path / "cal.yaml"
    r = CliRunner().invoke(cli, ["calibrate", "--asof", "2019", "--exclude", "2009",
                                 "--out", str(out)])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "growth common corr" in r.output and out.exists()
    assert "policy: revisions" in r.output and "top-ups p" in r.output
    assert "threat step" in r.output and "will " not in r.output  # will: as of 2024+
    v = CliRunner().invoke(cli, ["validate", str(tiny_yaml), "--set",
                                 f"calibration={out}"])  # fmt: skip
    assert v.exit_code == 0
    bad = _sim("calibrate", "--exclude", "x", "--out", tmp_path / "c.yaml")
    assert bad.returncode == 2 and "--exclude" in bad.stderr


def test_progress_lines_when_piped_and_silence_in_ci(tiny_yaml, tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SIM_QUIET")}
    args = [sys.executable, "-m", "sim", "run", str(tiny_yaml), "--out", str(tmp_path)]
    one_chunk = [*args, "--set", "chunk_size=50000"]
    piped = subprocess.run(one_chunk, capture_output=True, text=True, env=env,
                           timeout=300)  # fmt: skip
    assert piped.returncode == 0 and "paths/s" in piped.stderr
    steps = [ln for ln in piped.stderr.splitlines() if "paths/s" in ln]
    assert len(steps) == 3  # one per counted member inside the one chunk, not only 100%
    ci = subprocess.run(args, capture_output=True, text=True, env=env | {"CI": "true"},
                        timeout=300)  # fmt: skip
    assert ci.returncode == 0 and "paths/s" not in ci.stderr  # warnings only
    assert [ln for ln in ci.stderr.splitlines() if not ln.startswith("warning: ")] == []


def test_members_table_sources_and_csv():
    from sim.inputs.data import MEMBERS_CSV

    root = Path(__file__).resolve().parents[1]
    r = CliRunner().invoke(cli, ["members", str(root / "configs" / "baseline.yaml")])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert "July-2026 edition" in lines[0] and "plans as of 2026-09-29" in lines[0]
    deu = next(ln for ln in lines if ln.startswith("DEU"))
    assert "2.69" in deu and "national plan 2029:3.5" in deu and "2025-06-24" in deu
    assert "own path" in next(ln for ln in lines if ln.startswith("ESP"))
    assert len([ln for ln in lines if ln[:3].isupper() and ln[3:4] == " "]) == 32
    s = CliRunner().invoke(
        cli, ["members", "--sources", "--set", "data.plans_asof=2026-08-15"]
    )
    assert s.exit_code == 0, s.output
    assert "plans as of 2026-08-15" in s.output
    fra = next(ln for ln in s.output.splitlines() if ln.startswith("FRA"))
    assert (
        "share_2026_nato_jul2026" in fra and "alliance rule" in fra
    )  # LPM not yet law
    ita = next(ln for ln in s.output.splitlines() if ln.startswith("ITA"))
    assert "budget_plan 2025-10 (conditional)" in ita
    c = CliRunner().invoke(cli, ["members", "--csv"])
    assert c.output == MEMBERS_CSV.read_text(encoding="utf-8")


def test_every_option_has_help_and_the_commands_share_option_names():
    import click

    for name, cmd in cli.commands.items():
        for p in cmd.params:
            if isinstance(p, click.Option):
                assert p.help, f"sim {name} {p.opts[0]} has no help text"

    def opts(name):
        return {o for p in cli.commands[name].params for o in p.opts}

    for name in ("run", "backtest", "sensitivity", "requirement"):
        assert {"--members", "--paths", "--seed", "--out", "--set"} <= opts(name), name
    for name in ("run", "backtest", "extend", "reproduce"):
        assert "--scheduler" in opts(name), name
    assert "--members" in opts("compare") and "--members" in opts("show")


def test_progress_counts_evaluations_for_sensitivity(monkeypatch, capsys):
    from sim.cli import common

    monkeypatch.setattr(common, "_log_progress", lambda: True)
    monkeypatch.setattr(common, "_show_progress", lambda: False)
    with common.Progress(4, "sens", "evaluations") as prog:
        for _ in range(4):
            prog(1)
    err = capsys.readouterr().err
    assert "of 4 evaluations" in err and "evaluations/s" in err and "paths" not in err


def test_readme_defines_in_and_by_and_has_no_ambiguous_headers():
    import re

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert "**in YEAR** is `p_meet`" in text and "**by YEAR** is\n`p_meet_by`" in text
    assert "P(met **in** the year)" in text and "P(met **by** the year)" in text
    assert not re.search(r"P\([\w.]+\) \d{4}", text)  # the old 'P(core_3.5) 2032'


def test_plan_marks_say_alliance_when_the_national_plan_is_not_above_it():
    import xarray as xr

    from sim.show import plan_marks

    rules = ["alliance (national plan not above it)", "max(alliance, national)", "own"]
    ds = xr.Dataset(coords={"member": ["POL", "DEU", "ESP"]})
    ds = ds.assign_coords(path_rule=("member", rules),
                          plan_date=("member", ["", "2025-06-24", ""]),
                          plan_conditional=("member", [0, 1, 0]))  # fmt: skip
    assert plan_marks(ds) == {"POL": "alliance", "DEU": "2025-06-24*", "ESP": "own"}
