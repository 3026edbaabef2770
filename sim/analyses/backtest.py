"""Backtest: run the model from a past base year and score it against what happened."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .. import constants as C
from .. import engine
from ..cf import label_coords
from ..config import Config
from ..distributed import mapper
from ..errors import ConfigError
from ..inputs.build_members import read_source
from ..provenance import run_attrs
from ..stats import hist_crps
from . import calibrate as calibration
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


def backtest(cfg: Config, progress=None, scheduler=None) -> xr.Dataset:
    """Scores of the model and two naive forecasters; see README, "Backtest".
    ``scheduler``: None (this process) or a dask ``Client``."""
    if cfg.base_year >= 2024:
        raise ConfigError(
            "backtest: base_year must be before 2024 (realised data end 2024)"
        )
    if cfg.horizon > 2024:
        raise ConfigError(
            "backtest: horizon must be 2024 at most (realised data end 2024)"
        )
    tgt = cfg.targets[0]
    if tgt.measure != "core":
        raise ConfigError("backtest: the first target must measure core spending")
    mi, state = engine.simulate(cfg, progress=progress, map_chunks=mapper(scheduler))
    red = state.total()
    codes = [c for c, k in zip(mi.iso3, mi.counted, strict=True) if k]
    sel = np.flatnonzero(mi.counted)
    years = mi.years
    n = red.n_paths
    threshold = tgt.level - cfg.meet_tolerance

    obs = observed_shares(codes, years, "NATO_DE_2024")
    valid = np.isfinite(obs)
    outcome = obs >= threshold
    p = {"model": red.meet[0][sel] / n}

    cal = calibration.load(cfg.calibration, cfg.base_year)
    sigma, share_cal = persistence_sigma(cal)
    s0 = mi.base_share[sel]
    horizons = (years - cfg.base_year).astype(float)
    p["persistence"] = persistence_forecast(s0, threshold, horizons, sigma)

    window, sipri = climatology_window(codes, cfg.base_year)
    clim = climatology(sipri, threshold)
    p["climatology"] = np.repeat(clim[:, None], len(years), axis=1)

    crps = {f: np.full(len(codes), np.nan) for f in FORECASTERS}
    for i in range(len(codes)):
        y = obs[i, -1]
        if not np.isfinite(y):
            continue
        crps["model"][i] = hist_crps(red.hists["core"][sel[i], -1], "core", y)
        crps["persistence"][i] = scores.crps_normal(
            s0[i], sigma * np.sqrt(horizons[-1]), y
        )
        hist = sipri[i][np.isfinite(sipri[i])]
        crps["climatology"][i] = scores.crps_sample(hist, y) if hist.size else np.nan

    f_dim, m_dim, y_dim, b_dim = C.FORECASTER, C.MEMBER, C.YEAR, C.BIN
    brier = [scores.brier(p[f][valid], outcome[valid]) for f in FORECASTERS]
    logs = [scores.log_score(p[f][valid], outcome[valid]) for f in FORECASTERS]
    rel = [scores.reliability(p[f][valid], outcome[valid]) for f in FORECASTERS]
    prob = np.stack([p[f] for f in FORECASTERS])
    data = {
        "p_forecast": ((m_dim, y_dim), p["model"], "model probability that the share is at or above the level", "1"),
        "p_naive": ((f_dim, m_dim, y_dim), prob, "probability from each forecaster (model included)", "1"),
        "observed": ((m_dim, y_dim), obs, "realised share (NATO June-2024 edition; 2023-24 are NATO estimates)", "percent"),
        "outcome": ((m_dim, y_dim), np.where(valid, outcome, np.nan), "1 if the realised share was at or above the level", "1"),
        "base_share": ((m_dim,), s0, "share in the base year", "percent"),
        "brier": ((f_dim,), brier, "Brier score over member-years (lower is better)", "1"),
        "brier_skill": ((f_dim,), 1 - np.array(brier) / brier[2], "Brier skill score relative to climatology", "1"),
        "log_score": ((f_dim,), logs, f"mean negative log probability (p clipped to [{scores.LOG_CLIP}, 1-{scores.LOG_CLIP}])", "1"),
        "crps_final": ((f_dim,), [np.nanmean(crps[f]) for f in FORECASTERS], f"mean CRPS of the share in {years[-1]}", "percent"),
        "crps_final_member": ((f_dim, m_dim), np.stack([crps[f] for f in FORECASTERS]), f"CRPS of the share in {years[-1]}", "percent"),
        "reliability_count": ((f_dim, b_dim), np.stack([r[0] for r in rel]), "member-years with a forecast in the bin", "1"),
        "reliability_forecast": ((f_dim, b_dim), np.stack([r[1] for r in rel]), "mean forecast probability in the bin", "1"),
        "reliability_observed": ((f_dim, b_dim), np.stack([r[2] for r in rel]), "observed frequency in the bin", "1"),
    }  # fmt: skip
    ds = xr.Dataset(
        {k: xr.Variable(d, np.asarray(v, float), attrs={"long_name": ln, "units": u})
         for k, (d, v, ln, u) in data.items()},
        coords={
            m_dim: codes,
            y_dim: years.astype(np.int32),
            f_dim: list(FORECASTERS),
            b_dim: np.arange(10) / 10,
            "member_name": (m_dim, [mi.names[i] for i in sel]),
        },
    )  # fmt: skip
    label_coords(ds)
    ds.attrs = {
        "title": f"NATO defence-spending backtest: {cfg.name}",
        "source": "sim model vs NATO Defence Expenditure (June-2024 edition) realised shares",
        "comment": (
            f"Target {tgt.name}: core share >= {tgt.level} - {cfg.meet_tolerance}. "
            "Persistence: random walk from the base-year share with annual s.d. "
            f"{sigma:.3f} pp (calibration, {share_cal['years'][0]}-{share_cal['years'][1]}). "
            f"Climatology: each member's frequency over {window[0]}-{window[-1]} in SIPRI "
            "data (SIPRI's definition differs from NATO's; not spliced), smoothed "
            "(k+0.5)/(n+1). Realised 2023-2024 values are NATO estimates."
        ),
        **run_attrs(cfg, n, "backtest", mi.calibration),
    }
    return ds


def summary(ds: xr.Dataset) -> str:
    """Printed summary: scores, reliability and a per-member table."""
    f = list(ds["forecaster"].values)
    lines = [
        f"{ds.attrs['experiment']}: base year {int(ds.attrs['base_year'])}, "
        f"{int(ds.attrs['n_paths'])} paths, {int(np.isfinite(ds['outcome']).sum())} member-years",
        f"event: {ds.attrs['comment'].split('. ')[0]}; realised: "
        + ds.attrs["source"].removeprefix("sim model vs "),
        "scores: lower Brier, log score and CRPS are better; BSS = skill against "
        "climatology (higher is better, 0 = no skill)",
        f"{'forecaster':12} {'Brier':>7} {'BSS':>7} {'log':>7} {'CRPS ' + str(int(ds.year[-1])):>10}",
    ]
    for i, name in enumerate(f):
        lines.append(
            f"{name:12} {float(ds.brier[i]):7.4f} {float(ds.brier_skill[i]):7.3f} "
            f"{float(ds.log_score[i]):7.3f} {float(ds.crps_final[i]):10.3f}"
        )
    lines.append("\nreliability (bin: count, mean forecast -> observed frequency)")
    for i, name in enumerate(f):
        cells = []
        for b in range(ds.sizes[C.BIN]):
            c = int(ds.reliability_count[i, b])
            if c:
                cells.append(
                    f"{b / 10:.1f}: {c} {float(ds.reliability_forecast[i, b]):.2f}->"
                    f"{float(ds.reliability_observed[i, b]):.2f}"
                )
        lines.append(f"{name:12} " + "; ".join(cells))
    y = int(ds.year[-1])
    lines.append(
        f"\nP(event in {y}) by forecaster; base = base-year share, obs = realised share [%]"
    )
    lines.append(
        f"{'member':6} {'base':>5} {'obs ' + str(y):>8} "
        + " ".join(f"{n[:11]:>11}" for n in f)
    )
    for m in ds.member.values:
        ps = " ".join(
            f"{float(ds.p_naive.sel(forecaster=n, member=m, year=y)):11.3f}" for n in f
        )
        lines.append(
            f"{m:6} {float(ds.base_share.sel(member=m)):5.2f} "
            f"{float(ds.observed.sel(member=m, year=y)):8.2f} {ps}"
        )
    return "\n".join(lines)
