"""National plans from the dated announcement log, as of a date.

The log (``sources/national_targets.csv``) records announcements, not current plans.
As of a date, a member's plan is built from the rows announced by then:

* a later row of the same member and kind supersedes earlier ones (rows sharing a date
  belong together); budget rows (``budget_plan``, ``budget_draft``) speak only for their
  target year, so a later budget supersedes an earlier one for the same year;
* a row may supersede a named row of another kind (``supersedes`` in
  ``data/plan_assessment.csv``, from the row's description);
* rows in a national definition or conditional on something (``plan_assessment.csv``,
  our reading of the descriptions) are dropped unless the config says to use them;
  dropping happens after superseding, so a dropped row does not revive the one it
  replaced;
* statements, proposals and alliance rows never make a path.

Partial dates (``2025-10``, ``2025``) count as known at the end of the month or year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError

DATA_DIR = Path(__file__).parent / "data"
LOG_CSV = DATA_DIR / "sources" / "national_targets.csv"
ASSESSMENT_CSV = DATA_DIR / "plan_assessment.csv"

TARGET_KINDS = ("national_target", "national_target_total", "exemption")
"""A level to reach by (or hold from) the target year; held afterwards."""
BUDGET_KINDS = ("budget_plan", "budget_draft")
"""A level for the target year only."""
RELATED_PP = 1.5
"""Hague split: a 5% total target (national_target_total) means 3.5% core + 1.5%."""
LOG_COLUMNS = ("iso3", "kind", "target_pct_gdp", "target_year", "announced")
FLAGS = {
    "basis": "nato",
    "conditional": 0,
    "supersedes": "",
    "increments": "",
    "increments_over": np.nan,
}
"""Assessment columns and their defaults; a log may carry them itself (own plans)."""


@dataclass(frozen=True)
class Point:
    """One announced point of a plan."""

    year: int | None  # None: no year announced (the alliance deadline is used)
    level: float  # core share [percent of GDP], or an increment [pp] if ``over`` is set
    held: bool  # a target: the level holds from its year on, also if that year is past
    over: int | None = None  # the level is an increment over the share in this year


@dataclass(frozen=True)
class Plan:
    """A member's plan as of a date: the points of the rows used."""

    points: tuple[Point, ...]
    date: str  # newest announcement date of the rows used, as in the log (ISO 8601)
    conditional: bool  # a row used is conditional
    national_definition: bool  # a row used is stated in a national definition
    refs: tuple[str, ...]  # 'kind announced' of the rows used
    dropped: tuple[str, ...]  # rows not used and why (superseded rows are not listed)


def known_date(text: str) -> dt.date:
    """Date an announcement is known by: 'YYYY-MM-DD', or the end of 'YYYY-MM' / 'YYYY'."""
    parts = str(text).strip().split("-")
    try:
        nums = [int(p) for p in parts]
        if len(nums) == 3:
            return dt.date(*nums)
        if len(nums) == 2:
            return dt.date(*nums, calendar.monthrange(*nums)[1])
        if len(nums) == 1:
            return dt.date(nums[0], 12, 31)
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")


def parse_asof(text: str | None, log: pd.DataFrame) -> dt.date:
    """The cut-off date: ``text`` (YYYY-MM-DD) or, if None, the newest announcement."""
    if text is None:
        return max(log["known"])
    return dt.date.fromisoformat(str(text))


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"data file {path}: not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"data file {path}: cannot be read ({e})") from None
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    try:
        return pd.read_csv(io.StringIO(body), dtype={"announced": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        msg = str(e).strip().splitlines()[-1]
        raise DataError(f"data file {path}: is not valid CSV ({msg})") from None


def _key(df: pd.DataFrame) -> pd.Series:
    year = pd.to_numeric(df["target_year"], errors="coerce")
    year = year.map(lambda y: "" if pd.isna(y) else str(int(y)))
    return df["iso3"] + "|" + df["kind"] + "|" + year + "|" + df["announced"]


@functools.lru_cache(maxsize=8)
def _load(path_str: str) -> pd.DataFrame:
    path = Path(path_str)
    log = _read_csv(path)
    missing = [c for c in LOG_COLUMNS if c not in log.columns]
    if missing:
        raise DataError(f"data file {path}: missing column(s) {', '.join(missing)}")
    for col in ("target_pct_gdp", "target_year"):
        vals = pd.to_numeric(log[col], errors="coerce")
        bad = (vals.isna() & log[col].notna()) | ~(
            vals.isna() | vals.between(0, 30 if col == "target_pct_gdp" else 2200)
        )
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"data file {path}: column {col}: {log[col].iloc[i]!r} at row {i + 2} "
                f"({log['iso3'].iloc[i]}), expected a number in range or empty"
            )
        log[col] = vals
    known = []
    for i, text in enumerate(log["announced"]):
        try:
            known.append(known_date(text))
        except ValueError as e:
            raise DataError(
                f"data file {path}: column announced: {e} at row {i + 2} "
                f"({log['iso3'].iloc[i]})"
            ) from None
    log["known"] = known
    ass = _read_csv(ASSESSMENT_CSV)
    ass.index = _key(ass)
    key = _key(log)
    for col, default in FLAGS.items():  # the log's own flag columns come first
        mine = log[col] if col in log.columns else pd.Series(None, index=log.index)
        mine = mine.astype(object)
        mine = mine.where(mine.notna(), key.map(ass[col]).astype(object))
        log[col] = mine.where(mine.notna(), default)
    cond = pd.to_numeric(log["conditional"], errors="coerce")
    incs = log["increments"].astype(str)
    over = pd.to_numeric(log["increments_over"], errors="coerce")
    for col, bad, allowed in (
        ("basis", ~log["basis"].isin(("nato", "national")), "nato, national"),
        ("conditional", ~cond.isin((0, 1)), "0, 1"),
        ("increments", ~incs.map(_increments_ok) | ((incs != "") & over.isna()),
         "YEAR:PP;... with a year in increments_over"),
    ):  # fmt: skip
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"data file {path}: column {col}: {log[col].iloc[i]!r} at row {i + 2} "
                f"({log['iso3'].iloc[i]}), allowed: {allowed}"
            )
    log["conditional"] = cond.astype(bool)
    log["increments_over"] = over
    return log


def _increments_ok(text: str) -> bool:
    try:
        return all(int(y) and float(v) == float(v) for y, v in _pairs(text))
    except ValueError:
        return False


def _pairs(text: str) -> list[tuple[str, str]]:
    out = []
    for item in filter(None, (t.strip() for t in text.split(";"))):
        y, sep, v = item.partition(":")
        if not sep:
            raise ValueError(item)
        out.append((y, v))
    return out


def load_log(path: str | Path | None = None) -> pd.DataFrame:
    """The announcement log with dates and our assessment flags (bundled unless
    ``path``).  Flags come from the log's own columns (``FLAGS``) where given, else
    from data/plan_assessment.csv, matched by iso3, kind, target_year, announced."""
    return _load(str(Path(path) if path else LOG_CSV)).copy()


def _newest(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rows carrying the newest known date within each group of ``by``."""
    if rows.empty:
        return rows
    newest = rows.groupby(by, dropna=False)["known"].transform("max")
    return rows[rows["known"] == newest]


def _points(row) -> list[Point]:
    if row.increments:
        over = int(row.increments_over)
        return [
            Point(int(y), float(v), held=False, over=over)
            for y, v in _pairs(row.increments)
        ]
    if pd.isna(row.target_pct_gdp):
        return []
    year = None if pd.isna(row.target_year) else int(row.target_year)
    level = float(row.target_pct_gdp)
    if row.kind == "national_target_total":
        level -= RELATED_PP
    return [Point(year, level, held=row.kind in TARGET_KINDS)]


def resolve(
    log: pd.DataFrame,
    asof: dt.date,
    use_conditional: bool = False,
    use_national_definition: bool = False,
) -> dict[str, Plan]:
    """Plan per member (ISO3) as of ``asof``; members without usable rows are absent."""
    rows = log[log["kind"].isin(TARGET_KINDS + BUDGET_KINDS) & (log["known"] <= asof)]
    gone = set()
    for r in rows[rows["supersedes"] != ""].itertuples():
        for spec in r.supersedes.split(";"):
            kind, _, announced = spec.partition("@")
            hit = (rows["iso3"] == r.iso3) & (rows["kind"] == kind)
            gone |= set(rows.index[hit & (rows["announced"] == announced)])
    rows = rows.drop(index=sorted(gone))
    targets = _newest(rows[rows["kind"].isin(TARGET_KINDS)], ["iso3", "kind"])
    budgets = _newest(rows[rows["kind"].isin(BUDGET_KINDS)], ["iso3", "target_year"])
    rows = pd.concat([targets, budgets]).sort_index()
    plans = {}
    for iso, grp in rows.groupby("iso3", sort=False):
        used, dropped, points = [], [], []
        for r in grp.itertuples():
            pts = _points(r)
            ref = f"{r.kind} {r.announced}"
            why = [
                w
                for w, flag in (
                    ("conditional", r.conditional and not use_conditional),
                    (
                        "national definition",
                        r.basis == "national" and not use_national_definition,
                    ),
                )
                if flag
            ]
            if not pts:
                continue
            if why:
                dropped.append(f"{ref} ({' and '.join(why)})")
                continue
            used.append(r)
            points += pts
        if not used:
            if dropped:
                plans[iso] = Plan((), "", False, False, (), tuple(dropped))
            continue
        newest = max(used, key=lambda r: r.known)
        plans[iso] = Plan(
            points=tuple(points),
            date=str(newest.announced),
            conditional=any(r.conditional for r in used),
            national_definition=any(r.basis == "national" for r in used),
            refs=tuple(f"{r.kind} {r.announced}" for r in used),
            dropped=tuple(dropped),
        )
    return plans


def describe(points, deadline: int | None = None) -> str:
    """'2030:2.5; 2035:3.5' (increments as '2027:+0.30 over 2025')."""
    out = []
    for p in points:
        year = str(p.year) if p.year is not None else (str(deadline or "deadline"))
        if p.over is not None:
            out.append(f"{year}:+{p.level:g} over {p.over}")
        else:
            out.append(f"{year}:{p.level:g}")
    return "; ".join(out)
