"""National plans from the dated announcement log, as of a date.

The log (``sources/national_targets.csv``) records announcements, not current plans.
As of a date, a member's plan is built from the rows announced by then:

* a later row of the same member and kind supersedes earlier ones (rows sharing a date
  belong together); budget rows (``budget_plan``, ``budget_draft``) speak only for their
  target year, so a later budget supersedes an earlier one for the same year;
* a row may supersede a named row of another kind (``supersedes`` in
  ``data/plan_assessment.csv``, from the row's description);
* conditional rows (``plan_assessment.csv``, our reading of the descriptions) are
  dropped unless the config says to use them; rows in a national definition are
  dropped, translated to the NATO basis (:func:`for_run`) or read as NATO-basis
  levels, as the config says; dropping happens after superseding, so a dropped row
  does not revive the one it replaced;
* statements, proposals and alliance rows never make a path.

Partial dates (``2025-10``, ``2025``) count as known at the end of the month or year.

:func:`for_run` then puts a plan on the NATO basis of a run (increments over a year's
NATO figure, the national-definition wedge) and dates it by the rows that give a point
after the run's base year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
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


NATIONAL_MODES = ("wedge", "drop", "as_nato")
"""How national-definition levels are used: ``wedge`` = shifted by the member's NATO
figure minus its national figure in an anchor year (:func:`for_run`); ``drop`` = left
out; ``as_nato`` = read as NATO-basis levels (what the bundle before issue 14 did)."""


@dataclass(frozen=True)
class Point:
    """One announced point of a plan."""

    year: int | None  # None: no year announced (the alliance deadline is used)
    level: float  # core share [percent of GDP], or an increment [pp] if ``over`` is set
    held: bool  # a target: the level holds from its year on, also if that year is past
    over: int | None = None  # the level is an increment over the share in this year
    national: bool = False  # the level is in a national definition
    row: str = ""  # 'kind announced' of the log row it comes from
    known: dt.date | None = None  # date the row is known by
    announced: str = ""  # the row's date as in the log
    conditional: bool = False  # the row is conditional


@dataclass(frozen=True)
class Plan:
    """A member's plan as of a date: the points of the rows used."""

    points: tuple[Point, ...]
    date: str  # newest announcement date of the rows used, as in the log (ISO 8601)
    conditional: bool  # a row used is conditional
    national_definition: bool  # a row used is stated in a national definition
    refs: tuple[str, ...]  # 'kind announced' of the rows used
    dropped: tuple[str, ...]  # rows not used and why (superseded rows are not listed)
    notes: tuple[str, ...] = ()  # how levels were put on the NATO basis (for_run)


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


def parse_asof(
    text: str | None, log: pd.DataFrame, base_year: int | None = None
) -> dt.date:
    """The cut-off date: ``text`` (YYYY-MM-DD) or, if None, the newest announcement,
    but not after the end of ``base_year`` (a run from an earlier base year sees the
    plans known then, as a backtest must)."""
    if text is None:
        newest = max(log["known"])
        return newest if base_year is None else min(newest, dt.date(base_year, 12, 31))
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
    tag = {
        "national": row.basis == "national",
        "row": f"{row.kind} {row.announced}",
        "known": row.known,
        "announced": str(row.announced),
        "conditional": bool(row.conditional),
    }
    if row.increments:
        over = int(row.increments_over)
        return [
            Point(int(y), float(v), held=False, over=over, **tag)
            for y, v in _pairs(row.increments)
        ]
    if pd.isna(row.target_pct_gdp):
        return []
    year = None if pd.isna(row.target_year) else int(row.target_year)
    level = float(row.target_pct_gdp)
    if row.kind == "national_target_total":
        level -= RELATED_PP
    return [Point(year, level, held=row.kind in TARGET_KINDS, **tag)]


def resolve(
    log: pd.DataFrame,
    asof: dt.date,
    use_conditional: bool = False,
    national: str = "drop",
) -> dict[str, Plan]:
    """Plan per member (ISO3) as of ``asof``; members without usable rows are absent.

    ``national``: one of :data:`NATIONAL_MODES`; rows in a national definition are
    dropped under ``drop`` and kept (points marked ``national``) otherwise."""
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
                        r.basis == "national" and national == "drop",
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


def after_base(p: Point, base: int) -> bool:
    """Whether a point shapes a path from ``base``: a target (held, also if its year is
    past), an undated point (due at the deadline) or a point in a later year."""
    return p.held or p.year is None or p.year > base


def for_run(
    plan: Plan, base: int, nato: Callable[[int], float], national: str = "drop"
) -> Plan:
    """``plan`` on the NATO basis of a run from ``base``, dated by what shapes its path.

    ``nato(year)``: the member's NATO share in that year in the run's vintage [percent
    of GDP] (NaN if none).  Increments become levels over ``nato(over)`` (left out if
    there is none); a national-definition increment is already on the NATO basis.
    Under ``national='wedge'`` national-definition levels are shifted by the wedge
    ``nato(Y) - national figure for Y`` in the anchor year Y: the latest year up to
    ``base`` with both a national-definition budget figure and a NATO figure (an
    assumption: the gap between the two definitions stays as it was in Y, in pp of
    GDP); without an anchor they are left out.  ``date``, ``refs`` and ``conditional``
    count only the rows that give a point after ``base``; rows that give none are
    listed in ``dropped``."""
    dropped, notes, pts = list(plan.dropped), [], []
    for p in plan.points:
        if p.over is None:
            pts.append(p)
            continue
        ref = nato(p.over)
        if np.isnan(ref):
            dropped.append(f"{p.row} ({p.year}: no NATO figure for {p.over})")
            continue
        pts.append(replace(p, level=ref + p.level, over=None, national=False))
    levels = [p for p in pts if p.national]
    if national == "wedge" and any(after_base(p, base) for p in levels):
        anchors = {
            p.year: p
            for p in sorted(levels, key=lambda p: (p.year or 0, p.known))
            if not p.held and p.year is not None and p.year <= base
            and not np.isnan(nato(p.year))
        }  # fmt: skip
        if anchors:
            y = max(anchors)
            a = anchors[y]
            wedge = nato(y) - a.level
            notes.append(
                f"national definition -> NATO basis: {wedge:+.2f} pp (NATO {y} "
                f"{nato(y):.2f} - {a.row} {a.level:.2f})"
            )
            pts = [replace(p, level=p.level + wedge) if p.national else p for p in pts]
        else:
            for row in dict.fromkeys(p.row for p in levels):
                dropped.append(
                    f"{row} (national definition: no national and NATO figure for a "
                    f"year up to {base} to translate it)"
                )
            pts = [p for p in pts if not p.national]
    shaping = [p for p in pts if after_base(p, base)]
    rows = dict.fromkeys(p.row for p in shaping)
    for row in dict.fromkeys(p.row for p in pts):
        if row not in rows:
            dropped.append(f"{row} (no point after {base})")
    newest = max(shaping, key=lambda p: p.known) if shaping else None
    return Plan(
        points=tuple(pts),
        date=newest.announced if newest else "",
        conditional=any(p.conditional for p in shaping),
        national_definition=any(p.national for p in shaping),
        refs=tuple(rows),
        dropped=tuple(dropped),
        notes=tuple(notes),
    )


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
