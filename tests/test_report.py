"""The HTML report: sections, numbers written from the results, in/by wording, and
all-or-nothing writing under interrupts."""

import os
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim import report as rep
from sim.briefing import by_gdp, count_range, headline, summary_text
from sim.figures import Figures
from sim.io import write_run
from sim.kinds import open_kind
from sim.report import write_report
from sim.runner import execute

from .conftest import ROOT, make_config


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    _, ds, state = execute(make_config())
    return write_run(ds, tmp_path_factory.mktemp("report"), state)


def _listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_report_from_a_tiny_run(run_dir):
    path = write_report(run_dir)
    assert path == run_dir / "report" / "report.html"
    page = path.read_text()
    for section in ("summary", "alliance", "members", "worlds", "fans", "provenance"):
        assert f'id="{section}"' in page
    figs = sorted((run_dir / "report" / "figures").glob("*.png"))
    names = {f.name for f in figs}
    assert {"heatmap_core_3.5.png", "heatmap_total_5.png", "alliance_fan.png",
            "n_meeting.png", "conditional.png", "drivers.png", "fans_1.png"} == names  # fmt: skip
    assert all(f.stat().st_size > 5000 for f in figs)
    assert len(
        re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', page)
    ) == len(figs)
    assert page.count("<figcaption><b>") == len(figs)  # every figure is explained
    assert "seed: 7" in page and "git_commit" in page  # provenance appendix
    assert "@media print" in page and "@page{size:A4" in page
    table = pd.read_csv(run_dir / "report" / "summary.csv")
    assert list(table["member"])[0] == "POL" and len(table) == 3
    assert {"p_core_3.5_2028", "se_core_3.5_2028", "p_by_core_3.5_2028",
            "shortfall_usd_bn_total_5_2030"} <= set(table)  # fmt: skip
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")]


def test_member_table_headers_say_in_and_by(run_dir):
    page = write_report(run_dir).read_text()
    members = page[page.index('<table class="members">') :]
    members = members[: members.index("</table>")]
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", members)
    i = heads.index("in 2028")
    assert heads[i : i + 8] == ["in 2028", "by 2028", "in 2030", "by 2030"] * 2
    assert heads[i - 2 : i] == ["P(core ≥ 3.5%)", "P(total ≥ 5%)"]
    ds = open_kind(run_dir, "report")[1]
    row = re.search(r"<tr><td>Germany</td>(.*?)</tr>", members).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)[2:]
    p_in = float(ds["p_meet"].sel(target="core_3.5", year=2028, member="DEU"))
    p_by = float(ds["p_meet_by"].sel(target="core_3.5", year=2028, member="DEU"))
    assert cells[:2] == [f"{p_in:.0%}", f"{p_by:.0%}"]


def test_headline_numbers_come_from_the_results(run_dir):
    ds = open_kind(run_dir, "report")[1]
    counted = ds["counted"] == 1
    pmf = ds["n_meeting"].sel(target="core_3.5", year=2028).values
    lo, hi = count_range(ds, "core_3.5", 2028)
    assert pmf[:lo].sum() < 0.05 <= pmf[: lo + 1].sum()  # 5% and 95% points
    assert pmf[:hi].sum() < 0.95 <= pmf[: hi + 1].sum()
    h = headline(ds).set_index(["Target", "Year"]).loc[("core ≥ 3.5%", 2028)]
    expected_by = float(ds["p_meet_by"].sel(target="core_3.5", year=2028)
                        .where(counted).sum())  # fmt: skip
    assert h["Expected by the year"] == f"{expected_by:.1f}"
    likely = int((ds["p_meet"].sel(target="core_3.5", year=2028) >= 2 / 3).sum())
    assert h["Likely in the year"] == likely
    text = summary_text(ds)
    mean = float(ds["n_meeting_mean"].sel(target="core_3.5", year=2028))
    assert f"in 2028, {mean:.1f} Allies are expected to meet it" in text
    assert f"{expected_by:.1f} to have reached it in at least one year by 2028" in text
    assert by_gdp(ds) == ["DEU", "ESP", "POL"]  # largest economy first, not ISO order


def test_vintage_and_plan_dates_when_the_results_carry_them(run_dir, tmp_path):
    from click.testing import CliRunner

    from sim.cli import cli

    ds = open_kind(run_dir, "report")[1]
    ds.attrs.update(share_vintage="jul2026", plans_asof="2026-07-01",
                    share_definition="NATO core, July-2026 edition")  # fmt: skip
    dates = {"DEU": "2025-06-24", "POL": "2025-02-01", "ESP": "", "ISL": ""}
    ds = ds.assign_coords(
        plan_date=("member", [dates[m] for m in ds["member"].values]),
        plan_conditional=("member", [int(m == "DEU") for m in ds["member"].values]),
    )
    ds["path_rule"] = ("member", ["max(alliance, national)" if dates[m] else "own"
                                  for m in ds["member"].values])  # fmt: skip
    ds = ds.set_coords("path_rule")
    other = write_run(ds, tmp_path)
    page = write_report(other).read_text()
    assert "Data: base-year shares: jul2026 (NATO core, July-2026 edition); national " \
        "plans as of 2026-07-01" in page  # fmt: skip
    assert "<td>Germany</td><td>2025-06-24*</td>" in page
    assert "<td>Poland</td><td>2025-02-01</td>" in page
    shown = CliRunner().invoke(cli, ["show", str(other)])
    assert shown.exit_code == 0
    assert "data: base-year shares: jul2026" in shown.output
    assert re.search(r"^DEU +Germany +[\d.]+ 2025-06-24\*", shown.output, re.M)
    bare = open_kind(run_dir, "report")[1]
    for key in ("share_vintage", "plans_asof", "share_definition"):
        bare.attrs.pop(key, None)
    bare = bare.drop_vars(["plan_date", "plan_conditional"], errors="ignore")
    bare["path_rule"] = ("member", ["national" if m == "DEU" else "alliance"
                                    for m in bare["member"].values])  # fmt: skip
    bare = bare.set_coords("path_rule")
    plain = write_report(write_run(bare, tmp_path)).read_text()  # without them
    assert (
        "Data: base-year shares:" not in plain
        and "<td>Germany</td><td>national</td>" in plain
    )


def test_an_earlier_report_is_replaced_and_other_folders_are_not(run_dir, tmp_path):
    out = tmp_path / "briefing"
    write_report(run_dir, out)
    (out / "report.html").write_text("old")
    write_report(run_dir, out)
    assert (out / "report.html").read_text() != "old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("k", [1, 3, 7])
def test_interrupt_at_the_kth_figure_leaves_nothing(run_dir, k, monkeypatch):
    before = _listing(run_dir.parent)
    save = Figures.save

    def save_then_stop(self, fig, name):
        if self.n + 1 == k:
            raise KeyboardInterrupt
        return save(self, fig, name)

    monkeypatch.setattr(Figures, "save", save_then_stop)
    out = run_dir.parent / f"interrupted{k}"
    with pytest.raises(KeyboardInterrupt):
        write_report(run_dir, out)
    assert _listing(run_dir.parent) == before


def test_interrupt_during_the_swap_keeps_the_earlier_report(run_dir, monkeypatch):
    first = write_report(run_dir, run_dir.parent / "swap").read_bytes()
    before = _listing(run_dir.parent)
    rename = os.rename

    def rename_then_signal(a, b):
        rename(a, b)
        if str(b).endswith("swap"):  # the new report is in place: Ctrl-C arrives now
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(rep.os, "rename", rename_then_signal)
    with pytest.raises(KeyboardInterrupt):
        write_report(run_dir, run_dir.parent / "swap")
    assert (run_dir.parent / "swap" / "report.html").read_bytes() == first
    assert _listing(run_dir.parent) == before


def test_a_swallowed_interrupt_still_stops_the_report(run_dir, monkeypatch):
    """A library that catches the KeyboardInterrupt (as a finalizer does: "Exception
    ignored in ...") must not make the report finish."""
    before = _listing(run_dir.parent)
    fan = rep.alliance_fan

    def swallowing(*args):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            pass  # swallowed
        return fan(*args)

    monkeypatch.setattr(rep, "alliance_fan", swallowing)
    with pytest.raises(KeyboardInterrupt):
        write_report(run_dir, run_dir.parent / "swallowed")
    assert _listing(run_dir.parent) == before


@pytest.mark.parametrize(("sig", "code", "after"),
                         [(signal.SIGINT, 130, 1), (signal.SIGTERM, 143, 5)])  # fmt: skip
def test_signal_to_sim_report_leaves_nothing(run_dir, sig, code, after):
    before = _listing(run_dir.parent)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SIM_QUIET")}
    p = subprocess.Popen([sys.executable, "-m", "sim", "report", str(run_dir), "--out",
                          str(run_dir.parent / "signalled")], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    for line in p.stderr:  # wait until the report is being written
        if line.startswith(f"report: figure {after}:"):
            break
    p.send_signal(sig)
    _, err = p.communicate(timeout=120)
    assert p.returncode == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err
    assert _listing(run_dir.parent) == before


def test_report_of_a_sweep_compares_scenarios(tmp_path):
    from sim.runner import execute_sweep

    cfg = make_config(paths=200, chunk_size=100,
                      sweep={"base": {}, "late": {"policy": {"deadline": 2030}}})  # fmt: skip
    page = write_report(write_run(execute_sweep(cfg), tmp_path)).read_text()
    assert 'id="scenarios"' in page and "Allies meeting core ≥ 3.5% in 2028" in page


@pytest.mark.parametrize("kind", ["backtest", "skill"])
def test_report_of_scores(kind, tmp_path):
    """A backtest or skill directory gets a report of its scores: the threshold
    table (summary.csv) and the other tables from the results, in RUN_DIR/report."""
    from sim.analyses.backtest import backtest
    from sim.analyses.skill import skill
    from sim.config import load_config

    from .conftest import CONFIGS

    cfg = load_config(CONFIGS / "backtest" / "wales2014.yaml",
                      ["paths=200", "chunk_size=200", "members=[DEU, POL, LVA]"])  # fmt: skip
    if kind == "backtest":
        ds = backtest(cfg, thresholds=(2.0, 3.0))
    else:
        ds = skill(cfg, (2016, 2020), (2.0, 3.0), leave_one_member_out=True)
    run = write_run(ds, tmp_path)
    page = write_report(run)
    assert page == run / "report" / "report.html"
    assert _listing(run / "report") == ["report.html", "summary.csv"]  # no figures
    csv = pd.read_csv(run / "report" / "summary.csv")
    assert list(csv["Threshold (%)"]) == [2.0, 3.0]
    for f in ("model", "persistence", "climatology"):
        for k, t in enumerate((2.0, 3.0)):
            want = float(ds.brier.sel(forecaster=f, threshold=t))
            assert csv[f"Brier {f}"][k] == pytest.approx(want, abs=5e-5)
    text = page.read_text()
    for part in ("Scores per threshold", "Reliability", "Forecasts below 5%",
                 "coverage of the 90% interval", "What was fitted on which years",
                 f"{int(ds.coverage_hits[0].sum())} of {int(ds.coverage_n.sum())}",
                 f"{float(ds.crps[0]):.3f}"):  # fmt: skip
        assert part in text, part
    assert ("leave-one-member-out" in text) == (kind == "skill")
