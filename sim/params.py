"""Config + member table -> plain per-member arrays for the engine (no randomness here)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import Config
from .data import load_members, parse_path

_SHARE_ORDER = {
    # (base_year, vintage) -> member-table columns tried in order
    (2025, "latest"): ("share_2025_nato_mar2026", "share_2025_nato_aug2025"),
    (2025, "mar2026"): ("share_2025_nato_mar2026", "share_2025_nato_aug2025"),
    (2025, "aug2025"): ("share_2025_nato_aug2025", "share_2025_nato_mar2026"),
    (2024, "latest"): ("share_2024_nato_jun2024",),
    (2024, "jun2024"): ("share_2024_nato_jun2024",),
}
_FALLBACK = "share_2024_nato_jun2024"
"""Used (carried forward) where no figure for the base year exists, e.g. Hungary 2025."""


@dataclass(frozen=True)
class ModelInputs:
    """Everything the engine needs, as arrays over the selected members (axis 0).

    Rates are fractions per year, shares in percent of GDP, GDP in billion US$.
    """

    iso3: tuple[str, ...]
    names: tuple[str, ...]
    groups: tuple[str, ...]
    stream_ids: np.ndarray  # [member] position in the full member table (RNG key)
    counted: np.ndarray  # [member] bool: has armed forces
    years: np.ndarray  # [year]
    base_share: np.ndarray  # [member] percent
    base_share_source: tuple[str, ...]
    gdp0: np.ndarray  # [member] billion US$
    g0: np.ndarray  # [member] base-year real growth, fraction
    pi0: np.ndarray  # [member] base-year deflator inflation, fraction
    mu_g: np.ndarray
    mu_pi: np.ndarray
    phi_g: np.ndarray
    phi_pi: np.ndarray
    sig_g: np.ndarray  # [member] innovation s.d., fraction
    sig_pi: np.ndarray
    wbar: np.ndarray  # [member] long-run will, logit
    dmax: np.ndarray  # [member] absorption limit, pp per year
    path: np.ndarray  # [member, year] target path, percent
    path_kind: tuple[str, ...]  # which path each member follows


def _alliance_path(
    s0: float, level: float, base: int, deadline: int, years
) -> np.ndarray:
    """Linear from s0 (base year) to ``level`` at ``deadline``, then held; never below s0."""
    if s0 >= level:
        return np.full(len(years), s0)
    frac = np.clip((np.asarray(years) - base) / (deadline - base), 0.0, 1.0)
    return s0 + (level - s0) * frac


def national_path(
    text: str, s0: float, base: int, deadline: int, years
) -> np.ndarray | None:
    """Piecewise-linear path through the announced points after the base year.

    Undated points take the alliance ``deadline``; several points in one year keep the
    highest; the last level is held.  None if no point lies after the base year.
    """
    pts: dict[int, float] = {}
    for y, lv in parse_path(text):
        y = deadline if y is None else y
        if y > base:
            pts[y] = max(lv, pts.get(y, -np.inf))
    if not pts:
        return None
    xs = [base, *sorted(pts)]
    ys = [s0, *(pts[y] for y in sorted(pts))]
    return np.interp(np.asarray(years, dtype=float), xs, ys)


def base_share(table: pd.DataFrame, cfg: Config) -> tuple[np.ndarray, list[str]]:
    """Base-year share per member following the configured vintage, and its source."""
    cols = _SHARE_ORDER[(cfg.base_year, cfg.data.share_vintage)]
    values, sources = [], []
    for _, row in table.iterrows():
        for col in (*cols, _FALLBACK):
            if pd.notna(row[col]):
                carried = col == _FALLBACK and cfg.base_year != 2024
                values.append(float(row[col]))
                sources.append(
                    col + (" (carried forward: no base-year figure)" if carried else "")
                )
                break
        else:
            values.append(np.nan)
            sources.append(
                "none (no armed forces)" if not row["has_armed_forces"] else "none"
            )
    return np.array(values), sources


def build_inputs(cfg: Config) -> ModelInputs:
    """Turn a validated config and the member table into engine arrays."""
    full = load_members(cfg.data.members_file)
    codes = list(full.index) if cfg.members == "all" else list(cfg.members)
    table = full.loc[codes]
    years = np.arange(cfg.base_year + 1, cfg.horizon + 1)
    b = cfg.base_year
    counted = table["has_armed_forces"].to_numpy() == 1
    s0, s0_src = base_share(table, cfg)
    s0 = np.where(counted, s0, 0.0)
    missing = [
        c for c, v, k in zip(codes, s0, counted, strict=True) if k and np.isnan(v)
    ]
    if missing:
        from .errors import DataError

        raise DataError(f"no base-year defence share for {', '.join(missing)}")

    m = cfg.macro
    pct = 0.01
    phi_g = table["growth_ar"].to_numpy(float) if m.growth_ar is None else None
    phi_pi = table["inflation_ar"].to_numpy(float) if m.inflation_ar is None else None
    n = len(codes)
    groups = tuple(table["group"])

    def by_group(values) -> np.ndarray:
        return np.array([getattr(values, g) if g != "none" else 0.0 for g in groups])

    p = cfg.policy
    paths, kinds = [], []
    for iso, s, k in zip(codes, s0, counted, strict=True):
        if not k:
            paths.append(np.zeros(len(years)))
            kinds.append("none (no armed forces)")
            continue
        ally = _alliance_path(s, p.core_level, b, p.deadline, years)
        nat = national_path(full.loc[iso, "national_path"], s, b, p.deadline, years)
        if p.path_rule == "alliance" or nat is None:
            paths.append(ally)
            kinds.append("alliance")
        elif p.path_rule == "national":
            paths.append(nat)
            kinds.append("national")
        else:
            paths.append(np.maximum(ally, nat))
            kinds.append("max(alliance, national)")

    return ModelInputs(
        iso3=tuple(codes),
        names=tuple(table["name"]),
        groups=groups,
        stream_ids=np.array([full.index.get_loc(c) for c in codes], dtype=np.int64),
        counted=counted,
        years=years,
        base_share=s0,
        base_share_source=tuple(s0_src),
        gdp0=table[f"gdp_usd_bn_{b}"].to_numpy(float),
        g0=pct * table[f"growth_{b}_pct"].to_numpy(float),
        pi0=pct * table[f"inflation_{b}_pct"].to_numpy(float),
        mu_g=pct * (table["growth_mean_pct"].to_numpy(float) + m.growth_mean_shift),
        mu_pi=pct
        * (table["inflation_mean_pct"].to_numpy(float) + m.inflation_mean_shift),
        phi_g=phi_g if phi_g is not None else np.full(n, m.growth_ar),
        phi_pi=phi_pi if phi_pi is not None else np.full(n, m.inflation_ar),
        sig_g=pct * m.growth_vol_scale * table["growth_sd_pct"].to_numpy(float),
        sig_pi=pct * m.inflation_vol_scale * table["inflation_sd_pct"].to_numpy(float),
        wbar=by_group(cfg.will.mean_logit),
        dmax=by_group(p.absorption_pp),
        path=np.array(paths).reshape(n, len(years))
        + np.where(counted, p.margin_pp, 0.0)[:, None],
        path_kind=tuple(kinds),
    )
