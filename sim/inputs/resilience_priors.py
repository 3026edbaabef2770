"""Member-specific starting levels of the 1.5% (security and resilience) category:
published claims (``data/resilience_priors.csv``), not NATO figures; every other
member keeps the common prior (``resilience.prior_mean``)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from .data import fail, read_table

PRIORS_CSV = Path(__file__).resolve().parents[1] / "data" / "resilience_priors.csv"
COLUMNS = ("iso3", "prior_mean_pp", "reading", "source")
RANGE = (0.0, 10.0)


@functools.lru_cache(maxsize=8)
def load(path_str: str | None = None) -> pd.DataFrame:
    """The priors file, checked (one DataError line naming the file), by iso3; an
    empty ``prior_mean_pp`` keeps the common prior."""
    path = Path(path_str) if path_str else PRIORS_CSV
    df = read_table(path, COLUMNS, 100_000, {"iso3": str})
    if df["iso3"].isna().any() or df["iso3"].duplicated().any():
        fail(path, "column 'iso3': one row per member, no empty codes")
    v = pd.to_numeric(df["prior_mean_pp"], errors="coerce")
    given = df["prior_mean_pp"].notna()
    lo, hi = RANGE
    if (given & v.isna()).any() or (v < lo).any() or (v > hi).any():
        fail(path, f"column 'prior_mean_pp': numbers in [{lo:g}, {hi:g}] or empty")
    if df["source"].isna().any() or (df["source"].astype(str).str.strip() == "").any():
        fail(path, "column 'source': every row needs its source")
    return df.assign(prior_mean_pp=v).set_index("iso3", drop=False)


def prior_means(codes, common: float, path: str | None = None) -> np.ndarray:
    """Base-year resilience prior mean [pp] per member: the file's claim where it gives
    one, else ``common``."""
    df = load(path)
    col = df["prior_mean_pp"]
    return np.array(
        [
            float(col[c]) if c in col.index and np.isfinite(col[c]) else common
            for c in codes
        ]
    )
