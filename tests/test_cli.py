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
    assert "POL" in r.output and "P(core_3.5) 2028" in r.output
    s = CliRunner().invoke(cli, ["show", str(run_dir)])
    assert s.exit_code == 0
    lines = s.output.splitlines()
    assert lines[0].startswith("cli: 300 paths, seed 11")
    assert lines[3].startswith("POL")  # sorted by P(core_3.5) in 2028: Poland first
    assert "ISL" in s.output and "excluded" in s.output


def test_validate(tiny_yaml):
    r = CliRunner().invoke(cli, ["validate", str(tiny_yaml), "--print"])
    assert r.exit_code == 0 and "ok:" in r.output and "seed: 7" in r.output


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
        (["show", "no/such/run"], "no results file"),
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


def test_compare_two_runs(tiny_yaml, tmp_path):
    out = tmp_path / "runs"
    dirs = []
    for name in ("a", "b"):
        r = CliRunner().invoke(cli, ["run", str(tiny_yaml), "--out", str(out),
                                     "--set", f"name={name}"])  # fmt: skip
        assert r.exit_code == 0, r.output
        dirs.append(r.output.strip().splitlines()[-1])
    r = CliRunner().invoke(cli, ["compare", *dirs, "--cell", "core_3.5@2028",
                                 "--members", "DEU,ESP"])  # fmt: skip
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert "P(core_3.5 in 2028)" in lines[0] and " a" in lines[0] and " b" in lines[0]
    assert lines[2].startswith("DEU") and lines[3].startswith("ESP")
    assert lines[-1].startswith("E[members meeting]")
    bad = _sim("compare", dirs[0], "--cell", "core_9@2028")
    assert bad.returncode == 2 and "--cell 'core_9@2028'" in bad.stderr


def test_calibrate_command_writes_a_usable_file(tmp_path, tiny_yaml):
    out = tmp_path / "cal.yaml"
    r = CliRunner().invoke(cli, ["calibrate", "--asof", "2019", "--exclude", "2009",
                                 "--out", str(out)])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "growth common corr" in r.output and out.exists()
    v = CliRunner().invoke(cli, ["validate", str(tiny_yaml), "--set",
                                 f"calibration={out}"])  # fmt: skip
    assert v.exit_code == 0
    bad = _sim("calibrate", "--exclude", "x", "--out", tmp_path / "c.yaml")
    assert bad.returncode == 2 and "--exclude" in bad.stderr


def test_progress_lines_when_piped_and_silence_in_ci(tiny_yaml, tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SIM_QUIET")}
    args = [sys.executable, "-m", "sim", "run", str(tiny_yaml), "--out", str(tmp_path)]
    piped = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert piped.returncode == 0 and "paths/s" in piped.stderr
    ci = subprocess.run(args, capture_output=True, text=True, env=env | {"CI": "true"},
                        timeout=300)  # fmt: skip
    assert ci.returncode == 0 and ci.stderr == ""


def test_members_table_sources_and_csv():
    from sim.data import MEMBERS_CSV

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
