"""The naive forecasters a forecast is scored against (random-walk persistence and
climatology) and the realised shares it is scored on."""

from __future__ import annotations

import numpy as np

from ..inputs.build_members import read_source
from . import scores

FORECASTERS = ("model", "persistence", "climatology")
CLIMATOLOGY_YEARS = 10
"""Climatology: each member's frequency over the ten years up to the base year."""


def observed_shares(codes: list[str], years: np.ndarray, source: str) -> np.ndarray:
    """Realised shares [member, year] from one source of defence_share_gdp.csv."""
    df = read_source("defence_share_gdp.csv")
    df = df[df["source_id"] == source]
    wide = df.pivot(index="iso3", columns="year", values="value_pct_gdp")
    return wide.reindex(index=codes, columns=years).to_numpy(float)


def persistence_forecast(s0, level, horizons, sigma):
    """P(share >= level) when the share is a random walk from s0 with annual s.d. sigma."""
    scale = sigma * np.sqrt(horizons)[None, :]
    return scores.normal_sf((level - s0[:, None]) / scale)


def persistence_sigma(cal: dict) -> tuple[float, dict]:
    """(annual s.d. of share changes [pp], its calibration entry) for the persistence
    forecaster: the June-2024 NATO edition's estimate, or SIPRI's where that edition
    spans under five years up to the calibration's as-of year."""
    share_cal = cal["share"].get("nato_jun2024") or cal["share"]["sipri"]
    if share_cal["years"][1] - share_cal["years"][0] < 5:  # too short: use SIPRI
        share_cal = cal["share"]["sipri"]
    return float(share_cal["change_sd_pp"]), share_cal


def climatology_window(codes: list[str], base_year: int):
    """(years, SIPRI shares [member, year] [%]) of the climatology window: the ten
    years up to the base year."""
    window = np.arange(base_year - CLIMATOLOGY_YEARS + 1, base_year + 1)
    return window, observed_shares(codes, window, "SIPRI_MILEX_1949_2024")


def climatology(sipri: np.ndarray, threshold: float) -> np.ndarray:
    """P(share >= threshold) per member: the window's frequency, smoothed (k+1/2)/(n+1)
    (Jeffreys-type: never exactly 0 or 1)."""
    hits = np.nansum(sipri >= threshold, axis=1)
    counts = np.isfinite(sipri).sum(axis=1)
    return (hits + 0.5) / (counts + 1.0)
