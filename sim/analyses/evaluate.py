"""Forecasts of a config from its base year by the model and the naive forecasters,
and their scores at several thresholds pooled over origins: the shared core of
``sim backtest`` (one origin, the config's base year) and ``sim skill`` (several
origins, optionally leave-one-member-out)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .. import constants as C
from .. import engine
from ..cf import label_coords
from ..config import Config
from ..distributed import mapper
from ..errors import ConfigError
from ..stats import hist_crps, hist_quantiles
from . import calibrate as calibration
from . import scores
from .differences import crps_differences, score_differences
from .naive import (
    FORECASTERS,
    climatology,
    climatology_window,
    observed_shares,
    persistence_forecast,
    persistence_sigma,
)

THRESHOLDS = (1.5, 2.0, 2.5, 3.0, 3.5)
LAST_YEAR = 2024
"""The June-2024 NATO edition, the realised shares, covers 2014-2024."""
REALISED = "NATO_DE_2024"
INTERVAL = 0.9
"""Central interval of one-year-ahead shares whose coverage is counted."""
LOW = 0.05
"""Forecasts below this probability are checked for coming true too often."""
Z_INTERVAL = 1.6448536269514722
"""Standard-normal quantile 0.95: persistence's 90% interval is s0 +- Z sigma."""
SERIES = {"sipri": "SIPRI", "nato_jun2024": "NATO June-2024 edition"}
"""Names of the calibration's share series the persistence s.d. can come from."""
NOT_FITTED = (
    "Not fitted on any years: will levels, threat start and transitions, execution, "
    "resilience, absorption limits and every other config value (set by hand, the same "
    "at every origin). threat.commitment_pp's default (0.34, sim calibrate's "
    "policy.threat) is estimated on the 2014-2017 NATO shares: a leak of up to three "
    "years into origins before 2017 (the Crimea step is 2014-15). Realised "
    "data are the June-2024 NATO edition and the Oct-2025 IMF history as later "
    "revised: a data revision leak the bundled data cannot avoid."
)


def check_thresholds(thresholds) -> None:
    """ConfigError unless thresholds are increasing shares in (0, 20) [% of GDP]."""
    t = list(thresholds)
    if not t or t != sorted(set(t)) or not 0 < t[0] <= t[-1] < 20:
        raise ConfigError(
            f"--thresholds {','.join(f'{x:g}' for x in t)}: give increasing shares "
            "between 0 and 20 [% of GDP]"
        )


def threshold_targets(thresholds) -> list[dict]:
    """One core target per threshold [% of GDP], as config entries."""
    return [{"name": f"core_{t:g}", "measure": "core", "level": float(t)}
            for t in thresholds]  # fmt: skip


def forecasts(cfg: Config, progress=None, scheduler=None) -> dict:
    """Forecasts of a re-based config for its counted members and every year after
    the base year: probabilities [forecaster, threshold, member, year], CRPS of the
    share [forecaster, member, year] and one-year-ahead 90% intervals [forecaster,
    member, (lower, upper)] (climatology: none), with what was fitted on which years."""
    mi, state = engine.simulate(cfg, progress=progress, map_chunks=mapper(scheduler))
    red = state.total()
    sel = np.flatnonzero(mi.counted)
    codes = [mi.iso3[i] for i in sel]
    years, origin, n = mi.years, cfg.base_year, red.n_paths
    levels = np.array([t.level for t in cfg.targets]) - cfg.meet_tolerance
    cal = calibration.load(cfg.calibration, origin, cfg.calibration_leave_out)
    sigma, share_cal = persistence_sigma(cal)
    series = next(k for k, v in cal["share"].items() if v is share_cal)
    s0 = mi.base_share[sel]
    lead = (years - origin).astype(float)
    window, sipri = climatology_window(codes, origin)
    obs = observed_shares(codes, years, REALISED)
    hist = red.hists["core"][sel]

    nf, nt, nm, ny = len(FORECASTERS), len(levels), len(codes), len(years)
    prob = np.empty((nf, nt, nm, ny))
    prob[0] = red.meet[:, sel] / n
    for k, level in enumerate(levels):
        prob[1, k] = persistence_forecast(s0, level, lead, sigma)
        prob[2, k] = climatology(sipri, level)[:, None]
    crps = np.full((nf, nm, ny), np.nan)
    for i in range(nm):
        past = sipri[i][np.isfinite(sipri[i])]
        for t in np.flatnonzero(np.isfinite(obs[i])):
            y = obs[i, t]
            crps[0, i, t] = hist_crps(hist[i, t], "core", y)
            crps[1, i, t] = scores.crps_normal(s0[i], sigma * np.sqrt(lead[t]), y)
            crps[2, i, t] = scores.crps_sample(past, y) if past.size else np.nan
    tail = (1 - INTERVAL) / 2
    interval = np.full((nf, nm, 2), np.nan)
    interval[0] = hist_quantiles(hist[:, 0], "core", [tail, 1 - tail])
    interval[1] = s0[:, None] + np.array([-1.0, 1.0]) * Z_INTERVAL * sigma

    fit = dict(calibration=mi.calibration, series=SERIES[series],
               fit_years=share_cal["fit_years"], window=(int(window[0]), int(window[-1])),
               origin=origin, plans_asof=mi.plans_asof,
               policy=cal.get("policy"), resolved=mi.policy)  # fmt: skip
    n_changes = share_cal["n_changes"]
    return dict(codes=codes, names=[mi.names[i] for i in sel], years=years, prob=prob, crps=crps, interval=interval,
                base_share=s0, sigma=np.full(nm, sigma), n_changes=np.full(nm, n_changes),
                fit=fit, fitted=fitted_text(fit, f"{sigma:.3f}", str(n_changes)),
                n_paths=n, calibration=mi.calibration)  # fmt: skip


def fitted_text(fit: dict, sigma: str, n_changes: str) -> str:
    """What each estimated quantity of one origin's forecasts was fitted on: years
    and data (``sigma`` [pp] and ``n_changes``: the persistence s.d. and the number
    of share changes behind it, as text so that a range can be given)."""
    prov = fit["calibration"]
    macro = [y for y in range(prov["years"][0], prov["years"][1] + 1)
             if y not in prov.get("excluded_years", [])]  # fmt: skip
    left = prov.get("left_out_members")
    return (
        f"macro calibration: IMF WEO Oct-2025 history {year_ranges(macro)} ("
        + ("means too" if prov["means"].startswith("history") else prov["means"])
        + f"); persistence s.d. {sigma} pp from {fit['series']} share changes into "
        f"{year_ranges(fit['fit_years'])} ({n_changes} member-years); climatology: "
        f"SIPRI {fit['window'][0]}-{fit['window'][1]}; base shares: NATO June-2024 "
        f"edition {fit['origin']}; national plans announced by {fit['plans_asof']}"
        + policy_text(fit.get("policy"), fit.get("resolved"))
        + (f"; pooled estimates without {', '.join(left)}" if left else "")
    )


def policy_text(pol: dict | None, used: dict | None) -> str:
    """What the policy parameters in use were fitted on (empty without a policy
    section); values set in the config are said to be so."""
    if not pol or not used:
        return ""
    r, la, c = pol["revisions"], pol["landing"], pol["consolidation"]
    own = (used["rate_member"], used["rev_sd"], used["momentum"]) != (
        r["rate_member"], r["sd"], r["momentum"]
    )  # fmt: skip
    rev = (
        "revisions set in the config"
        if own
        else f"revisions ({used['rate_member']:.2f}/yr, s.d. {used['rev_sd']:.3f}, "
        f"momentum {used['momentum']:.2f}) from SIPRI log-share changes into "
        f"{r['fit_years'][0]}-{r['fit_years'][1]}"
    )
    scale = used.get("member_scale_mean")
    if scale is not None and scale.size and (scale != 1).any():
        rev += (
            ", times each member's scale from its own changes in the same years, "
            "shrunk toward the pool"
        )
    land = (
        f"top-ups (p {used['p_topup']:.2f}) from {la['series']} {la['years'][0]}-"
        f"{la['years'][1]} ({la['above']} above, {la['below']} below 2%)"
        if used["p_topup"] == la["p_topup"]
        else "top-ups set in the config"
    )
    cons = (
        f"consolidation ({used['consolidation_pp']:.3f} pp) from {c['years'][0]}-"
        f"{c['years'][1]} ({c['n_recessions']} recessions)"
        if used["consolidation_pp"] == c["consolidation_pp"]
        else "consolidation set in the config"
    )
    return f"; policy: {rev}; {land}; {cons}"


def leave_one_out(runs: list[dict]) -> dict:
    """One origin's forecasts from its leave-one-member-out runs (one member each,
    every pooled estimate without that member): the members side by side."""
    first = runs[0]
    out = dict(first)
    for k in ("codes", "names"):
        out[k] = [c for r in runs for c in r[k]]
    out["prob"] = np.concatenate([r["prob"] for r in runs], axis=2)
    out["crps"] = np.concatenate([r["crps"] for r in runs], axis=1)
    out["interval"] = np.concatenate([r["interval"] for r in runs], axis=1)
    for k in ("base_share", "sigma", "n_changes"):
        out[k] = np.concatenate([r[k] for r in runs])
    sig, n = out["sigma"], out["n_changes"]
    fit = dict(first["fit"])
    fit["calibration"] = {k: v for k, v in fit["calibration"].items()
                          if k != "left_out_members"}  # fmt: skip
    out["fitted"] = (
        "leave-one-member-out: each member's forecast from pooled estimates "
        "(common shock correlations, Student-t df, persistence s.d., policy "
        "parameters, the pool its revision scale is shrunk toward) without it; "
        + fitted_text(fit, _span(sig, "{:.3f}"), _span(n, "{:.0f}"))  # fmt: skip
    )
    out["calibration"] = fit["calibration"] | {"left_out_members": "each scored member"}
    return out


def _span(x: np.ndarray, fmt: str) -> str:
    """'lo-hi' of the values formatted with ``fmt``, or one value if they agree."""
    lo, hi = fmt.format(x.min()), fmt.format(x.max())
    return lo if lo == hi else f"{lo}-{hi}"


def year_ranges(years) -> str:
    """[2001, 2002, 2003, 2005] -> '2001-2003, 2005'."""
    parts, ys = [], sorted(int(y) for y in years)
    for y in ys:
        if parts and y == parts[-1][1] + 1:
            parts[-1][1] = y
        else:
            parts.append([y, y])
    return ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in parts)


def score_table(prob: np.ndarray, obs: np.ndarray, levels: np.ndarray) -> dict:
    """Scores of probabilities ``prob`` [forecaster, origin, threshold, member, year]
    (NaN: no forecast) of the events obs >= level, for realised shares ``obs``
    [member, year] (NaN: not known) and event ``levels`` [threshold].

    Returns per origin and threshold the Brier and log scores and the number of
    forecasts; the same pooled over origins (every member-year forecast weighs the
    same); the reliability table [forecaster, bin] pooled over origins and
    thresholds; and the forecasts below ``LOW``: count, mean forecast, events."""
    outcome = obs[None] >= levels[:, None, None]  # [threshold, member, year]
    valid = np.isfinite(prob).all(axis=0) & np.isfinite(obs)  # [origin, thr, m, y]
    nf, no, nt = prob.shape[:3]
    out = {k: np.full((nf, no, nt), np.nan) for k in ("brier_origin", "log_origin")}
    out |= {k: np.full((nf, nt), np.nan) for k in ("brier", "log")}
    out["n_origin"] = valid.sum(axis=(2, 3))
    rel, low = [], np.zeros((nf, 3))
    for f in range(nf):
        for t in range(nt):
            for o in range(no):
                v = valid[o, t]
                if v.any():
                    p, e = prob[f, o, t][v], outcome[t][v]
                    out["brier_origin"][f, o, t] = scores.brier(p, e)
                    out["log_origin"][f, o, t] = scores.log_score(p, e)
            v = valid[:, t]
            if v.any():
                p, e = prob[f, :, t][v], np.broadcast_to(outcome[t], v.shape)[v]
                out["brier"][f, t] = scores.brier(p, e)
                out["log"][f, t] = scores.log_score(p, e)
        p = prob[f][valid]
        e = np.broadcast_to(outcome, valid.shape)[valid]
        rel.append(scores.reliability(p, e))
        below = p < LOW
        low[f] = below.sum(), p[below].mean() if below.any() else np.nan, e[below].sum()
    diff = score_differences(prob, outcome, valid)
    out["brier_diff"], out["brier_diff_se"] = diff["brier"], diff["brier_se"]
    out["log_diff"], out["log_diff_se"] = diff["log"], diff["log_se"]
    out["reliability"] = np.array(rel)  # [forecaster, (count, forecast, freq), bin]
    out["low"] = low  # [forecaster, (count, mean forecast, events)]
    return out


def scores_dataset(
    runs: list[dict], origins, thresholds, tolerance: float
) -> xr.Dataset:
    """The forecasts of each origin (``runs``, from :func:`forecasts`) side by side
    and their scores against realised shares, pooled over origins, at every
    threshold [% of GDP] (event: share >= threshold - ``tolerance``)."""
    codes = list(dict.fromkeys(c for r in runs for c in r["codes"]))
    years = np.arange(origins[0] + 1, max(int(r["years"][-1]) for r in runs) + 1)
    nf, no, nt, nm, ny = len(FORECASTERS), len(origins), len(thresholds), len(codes), len(years)  # fmt: skip
    prob = np.full((nf, no, nt, nm, ny), np.nan)
    crps = np.full((nf, no, nm, ny), np.nan)
    interval = np.full((nf, no, nm, 2), np.nan)
    base = np.full((no, nm), np.nan)
    sigma = np.full((no, nm), np.nan)
    for o, r in enumerate(runs):
        m = [codes.index(c) for c in r["codes"]]
        y = np.searchsorted(years, r["years"])
        prob[np.ix_(range(nf), [o], range(nt), m, y)] = r["prob"][:, None]
        crps[np.ix_(range(nf), [o], m, y)] = r["crps"][:, None]
        interval[np.ix_(range(nf), [o], m, [0, 1])] = r["interval"][:, None]
        base[o, m] = r["base_share"]
        sigma[o, m] = r["sigma"]
    obs = observed_shares(codes, years, REALISED)
    levels = np.asarray(thresholds, float) - tolerance
    s = score_table(prob, obs, levels)
    nxt = obs[:, np.searchsorted(years, np.asarray(origins) + 1)].T  # [origin, member]
    hits = np.full((nf, no), np.nan)  # climatology gives no interval
    n_int = np.zeros(no)
    for o in range(no):
        for f in range(2):  # the model and persistence: intervals for the same members
            hits[f, o], n_int[o] = scores.interval_coverage(
                interval[f, o, :, 0], interval[f, o, :, 1], nxt[o]
            )
    with np.errstate(invalid="ignore", divide="ignore"):
        low_freq = s["low"][:, 2] / s["low"][:, 0]
    brier_clim = s["brier"][FORECASTERS.index("climatology")]
    crps_diff, crps_diff_se = crps_differences(crps)

    f_dim, o_dim, t_dim, m_dim, y_dim, b_dim = (
        C.FORECASTER, C.ORIGIN, C.THRESHOLD, C.MEMBER, C.YEAR, C.BIN
    )  # fmt: skip
    ev = "P(share >= threshold - meet tolerance)"
    data = {
        "p_forecast": ((f_dim, o_dim, t_dim, m_dim, y_dim), prob, f"{ev}, forecast from the origin", "1"),
        "observed": ((m_dim, y_dim), obs, "realised share (NATO June-2024 edition; 2023-24 are NATO estimates)", "percent"),
        "base_share": ((o_dim, m_dim), base, "share in the origin year (NATO June-2024 edition)", "percent"),
        "persistence_sd": ((o_dim, m_dim), sigma, "annual s.d. of share changes of the persistence forecaster (calibration as of the origin)", "percent"),
        "n_forecasts": ((o_dim, t_dim), s["n_origin"], "member-year forecasts scored", "1"),
        "brier": ((f_dim, t_dim), s["brier"], "Brier score pooled over origins (lower is better)", "1"),
        "brier_skill": ((f_dim, t_dim), 1 - s["brier"] / brier_clim, "Brier skill score against climatology, pooled over origins", "1"),
        "brier_model_minus": ((f_dim, t_dim), s["brier_diff"], "model's Brier score minus the forecaster's, pooled over origins (negative: the model is better)", "1"),
        "brier_model_minus_se": ((f_dim, t_dim), s["brier_diff_se"], "standard error of brier_model_minus, clustered by member", "1"),
        "log_model_minus": ((f_dim, t_dim), s["log_diff"], "model's log score minus the forecaster's, pooled over origins (negative: the model is better)", "1"),
        "log_model_minus_se": ((f_dim, t_dim), s["log_diff_se"], "standard error of log_model_minus, clustered by member", "1"),
        "crps_model_minus": ((f_dim,), crps_diff, "model's mean CRPS minus the forecaster's over the member-years both have (negative: the model is better)", "percent"),
        "crps_model_minus_se": ((f_dim,), crps_diff_se, "standard error of crps_model_minus, clustered by member", "percent"),
        "brier_origin": ((f_dim, o_dim, t_dim), s["brier_origin"], "Brier score of one origin", "1"),
        "log_score": ((f_dim, t_dim), s["log"], f"mean negative log probability pooled over origins (p clipped to [{scores.LOG_CLIP}, 1-{scores.LOG_CLIP}])", "1"),
        "log_score_origin": ((f_dim, o_dim, t_dim), s["log_origin"], "mean negative log probability of one origin", "1"),
        "crps_member": ((f_dim, o_dim, m_dim, y_dim), crps, "CRPS of the share forecast from the origin", "percent"),
        "crps_year": ((f_dim, o_dim, y_dim), _nanmean(crps, 2), "CRPS of the share, mean over members", "percent"),
        "crps": ((f_dim,), _nanmean(crps.reshape(nf, -1), 1), "CRPS of the share, mean over member-years of all origins", "percent"),
        "reliability_count": ((f_dim, b_dim), s["reliability"][:, 0], "forecasts in the bin, pooled over origins and thresholds", "1"),
        "reliability_forecast": ((f_dim, b_dim), s["reliability"][:, 1], "mean forecast probability in the bin", "1"),
        "reliability_observed": ((f_dim, b_dim), s["reliability"][:, 2], "observed frequency in the bin", "1"),
        "low_count": ((f_dim,), s["low"][:, 0], f"forecasts below {LOW}, pooled over origins and thresholds", "1"),
        "low_forecast": ((f_dim,), s["low"][:, 1], f"mean of the forecasts below {LOW}", "1"),
        "low_events": ((f_dim,), s["low"][:, 2], f"forecasts below {LOW} that came true", "1"),
        "low_observed": ((f_dim,), low_freq, f"frequency with which forecasts below {LOW} came true", "1"),
        "interval_lower": ((f_dim, o_dim, m_dim), interval[..., 0], f"lower end of the central {INTERVAL:.0%} interval of the share one year after the origin (climatology: none)", "percent"),
        "interval_upper": ((f_dim, o_dim, m_dim), interval[..., 1], f"upper end of the central {INTERVAL:.0%} interval of the share one year after the origin (climatology: none)", "percent"),
        "coverage_hits": ((f_dim, o_dim), hits, "members whose share one year after the origin fell in the interval", "1"),
        "coverage_n": ((o_dim,), n_int, "members with a realised share one year after the origin", "1"),
        "coverage": ((f_dim,), hits.sum(1) / n_int.sum(), f"share of member-years one year after an origin inside the {INTERVAL:.0%} interval, pooled over origins", "1"),
    }  # fmt: skip
    ds = xr.Dataset(
        {k: xr.Variable(d, np.asarray(v, float), attrs={"long_name": ln, "units": u})
         for k, (d, v, ln, u) in data.items()},
        coords={
            f_dim: list(FORECASTERS),
            o_dim: np.asarray(origins, np.int32),
            t_dim: np.asarray(thresholds, float),
            m_dim: codes,
            y_dim: years.astype(np.int32),
            b_dim: np.arange(10) / 10,
        },
    )  # fmt: skip
    label_coords(ds)
    return ds


def _nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    """Mean over finite values along ``axis`` (NaN where there are none)."""
    ok = np.isfinite(x)
    with np.errstate(invalid="ignore"):
        return np.where(ok, x, 0).sum(axis) / ok.sum(axis)


def score_lines(ds: xr.Dataset) -> list[str]:
    """The printed scores of a backtest or skill result: what was fitted on which
    years, scores per threshold against the naive forecasters, CRPS of every
    forecast year, reliability, forecasts below 5% and one-year-ahead coverage."""
    f = [str(x) for x in ds[C.FORECASTER].values]
    origins = [int(o) for o in ds[C.ORIGIN].values]
    many = len(origins) > 1
    lines = [
        f"fitted on data up to {'each origin' if many else 'the base year'} only:",
        *(f"  {o}: {ds.attrs[f'fitted_{o}']}" for o in origins),
        f"  {ds.attrs['not_fitted']}",
        "",
        f"scores {'pooled over origins' if many else 'over member-years'} (lower "
        "Brier, log and CRPS are better; BSS = Brier skill against climatology, "
        "higher is better)",
        f"{'threshold':>9} {'n':>5} " + " ".join(f"{'Brier ' + n[:5]:>12}" for n in f)
        + " " + " ".join(f"{'log ' + n[:5]:>10}" for n in f) + f" {'BSS model':>9}",
    ]  # fmt: skip
    for k, t in enumerate(ds[C.THRESHOLD].values):
        n = int(ds.n_forecasts[:, k].sum())
        b = " ".join(f"{float(ds.brier[i, k]):12.4f}" for i in range(len(f)))
        lg = " ".join(f"{float(ds.log_score[i, k]):10.3f}" for i in range(len(f)))
        lines.append(
            f"{float(t):9.2f} {n:5d} {b} {lg} {float(ds.brier_skill[0, k]):9.3f}"
        )
    lines.append("model minus each forecaster (negative: model better; +- s.e. "
                 "clustered by member)")  # fmt: skip
    for i, name in enumerate(f[1:], start=1):
        for score, label, nd in (("brier", "Brier", 4), ("log", "log", 3)):
            if f"{score}_model_minus" not in ds:  # written before the log differences
                continue
            d, se = ds[f"{score}_model_minus"], ds[f"{score}_model_minus_se"]
            lines.append(
                f"  - {name} {label}: "
                + ", ".join(
                    f"{float(t):g}: {float(d[i, k]):+.{nd}f} +- {float(se[i, k]):.{nd}f}"
                    for k, t in enumerate(ds[C.THRESHOLD].values)
                )
            )
    lines.append(
        "CRPS of the share [pp], mean over member-years: "
        + ", ".join(f"{n} {float(ds.crps[i]):.3f}" for i, n in enumerate(f))
    )
    if "crps_model_minus" in ds:
        lines.append(
            "model - each CRPS [pp] (member-years all have; +- s.e. clustered by "
            "member): " + ", ".join(
                f"{n} {float(ds.crps_model_minus[i]):+.4f} +- "
                f"{float(ds.crps_model_minus_se[i]):.4f}"
                for i, n in enumerate(f) if i
            )
        )  # fmt: skip
    lines.append("by origin: " + "; ".join(
        f"{o}: " + "/".join(f"{float(v):.3f}" for v in
                            _nanmean(ds.crps_member[:, j].values.reshape(len(f), -1), 1))
        for j, o in enumerate(origins)
    ) + f" ({'/'.join(f)})")  # fmt: skip
    lines.append("\nreliability pooled over origins and thresholds (bin: count, mean "
                 "forecast -> observed frequency)")  # fmt: skip
    for i, name in enumerate(f):
        cells = [
            f"{b / 10:.1f}: {int(c)} {float(ds.reliability_forecast[i, b]):.2f}->"
            f"{float(ds.reliability_observed[i, b]):.2f}"
            for b, c in enumerate(ds.reliability_count[i].values) if c
        ]  # fmt: skip
        lines.append(f"{name:12} " + "; ".join(cells))
    lines.append(f"forecasts below {LOW:.0%}: count, mean forecast, came true "
                 "(frequency +- binomial s.e. at the mean forecast)")  # fmt: skip
    for i, name in enumerate(f):
        n, p = int(ds.low_count[i]), float(ds.low_forecast[i])
        if n:
            se = np.sqrt(p * (1 - p) / n)
            lines.append(
                f"{name:12} {n:5d} {p:.3f} {int(ds.low_events[i]):4d} "
                f"({float(ds.low_observed[i]):.3f} +- {se:.3f})"
            )
    cov = [
        f"{name} {int(ds.coverage_hits[i].sum())}/{int(ds.coverage_n.sum())} = "
        f"{float(ds.coverage[i]):.2f}"
        for i, name in enumerate(f) if np.isfinite(ds.coverage[i])
    ]  # fmt: skip
    lines.append(
        f"\none year ahead: realised share inside the {INTERVAL:.0%} interval: "
        + ", ".join(cov)
    )
    return lines
