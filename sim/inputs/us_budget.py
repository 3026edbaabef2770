"""The US budget process (issue 15): the USA's target paths as budget regimes on the
national basis (national defence, budget function 050, as % of GDP), put on the NATO
basis by the definition wedge.

Figures: ``data/us_budget.csv`` (US$ amounts, each with its source); nominal GDP and
real growth of the USA from the IMF WEO Oct 2025 (``sources/macro_outlook.csv``).
Regimes (assumptions, README "Assumptions"):

* ``current_law``: the latest enacted amount held flat in real terms (grown with the
  GDP deflator, plus ``real_growth_pct``), so the share falls with real GDP growth;
* ``build_up``: the budget requests known by the plan cut-off for their fiscal years,
  the last one then held the same way (the FY2027 USD 1.5 tn request sustained).

A fiscal year counts for the calendar year holding most of its months (FY2027 =
Oct 2026 - Sep 2027 -> 2027), as NATO does (data/SOURCES.md, file 1).
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from . import plans
from .data import fail, read_table

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
US_CSV = DATA_DIR / "us_budget.csv"
OUTLOOK_CSV = DATA_DIR / "sources" / "macro_outlook.csv"
OUTLOOK_VINTAGE = "IMF_WEO_2025_10"
REGIMES = ("current_law", "build_up")
COLUMNS = ("item", "fiscal_year", "usd_bn", "announced", "source", "note")
ITEMS = ("enacted", "request")


@functools.lru_cache(maxsize=4)
def load(path_str: str = str(US_CSV)) -> pd.DataFrame:
    """The US budget figures, checked: one DataError line naming the file."""
    path = Path(path_str)
    df = read_table(path, COLUMNS, 100_000, {"announced": str})
    bad = sorted(set(df["item"].astype(str)) - set(ITEMS))
    if bad:
        fail(
            path,
            f"column 'item': {', '.join(bad)} not allowed, allowed: {', '.join(ITEMS)}",
        )
    for col, lo, hi in (("fiscal_year", 2000, 2100), ("usd_bn", 1.0, 1e5)):
        v = pd.to_numeric(df[col], errors="coerce")
        if v.isna().any() or (v < lo).any() or (v > hi).any():
            fail(path, f"column '{col}': numbers in [{lo:g}, {hi:g}] required")
        df[col] = v
    df["fiscal_year"] = df["fiscal_year"].astype(int)
    for a in df["announced"]:
        try:
            plans.known_date(str(a))
        except ValueError:
            fail(path, f"column 'announced': {a!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if df["source"].isna().any() or (df["source"].astype(str).str.strip() == "").any():
        fail(path, "column 'source': every figure needs its source")
    if df.duplicated(["item", "fiscal_year"]).any():
        fail(path, "one row per item and fiscal year")
    return df


@functools.lru_cache(maxsize=1)
def imf_usa() -> pd.DataFrame:
    """USA rows of the IMF outlook: ``gdp_usd_bn`` and ``real_gdp_growth_pct`` by year."""
    df = pd.read_csv(OUTLOOK_CSV)
    df = df[(df["iso3"] == "USA") & (df["vintage"] == OUTLOOK_VINTAGE)]
    return df.set_index("year")[["gdp_usd_bn", "real_gdp_growth_pct"]]


def real_growth(years) -> np.ndarray:
    """IMF real growth [fraction] of each year; after the outlook, its mean (as the
    model holds the 2026-2030 means beyond 2030)."""
    imf = imf_usa()["real_gdp_growth_pct"]
    mean = imf.loc[2026:2030].mean()
    return np.array([imf.get(int(y), mean) for y in years]) / 100.0


def national_share(usd_bn: float, year: int) -> float:
    """US$ bn as % of the IMF's nominal GDP of ``year`` (DataError if none)."""
    gdp = imf_usa()["gdp_usd_bn"]
    if year not in gdp.index:
        raise DataError(f"IMF outlook has no US nominal GDP for {year}")
    return 100.0 * usd_bn / float(gdp.loc[year])


def _held(share: float, year: int, years: np.ndarray, q: float) -> np.ndarray:
    """``share`` in ``year``, then the dollars growing at ``q`` a year in real terms:
    the share changes by (1+q)/(1+g) a year (g: IMF real growth)."""
    later = np.arange(year + 1, int(years[-1]) + 1)
    factors = np.cumprod((1.0 + q) / (1.0 + real_growth(later)))
    by_year = {year: share} | dict(zip(later.tolist(), share * factors, strict=True))
    return np.array([by_year.get(int(y), np.nan) for y in years])


def regimes(
    base: int, asof: dt.date, years: np.ndarray, nato_share, real_growth_pct: float,
    wedge_pp: float | None,
) -> dict:  # fmt: skip
    """National-basis regime paths [regime, year], the wedge and its year, and the
    NATO-basis paths (``nato``) for the projected ``years``.

    ``nato_share(year)``: the USA's NATO figure on the run's vintage (NaN if none).
    Only rows announced by ``asof`` are used; enacted figures up to ``base``.
    """
    df = load()
    known = df[[plans.known_date(str(a)) <= asof for a in df["announced"]]]
    enacted = known[(known["item"] == "enacted") & (known["fiscal_year"] <= base)]
    if enacted.empty:
        raise DataError(
            f"data file {US_CSV}: no enacted US figure up to base year {base} known by "
            f"{asof}; set us_budget.enabled: false"
        )
    q = real_growth_pct / 100.0
    e_row = enacted.sort_values("fiscal_year").iloc[-1]
    e_year = int(e_row["fiscal_year"])
    e_share = national_share(float(e_row["usd_bn"]), e_year)
    current = _held(e_share, e_year, years, q)
    build = current.copy()
    req = known[(known["item"] == "request") & (known["fiscal_year"] > e_year)]
    req = req.sort_values("fiscal_year")
    for _, r in req.iterrows():
        y = int(r["fiscal_year"])
        later = _held(national_share(float(r["usd_bn"]), y), y, years, q)
        build = np.where(np.asarray(years) >= y, later, build)
    wedge_year = None
    if wedge_pp is None:  # latest enacted year up to the base with a NATO figure
        for _, r in enacted.sort_values("fiscal_year", ascending=False).iterrows():
            y = int(r["fiscal_year"])
            if np.isfinite(nato_share(y)):
                wedge_pp = nato_share(y) - national_share(float(r["usd_bn"]), y)
                wedge_year = y
                break
        else:
            raise DataError(
                "no year with both a NATO figure and an enacted national figure for "
                "the USA: set us_budget.wedge_pp"
            )
    national = np.array([current, build])
    return {
        "national": national,
        "nato": np.maximum(national + wedge_pp, 0.0),
        "wedge_pp": float(wedge_pp),
        "wedge_year": wedge_year,
        "enacted_year": e_year,
        "enacted_share": e_share,
        "requests": {
            int(r["fiscal_year"]): float(r["usd_bn"]) for _, r in req.iterrows()
        },
    }


def decision_years(years: np.ndarray, switch: np.ndarray, p_switch: float) -> list[int]:
    """Year indices where a regime is drawn: the first projected year, then each
    year a new administration takes office (``switch``), unless ``p_switch`` is 0."""
    later = [int(t) for t in np.flatnonzero(switch) if t > 0] if p_switch > 0 else []
    return [0, *later]


def sequences(nato: np.ndarray, decisions: list[int]) -> np.ndarray:
    """Target paths [variant, year]: variant v follows regime bit i of v from decision
    i on (bit 0 = the regime at the start; 1 = build_up)."""
    n_years = nato.shape[1]
    out = np.empty((2 ** len(decisions), n_years))
    for v in range(out.shape[0]):
        for i, t0 in enumerate(decisions):
            out[v, t0:] = nato[(v >> i) & 1, t0:]
    return out


def draw_variant(u: np.ndarray, p_build_up: float, p_switch: float) -> np.ndarray:
    """Variant per path from uniforms ``u`` [path, decision]: build-up at the start with
    probability ``p_build_up``; at each later decision the regime changes with
    probability ``p_switch``."""
    regime = (u[:, 0] < p_build_up).astype(np.int64)
    v = regime.copy()
    for i in range(1, u.shape[1]):
        regime = np.where(u[:, i] < p_switch, 1 - regime, regime)
        v += regime << i
    return v


def p_build_up(n_years: int, decisions: list[int], p0: float, p_switch: float):
    """P(build-up regime) in each projected year [year]."""
    out = np.empty(n_years)
    p = p0
    for t in range(n_years):
        if t in decisions[1:]:
            p = p * (1 - p_switch) + (1 - p) * p_switch
        out[t] = p
    return out


def describe(info: dict, years, show_years, p_switch: float) -> str:
    """One line for the results' attributes and ``sim show``: each regime's NATO-basis
    path in ``show_years``, P(build-up) then, the wedge and when regimes are drawn."""
    idx = [list(years).index(y) for y in show_years]

    def path(r: int) -> str:
        return " / ".join(f"{info['nato'][r, i]:.2f}" for i in idx)

    when = ", ".join(str(int(years[t])) for t in info["decisions"])
    wedge = f"{info['wedge_pp']:+.2f} pp" + (
        f" ({info['wedge_year']})" if info["wedge_year"] else " (config)"
    )
    p = " / ".join(f"{info['p_build_up'][i]:.2f}" for i in idx)
    years_txt = "/".join(str(y) for y in show_years)
    return (
        f"USA on its own budget regimes, NATO basis = national + wedge {wedge}, "
        f"{years_txt}: current_law {path(0)}, build_up {path(1)} [% GDP]; "
        f"P(build_up) {p}; regime drawn in {when} (p_switch {p_switch:g})"
    )
