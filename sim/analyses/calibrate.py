"""Estimate the macro block and defence-share dynamics from the bundled history.

``estimate_macro`` and ``estimate_share`` are pure functions of arrays (tested on
synthetic data with known parameters); ``calibrate`` applies them to the bundled
sources and returns the mapping written by ``sim calibrate`` as YAML.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import ConfigError
from ..inputs.build_members import EDITION_2026, OUTLOOK_VINTAGE, read_source
from ..inputs.calibration import DEFAULT_FILE, read
from ..safe_io import atomic_write
from . import policy_estimates as pe

AR_BOUNDS = (-0.5, 0.9)
"""Persistence estimates are clipped to this range to keep short samples stable."""
DF_BOUNDS = (4.1, 100.0)
"""Student-t degrees of freedom are kept where the kurtosis match is defined."""


def ar1_residuals(x: np.ndarray, keep: np.ndarray) -> tuple[float, float, np.ndarray]:
    """OLS AR(1) of x[t] on x[t-1] over pairs where both years are kept and finite.

    Returns (persistence, innovation s.d., residuals [year] with NaN where unused);
    persistence is clipped to ``AR_BOUNDS``.
    """
    pair = keep[1:] & keep[:-1] & np.isfinite(x[1:]) & np.isfinite(x[:-1])
    y, z = x[1:][pair], x[:-1][pair]
    if y.size < 8:
        raise ValueError(f"only {y.size} usable year pairs (need 8)")
    zc = z - z.mean()
    phi = float(np.clip((zc * (y - y.mean())).sum() / (zc * zc).sum(), *AR_BOUNDS))
    r = (y - y.mean()) - phi * zc
    resid = np.full(x.shape, np.nan)
    resid[1:][pair] = r
    return phi, float(np.sqrt((r**2).sum() / (y.size - 2))), resid


def mean_pairwise_corr(z: np.ndarray, min_overlap: int = 8) -> float:
    """Average correlation over member pairs of z [year, member] (pairwise complete)."""
    cors = []
    for i in range(z.shape[1]):
        for j in range(i + 1, z.shape[1]):
            ok = np.isfinite(z[:, i]) & np.isfinite(z[:, j])
            if ok.sum() >= min_overlap:
                cors.append(np.corrcoef(z[ok, i], z[ok, j])[0, 1])
    return float(np.mean(cors))


def t_df_from_kurtosis(z: np.ndarray) -> float:
    """Student-t degrees of freedom whose kurtosis matches the pooled sample's.

    Excess kurtosis of t(nu) is 6/(nu-4); thin tails give the upper bound.
    """
    z = z[np.isfinite(z)]
    z = (z - z.mean()) / z.std()
    excess = float((z**4).mean() - 3.0)
    if excess <= 6.0 / (DF_BOUNDS[1] - 4.0):
        return DF_BOUNDS[1]
    return float(np.clip(4.0 + 6.0 / excess, *DF_BOUNDS))


def estimate_macro(
    growth: np.ndarray, inflation: np.ndarray, keep: np.ndarray, pooled=None
) -> dict:
    """Estimate the macro block from panels [year, member] of percent rates.

    ``keep`` [year] marks the years used (crisis years excluded).  Returns
    per-member persistence and innovation s.d., standardised residuals, the mean
    cross-member correlation of growth and of inflation shocks (the common-factor
    loading squared), the median within-member growth-inflation correlation and the
    Student-t degrees of freedom of the pooled standardised growth shocks.
    ``pooled`` [member] (default all): the members the cross-member estimates see;
    the per-member fits are every member's own.
    """
    n_members = growth.shape[1]
    pool = np.ones(n_members, bool) if pooled is None else np.asarray(pooled, bool)
    out: dict = {k: np.empty(n_members) for k in ("g_ar", "g_sd", "pi_ar", "pi_sd")}
    zg = np.full(growth.shape, np.nan)
    zp = np.full(inflation.shape, np.nan)
    for i in range(n_members):
        out["g_ar"][i], out["g_sd"][i], rg = ar1_residuals(growth[:, i], keep)
        out["pi_ar"][i], out["pi_sd"][i], rp = ar1_residuals(inflation[:, i], keep)
        zg[:, i] = rg / out["g_sd"][i]
        zp[:, i] = rp / out["pi_sd"][i]
    within = []
    for i in np.flatnonzero(pool):
        ok = np.isfinite(zg[:, i]) & np.isfinite(zp[:, i])
        within.append(np.corrcoef(zg[ok, i], zp[ok, i])[0, 1])
    out.update(
        z_growth=zg,
        z_inflation=zp,
        growth_common_corr=float(np.clip(mean_pairwise_corr(zg[:, pool]), 0.0, 0.99)),
        inflation_common_corr=float(
            np.clip(mean_pairwise_corr(zp[:, pool]), 0.0, 0.99)
        ),
        growth_inflation_corr=float(np.median(within)),
        shock_df=t_df_from_kurtosis(zg[:, pool]),
    )
    return out


def estimate_share(share: np.ndarray, years: np.ndarray, normal: np.ndarray) -> dict:
    """Pooled AR(1) persistence of the defence share and s.d. of its annual change,
    both over the changes into the ``normal`` years.

    ``share`` is [year, member] in percent of GDP; ``normal`` [year] marks the years
    whose change from the year before is normal-year dynamics (not a crisis, a policy
    surge or a definition break).
    """
    y, z = share[1:], share[:-1]
    ok = np.isfinite(y) & np.isfinite(z) & normal[1:, None]
    zc = z[ok] - z[ok].mean()
    phi = float((zc * (y[ok] - y[ok].mean())).sum() / (zc * zc).sum())
    d = (y - z)[ok]
    return {
        "persistence": round(phi, 4),
        "change_sd_pp": round(float(d.std(ddof=1)), 4),
        "n_changes": int(d.size),
        "years": [int(years[0]), int(years[-1])],
        "fit_years": [int(y) for y in years[1:][normal[1:]]],
    }


def _panel(
    df: pd.DataFrame, col: str, codes: list[str], years: np.ndarray
) -> np.ndarray:
    wide = df.pivot(index="year", columns="iso3", values=col)
    return wide.reindex(index=years, columns=codes).to_numpy(float)


@functools.lru_cache(maxsize=4)
def _sources():
    edition = read_source(EDITION_2026)
    edition = edition[edition["measure"] == "core_share_gdp"]
    return (
        read_source("nato_members.csv"),
        read_source("macro_history.csv"),
        read_source("macro_outlook.csv"),
        read_source("defence_share_gdp.csv"),
        edition.rename(columns={"value": "value_pct_gdp"}),
    )


SURGE_FROM = 2022
"""From the 2022 invasion on, annual share changes are a policy surge, not normal-year
dynamics: left out of the fit (with them the core series gives an explosive
persistence of 1.05; Luxembourg's 2023 denominator break falls in them too)."""
EDITION_LAST_YEAR = 2026
"""Last year of NATO's July-2026 edition (2025-2026 are estimates)."""


def calibrate(
    asof: int = 2024,
    first_year: int = 2000,
    exclude: tuple[int, ...] = (2020, 2021),
    means: str = "outlook",
    leave_out: tuple[str, ...] = (),
) -> dict:
    """Calibration mapping estimated from data up to ``asof`` (see module docstring).

    ``means``: 'outlook' (IMF WEO Oct-2025 projections 2026-2030; only for asof >=
    2024, when they were published) or 'history' (mean over the estimation window).
    ``leave_out``: members (ISO3) that no cross-member (pooled) estimate sees, for
    leave-one-member-out skill; their own per-member fits (AR(1), means, residuals:
    their own past) are kept.
    """
    members, hist, outl, shares, core = _sources()
    if not 1980 < first_year < asof <= 2024:
        raise ConfigError(
            f"calibration years {first_year}..{asof}: need 1980 < first < asof <= 2024"
        )
    if means == "outlook" and asof < 2024:
        raise ConfigError(
            "calibration means 'outlook' are only known from 2025: use 'history'"
        )
    everyone = list(members["iso3"])  # per-member fits: each member's own past
    # the cross-section: every pooled estimate (all panels built from ``codes``) sees
    # only these members, so estimators added later leave ``leave_out`` out too
    codes = [c for c in everyone if c not in leave_out]
    years = np.arange(first_year, asof + 1)
    keep = ~np.isin(years, exclude)
    h = hist.copy()
    defl = h.pivot(index="year", columns="iso3", values="gdp_deflator_index")
    infl = 100.0 * defl.pct_change(fill_method=None)
    growth = _panel(h, "real_gdp_growth_pct", everyone, years)
    inflation = infl.reindex(index=years, columns=everyone).to_numpy(float)
    est = estimate_macro(growth, inflation, keep, np.isin(everyone, codes))

    o = outl[outl["vintage"] == OUTLOOK_VINTAGE]
    if means == "outlook":
        lo, hi = 2026, 2030
        g_mean = o[o.year.between(lo, hi)].groupby("iso3")["real_gdp_growth_pct"].mean()
        od = pd.concat([defl.loc[[2024]], o.pivot(index="year", columns="iso3",
                                                    values="gdp_deflator_index")])  # fmt: skip
        pi_mean = (100.0 * od.pct_change(fill_method=None)).loc[lo:hi].mean()
        mean_note = f"IMF {OUTLOOK_VINTAGE} projections {lo}-{hi}"
    else:
        g_mean = pd.Series(
            np.nanmean(np.where(keep[:, None], growth, np.nan), 0), everyone
        )
        pi_mean = pd.Series(
            np.nanmean(np.where(keep[:, None], inflation, np.nan), 0), everyone
        )
        mean_note = f"history {first_year}-{asof} (excluded years left out)"

    nato = shares[shares.source_id == "NATO_DE_2024"]
    sipri = shares[shares.source_id == "SIPRI_MILEX_1949_2024"]
    share_est = {}
    series = [
        ("nato_jun2024", nato, 2014, asof),
        ("sipri", sipri, max(first_year, 1995), asof),
    ]
    if asof >= 2024:  # as of today only: a backtest's calibration must not see it
        series.insert(0, ("nato_core_jul2026", core, 2014, EDITION_LAST_YEAR))
    for name, df, lo, hi in series:
        yrs = np.arange(lo, hi + 1)
        if yrs.size < 4:
            continue
        panel = _panel(df, "value_pct_gdp", codes, yrs)
        normal = ~np.isin(yrs, exclude) & (yrs < SURGE_FROM)
        share_est[name] = estimate_share(panel, yrs, normal)

    pooled = growth[:, np.isin(everyone, codes)]
    policy = estimate_policy(asof, codes, shares, core, pooled, years, keep, h)
    policy["revisions"]["member_scale"] = member_scale(shares, everyone, codes, years,
                                                       keep)  # fmt: skip

    def r(x, nd=4):
        return None if not np.isfinite(x) else round(float(x), nd)

    return {
        "provenance": {
            "created_by": "sim calibrate (make calibrate); deterministic: rerunning it "
            "on the same data gives the same file",
            "data": "sim/data/sources/macro_history.csv (IMF_WEO_2025_10), "
            "macro_outlook.csv, defence_share_gdp.csv (NATO_DE_2024, SIPRI_MILEX_1949_2024)"
            + (
                ", nato_2026_edition_shares.csv (NATO July-2026 edition, core)"
                if "nato_core_jul2026" in share_est
                else ""
            ),  # fmt: skip
            "asof": asof,
            "years": [first_year, asof],
            "excluded_years": list(exclude),
            "means": mean_note,
            **({"left_out_members": sorted(leave_out)} if leave_out else {}),
            "method": "per-member OLS AR(1) of real growth and GDP-deflator inflation; "
            "innovation s.d. = residual s.d.; common correlation = mean pairwise "
            "correlation of standardised residuals; growth-inflation correlation = "
            "median within-member residual correlation; Student-t df matched to the "
            "pooled excess kurtosis of standardised growth residuals; defence-share "
            "persistence (pooled AR(1)) and change s.d. per series over the changes "
            "into its 'fit_years' (excluded years and the surge from "
            f"{SURGE_FROM} left out), within its 'years'; series never spliced: "
            "nato_core_jul2026 = NATO July-2026 edition core shares 2014-2026 (one "
            "definition; 2025-2026 estimates), nato_jun2024 = June-2024 edition, "
            "sipri = SIPRI; informational except nato_jun2024/sipri change s.d. (the "
            "backtest's persistence forecaster): the engine does not read them",
        },
        "common": {
            "growth_common_corr": r(est["growth_common_corr"]),
            "inflation_common_corr": r(est["inflation_common_corr"]),
            "growth_inflation_corr": r(est["growth_inflation_corr"]),
            "shock_df": r(est["shock_df"], 2),
        },
        "share": share_est,
        "policy": policy,
        "members": {
            c: {
                "growth_mean": r(g_mean.get(c, np.nan)),
                "growth_sd": r(est["g_sd"][i]),
                "growth_ar": r(est["g_ar"][i]),
                "inflation_mean": r(pi_mean.get(c, np.nan)),
                "inflation_sd": r(est["pi_sd"][i]),
                "inflation_ar": r(est["pi_ar"][i]),
            }
            for i, c in enumerate(everyone)
        },
        "residuals": {
            "years": [int(y) for y in years],
            "growth": {
                c: [r(v) for v in est["z_growth"][:, i]] for i, c in enumerate(everyone)
            },
            "inflation": {
                c: [r(v) for v in est["z_inflation"][:, i]]
                for i, c in enumerate(everyone)
            },
        },
    }


WALES_DEADLINE = 2024
"""The 2% of the 2014 Wales pledge was due within a decade: from 2024 for every Ally."""
LANDING_LEVEL, LANDING_BAND = 2.0, 0.25
"""Landing is measured at the 2% level, within 0.25 pp of it: about the size of the
one-off reclassification pools (domain.md 6.4: 0.2; Italy, Canada, Spain 0.3-0.5)."""
RECESSION_PCT = 0.0
"""A year of negative real growth is a recession (for the consolidation estimate)."""
THREAT_STEP = (2014, 2017)
"""The change in shares from the 2014 threat step (Crimea) to three years after it."""
WILL_FIT = (2022, 2024)
"""Will levels are fitted on the pledge's last three years: the threat regime of the
baseline's start ("high": the war in Ukraine goes on), before the 2025 step."""
RATE_COMMON = 0.03
"""jumps.rate_common's default: the alliance-wide part of the revision rate."""


def committed(panel: np.ndarray, years: np.ndarray, level: float) -> np.ndarray:
    """``panel`` [year, member] where the 2% pledge was due (NaN elsewhere): from the
    Wales deadline on, or after a year at or above the level (allies meeting 2% in
    2014 "aim to continue to do so"), in the pledge years from 2015."""
    prev = np.vstack([np.full(panel.shape[1], np.nan), panel[:-1]])
    with np.errstate(invalid="ignore"):
        due = (years[:, None] >= WALES_DEADLINE) | (prev >= level - 0.005)
    return np.where(due & (years[:, None] > 2014), panel, np.nan)


def estimate_policy(asof, codes, shares, core, growth, years, keep, hist) -> dict:
    """The policy model's parameters from data up to ``asof`` (see
    :mod:`sim.analyses.policy_estimates`): revisions from SIPRI share changes (one
    series at every as-of year, 2000 on, normal years), landing from the NATO series
    of the run (June-2024 edition; the July-2026 core edition for the bundled file),
    consolidation from SIPRI shares and IMF growth."""
    sipri = _panel(shares[shares.source_id == "SIPRI_MILEX_1949_2024"],
                   "value_pct_gdp", codes, years)  # fmt: skip
    normal = keep & (years < SURGE_FROM)
    if asof >= 2024:
        nyears, nato, edition = (
            np.arange(2014, EDITION_LAST_YEAR + 1),
            core,
            "NATO July-2026 edition (core)",
        )
    else:
        nyears = np.arange(2014, asof + 1)
        nato, edition = (
            shares[shares.source_id == "NATO_DE_2024"],
            "NATO June-2024 edition",
        )
    npanel = committed(
        _panel(nato, "value_pct_gdp", codes, nyears), nyears, LANDING_LEVEL
    )
    fit = [int(y) for y in years[1:][normal[1:]]]
    threat = {}
    if asof >= THREAT_STEP[1]:  # the step and three years after it are known
        exposure = (read_source("members.csv").set_index("iso3").reindex(codes)
                    ["exposure"].to_numpy(float))  # fmt: skip
        jun = _panel(shares[shares.source_id == "NATO_DE_2024"], "value_pct_gdp", codes,
                     np.array(THREAT_STEP))  # fmt: skip
        threat = pe.threat_step(jun[0], jun[1], exposure) | {
            "series": "NATO June-2024 edition", "years": list(THREAT_STEP)
        }  # fmt: skip
    will = {}
    if asof >= 2024:  # the years of the high-threat regime under the pledge
        wyears = np.arange(2014, 2025)
        groups = list(read_source("member_assumptions.csv").set_index("iso3")
                      .reindex(codes)["group"].fillna("none"))  # fmt: skip
        will = pe.gap_closing(_panel(core, "value_pct_gdp", codes, wyears), wyears,
                              groups, WILL_FIT)  # fmt: skip
        will.pop("none", None)
    return {
        "revisions": pe.revisions(sipri, normal, RATE_COMMON)
        | {"series": "SIPRI", "fit_years": [fit[0], fit[-1]]},
        "landing": pe.landing(npanel, LANDING_LEVEL, LANDING_BAND)
        | {"series": edition, "years": [int(nyears[0]), int(nyears[-1])]},
        "will": will
        | {"series": "NATO July-2026 edition (core)", "fit_years": list(WILL_FIT)}
        if will
        else {},
        "threat": threat,
        "debt_stress": pe.debt_stress(
            sipri, _panel(hist, "gov_gross_debt_pct_gdp", codes, years), normal, 90.0
        )
        | {"series": "SIPRI shares, IMF gross debt", "note": "informational: not used"},
        "consolidation": pe.consolidation(sipri, growth, keep, RECESSION_PCT)
        | {
            "series": "SIPRI shares, IMF real growth",
            "years": [int(years[0]), int(years[-1])],
        },
        "method": "revisions: compound-Poisson jumps matched to the variance, first "
        "autocovariance and fourth cumulant of annual share changes (one-year spikes "
        "over 1 pp left out); landing: Jeffreys posterior of the bunching of shares "
        f"within {LANDING_BAND} pp above vs below {LANDING_LEVEL}% in member-years where "
        "the 2% pledge was due; will: the gap to the 2% pledge path closed per year, "
        "regressed without intercept per group over the member-years below it; "
        "consolidation: excess change in the share from the year "
        "before a year of negative real growth to two years after it",
    }


def member_scale(shares, everyone, codes, years, keep) -> dict:
    """Per member (ISO3): its revision s.d. as a multiple of the pooled one
    (:func:`sim.analyses.policy_estimates.member_scales`), from its own SIPRI log-share
    changes into the normal years up to the as-of year; the hyperparameters (pooled
    variance, how much members differ) from the ``codes`` members only."""
    sipri = _panel(shares[shares.source_id == "SIPRI_MILEX_1949_2024"],
                   "value_pct_gdp", everyone, years)  # fmt: skip
    est = pe.member_scales(sipri, keep & (years < SURGE_FROM), np.isin(everyone, codes))

    def r(x, nd=4):
        return None if not np.isfinite(x) else round(float(x), nd)

    return {
        "method": "empirical Bayes (Buhlmann-Straub credibility): each member's "
        "variance of log-share changes (deviations from the pooled mean) weighted "
        "n / (n + prior_changes) against the pooled variance; scale = sqrt(estimate / "
        "pooled variance) multiplies revisions.sd; dof: degrees of freedom of its "
        "scaled-inverse-chi2 posterior (parameter uncertainty)",
        "series": "SIPRI",
        "pooled_var": r(est["pooled_var"], 6),
        "within_var": r(est["within_var"], 8),
        "between_var": r(est["between_var"], 8),
        "prior_changes": r(est["prior_changes"], 2),
        "kurtosis_factor": r(est["kurtosis_factor"], 3),
        "members": {
            c: {
                "n_changes": int(est["n_changes"][i]),
                "own_sd": r(est["own_sd"][i]),
                "weight": r(est["weight"][i]),
                "scale": r(est["scale"][i]),
                "dof": r(est["dof"][i], 2),
            }
            for i, c in enumerate(everyone)
        },
    }


def write(cal: dict, path: str | Path) -> Path:
    """Write a calibration mapping as YAML (atomically, under a unique temporary
    name: a planted file or symlink is never written through)."""
    text = yaml.safe_dump(cal, sort_keys=False, width=100)
    try:
        return atomic_write(path, text)
    except OSError as e:
        raise ConfigError(
            f"cannot write calibration file {path}: {e.strerror}"
        ) from None


def load(spec: str | None, base_year: int, leave_out: tuple[str, ...] = ()) -> dict:
    """Calibration for a config: bundled default (None), 'asof' (estimated now from
    data up to the base year, history means, pooled estimates without the members
    ``leave_out``) or a file path."""
    if spec == "asof":
        return calibrate(
            asof=min(base_year, 2024),
            means="history" if base_year < 2025 else "outlook",
            leave_out=tuple(leave_out),
        )
    return read(str(Path(spec) if spec else DEFAULT_FILE))
