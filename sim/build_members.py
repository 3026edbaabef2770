"""Build the bundled member table (data/members.csv) from the bundled source files.

Run ``python -m sim.build_members`` (or ``make members``) after changing a source file;
a test checks that the committed table equals a fresh build.  The meaning, units,
source and method of every column are in data/members_columns.csv.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).parent / "data"
SOURCES = DATA_DIR / "sources"
MEMBERS_CSV = DATA_DIR / "members.csv"

ESTIMATION_YEARS = (2000, 2024)
"""Window of the macro history used for volatility and persistence [year]."""
EXCLUDED_YEARS = (2020, 2021)
"""Covid years left out of the AR(1) estimates (domain.md section 4.2 practice)."""
OUTLOOK_VINTAGE = "IMF_WEO_2025_10"
OUTLOOK_MEAN_YEARS = (2026, 2030)
AR_BOUNDS = (-0.5, 0.9)
"""Persistence estimates are clipped to this range to keep short samples stable."""
TARGET_KINDS = ("national_target", "budget_plan", "exemption")
"""national_targets.csv kinds that define a national path (statements do not)."""

SHARE_COLUMNS = {
    # column: (year, source_id)
    "share_2024_nato_jun2024": (2024, "NATO_DE_2024"),
    "share_2025_nato_aug2025": (2025, "NATO_DE_2025_PRESS"),
    "share_2025_nato_mar2026": (2025, "NATO_SGAR_2025_PRESS"),
}


def read_source(name: str) -> pd.DataFrame:
    """Read one bundled CSV (lines starting with '#' are comments)."""
    path = SOURCES / name if (SOURCES / name).exists() else DATA_DIR / name
    text = path.read_text(encoding="utf-8")
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    return pd.read_csv(io.StringIO(body), keep_default_na=True)


def ar1(x: np.ndarray, keep: np.ndarray) -> tuple[float, float]:
    """OLS AR(1) of x on its lag over pairs where both years are kept.

    Returns (persistence, innovation standard deviation) in the units of x.
    """
    pair = keep[1:] & keep[:-1] & np.isfinite(x[1:]) & np.isfinite(x[:-1])
    y, z = x[1:][pair], x[:-1][pair]
    if y.size < 8:
        raise ValueError(f"only {y.size} usable year pairs")
    zc = z - z.mean()
    phi = float((zc * (y - y.mean())).sum() / (zc * zc).sum())
    phi = float(np.clip(phi, *AR_BOUNDS))
    resid = (y - y.mean()) - phi * zc
    return phi, float(np.sqrt((resid**2).sum() / (y.size - 2)))


def _national_paths(targets: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """iso3 -> ('YEAR:LEVEL;...' with 'deadline' for undated, source refs)."""
    rows = targets[
        targets["kind"].isin(TARGET_KINDS) & targets["target_pct_gdp"].notna()
    ]
    out = {}
    for iso, grp in rows.groupby("iso3", sort=False):
        points, refs = [], []
        for r in grp.itertuples():
            year = "deadline" if pd.isna(r.target_year) else str(int(r.target_year))
            points.append(f"{year}:{r.target_pct_gdp:g}")
            refs.append(f"national_targets.csv {iso} {r.kind} {r.announced}")
        out[iso] = (";".join(points), "; ".join(refs))
    return out


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


def build() -> pd.DataFrame:
    """Return the member table (one row per Ally, in nato_members.csv order)."""
    members = read_source("nato_members.csv")
    assume = read_source("member_assumptions.csv").set_index("iso3")
    geo = read_source("geography.csv").set_index("iso3")
    shares = read_source("defence_share_gdp.csv")
    hist = read_source("macro_history.csv")
    outl = read_source("macro_outlook.csv")
    outl = outl[outl["vintage"] == OUTLOOK_VINTAGE]
    paths = _national_paths(read_source("national_targets.csv"))
    elections = _elections(read_source("elections_calendar.csv"))
    clause = set(read_source("escape_clause.csv").query("activated == 1")["iso3"])
    exposure_by_region = {"nordic_cee": 0.6, "west": 0.3, "south_na": 0.1}

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
        for col, (year, src) in SHARE_COLUMNS.items():
            sel = shares[
                (shares.iso3 == iso) & (shares.year == year) & (shares.source_id == src)
            ]
            vals = sel["value_pct_gdp"].dropna()
            row[col] = round(float(vals.iloc[0]), 4) if len(vals) else np.nan

        h = hist[hist.iso3 == iso].set_index("year").sort_index()
        o = outl[outl.iso3 == iso].set_index("year").sort_index()
        defl = pd.concat([h["gdp_deflator_index"], o["gdp_deflator_index"].loc[2025:]])
        infl = 100.0 * defl.pct_change()
        row["gdp_usd_bn_2024"] = float(h.loc[2024, "gdp_usd_bn"])
        row["gdp_usd_bn_2025"] = float(o.loc[2025, "gdp_usd_bn"])
        row["growth_2024_pct"] = float(h.loc[2024, "real_gdp_growth_pct"])
        row["growth_2025_pct"] = float(o.loc[2025, "real_gdp_growth_pct"])
        row["inflation_2024_pct"] = round(float(infl.loc[2024]), 4)
        row["inflation_2025_pct"] = round(float(infl.loc[2025]), 4)
        lo, hi = OUTLOOK_MEAN_YEARS
        row["growth_mean_pct"] = round(
            float(o.loc[lo:hi, "real_gdp_growth_pct"].mean()), 4
        )
        row["inflation_mean_pct"] = round(float(infl.loc[lo:hi].mean()), 4)

        years = np.arange(ESTIMATION_YEARS[0], ESTIMATION_YEARS[1] + 1)
        keep = ~np.isin(years, EXCLUDED_YEARS)
        for var, series in (
            ("growth", h["real_gdp_growth_pct"]),
            ("inflation", infl),
        ):
            x = series.reindex(years).to_numpy(dtype=float)
            try:
                phi, sd = ar1(x, keep)
            except ValueError as e:
                raise ValueError(f"{iso} {var}: {e}") from None
            row[f"{var}_ar"] = round(phi, 4)
            row[f"{var}_sd_pct"] = round(sd, 4)

        row["debt_2024_pct_gdp"] = float(h.loc[2024, "gov_gross_debt_pct_gdp"])
        row["debt_2025_pct_gdp"] = float(o.loc[2025, "gov_gross_debt_pct_gdp"])
        row["net_lending_mean_pct"] = round(
            float(o.loc[lo:hi, "gov_net_lending_pct_gdp"].mean()), 4
        )
        row["escape_clause"] = int(iso in clause)
        row["election_years"], row["election_cycle_years"] = elections[iso]
        path, refs = paths.get(iso, ("", ""))
        row["national_path"] = path
        row["national_path_source"] = refs
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    table = build()
    table.to_csv(MEMBERS_CSV, index=False, float_format="%.6g", lineterminator="\n")
    print(f"wrote {MEMBERS_CSV} ({len(table)} members)")  # noqa: T201


if __name__ == "__main__":
    main()
