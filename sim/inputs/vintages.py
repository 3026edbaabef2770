"""NATO share vintages: which member-table columns give a base-year share, on what
definition, and for which base years.

One vintage = one definition within a run.  The older press-quoted vintages fill gaps
from each other and carry 2024 forward (flagged per member in ``base_share_source``);
the July-2026 edition is complete for the 31 Allies with armed forces and is never
mixed with the older ones.
"""

from __future__ import annotations

LATEST = "jul2026"
"""What ``latest`` means where the July-2026 edition covers the base year (2024-2026)."""

DEFINITIONS = {
    "jul2026": "NATO core defence expenditure, July-2026 edition (cut-off 3 July 2026), "
    "2014-2026 restated; 2025-2026 are estimates",
    "mar2026": "NATO defence expenditure (pre-2026 definition), 2025 estimates rounded "
    "to 0.1 pp in the SG Annual Report (Mar 2026, as quoted by the press); gaps from "
    "the Aug-2025 estimates, else 2024 (June-2024 edition) carried forward",
    "aug2025": "NATO defence expenditure (pre-2026 definition), Aug-2025 edition 2025 "
    "estimates as quoted by the press (Germany's 2.0 a placeholder); gaps from the "
    "Mar-2026 figures, else 2024 (June-2024 edition) carried forward",
    "jun2024": "NATO defence expenditure (pre-2026 definition), June-2024 edition "
    "(2014-2024; 2023-2024 estimates)",
}

_COLUMNS = {
    # (year, vintage) -> member-table columns tried in order
    (2026, "jul2026"): ("share_2026_nato_jul2026",),
    (2025, "jul2026"): ("share_2025_nato_jul2026",),
    (2024, "jul2026"): ("share_2024_nato_jul2026",),
    (2025, "mar2026"): ("share_2025_nato_mar2026", "share_2025_nato_aug2025"),
    (2025, "aug2025"): ("share_2025_nato_aug2025", "share_2025_nato_mar2026"),
}
CARRIED = "share_2024_nato_jun2024"
"""Carried forward by the press-quoted 2025 vintages where a member has no 2025 figure
(e.g. Hungary)."""


def allowed(base_year: int) -> tuple[str, ...]:
    """Vintages with figures for ``base_year`` ('latest' first)."""
    if base_year == 2026:
        return ("latest", "jul2026")
    if base_year == 2025:
        return ("latest", "jul2026", "mar2026", "aug2025")
    if base_year == 2024:
        return ("latest", "jul2026", "jun2024")
    return ("latest", "jun2024")


def resolve(base_year: int, vintage: str) -> str:
    """The vintage 'latest' stands for in ``base_year`` (others unchanged)."""
    if vintage != "latest":
        return vintage
    return LATEST if base_year >= 2024 else "jun2024"


def columns(year: int, vintage: str) -> tuple[str, ...]:
    """Member-table columns for a share in ``year`` of a resolved vintage, in order
    (the last may be the carried-forward 2024 figure)."""
    cols = _COLUMNS.get((year, vintage), (f"share_{year}_nato_jun2024",))
    if vintage in ("mar2026", "aug2025") and year == 2025:
        cols = (*cols, CARRIED)
    return cols
