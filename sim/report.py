"""A self-contained HTML briefing, its figures and a summary CSV from a results file
alone, written all at once: built in a temporary folder and renamed into place."""

from __future__ import annotations

import base64
import html
import io
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .errors import RunError
from .show import IN_BY, plan_marks, provenance_line, target_years

LIKELY = 2 / 3
"""'Likely' as in the IPCC's calibrated language: probability at least 66%."""
PIVOTAL = (0.2, 0.8)
"""Members whose P(first target in the first target year) is in this range are open
cases; the largest economies among them are called pivotal."""
CORE, TOTAL, HIST = "#2b6cb0", "#dd6b20", "#111111"
YEAR_COLORS = ("#6b46c1", "#2f855a", "#b7791f", "#718096")


def _plt():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is installed by make
        raise RunError(
            "sim report needs matplotlib: pip install 'sim[report]'"
        ) from None
    plt.rcParams.update({"font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False})  # fmt: skip
    return plt


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
    RUN_DIR/report) for a run, sweep or sensitivity analysis; return the HTML path.

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
            build = _sensitivity_page if kind == "sensitivity" else _page
            page = build(ds, tmp / "figures", _Figures(tmp / "figures", intr, log))
            (tmp / "report.html").write_text(page, encoding="utf-8")
            intr.check()
            _swap_in(tmp, folder, intr)
        except OSError as e:
            raise RunError(f"cannot write the report in {folder}: {e}") from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return folder / "report.html"


class _Figures:
    """Saves figures (PNG file and base64 for the page), checking for interrupts
    after each; ``log`` gets one line per figure."""

    def __init__(self, folder: Path, intr: _Interrupts, log: Callable | None):
        self.folder, self.intr, self.log, self.n = folder, intr, log, 0

    def save(self, fig, name: str) -> str:
        plt = _plt()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
        plt.close(fig)
        data = buf.getvalue()
        (self.folder / name).write_bytes(data)
        self.n += 1
        if self.log:
            self.log(f"figure {self.n}: {name}")
        self.intr.check()
        return base64.b64encode(data).decode("ascii")


def _figure(b64: str, name: str, caption: str, wide: bool = False) -> str:
    return (
        f'<figure class="{"wide" if wide else ""}"><img alt="{html.escape(name)}" '
        f'src="data:image/png;base64,{b64}"><figcaption>{caption}</figcaption></figure>'
    )


# --- numbers -------------------------------------------------------------------


def _counted(ds: xr.Dataset) -> list[str]:
    return [str(m) for m in ds["member"].values[ds["counted"].values.astype(bool)]]


def by_gdp(ds: xr.Dataset) -> list[str]:
    """Counted members, largest base-year GDP first."""
    gdp = ds["gdp_base"].sel(member=_counted(ds))
    return [str(m) for m in gdp.sortby(gdp, ascending=False)["member"].values]


def _name(ds, m) -> str:
    return str(ds["member_name"].sel(member=m).values)


def _label(ds, t) -> str:
    """'core >= 3.5%' for a target."""
    measure = str(ds["measure"].sel(target=t).values)
    return f"{measure} ≥ {float(ds['level'].sel(target=t)):g}%"


def _q(da, p) -> float:
    return float(da.sel(quantile=p, method="nearest"))


def count_range(ds, t, y, mass: float = 0.9) -> tuple[int, int]:
    """Central ``mass`` range of the number of members meeting ``t`` in ``y``."""
    cdf = np.cumsum(ds["n_meeting"].sel(target=t, year=y).values)
    lo = int(np.searchsorted(cdf, (1 - mass) / 2 - 1e-12))
    hi = int(np.searchsorted(cdf, 1 - (1 - mass) / 2 - 1e-12))
    return lo, hi


def headline(ds: xr.Dataset) -> pd.DataFrame:
    """Per target and target year: members expected to meet it, the 90% range,
    members likely to, members expected to have reached it by then, and the
    alliance share."""
    counted = ds["counted"] == 1
    rows = []
    for t in ds["target"].values:
        var = "alliance_core_share" if ds["measure"].sel(target=t) == "core" else (
            "alliance_total_share")  # fmt: skip
        for y in target_years(ds):
            p_in = ds["p_meet"].sel(target=t, year=y).where(counted)
            p_by = ds["p_meet_by"].sel(target=t, year=y).where(counted)
            lo, hi = count_range(ds, t, y)
            a = ds[var].sel(year=y)
            rows.append({
                "Target": _label(ds, t), "Year": y,
                "Expected in the year": f"{float(ds['n_meeting_mean'].sel(target=t, year=y)):.1f}",
                "90% range": f"{lo}–{hi}",
                "Likely in the year": int((p_in >= LIKELY).sum()),
                "Expected by the year": f"{float(p_by.sum()):.1f}",
                "Alliance share: median [90%]":
                    f"{_q(a, 0.5):.2f}% [{_q(a, 0.05):.2f}–{_q(a, 0.95):.2f}]",
                "P(alliance meets it)":
                    f"{float(ds['p_alliance_meet'].sel(target=t, year=y)):.0%}",
            })  # fmt: skip
    return pd.DataFrame(rows)


def summary_text(ds: xr.Dataset) -> str:
    """One paragraph (HTML) of the headline numbers, written from the results."""
    years = target_years(ds)
    targets = [str(t) for t in ds["target"].values]
    counted = ds["counted"] == 1
    n = int(counted.sum())
    parts = []
    for t in targets:
        bits = []
        for y in years:
            lo, hi = count_range(ds, t, y)
            likely = int(
                (ds["p_meet"].sel(target=t, year=y).where(counted) >= LIKELY).sum()
            )
            by = float(ds["p_meet_by"].sel(target=t, year=y).where(counted).sum())
            bits.append(
                f"in {y}, {float(ds['n_meeting_mean'].sel(target=t, year=y)):.1f} Allies "
                f"are expected to meet it (90% range {lo}–{hi}), {likely} are likely to "
                f"(P ≥ 66%), and {by:.1f} to have reached it in at least one year by {y}"
            )
        parts.append(f"<b>{html.escape(_label(ds, t))}</b>: " + "; ".join(bits) + ".")
    t0, y0 = targets[0], years[0]
    p0 = ds["p_meet"].sel(target=t0, year=y0)
    open_cases = [
        m for m in by_gdp(ds) if PIVOTAL[0] <= float(p0.sel(member=m)) <= PIVOTAL[1]
    ]
    if open_cases:
        names = ", ".join(f"{html.escape(_name(ds, m))} ({float(p0.sel(member=m)):.0%})"
                          for m in open_cases[:5])  # fmt: skip
        pivotal = (
            f" Pivotal members, the largest economies whose outcome is most open "
            f"(P({html.escape(_label(ds, t0))} in {y0}) between {PIVOTAL[0]:.0%} and "
            f"{PIVOTAL[1]:.0%}): {names}."
        )
    else:
        pivotal = f" No member's P({html.escape(_label(ds, t0))} in {y0}) is between "
        pivotal += f"{PIVOTAL[0]:.0%} and {PIVOTAL[1]:.0%}."
    alliance = []
    for var, word in (
        ("alliance_core_share", "core"),
        ("alliance_total_share", "total"),
    ):
        a = ds[var].sel(year=y0)
        alliance.append(
            f"{word} {_q(a, 0.5):.2f}% (90% band {_q(a, 0.05):.2f}–{_q(a, 0.95):.2f}%)"
        )
    return (
        f"<p>Of the {n} Allies counted: " + " ".join(parts) + pivotal
        + f" The alliance as a whole (shares weighted by GDP) reaches a median "
        f"{' and '.join(alliance)} of GDP in {y0}.</p>"
    )  # fmt: skip


def summary_table(ds: xr.Dataset) -> pd.DataFrame:
    """Per member (sorted like `sim show`): P(met in / by each target year) with
    s.e. and the expected shortfall [US$ bn]; the CSV written next to the report."""
    years = target_years(ds)
    targets = [str(t) for t in ds["target"].values]
    rows = []
    for m in _counted(ds):
        row = {"member": m, "name": _name(ds, m),
               "base_share": float(ds["base_share"].sel(member=m))}  # fmt: skip
        for t in targets:
            for y in years:
                sel = dict(target=t, member=m, year=y)
                row[f"p_{t}_{y}"] = float(ds["p_meet"].sel(sel))
                row[f"se_{t}_{y}"] = float(ds["p_meet_se"].sel(sel))
                row[f"p_by_{t}_{y}"] = float(ds["p_meet_by"].sel(sel))
                row[f"shortfall_usd_bn_{t}_{y}"] = float(ds["shortfall_usd"].sel(sel))
        rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values(f"p_{targets[0]}_{years[0]}", ascending=False, kind="stable")


def member_table_html(ds: xr.Dataset) -> str:
    """Members by P(first target in the first target year): in/by probabilities."""
    years = target_years(ds)
    targets = [str(t) for t in ds["target"].values]
    marks = plan_marks(ds)
    p0 = ds["p_meet"].sel(target=targets[0], year=years[0])
    order = sorted(_counted(ds), key=lambda m: -float(p0.sel(member=m)))
    head1 = '<tr><th rowspan="2">Member</th><th rowspan="2">Path</th>'
    head1 += '<th rowspan="2">Base-year share (%)</th>'
    head1 += "".join(
        f'<th colspan="{2 * len(years)}" class="grp">P({html.escape(_label(ds, t))})</th>'
        for t in targets
    )
    head2 = "".join(
        f'<th class="{"grp" if i == 0 else ""}">in {y}</th><th>by {y}</th>'
        for _ in targets
        for i, y in enumerate(years)
    )
    body = []
    for m in order:
        cells = "".join(
            f'<td class="{"grp" if i == 0 else ""}">{_pct(ds["p_meet"], t, y, m)}</td>'
            f"<td>{_pct(ds['p_meet_by'], t, y, m)}</td>"
            for t in targets
            for i, y in enumerate(years)
        )
        body.append(
            f"<tr><td>{html.escape(_name(ds, m))}</td><td>{html.escape(marks[m])}</td>"
            f"<td>{float(ds['base_share'].sel(member=m)):.2f}</td>{cells}</tr>"
        )
    return (
        f'<div class="scroll"><table class="members"><thead>{head1}</tr><tr>{head2}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _pct(da, t, y, m) -> str:
    return f"{float(da.sel(target=t, year=y, member=m)):.0%}"


def _table(df: pd.DataFrame) -> str:
    table = df.to_html(index=False, escape=True, border=0, classes="plain")
    return f'<div class="scroll">{table}</div>'


# --- figures -------------------------------------------------------------------


def history(ds: xr.Dataset, first: int = 2014) -> pd.DataFrame:
    """Realised core shares [member x year] from ``first`` to the base year: NATO
    figures bundled with sim, and in the base year the share the run started from."""
    members = _counted(ds)
    base = int(ds.attrs["base_year"])
    try:
        from .inputs.build_members import read_source

        df = read_source("defence_share_gdp.csv")
        df = df[(df["preferred"] == 1) & (df["year"] >= first) & (df["year"] < base)]
        df = df[df["source_id"].astype(str).str.startswith("NATO")]
        wide = df.pivot(index="iso3", columns="year", values="value_pct_gdp")
    except Exception:  # noqa: BLE001 - history is decoration: the base year suffices
        wide = pd.DataFrame(index=members)
    wide = wide.reindex(members)
    wide[base] = ds["base_share"].sel(member=members).values
    return wide


def _alliance_history(ds: xr.Dataset, hist: pd.DataFrame) -> pd.Series:
    """Realised alliance core share, weighted by base-year GDP (members with data)."""
    w = ds["gdp_base"].sel(member=list(hist.index)).values
    out = {}
    for y in hist.columns:
        v = hist[y].values.astype(float)
        ok = np.isfinite(v)
        if w[ok].sum() > 0.8 * w.sum():
            out[int(y)] = float((v[ok] * w[ok]).sum() / w[ok].sum())
    return pd.Series(out)


def _fan(ax, years, q, color, label, anchor=None):
    """Median line with 50% and 90% bands; ``anchor`` (base year, value) joins the
    fan to the last realised value."""
    xs, get = list(years), lambda p: list(q.sel(quantile=p, method="nearest").values)
    lines = {p: get(p) for p in (0.05, 0.25, 0.5, 0.75, 0.95)}
    if anchor is not None:
        xs = [anchor[0], *xs]
        lines = {p: [anchor[1], *v] for p, v in lines.items()}
    ax.plot(xs, lines[0.5], color=color, lw=1.8, label=f"{label}: median")
    ax.fill_between(xs, lines[0.25], lines[0.75], color=color, alpha=0.35, lw=0,
                    label=f"{label}: middle 50% of paths")  # fmt: skip
    ax.fill_between(xs, lines[0.05], lines[0.95], color=color, alpha=0.15, lw=0,
                    label=f"{label}: 90% of paths")  # fmt: skip


def _target_lines(ax, ds, fontsize=8):
    """Dashed target levels, labelled in the right margin (off the bands)."""
    for t in ds["target"].values:
        lv = float(ds["level"].sel(target=t))
        color = CORE if str(ds["measure"].sel(target=t).values) == "core" else TOTAL
        ax.axhline(lv, color=color, ls="--", lw=0.9)
        ax.annotate(f"{_label(ds, t)}", xy=(1.01, lv), xycoords=("axes fraction", "data"),
                    va="center", fontsize=fontsize, color=color, annotation_clip=False)  # fmt: skip


def _legend_rows(ax, x, y, fontsize=7, where=None):
    """A legend of ``ax``'s entries at (x, y) of ``where`` (default ``ax``): one row
    for core (realised first), one for total."""
    from matplotlib.patches import Rectangle

    pairs = list(zip(*ax.get_legend_handles_labels(), strict=True))
    rows = [[p for p in pairs if p[1].startswith("Core")],
            [p for p in pairs if not p[1].startswith("Core")]]  # fmt: skip
    rows = [r for r in rows if r]
    ncol = max(len(r) for r in rows)
    blank = (Rectangle((0, 0), 0, 0, alpha=0), "")
    rows = [[blank] * (ncol - len(r)) + r for r in rows]  # align the medians
    items = [r[c] for c in range(ncol) for r in rows]
    (where or ax).legend(*zip(*items, strict=True), loc="upper center",
                         bbox_to_anchor=(x, y), ncol=ncol, fontsize=fontsize,
                         frameon=False)  # fmt: skip


def alliance_fan(ds, figs: _Figures, hist: pd.DataFrame) -> str:
    plt = _plt()
    base = int(ds.attrs["base_year"])
    years = ds["year"].values
    realised = _alliance_history(ds, hist)
    fig, ax = plt.subplots(figsize=(8.6, 4.2))
    anchor = (base, realised.get(base)) if base in realised else None
    if len(realised):
        ax.plot(realised.index, realised.values, "o-", color=HIST, ms=3, lw=1.2,
                label="Core, realised (NATO)")  # fmt: skip
    _fan(ax, years, ds["alliance_core_share"], CORE, "Core", anchor)
    _fan(ax, years, ds["alliance_total_share"], TOTAL, "Total (core + resilience)")
    _target_lines(ax, ds)
    ax.axvline(base + 0.5, color="#999", lw=0.6)
    ax.text(base + 0.6, ax.get_ylim()[0], " projection", fontsize=7, color="#666",
            va="bottom")  # fmt: skip
    ax.set_ylabel("share of GDP [%]")
    ax.set_xticks(range(min([*realised.index, base]), int(years[-1]) + 1, 2))
    _legend_rows(ax, 0.5, -0.1, fontsize=7.5)
    ax.set_title("Alliance defence spending, share of GDP (weighted by GDP)")
    b64 = figs.save(fig, "alliance_fan.png")
    return _figure(b64, "alliance_fan.png",
        f"<b>Where the alliance is heading.</b> Realised core spending (black, NATO; "
        f"{base} is the base-year estimate the run starts from) and the projected "
        "distribution over Monte Carlo paths: the line is the median, the dark band "
        "holds the middle half of paths and the light band 90% of them. Dashed lines "
        "are the targets. Alliance shares are weighted by GDP at base-year prices and "
        "exchange rates (realised years: by base-year GDP, an approximation).")  # fmt: skip


def meeting_counts(ds, figs: _Figures) -> str:
    plt = _plt()
    targets = [str(t) for t in ds["target"].values]
    years = target_years(ds)
    n = int((ds["counted"] == 1).sum())
    fig, axes = plt.subplots(1, len(targets), figsize=(4.3 * len(targets), 2.9),
                             squeeze=False, sharey=True)  # fmt: skip
    width = 0.8 / len(years)
    for ax, t in zip(axes[0], targets, strict=True):
        for i, y in enumerate(years):
            d = ds["n_meeting"].sel(target=t, year=y)
            mean = float(ds["n_meeting_mean"].sel(target=t, year=y))
            color = YEAR_COLORS[i % len(YEAR_COLORS)]
            ax.bar(d["count"] + (i - (len(years) - 1) / 2) * width, d.values, width=width,
                   color=color, label=f"in {y} (expected {mean:.1f})")  # fmt: skip
            ax.axvline(mean, color=color, lw=1, ls=":")
        ax.set_xlim(-0.5, n + 0.5)
        ax.set_xlabel(f"Allies meeting {_label(ds, t)} (of {n})")
        ax.legend(fontsize=7, frameon=False)
    axes[0][0].set_ylabel("probability")
    fig.suptitle("How many Allies meet each target", fontsize=10)
    b64 = figs.save(fig, "n_meeting.png")
    return _figure(b64, "n_meeting.png",
        "<b>How many Allies meet each target.</b> Each bar is the probability that "
        "exactly that many Allies are at or above the level in the year; dotted lines "
        "mark the expected number. A wide spread means the count depends on the common "
        "shocks (threat, US stance, growth) that move many members together.")  # fmt: skip


def heatmap(ds, t: str, figs: _Figures) -> str:
    plt = _plt()
    members = by_gdp(ds)
    years = [int(y) for y in ds["year"].values]
    p = ds["p_meet"].sel(target=t, member=members).transpose("member", "year").values
    fig, ax = plt.subplots(figsize=(5.4, 0.19 * len(members) + 1.3))
    im = ax.imshow(p, aspect="auto", cmap="Blues", vmin=0, vmax=1)
    for i in range(p.shape[0]):
        for j in range(p.shape[1]):
            v = p[i, j]
            ax.text(j, i, f"{100 * v:.0f}", ha="center", va="center", fontsize=6.5,
                    color="white" if v > 0.6 else "#222")  # fmt: skip
    ax.set_yticks(range(len(members)), [_name(ds, m) for m in members], fontsize=7)
    ax.set_xticks(range(len(years)), years, fontsize=7)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label="probability")
    ax.set_title(f"P({_label(ds, t)} in the year), %", fontsize=9, pad=18)
    name = f"heatmap_{t}.png"
    b64 = figs.save(fig, name)
    return _figure(b64, name,
        f"<b>P({html.escape(_label(ds, t))}) in each year, per cent.</b> Members from "
        "the largest economy down. Read along a row to see when a member is likely to "
        "be at the level; a cell is the share of paths on which it is in that year "
        "(not cumulative: a member can reach the level and fall back).")  # fmt: skip


def conditional(ds, figs: _Figures) -> str:
    if "p_meet_given" not in ds:
        return ""
    plt = _plt()
    y = int(ds["target_year"].values[0])
    conds = [str(c) for c in ds["condition"].values]
    targets = [str(t) for t in ds["target"].values]
    pc = ds["p_condition"].sel(target_year=y)
    fig, axes = plt.subplots(1, len(targets), figsize=(4.3 * len(targets), 3.4),
                             squeeze=False, sharey=True)  # fmt: skip
    pos = np.arange(len(conds))[::-1]
    for ax, t in zip(axes[0], targets, strict=True):
        v = ds["n_meeting_mean_given"].sel(target=t, target_year=y).values
        ax.barh(pos, np.nan_to_num(v), color=[CORE if c.startswith("threat") else
                TOTAL if c.startswith("us") else "#718096" for c in conds])  # fmt: skip
        mean = float(ds["n_meeting_mean"].sel(target=t, year=y))
        ax.axvline(mean, color="k", lw=0.8, ls="--")
        for p_, val in zip(pos, v, strict=True):
            if np.isfinite(val) and val > 0:
                ax.text(val - 0.1, p_, f"{val:.1f}", va="center", ha="right", fontsize=7,
                        color="white", fontweight="bold")  # fmt: skip
        ax.set_xlabel(f"expected Allies meeting {_label(ds, t)} in {y}")
        ax.set_xlim(0, np.nanmax(np.append(v, mean)) * 1.2 + 0.5)
    axes[0][0].set_yticks(pos, [f"{c.replace('=', ': ')} ({float(pc.sel(condition=c)):.0%})"
                                for c in conds], fontsize=7.5)  # fmt: skip
    fig.suptitle(f"In which worlds do targets get met ({y})", fontsize=10)
    b64 = figs.save(fig, "conditional.png")
    rows = []
    for c in conds:
        row = {"Condition in " + str(y): c.replace("=", ": "),
               "Share of paths": f"{float(pc.sel(condition=c)):.0%}"}  # fmt: skip
        for t in targets:
            v = float(
                ds["n_meeting_mean_given"].sel(target=t, target_year=y, condition=c)
            )
            row[f"Allies meeting {_label(ds, t)}"] = "–" if np.isnan(v) else f"{v:.1f}"
        rows.append(row)
    return _figure(b64, "conditional.png",
        f"<b>In which worlds do targets get met?</b> Expected number of Allies meeting "
        f"each target in {y}, given the threat regime and the US stance in {y} and "
        "whether alliance real GDP fell in any year so far (recession); in brackets "
        "the share of paths in that state. The dashed line is the overall expectation: "
        "bars to its right are worlds in which more Allies meet the target. All from "
        "the same paths, so the states' effects include everything that comes with "
        "them.") + _table(pd.DataFrame(rows))  # fmt: skip


def drivers(ds, figs: _Figures) -> str:
    plt = _plt()
    years = ds["year"].values
    fig, axes = plt.subplots(1, 2, figsize=(8.6, 2.6), sharey=True)
    for ax, var, dim, title in ((axes[0], "p_regime", "regime", "Threat regime"),
                                (axes[1], "p_us_stance", "us_stance", "US stance")):  # fmt: skip
        da = ds[var]
        ax.stackplot(years, da.values, labels=[str(s) for s in da[dim].values],
                     colors=["#c6dbef", "#6baed6", "#08519c"], alpha=0.9)  # fmt: skip
        ax.set_title(title, fontsize=9)
        ax.set_ylim(0, 1)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=7,
                  frameon=False)  # fmt: skip
    axes[0].set_ylabel("share of paths")
    b64 = figs.save(fig, "drivers.png")
    return _figure(b64, "drivers.png",
        "<b>The common drivers.</b> Share of paths in each threat regime and US stance "
        "per year (the states shift every member's political will; the US stance "
        "changes only when a new administration takes office).")  # fmt: skip


def member_fans(ds, figs: _Figures, hist: pd.DataFrame, per_figure: int = 12) -> str:
    plt = _plt()
    members = by_gdp(ds)
    base = int(ds.attrs["base_year"])
    years = ds["year"].values
    marks = plan_marks(ds)
    top = float(np.nanmax(ds["total_share"].sel(member=members).values)) * 1.05
    top = max(top, float(ds["level"].max()) + 0.5)
    out = []
    for k in range(0, len(members), per_figure):
        group = members[k : k + per_figure]
        rows = -(-len(group) // 4)
        fig, axes = plt.subplots(rows, 4, figsize=(10, 2.15 * rows + 0.5), sharey=True,
                                 sharex=True, squeeze=False)  # fmt: skip
        for ax in axes.flat[len(group) :]:
            ax.set_visible(False)
        for ax, m in zip(axes.flat, group, strict=False):
            h = hist.loc[m].dropna()
            ax.plot(h.index, h.values, ".-", color=HIST, ms=2.5, lw=1,
                    label="Core, realised (NATO)")  # fmt: skip
            _fan(ax, years, ds["core_share"].sel(member=m), CORE, "Core",
                 (base, float(ds["base_share"].sel(member=m))))  # fmt: skip
            _fan(ax, years, ds["total_share"].sel(member=m), TOTAL, "Total")
            for t in ds["target"].values:
                core = str(ds["measure"].sel(target=t).values) == "core"
                ax.axhline(float(ds["level"].sel(target=t)), ls="--", lw=0.7,
                           color=CORE if core else TOTAL)  # fmt: skip
            t0, y0 = str(ds["target"].values[0]), target_years(ds)[0]
            p = float(ds["p_meet"].sel(target=t0, member=m, year=y0))
            mark = f"; {marks[m]}" if marks[m] not in ("", "alliance") else ""
            ax.set_title(f"{_name(ds, m)}{mark}\nP({_label(ds, t0)} in {y0}) {p:.0%}",
                         fontsize=7.5)  # fmt: skip
            ax.set_ylim(0, top)
            ax.tick_params(labelsize=6.5)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()), h_pad=1.2)
        _legend_rows(axes.flat[0], 0.5, 1.0, where=fig)
        name = f"fans_{k // per_figure + 1}.png"
        out.append(_figure(figs.save(fig, name), name,
            f"<b>Members {k + 1}–{k + len(group)} by GDP.</b> Core (blue) and total "
            "(orange) share of GDP [%]: median, middle 50% and 90% of paths; black: "
            "realised core share (NATO); dashed: the target levels. Titles give the "
            "path a member follows when it is not the alliance rule.", wide=True))  # fmt: skip
    return "".join(out)


def _sweep_section(ds: xr.Dataset, figs: _Figures) -> str:
    """Scenario comparison: the alliance numbers per scenario, and the paired
    differences per member vs the first scenario with 2 s.e. bars."""
    from .runner import paired_difference

    plt = _plt()
    names = [str(s) for s in ds["scenario"].values]
    t = str(ds["target"].values[0])
    y = target_years(ds)[0]
    first = ds.isel(scenario=0)
    members = by_gdp(first)
    rows = []
    for s in names:
        sub = ds.sel(scenario=s)
        row = {"Scenario": s}
        for tt in ds["target"].values:
            for yy in target_years(ds):
                row[f"Allies meeting {_label(ds, tt)} in {yy}"] = (
                    f"{float(sub['n_meeting_mean'].sel(target=tt, year=yy)):.1f}")  # fmt: skip
        a = sub["alliance_core_share"].sel(year=y)
        row[f"Alliance core share {y}, median [90%]"] = (
            f"{_q(a, 0.5):.2f}% [{_q(a, 0.05):.2f}–{_q(a, 0.95):.2f}]")  # fmt: skip
        rows.append(row)
    others = names[1:]
    d = np.empty((len(members), len(others)))
    noise = np.empty_like(d)
    for j, sc in enumerate(others):
        diff, pse, _ = (v.sel(target=t, year=y, member=members) for v in
                        paired_difference(ds, sc, names[0]))  # fmt: skip
        d[:, j], noise[:, j] = diff.values, 2 * pse.values
    lim = max(float(np.nanmax(np.abs(d))), 0.01)
    fig, ax = plt.subplots(figsize=(0.8 * len(others) + 2.6, 0.21 * len(members) + 1.6))
    ax.imshow(d, aspect="auto", cmap="RdBu", vmin=-lim, vmax=lim)
    for i in range(d.shape[0]):
        for j in range(d.shape[1]):
            weak = abs(d[i, j]) <= noise[i, j]  # within 2 paired s.e. of no change
            pp = int(np.round(100 * d[i, j]))
            ax.text(j, i, f"{pp:+d}" if pp else "0", ha="center", va="center",
                    fontsize=6.5, color="#a0aec0" if weak else
                    "white" if abs(d[i, j]) > 0.6 * lim else "#1a202c")  # fmt: skip
    ax.set_yticks(range(len(members)), [_name(first, m) for m in members], fontsize=7)
    ax.set_xticks(range(len(others)), others, fontsize=7, rotation=30, ha="left")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for sp in ax.spines.values():
        sp.set_visible(False)
    ax.set_title(f"Change in P({_label(ds, t)} in {y}) from {names[0]}, "
                 "percentage points", fontsize=9)  # fmt: skip
    b64 = figs.save(fig, "scenario_comparison.png")
    return (
        '<h2 id="scenarios">Scenario comparison</h2>'
        f"<p>The {len(names)} scenarios run on the same paths (common random numbers): "
        "their differences carry little sampling noise (paired standard errors). "
        f"The rest of this report shows the first scenario, {html.escape(names[0])}.</p>"
        + _table(pd.DataFrame(rows))
        + _figure(b64, "scenario_comparison.png",
                  f"<b>What each scenario changes, member by member.</b> Difference in "
                  f"P({html.escape(_label(ds, t))} in {y}) from {html.escape(names[0])} "
                  "in percentage points (red: lower, blue: higher); grey numbers are "
                  "within two paired standard errors of no change. Members by GDP.")
    )  # fmt: skip


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


def _page(full: xr.Dataset, folder: Path, figs: _Figures) -> str:
    sweep = "scenario" in full.dims
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
        _table(headline(ds)),
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
        f"to it), members by P({html.escape(_label(ds, targets[0]))} in {years[0]}). "
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
        _sweep_section(full, figs) if sweep else "",
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


def _sensitivity_page(ds: xr.Dataset, folder: Path, figs: _Figures) -> str:
    """Bar charts of total and first-order Sobol indices for the alliance outputs."""
    from .sensitivity import ranked_table

    plt = _plt()
    parts = []
    for out in [o for o in ds["output"].values if not str(o).startswith("p_")]:
        sub = ds.sel(output=out)
        order = np.argsort(sub["ST"].values)
        groups = sub["group"].values[order]
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(groups) + 1.2))
        y = np.arange(len(groups))
        ax.barh(y + 0.2, sub["ST"].values[order], 0.4, xerr=sub["ST_conf"].values[order],
                label="total (ST)", color=CORE)  # fmt: skip
        ax.barh(y - 0.2, sub["S1"].values[order], 0.4, xerr=sub["S1_conf"].values[order],
                label="first order (S1)", color=TOTAL)  # fmt: skip
        ax.set_yticks(y, groups, fontsize=8)
        ax.set_title(f"Sobol indices: {out}", fontsize=9)
        ax.legend(fontsize=7, frameon=False)
        name = f"sobol_{out}.png"
        parts.append(_figure(figs.save(fig, name), name,
            f"<b>What drives {html.escape(str(out))}.</b> Share of its variance due to "
            "each parameter group: alone (first order) and with its interactions "
            "(total); bars: 95% bootstrap intervals."))  # fmt: skip
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
