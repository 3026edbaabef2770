"""Every command that reads results, against every kind of path: the right ones work,
the wrong ones give one `error:` line naming what the path is, exit 2, nothing left."""

import sys

import numpy as np
import pytest
import xarray as xr

from sim import cli as sim_cli
from sim.analyses.backtest import backtest
from sim.analyses.requirement import requirements
from sim.analyses.sensitivity import run_sensitivity
from sim.config import load_config
from sim.io import write_run
from sim.kinds import READERS, kind_of, open_kind
from sim.runner import execute, execute_sweep

from .conftest import CONFIGS, ROOT, make_config


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    """One path of every kind, in a tree that the commands must leave as it is."""
    root = tmp_path_factory.mktemp("kinds")
    runs = root / "runs"
    _, ds, state = execute(make_config(paths=200, chunk_size=100))
    out = {"run": write_run(ds, runs, state)}
    out["run file"] = out["run"] / "results.nc"
    sweep = make_config(paths=100, chunk_size=100,
                        sweep={"a": {}, "b": {"policy": {"deadline": 2030}}})  # fmt: skip
    out["sweep"] = write_run(execute_sweep(sweep), runs)
    bt = load_config(CONFIGS / "backtest" / "origin2018.yaml",
                     ["paths=100", "members=[DEU, POL]"])  # fmt: skip
    out["backtest"] = write_run(backtest(bt), runs)
    sens = make_config(sensitivity={
        "n_base": 4, "paths": 40, "num_resamples": 10,
        "groups": {"will_level": {"will.mean_logit.core": [-1.0, 2.0]}}})  # fmt: skip
    out["sensitivity"] = write_run(run_sensitivity(sens), runs)
    req = make_config(paths=40, chunk_size=40, members=["DEU", "POL"])
    rq = requirements(req, 0.7)
    rq.attrs.update(config="name: x\n", experiment="x_requirement")
    out["requirement"] = write_run(rq, runs)
    foreign = root / "foreign.nc"
    xr.Dataset({"x": ("t", np.arange(3.0))}).to_netcdf(foreign)
    out["foreign netCDF"] = foreign
    out["missing"] = root / "no" / "such" / "run"
    out["config file"] = CONFIGS / "baseline.yaml"
    out["calibration file"] = ROOT / "sim" / "data" / "calibration.yaml"
    (root / "notes.txt").write_text("not a result")
    out["text file"] = root / "notes.txt"
    (root / "empty").mkdir()
    out["empty folder"] = root / "empty"
    out["folder of runs"] = runs
    return root, out


def _snapshot(root):
    return sorted((str(p.relative_to(root)), p.stat().st_size)
                  for p in root.rglob("*"))  # fmt: skip


def _main(args, capsys, monkeypatch):
    """`sim ARGS` in this process: (exit code, stdout, stderr)."""
    import signal

    monkeypatch.setattr(sys, "argv", ["sim", *map(str, args)])
    handler = signal.getsignal(signal.SIGTERM)
    try:
        sim_cli.main()
        code = 0
    except SystemExit as e:
        code = e.code
    finally:
        signal.signal(signal.SIGTERM, handler)
    out, err = capsys.readouterr()
    return code, out, err


KIND_OF = {"run": "run", "run file": "run", "sweep": "sweep", "backtest": "backtest",
           "sensitivity": "sensitivity", "requirement": "requirement"}  # fmt: skip
WHAT = {  # words the error line uses for paths that are not results
    "foreign netCDF": "sim did not write", "missing": "no such file or directory",
    "config file": "is a config file", "text file": "is not a netCDF results file",
    "calibration file": "--set calibration=",
    "empty folder": "without results.nc", "folder of runs": "is a folder of",
}  # fmt: skip
COMMANDS = {
    "show": [],
    "compare": [],
    "report": ["--out", "{root}/report_out"],
    "extend": ["--paths", "10"],
    "reproduce": [],
}


def _fits(command, name):
    kind = KIND_OF.get(name)
    if kind is None or command not in READERS[kind]:
        return False
    return not (command == "extend" and name == "run file")  # needs the directory


CASES = [(c, n) for c in COMMANDS for n in [*KIND_OF, *WHAT] if not _fits(c, n)]


@pytest.mark.parametrize(("command", "name"), CASES)
def test_wrong_kind_is_one_error_line_and_leaves_nothing(
    paths, command, name, capsys, monkeypatch
):
    root, p = paths
    before = _snapshot(root)
    extra = [a.format(root=root) for a in COMMANDS[command]]
    code, out, err = _main([command, p[name], *extra], capsys, monkeypatch)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    kind = KIND_OF.get(name)
    if name == "run file":
        assert "needs its run directory" in lines[0], lines[0]
    elif kind:  # says what it is and which command fits
        assert f"is a {kind} directory" in lines[0], lines[0]
        assert "for this one use sim show" in lines[0], lines[0]
    else:
        assert WHAT[name] in lines[0], lines[0]
    assert _snapshot(root) == before


@pytest.mark.parametrize("name", list(KIND_OF))
def test_show_reads_every_kind(paths, name, capsys, monkeypatch):
    root, p = paths
    before = _snapshot(root)
    code, out, err = _main(["show", p[name]], capsys, monkeypatch)
    assert code == 0, err
    first = {"run": "tiny: 200 paths", "run file": "tiny: 200 paths",
             "sweep": "sweep of 2 scenarios", "backtest": "origin2018: base year 2018",
             "sensitivity": "tiny_sensitivity:", "requirement": "Smallest constant"}  # fmt: skip
    assert first[name] in out
    assert _snapshot(root) == before


def test_kind_from_attribute_and_fallback(paths):
    _, p = paths
    for name, kind in KIND_OF.items():
        got, ds = open_kind(p[name], "show")
        assert got == kind and ds.attrs["sim_kind"] == kind
        del ds.attrs["sim_kind"]  # files written before the attribute existed
        assert kind_of(ds) == kind
    assert kind_of(xr.Dataset({"p_meet": ("x", [0.5])})) is None  # no n_paths


def test_outputs_and_configs_of_the_wrong_kind_are_refused(paths, tmp_path, tiny_yaml, capsys,
                                            monkeypatch):  # fmt: skip
    root, p = paths
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (
        ["run", tiny_yaml, "--out", blocker],
        ["backtest", CONFIGS / "backtest" / "origin2018.yaml", "--out", blocker],
        ["requirement", tiny_yaml, "--out", blocker],
        ["sensitivity", tiny_yaml, "--out", blocker],
        ["report", p["run"], "--out", blocker],
        ["report", p["run"], "--out", p["backtest"]],  # an existing non-report folder
        ["calibrate", "--out", tmp_path / "missing" / "x.yaml"],
        ["calibrate", "--out", tmp_path],
        [
            "calibrate",
            "--out",
            p["run file"],
        ],  # an existing file that is no calibration
        ["run", tiny_yaml, "--paths", "abc"],  # click's own usage errors: one line too
        ["show", p["run"], "--members", "XXX"],
        ["show", p["run"], "--top", "-1"],
        ["run", p["run"], "--out", tmp_path / "runs"],  # a run where a config goes
        ["validate", p["run file"]],
        ["backtest", root / "empty", "--out", tmp_path / "runs"],
    ):
        before = _snapshot(root), _snapshot(tmp_path)
        code, out, err = _main(args, capsys, monkeypatch)
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), args
        assert (_snapshot(root), _snapshot(tmp_path)) == before
        assert blocker.read_text() == "x"


def test_reproduce_a_sweep(paths, capsys, monkeypatch):
    _, p = paths
    code, out, err = _main(["reproduce", p["sweep"]], capsys, monkeypatch)
    assert code == 0 and out.startswith("identical"), (out, err)
