"""Build the bundled member table (data/members.csv) from the bundled source files.

Run ``python -m sim.inputs.build_members`` (or ``make members``) after changing a source file;
a test checks that the committed table equals a fresh build.  The meaning, units,
source and method of every column are in data/members_columns.csv.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..safe_io import atomic_write

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SOURCES = DATA_DIR / "sources"
MEMBERS_CSV = DATA_DIR / "members.csv"

OUTLOOK_VINTAGE = "IMF_WEO_2025_10"
OUTLOOK_MEAN_YEARS = (2026, 2030)
BASE_YEARS = (2024, 2025, 2026)
"""Base years of the bundled table (macro columns; 2025-2026 are IMF projections)."""

SHARE_COLUMNS = {
    # column: (year, source_id in defence_share_gdp.csv)
    "share_2024_nato_jun2024": (2024, "NATO_DE_2024"),
    "share_2025_nato_aug2025": (2025, "NATO_DE_2025_PRESS"),
    "share_2025_nato_mar2026": (2025, "NATO_SGAR_2025_PRESS"),
}
EDITION_2026 = "nato_2026_edition_shares.csv"
SHARE_COLUMNS_2026 = {f"share_{y}_nato_jul2026": y for y in BASE_YEARS}
"""Core shares from NATO's July-2026 edition (its own file, never mixed with the above)."""


def read_source(name: str) -> pd.DataFrame:
    """Read one bundled CSV (lines starting with '#' are comments)."""
    path = SOURCES / name if (SOURCES / name).exists() else DATA_DIR / name
    text = path.read_text(encoding="utf-8")
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    return pd.read_csv(io.StringIO(body), keep_default_na=True)


def _elections(cal: pd.DataFrame) -> dict[str, tuple[str, int]]:
    """iso3 -> ('YEAR;YEAR;...' of government-forming elections from 2024, cycle [years]).

    Government-forming: parliamentary elections, plus presidential ones where the
    president is the executive (France, Turkiye, United States); US mid-term
    (legislative) elections are left out.
    """
    cal = cal.copy()
    cal["year"] = cal["date_or_year"].astype(str).str[:4].astype(int)
    main = (cal["election_type"] == "parliamentary") | (
        (cal["election_type"] == "presidential") & (cal["president_executive"] == 1)
    )
    out = {}
    for iso, grp in cal[main].groupby("iso3", sort=False):
        years = sorted({int(y) for y in grp["year"] if y >= 2024})
        kind = (
            "presidential"
            if (grp["election_type"] == "parliamentary").sum() == 0
            else ("parliamentary")
        )
        cycle = int(grp.loc[grp["election_type"] == kind, "term_years"].iloc[0])
        out[iso] = (";".join(map(str, years)), cycle)
    return out


def build(asof: int | None = None) -> pd.DataFrame:
    """The member table (one row per Ally, in nato_members.csv order).

    ``asof=None``: the bundled table, with base-year columns for 2024-2026 and the
    escape clause and IMF outlook known today (national plans come from the
    announcement log at run time: sim/inputs/plans.py).  ``asof=Y`` (2014-2023, for
    backtests): base-year columns for year Y only, built from what was published by
    then as far as the bundled data allow (NATO June-2024 edition shares, IMF
    history); no escape clause (not yet announced), deficits as the mean of the five
    years up to Y.
    """
    members = read_source("nato_members.csv")
    assume = read_source("member_assumptions.csv").set_index("iso3")
    geo = read_source("geography.csv").set_index("iso3")
    shares = read_source("defence_share_gdp.csv")
    hist = read_source("macro_history.csv")
    outl = read_source("macro_outlook.csv")
    outl = outl[outl["vintage"] == OUTLOOK_VINTAGE]
    edition = read_source(EDITION_2026)
    edition = edition[edition["measure"] == "core_share_gdp"]
    elections = _elections(read_source("elections_calendar.csv"))
    clause = set(read_source("escape_clause.csv").query("activated == 1")["iso3"])
    if asof is not None:
        clause = set()
    exposure_by_region = {"nordic_cee": 0.6, "west": 0.3, "south_na": 0.1}
    share_columns = (
        SHARE_COLUMNS
        if asof is None
        else {f"share_{asof}_nato_jun2024": (asof, "NATO_DE_2024")}
    )
    base_years = BASE_YEARS if asof is None else (asof,)
    share_columns_2026 = SHARE_COLUMNS_2026 if asof is None else {}

    rows = []
    for m in members.itertuples():
        iso = m.iso3
        row: dict[str, object] = {
            "iso3": iso,
            "name": m.country,
            "has_armed_forces": int(m.has_armed_forces),
            "accession_year": int(m.nato_accession_year),
            "group": assume.loc[iso, "group"],
            "region": assume.loc[iso, "region"],
        }
        border = int(
            geo.loc[iso, "land_border_russia"] or geo.loc[iso, "land_border_belarus"]
        )
        row["land_border_russia_belarus"] = border
        row["exposure"] = 1.0 if border else exposure_by_region[row["region"]]
        for col, (year, src) in share_columns.items():
            sel = shares[
                (shares.iso3 == iso) & (shares.year == year) & (shares.source_id == src)
            ]
            vals = sel["value_pct_gdp"].dropna()
            row[col] = round(float(vals.iloc[0]), 4) if len(vals) else np.nan
        for col, year in share_columns_2026.items():
            sel = edition[(edition.iso3 == iso) & (edition.year == year)]
            row[col] = float(sel["value"].iloc[0]) if len(sel) else np.nan

        h = hist[hist.iso3 == iso].set_index("year").sort_index()
        o = outl[outl.iso3 == iso].set_index("year").sort_index()
        both = pd.concat([h, o.loc[2025:]])
        infl = 100.0 * both["gdp_deflator_index"].pct_change(fill_method=None)
        for y in base_years:
            row[f"gdp_usd_bn_{y}"] = float(both.loc[y, "gdp_usd_bn"])
            row[f"growth_{y}_pct"] = float(both.loc[y, "real_gdp_growth_pct"])
            row[f"inflation_{y}_pct"] = round(float(infl.loc[y]), 4)
        for y in base_years:
            row[f"debt_{y}_pct_gdp"] = float(both.loc[y, "gov_gross_debt_pct_gdp"])
        if asof is None:
            lo, hi = OUTLOOK_MEAN_YEARS
        else:
            lo, hi = asof - 4, asof
        row["net_lending_mean_pct"] = round(
            float(both.loc[lo:hi, "gov_net_lending_pct_gdp"].mean()), 4
        )
        row["escape_clause"] = int(iso in clause)
        row["election_years"], row["election_cycle_years"] = elections[iso]
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    table = build()
    text = table.to_csv(index=False, float_format="%.6g", lineterminator="\n")
    atomic_write(MEMBERS_CSV, text)
    print(f"wrote {MEMBERS_CSV} ({len(table)} members)")  # noqa: T201


if __name__ == "__main__":
    main()
