"""The figures of the HTML report (PNG files, embedded in the page as base64):
alliance and member fans, meeting counts, heatmaps, conditions, drivers, scenario
differences and Sobol indices."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .briefing import by_gdp, counted_members, html_table, label, member_name
from .constants import CONDITION, MEMBER, SCENARIO, TARGET_YEAR, YEAR
from .errors import RunError
from .show import plan_marks, target_years
from .stats import paired_difference, quantile

CORE, TOTAL, HIST = "#2b6cb0", "#dd6b20", "#111111"
YEAR_COLORS = ("#6b46c1", "#2f855a", "#b7791f", "#718096")


def pyplot():
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


class Figures:
    """Saves figures (PNG file and base64 for the page), checking for interrupts
    after each; ``log`` gets one line per figure."""

    def __init__(self, folder: Path, intr, log: Callable | None):
        self.folder, self.intr, self.log, self.n = folder, intr, log, 0

    def save(self, fig, name: str) -> str:
        plt = pyplot()
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


def figure(b64: str, name: str, caption: str, wide: bool = False) -> str:
    return (
        f'<figure class="{"wide" if wide else ""}"><img alt="{html.escape(name)}" '
        f'src="data:image/png;base64,{b64}"><figcaption>{caption}</figcaption></figure>'
    )


def history(ds: xr.Dataset, first: int = 2014) -> pd.DataFrame:
    """Realised core shares [member x year] from ``first`` to the base year: NATO
    figures bundled with sim, and in the base year the share the run started from."""
    members = counted_members(ds)
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
        ax.annotate(f"{label(ds, t)}", xy=(1.01, lv), xycoords=("axes fraction", "data"),
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


def alliance_fan(ds, figs: Figures, hist: pd.DataFrame) -> str:
    plt = pyplot()
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
    return figure(b64, "alliance_fan.png",
        f"<b>Where the alliance is heading.</b> Realised core spending (black, NATO; "
        f"{base} is the base-year estimate the run starts from) and the projected "
        "distribution over Monte Carlo paths: the line is the median, the dark band "
        "holds the middle half of paths and the light band 90% of them. Dashed lines "
        "are the targets. Alliance shares are weighted by GDP at base-year prices and "
        "exchange rates (realised years: by base-year GDP, an approximation).")  # fmt: skip


def meeting_counts(ds, figs: Figures) -> str:
    plt = pyplot()
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
        ax.set_xlabel(f"Allies meeting {label(ds, t)} (of {n})")
        ax.legend(fontsize=7, frameon=False)
    axes[0][0].set_ylabel("probability")
    fig.suptitle("How many Allies meet each target", fontsize=10)
    b64 = figs.save(fig, "n_meeting.png")
    return figure(b64, "n_meeting.png",
        "<b>How many Allies meet each target.</b> Each bar is the probability that "
        "exactly that many Allies are at or above the level in the year; dotted lines "
        "mark the expected number. A wide spread means the count depends on the common "
        "shocks (threat, US stance, growth) that move many members together.")  # fmt: skip


def heatmap(ds, t: str, figs: Figures) -> str:
    plt = pyplot()
    members = by_gdp(ds)
    years = [int(y) for y in ds["year"].values]
    p = ds["p_meet"].sel(target=t, member=members).transpose(MEMBER, YEAR).values
    fig, ax = plt.subplots(figsize=(5.4, 0.19 * len(members) + 1.3))
    im = ax.imshow(p, aspect="auto", cmap="Blues", vmin=0, vmax=1)
    for i in range(p.shape[0]):
        for j in range(p.shape[1]):
            v = p[i, j]
            ax.text(j, i, f"{100 * v:.0f}", ha="center", va="center", fontsize=6.5,
                    color="white" if v > 0.6 else "#222")  # fmt: skip
    ax.set_yticks(
        range(len(members)), [member_name(ds, m) for m in members], fontsize=7
    )
    ax.set_xticks(range(len(years)), years, fontsize=7)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label="probability")
    ax.set_title(f"P({label(ds, t)} in the year), %", fontsize=9, pad=18)
    name = f"heatmap_{t}.png"
    b64 = figs.save(fig, name)
    return figure(b64, name,
        f"<b>P({html.escape(label(ds, t))}) in each year, per cent.</b> Members from "
        "the largest economy down. Read along a row to see when a member is likely to "
        "be at the level; a cell is the share of paths on which it is in that year "
        "(not cumulative: a member can reach the level and fall back).")  # fmt: skip


def conditional(ds, figs: Figures) -> str:
    if "p_meet_given" not in ds:
        return ""
    plt = pyplot()
    y = int(ds[TARGET_YEAR].values[0])
    conds = [str(c) for c in ds[CONDITION].values]
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
        ax.set_xlabel(f"expected Allies meeting {label(ds, t)} in {y}")
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
            row[f"Allies meeting {label(ds, t)}"] = "–" if np.isnan(v) else f"{v:.1f}"
        rows.append(row)
    return figure(b64, "conditional.png",
        f"<b>In which worlds do targets get met?</b> Expected number of Allies meeting "
        f"each target in {y}, given the threat regime and the US stance in {y} and "
        "whether alliance real GDP fell in any year so far (recession); in brackets "
        "the share of paths in that state. The dashed line is the overall expectation: "
        "bars to its right are worlds in which more Allies meet the target. All from "
        "the same paths, so the states' effects include everything that comes with "
        "them.") + html_table(pd.DataFrame(rows))  # fmt: skip


def drivers(ds, figs: Figures) -> str:
    plt = pyplot()
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
    return figure(b64, "drivers.png",
        "<b>The common drivers.</b> Share of paths in each threat regime and US stance "
        "per year (the states shift every member's political will; the US stance "
        "changes only when a new administration takes office).")  # fmt: skip


def member_fans(ds, figs: Figures, hist: pd.DataFrame, per_figure: int = 12) -> str:
    plt = pyplot()
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
            ax.set_title(f"{member_name(ds, m)}{mark}\nP({label(ds, t0)} in {y0}) {p:.0%}",
                         fontsize=7.5)  # fmt: skip
            ax.set_ylim(0, top)
            ax.tick_params(labelsize=6.5)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()), h_pad=1.2)
        _legend_rows(axes.flat[0], 0.5, 1.0, where=fig)
        name = f"fans_{k // per_figure + 1}.png"
        out.append(figure(figs.save(fig, name), name,
            f"<b>Members {k + 1}–{k + len(group)} by GDP.</b> Core (blue) and total "
            "(orange) share of GDP [%]: median, middle 50% and 90% of paths; black: "
            "realised core share (NATO); dashed: the target levels. Titles give the "
            "path a member follows when it is not the alliance rule.", wide=True))  # fmt: skip
    return "".join(out)


def sweep_section(ds: xr.Dataset, figs: Figures) -> str:
    """Scenario comparison: the alliance numbers per scenario, and the paired
    differences per member vs the first scenario with 2 s.e. bars."""

    plt = pyplot()
    names = [str(s) for s in ds[SCENARIO].values]
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
                row[f"Allies meeting {label(ds, tt)} in {yy}"] = (
                    f"{float(sub['n_meeting_mean'].sel(target=tt, year=yy)):.1f}")  # fmt: skip
        a = sub["alliance_core_share"].sel(year=y)
        row[f"Alliance core share {y}, median [90%]"] = (
            f"{quantile(a, 0.5):.2f}% [{quantile(a, 0.05):.2f}–{quantile(a, 0.95):.2f}]")  # fmt: skip
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
    ax.set_yticks(
        range(len(members)), [member_name(first, m) for m in members], fontsize=7
    )
    ax.set_xticks(range(len(others)), others, fontsize=7, rotation=30, ha="left")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for sp in ax.spines.values():
        sp.set_visible(False)
    ax.set_title(f"Change in P({label(ds, t)} in {y}) from {names[0]}, "
                 "percentage points", fontsize=9)  # fmt: skip
    b64 = figs.save(fig, "scenario_comparison.png")
    return (
        '<h2 id="scenarios">Scenario comparison</h2>'
        f"<p>The {len(names)} scenarios run on the same paths (common random numbers): "
        "their differences carry little sampling noise (paired standard errors). "
        f"The rest of this report shows the first scenario, {html.escape(names[0])}.</p>"
        + html_table(pd.DataFrame(rows))
        + figure(b64, "scenario_comparison.png",
                  f"<b>What each scenario changes, member by member.</b> Difference in "
                  f"P({html.escape(label(ds, t))} in {y}) from {html.escape(names[0])} "
                  "in percentage points (red: lower, blue: higher); grey numbers are "
                  "within two paired standard errors of no change. Members by GDP.")
    )  # fmt: skip


def sobol_bars(ds: xr.Dataset, out: str, figs: Figures) -> str:
    """Bar chart of the total and first-order Sobol indices of one output."""
    plt = pyplot()
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
    return figure(figs.save(fig, name), name,
        f"<b>What drives {html.escape(str(out))}.</b> Share of its variance due to "
        "each parameter group: alone (first order) and with its interactions "
        "(total); bars: 95% bootstrap intervals.")  # fmt: skip
