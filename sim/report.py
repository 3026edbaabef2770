"""Figures, a self-contained HTML report and a summary CSV from a results file alone."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .build_members import read_source
from .errors import RunError


def _plt():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is installed by make
        raise RunError(
            "sim report needs matplotlib: pip install 'sim[report]'"
        ) from None
    return plt


def _years(ds) -> list[int]:
    return [int(y) for y in np.atleast_1d(ds.attrs["target_years"])]


def history(members) -> pd.DataFrame:
    """Realised shares 2014-2025 [member x year] (NATO; 2025 latest estimates)."""
    df = read_source("defence_share_gdp.csv")
    df = df[(df["preferred"] == 1) & (df["year"] >= 2014)]
    return df.pivot(index="iso3", columns="year", values="value_pct_gdp").reindex(
        members
    )


def summary_table(ds: xr.Dataset) -> pd.DataFrame:
    """Ranking: probabilities with s.e. and expected shortfall, sorted like `sim show`."""
    years = _years(ds)
    targets = [str(t) for t in ds["target"].values]
    counted = ds["member"].values[ds["counted"].values.astype(bool)]
    rows = []
    for m in counted:
        row = {"member": m, "name": str(ds["member_name"].sel(member=m).values),
               "base_share": float(ds["base_share"].sel(member=m))}  # fmt: skip
        for t in targets:
            for y in years:
                sel = dict(target=t, member=m, year=y)
                row[f"p_{t}_{y}"] = float(ds["p_meet"].sel(sel))
                row[f"se_{t}_{y}"] = float(ds["p_meet_se"].sel(sel))
                row[f"shortfall_usd_bn_{t}_{y}"] = float(ds["shortfall_usd"].sel(sel))
        rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values(f"p_{targets[0]}_{years[0]}", ascending=False, kind="stable")


def _png(fig, path: Path) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    data = buf.getvalue()
    path.write_bytes(data)
    fig.clf()
    return base64.b64encode(data).decode("ascii")


def figures(ds: xr.Dataset, folder: Path) -> dict[str, list[tuple[str, str]]]:
    """Write all figures; returns section -> [(file name, base64 PNG)]."""
    plt = _plt()
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[tuple[str, str]]] = {}
    counted = ds["member"].values[ds["counted"].values.astype(bool)]
    years = ds["year"].values
    targets = [str(t) for t in ds["target"].values]
    first_year = _years(ds)[0]

    for t in targets:  # heatmaps
        p = ds["p_meet"].sel(target=t, member=counted)
        order = np.argsort(-p.sel(year=first_year).values, kind="stable")
        p = p.isel(member=order)
        fig, ax = plt.subplots(figsize=(8, 0.28 * len(counted) + 1.5))
        im = ax.imshow(p.values, aspect="auto", cmap="viridis", vmin=0, vmax=1)
        ax.set_yticks(range(len(p.member)), p.member.values, fontsize=7)
        ax.set_xticks(range(len(years)), years, fontsize=7)
        ax.set_title(
            f"P({t} met) by member and year (s.e. <= {float(ds.p_meet_se.max()):.3f})"
        )
        fig.colorbar(im, ax=ax, label="probability")
        name = f"heatmap_{t}.png"
        out.setdefault("heatmaps", []).append((name, _png(fig, folder / name)))
        plt.close(fig)

    hist = history(list(counted))
    levels = {
        str(t): float(v)
        for t, v in zip(ds["target"].values, ds["level"].values, strict=True)
    }
    for m in counted:  # fan charts
        fig, ax = plt.subplots(figsize=(6, 3.2))
        for var, color in (("core_share", "tab:blue"), ("total_share", "tab:orange")):
            q = ds[var].sel(member=m)
            ax.fill_between(years, q.sel(quantile=0.05, method="nearest"),
                            q.sel(quantile=0.95, method="nearest"), color=color, alpha=0.15)  # fmt: skip
            ax.fill_between(years, q.sel(quantile=0.25, method="nearest"),
                            q.sel(quantile=0.75, method="nearest"), color=color, alpha=0.3)  # fmt: skip
            ax.plot(years, q.sel(quantile=0.5, method="nearest"), color=color,
                    label=var.replace("_share", ""))  # fmt: skip
        h = hist.loc[m].dropna()
        ax.plot(h.index, h.values, "k.-", label="realised (NATO)")
        for t, lv in levels.items():
            ax.axhline(lv, color="grey", ls="--", lw=0.8)
            ax.text(years[0], lv, f" {t}", va="bottom", fontsize=7, color="grey")
        ax.set_title(f"{m} {ds['member_name'].sel(member=m).values}: share of GDP [%], "
                     "median, 50% and 90% bands", fontsize=8)  # fmt: skip
        ax.legend(fontsize=7, loc="upper left")
        name = f"fan_{m}.png"
        out.setdefault("fans", []).append((name, _png(fig, folder / name)))
        plt.close(fig)

    for t in targets:  # members meeting
        fig, ax = plt.subplots(figsize=(7, 3))
        for i, y in enumerate(_years(ds)):
            d = ds["n_meeting"].sel(target=t, year=y)
            ax.bar(d["count"] + 0.4 * i, d.values, width=0.4, label=str(y))
        ax.set_xlabel("members meeting")
        ax.set_ylabel("probability")
        ax.set_title(f"Number of members meeting {t}")
        ax.legend()
        name = f"n_meeting_{t}.png"
        out.setdefault("alliance", []).append((name, _png(fig, folder / name)))
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.2))  # alliance fan
    for var, color in (
        ("alliance_core_share", "tab:blue"),
        ("alliance_total_share", "tab:orange"),
    ):
        q = ds[var]
        ax.fill_between(years, q.sel(quantile=0.05, method="nearest"),
                        q.sel(quantile=0.95, method="nearest"), color=color, alpha=0.2)  # fmt: skip
        ax.plot(years, q.sel(quantile=0.5, method="nearest"), color=color, label=var)
    ax.set_title("Alliance (real-GDP weighted) share of GDP [%]", fontsize=9)
    ax.legend(fontsize=7)
    out.setdefault("alliance", []).append(
        ("alliance_fan.png", _png(fig, folder / "alliance_fan.png"))
    )
    plt.close(fig)
    return out


def _sweep_section(ds: xr.Dataset, folder: Path) -> str:
    """Scenario comparison: paired differences vs the first scenario, with 2 s.e. bars."""
    from .runner import paired_difference
    from .show import paired_table

    plt = _plt()
    names = [str(s) for s in ds["scenario"].values]
    t = str(ds["target"].values[0])
    y = _years(ds)[0]
    first = ds.isel(scenario=0)
    members = first["member"].values[first["counted"].values.astype(bool)]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(members) + 1.5))
    width = 0.8 / max(len(names) - 1, 1)
    for i, s in enumerate(names[1:]):
        d, pse, _ = (v.sel(target=t, year=y, member=members) for v in
                     paired_difference(ds, s, names[0]))  # fmt: skip
        ax.barh(np.arange(len(members)) + i * width, d, height=width, xerr=2 * pse,
                label=f"{s} minus {names[0]}")  # fmt: skip
    ax.set_yticks(np.arange(len(members)), members, fontsize=7)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_xlabel(f"difference in P({t} in {y}) (bars: 2 paired s.e.)")
    ax.legend(fontsize=7)
    b64 = _png(fig, folder / "scenario_comparison.png")
    plt.close(fig)
    return (
        '<h2 id="scenarios">Scenario comparison (common random numbers)</h2>'
        + _img([("scenario_comparison.png", b64)])
        + f"<pre>{html.escape(paired_table(ds))}</pre>"
    )


def _img(section: list[tuple[str, str]]) -> str:
    return "\n".join(
        f'<figure><img alt="{html.escape(n)}" src="data:image/png;base64,{b}">'
        f"<figcaption>{html.escape(n)}</figcaption></figure>"
        for n, b in section
    )


def write_report(run: str | Path, out: str | Path | None = None) -> Path:
    """report.html, figures/*.png and summary.csv next to the results (or in ``out``)."""
    from .io import open_results, results_path

    full = open_results(run)
    if "ST" in full:  # a sensitivity analysis
        return _sensitivity_report(full, Path(out) if out else results_path(run).parent)
    sweep = "scenario" in full.dims
    ds = full.isel(scenario=0) if sweep else full  # standard figures: first scenario
    folder = Path(out) if out else results_path(run).parent
    folder.mkdir(parents=True, exist_ok=True)
    figs = figures(ds, folder / "figures")
    table = summary_table(ds)
    table.to_csv(folder / "summary.csv", index=False, float_format="%.6g")
    a = ds.attrs
    prov = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(a[k]))}</td></tr>"
        for k in ("title", "history", "seed", "n_paths", "chunk_size", "sim_version",
                  "git_commit", "software_versions", "source", "references", "comment")
        if k in a
    )  # fmt: skip
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(str(a.get("title", "")))}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto}}figure{{display:inline-block;margin:4px}}
img{{max-width:520px}}table{{border-collapse:collapse;font-size:12px}}td,th{{border:1px solid #ccc;padding:2px 5px}}
pre{{background:#f6f6f6;padding:6px;font-size:11px}}</style></head><body>
<h1>{html.escape(str(a.get("title", "")))}</h1>
<p>{int(a["n_paths"])} paths, seed {int(a["seed"])}, base year {int(a["base_year"])}. Probabilities
with Monte Carlo standard errors; shares in percent of GDP.</p>
<h2 id="heatmaps">P(meet) by member and year</h2>{_img(figs["heatmaps"])}
<h2 id="ranking">Ranking</h2>{table.to_html(index=False, float_format=lambda x: f"{x:.3f}")}
<h2 id="alliance">Alliance</h2>{_img(figs["alliance"])}
<h2 id="fans">Fan charts per member</h2>{_img(figs["fans"])}
{_sweep_section(full, folder / "figures") if sweep else ""}
<h2 id="provenance">Provenance</h2><table>{prov}</table>
<h3>Resolved configuration</h3><pre>{html.escape(str(a.get("config", "")))}</pre>
<p>Data sources: sim/data/sources/SOURCES.md (NATO defence expenditure tables and press-quoted
2025 estimates, SIPRI, IMF WEO October 2025, national announcements).</p>
</body></html>
"""
    path = folder / "report.html"
    tmp = folder / ".report.html.partial"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def _sensitivity_report(ds: xr.Dataset, folder: Path) -> Path:
    """Bar chart of total and first-order Sobol indices for the alliance outputs."""
    from .sensitivity import ranked_table

    plt = _plt()
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    imgs, tables = [], []
    for out in [o for o in ds["output"].values if not str(o).startswith("p_")]:
        sub = ds.sel(output=out)
        order = np.argsort(sub["ST"].values)
        groups = sub["group"].values[order]
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(groups) + 1.2))
        y = np.arange(len(groups))
        ax.barh(y + 0.2, sub["ST"].values[order], 0.4, xerr=sub["ST_conf"].values[order],
                label="total (ST)")  # fmt: skip
        ax.barh(y - 0.2, sub["S1"].values[order], 0.4, xerr=sub["S1_conf"].values[order],
                label="first order (S1)")  # fmt: skip
        ax.set_yticks(y, groups, fontsize=8)
        ax.set_title(f"Sobol indices: {out}", fontsize=9)
        ax.legend(fontsize=7)
        name = f"sobol_{out}.png"
        imgs.append((name, _png(fig, folder / "figures" / name)))
        plt.close(fig)
        tables.append(f"<pre>{html.escape(ranked_table(ds, str(out)))}</pre>")
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{html.escape(ds.attrs['title'])}</title></head><body>"
        f"<h1>{html.escape(ds.attrs['title'])}</h1><p>{html.escape(ds.attrs['method'])}</p>"
        f'<h2 id="sensitivity">Sobol indices</h2>{_img(imgs)}{"".join(tables)}'
        f"<h2 id='provenance'>Provenance</h2><pre>{html.escape(ds.attrs['groups'])}</pre>"
        f"<pre>{html.escape(ds.attrs['config'])}</pre></body></html>"
    )
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
