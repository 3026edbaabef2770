"""A self-contained HTML briefing, its figures and a summary CSV from a results file
alone, written all at once: built in a temporary folder and renamed into place."""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import xarray as xr

from .briefing import (
    headline,
    html_table,
    label,
    member_table_html,
    summary_table,
    summary_text,
)
from .constants import SCENARIO
from .errors import RunError
from .figures import (
    Figures,
    alliance_fan,
    conditional,
    drivers,
    heatmap,
    history,
    meeting_counts,
    member_fans,
    sobol_bars,
    sweep_section,
)
from .show import IN_BY, provenance_line, target_years

# --- all or nothing --------------------------------------------------------------


class _Interrupts:
    """While a report is built: remember SIGINT/SIGTERM even when a library swallows
    the exception its handler raised (e.g. inside a finalizer: "Exception ignored
    in ..."), and raise it again at the next ``check()``; while ``deferring``, only
    remember it."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __enter__(self):
        self.pending, self.prev, self.deferring = None, {}, False
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                prev = signal.getsignal(sig)
                if callable(prev):
                    self.prev[sig] = prev
                    signal.signal(sig, self._handler)
        return self

    def _handler(self, signum, frame):
        self.pending = signum
        if not self.deferring:
            self.prev[signum](signum, frame)

    def check(self) -> None:
        if self.pending is not None:
            self.prev[self.pending](self.pending, None)

    def __exit__(self, *exc):
        for sig, handler in self.prev.items():
            signal.signal(sig, handler)


def _target_folder(run: Path, out: str | Path | None) -> Path:
    """The report folder: ``out`` or RUN_DIR/report; refuse anything that is not an
    earlier report, so nothing else is ever replaced."""
    folder = Path(out) if out else (run if run.is_dir() else run.parent) / "report"
    if folder.exists() and not folder.is_dir():
        raise RunError(f"--out {folder} is a file: give a folder for the report")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / "report.html").is_file():
            raise RunError(
                f"{folder} exists and is not a report folder: give a new --out "
                "(an earlier report there would be replaced, anything else is not)"
            )
    if not folder.parent.is_dir():
        raise RunError(f"--out {folder}: folder {folder.parent} does not exist")
    if not os.access(folder.parent, os.W_OK):
        raise RunError(f"--out {folder}: folder {folder.parent} is not writable")
    return folder


def _swap_in(tmp: Path, folder: Path, intr: _Interrupts) -> None:
    """Rename ``tmp`` to ``folder`` (replacing an earlier report); a signal that
    arrives meanwhile is held, undoes the swap and is then raised."""
    intr.deferring = True
    try:
        old = None
        if folder.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent)
            )
            os.rename(folder, old)
        os.rename(tmp, folder)
        if intr.pending is not None:  # interrupted: put everything back
            os.rename(folder, tmp)
            if old is not None:
                os.rename(old, folder)
        elif old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        intr.deferring = False
    intr.check()


def write_report(
    run: str | Path, out: str | Path | None = None, log: Callable | None = None
) -> Path:
    """Write report.html, figures/*.png and summary.csv into ``out`` (default
    RUN_DIR/report) for a run, sweep, sensitivity analysis, backtest or skill result;
    return the HTML path.

    Everything is written into a hidden temporary folder beside the target and
    renamed into place when complete: an error or interrupt leaves nothing."""
    from .kinds import open_kind

    kind, ds = open_kind(run, "report")
    folder = _target_folder(Path(run), out)
    with _Interrupts() as intr:
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial",
                                        dir=folder.parent))  # fmt: skip
        except OSError as e:
            raise RunError(f"cannot write in {folder.parent}: {e.strerror}") from None
        try:
            (tmp / "figures").mkdir()
            build = {"sensitivity": _sensitivity_page, "backtest": _scores_page,
                     "skill": _scores_page}.get(kind, _page)  # fmt: skip
            page = build(ds, tmp / "figures", Figures(tmp / "figures", intr, log))
            (tmp / "report.html").write_text(page, encoding="utf-8")
            if not any((tmp / "figures").iterdir()):  # score pages have only tables
                (tmp / "figures").rmdir()
            intr.check()
            _swap_in(tmp, folder, intr)
        except OSError as e:
            raise RunError(f"cannot write the report in {folder}: {e}") from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return folder / "report.html"


# --- the page --------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 max-width:1120px;margin:0 auto;padding:8px 28px 40px;color:#1a202c;line-height:1.45}
h1{font-size:1.55em;margin:.6em 0 .1em}h2{font-size:1.2em;margin:1.6em 0 .4em;
 border-bottom:1px solid #cbd5e0;padding-bottom:3px}h3{font-size:1em}
.meta{color:#4a5568;font-size:.88em;margin:.2em 0}
.summary{background:#ebf4ff;border-left:4px solid #2b6cb0;padding:8px 16px;margin:14px 0}
nav{font-size:.85em;color:#4a5568}nav a{margin-right:12px;color:#2b6cb0}
figure{margin:14px 0;break-inside:avoid;page-break-inside:avoid}
figure img{max-width:100%;height:auto;display:block}
figcaption{font-size:.85em;color:#2d3748;max-width:880px;margin-top:4px}
.pair{display:flex;flex-wrap:wrap;gap:18px}.pair figure{flex:1 1 480px;margin:6px 0}
table{border-collapse:collapse;font-size:.84em;margin:8px 0}
th,td{padding:3px 8px;border-bottom:1px solid #e2e8f0;text-align:right;vertical-align:bottom;
 white-space:nowrap}th{white-space:normal}table.members th{white-space:nowrap}
th{background:#f7fafc;font-weight:600}td:first-child,th:first-child{text-align:left}
table.members td:nth-child(2),table.members th[rowspan]:nth-child(2){text-align:left;color:#4a5568}
table.members th[rowspan]{white-space:normal;max-width:7em}.scroll{overflow-x:auto}
table.members{font-size:.78em}table.members td,table.members th{padding:2px 5px}
@media screen and (max-width:900px){body{padding:6px 10px}table{font-size:.74em}
 th,td{padding:2px 4px}}
table.prov td{white-space:normal;text-align:left;word-break:break-word}table.prov th{vertical-align:top}
.grp{border-left:2px solid #cbd5e0;text-align:center}td.grp{text-align:right}
details pre{white-space:pre-wrap;font-size:.78em;background:#f7fafc;padding:8px}
@page{size:A4;margin:14mm 12mm}
@media print{body{max-width:none;padding:0;font-size:9.5pt}nav{display:none}
 .pair{display:block}h2{break-after:avoid;page-break-after:avoid}
 table{font-size:7.5pt}th,td{padding:1px 4px}a{color:inherit;text-decoration:none}
 .pair figure img{max-width:58%}.scroll{overflow:visible}
 table.members{break-inside:avoid;page-break-inside:avoid}
 details{display:none}}
"""


def _description(ds: xr.Dataset) -> str:
    found = re.search(r"^description: *(.+)$", str(ds.attrs.get("config", "")), re.M)
    return found.group(1).strip("'\" ") if found else ""


def _header(ds: xr.Dataset) -> str:
    a = ds.attrs
    title = html.escape(str(a.get("title", "sim report")))
    when = str(a.get("history", ""))[:10]
    meta = (
        f"{int(a['n_paths']):,} Monte Carlo paths, seed {int(a['seed'])}, base year "
        f"{int(a['base_year'])}{', made ' + html.escape(when) if when else ''}. "
        "Probabilities carry a Monte Carlo standard error of at most "
        f"{float(ds['p_meet_se'].max()):.3f}."
    )
    prov = provenance_line(ds)
    desc = _description(ds)
    return (
        f"<h1>{title}</h1>"
        + (f'<p class="meta">{html.escape(desc)}</p>' if desc else "")
        + f'<p class="meta">{meta}</p>'
        + (f'<p class="meta">{html.escape(prov[0].upper() + prov[1:])}</p>' if prov else "")
    )  # fmt: skip


def _page(full: xr.Dataset, folder: Path, figs: Figures) -> str:
    sweep = SCENARIO in full.dims
    ds = full.isel(scenario=0) if sweep else full
    summary_table(ds).to_csv(folder.parent / "summary.csv", index=False,
                             float_format="%.6g")  # fmt: skip
    hist = history(ds)
    years = target_years(ds)
    targets = [str(t) for t in ds["target"].values]
    a = ds.attrs
    sections = [
        _header(ds),
        '<nav><a href="#summary">Summary</a><a href="#alliance">Alliance</a>'
        '<a href="#members">Members</a><a href="#worlds">Conditions</a>'
        + ('<a href="#scenarios">Scenarios</a>' if sweep else "")
        + '<a href="#fans">Member paths</a><a href="#provenance">Provenance</a></nav>',
        f'<h2 id="summary">Summary</h2><div class="summary">{summary_text(ds)}</div>',
        html_table(headline(ds)),
        f'<p class="meta">Allies (of {int((ds["counted"] == 1).sum())} counted) '
        "expected to meet each target in the year, the 90% range of that number, how "
        "many are likely to (P ≥ 66%), how many are expected to have met it in at least "
        "one year by then, and the alliance share (GDP-weighted) with the probability "
        f"that it meets the level. {html.escape(IN_BY)}. Expected numbers add up the "
        "members' probabilities.</p>",
        '<h2 id="alliance">The alliance</h2>',
        alliance_fan(ds, figs, hist),
        meeting_counts(ds, figs),
        '<h2 id="members">Members</h2>',
        f"<p>Probability that a member's share is at or above each level <b>in</b> "
        f"{' and '.join(map(str, years))} and <b>by</b> then (in at least one year up "
        f"to it), members by P({html.escape(label(ds, targets[0]))} in {years[0]}). "
        "Path: the plan a member follows: the alliance rule (linear to the level by the "
        "deadline), a national plan where faster (with its date when known; * = "
        "conditional), or its own level.</p>",
        member_table_html(ds),
        '<div class="pair">'
        + "".join(heatmap(ds, t, figs) for t in targets)
        + "</div>",
        '<h2 id="worlds">In which worlds do targets get met?</h2>',
        conditional(ds, figs),
        drivers(ds, figs),
        sweep_section(full, figs) if sweep else "",
        '<h2 id="fans">Member paths, largest economies first</h2>',
        member_fans(ds, figs, hist),
        '<h2 id="provenance">Provenance</h2>',
        _provenance(a),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(str(a.get('title', 'sim report')))}</title>"
        f"<style>{CSS}</style></head><body>{''.join(sections)}</body></html>\n"
    )


def _provenance(a: dict) -> str:
    keys = ("experiment", "history", "seed", "n_paths", "chunk_size", "share_vintage",
            "share_definition", "plans_asof", "sim_version", "git_commit",
            "software_versions", "source", "references", "comment")  # fmt: skip
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(a[k]))}</td></tr>"
        for k in keys
        if k in a
    )
    return (
        f'<table class="prov">{rows}</table>'
        "<details><summary>Resolved configuration</summary>"
        f"<pre>{html.escape(str(a.get('config', '')))}</pre></details>"
        "<p class='meta'>Data sources: sim/data/sources/SOURCES.md (NATO defence "
        "expenditure tables and press-quoted estimates, SIPRI, IMF WEO, national "
        "announcements).</p>"
    )


def _sensitivity_page(ds: xr.Dataset, folder: Path, figs: Figures) -> str:
    """Bar charts of total and first-order Sobol indices for the alliance outputs."""
    from .analyses.sensitivity import ranked_table

    parts = []
    for out in [o for o in ds["output"].values if not str(o).startswith("p_")]:
        parts.append(sobol_bars(ds, str(out), figs))
        parts.append(f"<pre>{html.escape(ranked_table(ds, str(out)))}</pre>")
    title = html.escape(str(ds.attrs.get("title", "sensitivity")))
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}"
        f"</title><style>{CSS}</style></head><body><h1>{title}</h1>"
        f"<p class='meta'>{html.escape(str(ds.attrs.get('method', '')))}</p>"
        f'<h2 id="sensitivity">Sobol indices</h2>{"".join(parts)}'
        f"<h2 id='provenance'>Provenance</h2><pre>{html.escape(str(ds.attrs.get('groups', '')))}</pre>"
        f"<details><summary>Resolved configuration</summary><pre>"
        f"{html.escape(str(ds.attrs.get('config', '')))}</pre></details></body></html>\n"
    )


def _scores_page(ds: xr.Dataset, folder: Path, figs: Figures) -> str:
    """Scores of a backtest or out-of-sample skill result against the naive
    forecasters: per threshold, CRPS, reliability, forecasts below 5%, coverage, and
    what was fitted on which years; summary.csv holds the threshold table."""
    from . import briefing_scores as b

    a = ds.attrs
    table = b.threshold_table(ds)
    table.to_csv(folder.parent / "summary.csv", index=False)
    origins = [int(o) for o in ds["origin"].values]
    loo = " leave-one-member-out," if int(a.get("leave_one_member_out", 0)) else ""
    what = "backtest" if a.get("sim_kind") == "backtest" else "out-of-sample skill"
    meta = (
        f"{what.capitalize()}:{loo} forecasts from {', '.join(map(str, origins))} of "
        f"every year to {int(ds['year'][-1])}, {int(a['n_paths']):,} Monte Carlo paths "
        f"{'per member run' if loo else 'per origin'}, seed {int(a['seed'])}. "
        f"{a.get('comment', '')}"
    )
    fitted = "".join(
        f"<tr><th>{o}</th><td>{html.escape(str(a.get(f'fitted_{o}', '')))}</td></tr>"
        for o in origins
    )
    esc = html.escape
    sections = [
        f"<h1>{esc(str(a.get('title', 'sim report')))}</h1>",
        f'<p class="meta">{esc(_description(ds))}</p>' if _description(ds) else "",
        f'<p class="meta">{esc(meta)}</p>',
        '<nav><a href="#summary">Summary</a><a href="#thresholds">Thresholds</a>'
        '<a href="#crps">CRPS</a><a href="#reliability">Reliability</a>'
        '<a href="#fitted">Fitted on</a><a href="#provenance">Provenance</a></nav>',
        f'<h2 id="summary">Summary</h2><div class="summary">{b.summary_text(ds)}</div>',
        '<h2 id="thresholds">Scores per threshold</h2>',
        "<p>Event: the core share is at or above the threshold (less the meet "
        "tolerance) in a year; every member-year forecast of every origin counts the "
        "same. Lower Brier and log scores are better; Brier skill is against "
        "climatology (above 0 is better than it).</p>",
        html_table(table),
        '<h2 id="crps">CRPS of the whole share distribution</h2>',
        "<p>Continuous ranked probability score of the forecast distribution of the "
        "share at the realised share, in percentage points of GDP (lower is better): "
        "all forecasts, per origin and per number of years ahead.</p>",
        html_table(b.crps_table(ds)),
        '<h2 id="reliability">Reliability</h2>',
        "<p>Forecasts pooled over origins and thresholds, by forecast probability: "
        "how many, their mean, and how often the event happened. A reliable "
        "forecaster's observed frequency matches its forecast.</p>",
        html_table(b.reliability_table(ds)),
        "<h3>Forecasts below 5%</h3>",
        html_table(b.low_table(ds)),
        "<h3>One year ahead: coverage of the 90% interval</h3>",
        html_table(b.coverage_table(ds)),
        '<h2 id="fitted">What was fitted on which years</h2>',
        f'<table class="prov">{fitted}</table>',
        f'<p class="meta">{esc(str(a.get("not_fitted", "")))}</p>',
        '<h2 id="provenance">Provenance</h2>',
        _provenance(a),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(str(a.get('title', 'sim report')))}</title>"
        f"<style>{CSS}</style></head><body>{''.join(sections)}</body></html>\n"
    )
