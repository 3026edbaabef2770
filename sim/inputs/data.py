"""Read and check the bundled member table (data/members.csv) and its provenance."""

from __future__ import annotations

import functools
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError, DataError
from ..safe_io import read_text

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MEMBERS_CSV = DATA_DIR / "members.csv"
COLUMNS_CSV = DATA_DIR / "members_columns.csv"
MAX_BYTES = 1_000_000
"""Largest member table read (the bundled one is about 6 kB)."""

NUMERIC = {
    # column: (lowest, highest) plausible value; NaN allowed only where listed below
    "has_armed_forces": (0, 1),
    "accession_year": (1949, 2100),
    "land_border_russia_belarus": (0, 1),
    "exposure": (0, 1),
    "share_2024_nato_jun2024": (0, 30),
    "share_2025_nato_aug2025": (0, 30),
    "share_2025_nato_mar2026": (0, 30),
    "share_2024_nato_jul2026": (0, 30),
    "share_2025_nato_jul2026": (0, 30),
    "share_2026_nato_jul2026": (0, 30),
    **{f"gdp_usd_bn_{y}": (1e-3, 1e6) for y in (2024, 2025, 2026)},
    **{f"growth_{y}_pct": (-50, 50) for y in (2024, 2025, 2026)},
    **{f"inflation_{y}_pct": (-50, 500) for y in (2024, 2025, 2026)},
    **{f"debt_{y}_pct_gdp": (0, 1000) for y in (2024, 2025, 2026)},
    "net_lending_mean_pct": (-50, 50),
    "escape_clause": (0, 1),
    "election_cycle_years": (1, 10),
}
MAY_BE_EMPTY = {c for c in NUMERIC if c.startswith("share_")}
TEXT = ("iso3", "name", "group", "region", "election_years")
GROUP_VALUES = ("frontline", "core", "constrained", "us", "none")


def fail(path: Path, msg: str):
    """One DataError line naming the data file."""
    raise DataError(f"data file {path}: {msg}")


def read_table(path: Path, columns, max_bytes: int, dtype=None) -> pd.DataFrame:
    """A bundled or user CSV, read with a size bound and parsed; one DataError line
    naming the file if it cannot be read, is not CSV or lacks one of ``columns``."""
    text = read_text(path, "data file", DataError, max_bytes)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=dtype)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        fail(path, f"is not valid CSV ({str(e).strip().splitlines()[-1]})")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        fail(path, f"missing column(s) {', '.join(missing)}; need {', '.join(columns)}")
    return df


@functools.lru_cache(maxsize=8)
def _load(path_str: str) -> pd.DataFrame:
    path = Path(path_str)
    df = read_table(path, (*TEXT, *NUMERIC), MAX_BYTES, {"election_years": str})

    def where(mask) -> str:  # CSV line number (header = line 1) and member
        i = int(np.flatnonzero(np.asarray(mask))[0])
        return f"row {i + 2} ({df['iso3'].iloc[i]})"

    if df["iso3"].isna().any() or df["iso3"].duplicated().any():
        bad = df["iso3"].isna() | df["iso3"].duplicated()
        fail(path, f"column iso3 must be unique and non-empty: {where(bad)}")
    from .build_members import read_source

    known = set(read_source("nato_members.csv")["iso3"])
    unknown = ~df["iso3"].isin(known)
    if unknown.any():
        fail(path, f"column iso3: unknown NATO member code at {where(unknown)}")
    for col, (lo, hi) in NUMERIC.items():
        vals = pd.to_numeric(df[col], errors="coerce")
        bad = vals.isna() & df[col].notna()
        if bad.any():
            fail(path, f"column {col}: not a number at {where(bad)}")
        if col not in MAY_BE_EMPTY and vals.isna().any():
            fail(path, f"column {col}: empty (or NaN) at {where(vals.isna())}")
        out = (vals < lo) | (vals > hi) | np.isinf(vals)
        if out.any():
            fail(path, f"column {col}: outside [{lo}, {hi}] at {where(out)}")
        df[col] = vals
    badg = ~df["group"].isin(GROUP_VALUES)
    if badg.any():
        fail(
            path,
            f"column group: {df.loc[badg.idxmax(), 'group']!r}, allowed: "
            f"{', '.join(GROUP_VALUES)}",
        )
    df["election_years"] = df["election_years"].fillna("")
    for iso, text in zip(df["iso3"], df["election_years"], strict=True):
        try:
            parse_years(text)
        except ValueError:
            fail(path, f"column election_years: {text!r} for {iso}, expected YEAR;YEAR")
    return df.set_index("iso3", drop=False)


def parse_years(text: str) -> list[int]:
    """Parse 'YEAR;YEAR;...' into a sorted list of years."""
    years = sorted(int(s) for s in text.split(";") if s.strip())
    if any(not 1900 <= y <= 2200 for y in years):
        raise ValueError(text)
    return years


def load_members(path: str | Path | None = None) -> pd.DataFrame:
    """The member table indexed by ISO3 code (bundled one unless ``path`` is given)."""
    return _load(str(Path(path) if path else MEMBERS_CSV)).copy()


def column_provenance() -> pd.DataFrame:
    """Units, source, method and assumption flag of every member-table column."""
    return pd.read_csv(COLUMNS_CSV).set_index("column")


def check_member_codes(
    codes, table: pd.DataFrame | None = None, key: str = "members"
) -> None:
    """Raise ConfigError if a code is not in the member table (or repeated)."""
    table = load_members() if table is None else table
    known = list(table.index)
    if not codes:
        raise ConfigError(f"config key '{key}': give 'all' or at least one ISO3 code")
    for c in codes:
        if c not in known:
            import difflib

            close = difflib.get_close_matches(str(c).upper(), known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ConfigError(
                f"config key '{key}': unknown member code {c!r}; {hint}"
                f"allowed: {', '.join(known)}"
            )
    if len(set(codes)) != len(codes):
        raise ConfigError(f"config key '{key}': a member code is listed twice")
