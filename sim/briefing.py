"""The numbers of the HTML report: headline table, summary paragraph, member table
and the summary CSV, all read from a results Dataset."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import xarray as xr

from .show import plan_marks, target_years
from .stats import quantile

LIKELY = 2 / 3
"""'Likely' as in the IPCC's calibrated language: probability at least 66%."""
PIVOTAL = (0.2, 0.8)
"""Members whose P(first target in the first target year) is in this range are open
cases; the largest economies among them are called pivotal."""


def counted_members(ds: xr.Dataset) -> list[str]:
    return [str(m) for m in ds["member"].values[ds["counted"].values.astype(bool)]]


def by_gdp(ds: xr.Dataset) -> list[str]:
    """Counted members, largest base-year GDP first."""
    gdp = ds["gdp_base"].sel(member=counted_members(ds))
    return [str(m) for m in gdp.sortby(gdp, ascending=False)["member"].values]


def member_name(ds, m) -> str:
    return str(ds["member_name"].sel(member=m).values)


def label(ds, t) -> str:
    """'core >= 3.5%' for a target."""
    measure = str(ds["measure"].sel(target=t).values)
    return f"{measure} ≥ {float(ds['level'].sel(target=t)):g}%"


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
                "Target": label(ds, t), "Year": y,
                "Expected in the year": f"{float(ds['n_meeting_mean'].sel(target=t, year=y)):.1f}",
                "90% range": f"{lo}–{hi}",
                "Likely in the year": int((p_in >= LIKELY).sum()),
                "Expected by the year": f"{float(p_by.sum()):.1f}",
                "Alliance share: median [90%]":
                    f"{quantile(a, 0.5):.2f}% [{quantile(a, 0.05):.2f}–{quantile(a, 0.95):.2f}]",
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
        parts.append(f"<b>{html.escape(label(ds, t))}</b>: " + "; ".join(bits) + ".")
    t0, y0 = targets[0], years[0]
    p0 = ds["p_meet"].sel(target=t0, year=y0)
    open_cases = [
        m for m in by_gdp(ds) if PIVOTAL[0] <= float(p0.sel(member=m)) <= PIVOTAL[1]
    ]
    if open_cases:
        names = ", ".join(f"{html.escape(member_name(ds, m))} ({float(p0.sel(member=m)):.0%})"
                          for m in open_cases[:5])  # fmt: skip
        pivotal = (
            f" Pivotal members, the largest economies whose outcome is most open "
            f"(P({html.escape(label(ds, t0))} in {y0}) between {PIVOTAL[0]:.0%} and "
            f"{PIVOTAL[1]:.0%}): {names}."
        )
    else:
        pivotal = f" No member's P({html.escape(label(ds, t0))} in {y0}) is between "
        pivotal += f"{PIVOTAL[0]:.0%} and {PIVOTAL[1]:.0%}."
    alliance = []
    for var, word in (
        ("alliance_core_share", "core"),
        ("alliance_total_share", "total"),
    ):
        a = ds[var].sel(year=y0)
        alliance.append(
            f"{word} {quantile(a, 0.5):.2f}% (90% band {quantile(a, 0.05):.2f}–{quantile(a, 0.95):.2f}%)"
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
    for m in counted_members(ds):
        row = {"member": m, "name": member_name(ds, m),
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
    order = sorted(counted_members(ds), key=lambda m: -float(p0.sel(member=m)))
    head1 = '<tr><th rowspan="2">Member</th><th rowspan="2">Path</th>'
    head1 += '<th rowspan="2">Base-year share (%)</th>'
    head1 += "".join(
        f'<th colspan="{2 * len(years)}" class="grp">P({html.escape(label(ds, t))})</th>'
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
            f"<tr><td>{html.escape(member_name(ds, m))}</td><td>{html.escape(marks[m])}</td>"
            f"<td>{float(ds['base_share'].sel(member=m)):.2f}</td>{cells}</tr>"
        )
    return (
        f'<div class="scroll"><table class="members"><thead>{head1}</tr><tr>{head2}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _pct(da, t, y, m) -> str:
    return f"{float(da.sel(target=t, year=y, member=m)):.0%}"


def html_table(df: pd.DataFrame) -> str:
    table = df.to_html(index=False, escape=True, border=0, classes="plain")
    return f'<div class="scroll">{table}</div>'
