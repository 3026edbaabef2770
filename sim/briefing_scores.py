"""The numbers of the report of a backtest or out-of-sample skill result: scores per
threshold, CRPS, reliability, forecasts below 5% and one-year-ahead coverage against
persistence and climatology, as tables read from the results Dataset."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import xarray as xr

from . import constants as C


def forecasters(ds: xr.Dataset) -> list[str]:
    return [str(f) for f in ds[C.FORECASTER].values]


def threshold_table(ds: xr.Dataset) -> pd.DataFrame:
    """Per threshold [% of GDP]: forecasts scored, Brier and log score of each
    forecaster (lower is better) and the model's Brier skill against climatology."""
    f = forecasters(ds)
    rows = []
    for k, t in enumerate(ds[C.THRESHOLD].values):
        row = {"Threshold (%)": f"{float(t):g}",
               "Forecasts": int(ds.n_forecasts[:, k].sum())}  # fmt: skip
        for score, name, nd in (("brier", "Brier", 4), ("log_score", "log", 3)):
            for i, n in enumerate(f):
                row[f"{name} {n}"] = f"{float(ds[score][i, k]):.{nd}f}"
        row["Brier skill, model"] = f"{float(ds.brier_skill[0, k]):.3f}"
        for score, name, nd in (("brier", "Brier", 4), ("log", "log", 3)):
            if f"{score}_model_minus" not in ds:  # files written before it
                continue
            for i, n in enumerate(f[1:], start=1):
                d, se = (
                    float(ds[f"{score}_model_minus{x}"][i, k]) for x in ("", "_se")
                )
                row[f"{name} model − {n} (± s.e.)"] = f"{d:+.{nd}f} ± {se:.{nd}f}" + (
                    " *" if abs(d) > 2 * se else ""
                )
        rows.append(row)
    return pd.DataFrame(rows)


def wins(ds: xr.Dataset) -> dict[str, int]:
    """Thresholds at which the model's score is lower than both naive forecasters'."""
    return {
        s: int((ds[s][0] < ds[s][1:].min(C.FORECASTER)).sum())
        for s in ("brier", "log_score")
    }


def crps_table(ds: xr.Dataset) -> pd.DataFrame:
    """Mean CRPS of the share [pp] of each forecaster: all member-years, each origin,
    and each year ahead (pooled over origins)."""
    f = forecasters(ds)
    origins = [int(o) for o in ds[C.ORIGIN].values]
    crps = ds.crps_member.values  # [forecaster, origin, member, year]
    rows = [{"Forecasts": "all", **{n: float(ds.crps[i]) for i, n in enumerate(f)}}]
    for j, o in enumerate(origins):
        rows.append({"Forecasts": f"from {o}",
                     **{n: _mean(crps[i, j]) for i, n in enumerate(f)}})  # fmt: skip
    years = ds[C.YEAR].values
    ahead = years[None, :] - np.asarray(origins)[:, None]  # [origin, year]
    for h in range(1, int(ahead.max()) + 1):
        rows.append({"Forecasts": f"{h} year{'s' * (h > 1)} ahead",
                     **{n: _mean(crps[i].transpose(0, 2, 1)[ahead == h])
                        for i, n in enumerate(f)}})  # fmt: skip
    df = pd.DataFrame(rows)
    for n in f:
        df[n] = df[n].map(lambda v: "" if not np.isfinite(v) else f"{v:.3f}")
    if "crps_model_minus" in ds:  # the whole distribution, with its clustered s.e.
        d, se = ds.crps_model_minus.values, ds.crps_model_minus_se.values
        diff = {n: f"{d[i]:+.4f} ± {se[i]:.4f}" + (" *" if abs(d[i]) > 2 * se[i] else "")
                for i, n in enumerate(f) if i}  # fmt: skip
        row = {"Forecasts": "model minus (± s.e. clustered by member)", f[0]: ""}
        df = pd.concat([df, pd.DataFrame([row | diff])], ignore_index=True)
    return df.rename(columns={n: f"CRPS {n} (pp)" for n in f})


def _mean(x) -> float:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else float("nan")


def reliability_table(ds: xr.Dataset) -> pd.DataFrame:
    """Per forecast-probability bin: count, mean forecast and observed frequency of
    each forecaster (pooled over origins and thresholds)."""
    rows = []
    for b, lo in enumerate(ds[C.BIN].values):
        row = {"Forecast bin": f"{lo:.1f}–{lo + 0.1:.1f}"}
        for i, n in enumerate(forecasters(ds)):
            c = int(ds.reliability_count[i, b])
            row[f"{n}: n"] = c
            row[f"{n}: forecast → observed"] = (
                f"{float(ds.reliability_forecast[i, b]):.2f} → "
                f"{float(ds.reliability_observed[i, b]):.2f}" if c else ""
            )  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)


def low_table(ds: xr.Dataset) -> pd.DataFrame:
    """Forecasts below 5%: how many, their mean, how many came true and how often,
    with the binomial s.e. at the mean forecast."""
    rows = []
    for i, n in enumerate(forecasters(ds)):
        c, p = int(ds.low_count[i]), float(ds.low_forecast[i])
        se = np.sqrt(p * (1 - p) / c) if c else np.nan
        rows.append({
            "Forecaster": n, "Forecasts below 5%": c,
            "Mean forecast": f"{p:.3f}" if c else "",
            "Came true": int(ds.low_events[i]),
            "Frequency ± s.e.": f"{float(ds.low_observed[i]):.3f} ± {se:.3f}" if c else "",
        })  # fmt: skip
    return pd.DataFrame(rows)


def coverage_table(ds: xr.Dataset) -> pd.DataFrame:
    """Realised shares one year after each origin inside the 90% interval."""
    n = int(ds.coverage_n.sum())
    return pd.DataFrame([
        {"Forecaster": f, "Inside the 90% interval": f"{int(ds.coverage_hits[i].sum())} of {n}",
         "Coverage": f"{float(ds.coverage[i]):.2f}"}
        for i, f in enumerate(forecasters(ds)) if np.isfinite(ds.coverage[i])
    ])  # fmt: skip


def summary_text(ds: xr.Dataset) -> str:
    """One paragraph (HTML) of what the scores say."""
    nt = ds.sizes[C.THRESHOLD]
    w = wins(ds)
    crps = {n: float(ds.crps[i]) for i, n in enumerate(forecasters(ds))}
    best = min(crps, key=crps.get)
    low = f"{float(ds.low_observed[0]):.1%}" if int(ds.low_count[0]) else "none"
    return (
        f"<p>Over {int(ds.n_forecasts.sum()) // nt:,} member-year forecasts per "
        f"threshold, the model has the lowest Brier score at {w['brier']} of {nt} "
        f"thresholds and the lowest log score at {w['log_score']} of {nt} (against "
        "random-walk persistence and climatology); Brier differences are given with "
        "a standard error clustered by member (negative: the model is better; * : "
        "more than two s.e. from zero, the others are within sampling error). CRPS "
        "of the whole share "
        "distribution: "
        + ", ".join(f"{n} {v:.3f} pp" for n, v in crps.items())
        + f" (best: {html.escape(best)}). Of the model's {int(ds.low_count[0]):,} "
        f"forecasts below 5%, {int(ds.low_events[0]):,} came true ({low}). One year "
        f"ahead, its 90% interval held {float(ds.coverage[0]):.0%} of the realised "
        "shares.</p>"
    )
