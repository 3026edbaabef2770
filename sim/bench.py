"""Benchmark: the numba engine against the numpy reference, measured in one run.

Each measurement runs in a fresh subprocess (so peak RSS is that run's own) on the
full model: every member, every mechanism on, base year to 2035.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

_CHILD = """
import json, os, resource, sys, time
from sim import profile
from sim.bench import yardstick
from sim.config import load_config
from sim.engine import draws_only, simulate
config, engine, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
warm = load_config(config, ["paths=200", "chunk_size=200"])
run = {"draws": lambda c: (draws_only(c), None), "yardstick": yardstick}.get(
    engine, lambda c: simulate(c, engine=engine))
run(warm)  # compile and load before timing
cfg = load_config(config, [f"paths={n}"])
c0, t0 = os.times(), time.perf_counter()
with profile.collect() as prof:
    mi, part = run(cfg)
t1, c1 = time.perf_counter(), os.times()
cpu = c1.user - c0.user + c1.system - c0.system
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the below
prec = {}
if part is not None:
    from sim.bench import conditional_vr
    from sim.stats import binomial_se
    red = part.total()
    se = binomial_se(red.meet / red.n_paths, red.n_paths)[:, mi.counted]
    prec = {"vr": conditional_vr(cfg), "max_se": float(se.max())}
print(json.dumps({"engine": engine, "paths": n, "wall": t1 - t0, "cpu": cpu,
                  "members": len(mi.iso3), "years": len(mi.years),
                  "profile": prof.seconds, **prec, "rss_mb": rss}))
"""


SE_GOAL = 0.002
"""The Monte Carlo s.e. of every p_meet the benchmark reports the cost of (issue 17)."""


def measure(config: str, engine: str, paths: int) -> dict:
    """Time one run in a fresh process; returns wall, cpu, peak RSS and sizes."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, config, engine, str(paths)],
        capture_output=True, text=True, check=True, env={**os.environ},
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


@numba.njit(nogil=True, cache=True)
def _three_draws(gen, n: int, n_years: int, out: np.ndarray) -> None:
    """The yardstick kernel for one member: three standard normals per path-year
    (growth, inflation, will) and an AR(1) update of each, nothing else."""
    for p in range(n):
        g = pi = w = 0.0
        for t in range(n_years):
            g = 0.5 * g + gen.standard_normal()
            pi = 0.5 * pi + gen.standard_normal()
            w = 0.9 * w + gen.standard_normal()
            out[p, t] = g + pi + w


def yardstick(cfg):
    """A plain numba kernel with three normal draws per member-path-year, on the
    config's members, paths, chunks and threads (as the engine shares them out):
    how fast a model could be that only drew its shocks.  Returns (inputs, None)."""
    from .engine import n_threads
    from .params import build_inputs
    from .rng import chunks, stream

    mi = build_inputs(cfg)
    n_y, members = len(mi.years), np.flatnonzero(mi.counted)
    workers = min(n_threads(), len(members))
    for c, n in chunks(cfg.paths, cfg.chunk_size):
        bufs = [np.empty((n, n_y)) for _ in range(workers)]

        def task(w: int, c=c, n=n, bufs=bufs) -> None:
            for j in members[w::workers]:
                _three_draws(stream(cfg.seed, c, int(mi.stream_ids[j]) + 1), n, n_y,
                             bufs[w])  # fmt: skip

        with ThreadPoolExecutor(workers) as ex:
            list(ex.map(task, range(workers)))
    return mi, None


def conditional_vr(cfg, n: int = 20_000) -> dict:
    """Variance reduction of the conditional estimator of P(met) (reporting noise and
    top-up integrated out, :func:`sim.model.landing.p_at_least`) over the share of
    paths, on the first chunk of ``n`` paths: median, 10% and 90% quantiles over the
    counted member-target-years with 0.05 < p < 0.95, and the run time it adds as a
    share of the projection's (numpy, so an upper bound)."""
    import time

    from .engine import project_chunk
    from .model import landing
    from .params import build_inputs, scalars
    from .shocks import draw

    mi = build_inputs(cfg)
    sc = scalars(cfg, mi)
    sd = cfg.reporting.noise_sd if cfg.reporting.enabled else 0.0
    sh = draw(cfg, mi, 0, n)
    t0 = time.perf_counter()
    o = project_chunk(cfg, mi, sh)
    t1 = time.perf_counter()
    ratios = []
    for tgt in cfg.targets:
        extra = o.res if tgt.measure == "total" else 0.0
        at = tgt.level - cfg.meet_tolerance - extra
        q = landing.p_at_least(at, o.pre, sd, o.land, sc.core_level, sc.landing_band)
        hit = o.core + extra >= tgt.level - cfg.meet_tolerance
        p = hit.mean(1)
        ok = (p > 0.05) & (p < 0.95) & mi.counted[:, None]
        ratios.append(hit.var(1)[ok] / q.var(1)[ok])
    t2 = time.perf_counter()
    vr = np.concatenate(ratios)
    return {"median": float(np.median(vr)), "q10": float(np.quantile(vr, 0.1)),
            "q90": float(np.quantile(vr, 0.9)), "cells": int(vr.size),
            "cost": (t2 - t1) / (t1 - t0)}  # fmt: skip


def rate(r: dict) -> float:
    """Member-path-years per second of wall time."""
    return r["paths"] * r["members"] * r["years"] / r["wall"]


def benchmark(
    config: str, ref_sizes=(20_000, 50_000), big=(100_000, 1_000_000), echo=print
):
    """Measure and print the table; returns the measurements."""
    rows = []
    for n in ref_sizes:
        pair = [measure(config, e, n) for e in ("numpy", "numba")]
        rows += pair
        echo(
            f"{n:>9,} paths  numpy {rate(pair[0]) / 1e6:6.2f} M member-path-years/s "
            f"({pair[0]['wall']:6.1f} s)  numba {rate(pair[1]) / 1e6:6.2f} M/s "
            f"({pair[1]['wall']:5.1f} s)  ratio {rate(pair[1]) / rate(pair[0]):5.1f}x"
        )
    big_rows = [measure(config, "numba", n) for n in big]
    rows += big_rows
    for r in big_rows:
        echo(
            f"{r['paths']:>9,} paths  numba wall {r['wall']:6.1f} s  cpu {r['cpu']:6.1f} s "
            f"(cpu/wall {r['cpu'] / r['wall']:.2f})  peak RSS {r['rss_mb']:6.0f} MB  "
            f"{rate(r) / 1e6:.2f} M member-path-years/s"
        )
    last = big_rows[-1]
    total = sum(last["profile"].values())
    echo(f"profile of the {last['paths']:,}-path run (thread-seconds, share of all):")
    for stage, sec in last["profile"].items():
        echo(f"  {stage:20} {sec:7.2f} s  {sec / total:6.1%}")
    n = last["paths"]
    extra = [measure(config, e, n) for e in ("draws", "yardstick")]
    rows += extra
    d, y = extra
    echo(
        f"{n:>9,} paths  draws only (same streams and counts) {d['wall']:6.1f} s: model / "
        f"draws = {last['wall'] / d['wall']:.2f}; yardstick (3 normal draws per "
        f"member-year) {y['wall']:6.1f} s, {rate(y) / 1e6:.0f} M member-path-years/s: "
        f"model / yardstick = {last['wall'] / y['wall']:.1f}"
    )
    if "vr" in last:
        need = last["paths"] * (last["max_se"] / SE_GOAL) ** 2
        v = last["vr"]
        echo(
            f"precision: largest s.e. of p_meet {last['max_se']:.4f} at {n:,} paths; "
            f"s.e. <= {SE_GOAL} everywhere needs {need:,.0f} paths, "
            f"{need / last['paths'] * last['wall']:.1f} s at this rate"
        )
        echo(
            f"conditional estimator (noise and top-up integrated): variance reduction "
            f"median {v['median']:.2f} (10-90%: {v['q10']:.2f}-{v['q90']:.2f}) over "
            f"{v['cells']} member-target-years with 0.05 < p < 0.95; it costs "
            f"{v['cost']:.0%} of the projection's time (numpy): not used in runs"
        )
    if len(big_rows) >= 2:
        a, b = big_rows[0], big_rows[-1]
        echo(
            f"scaling: time ratio {b['paths']:,}/{a['paths']:,} paths = "
            f"{b['wall'] / a['wall']:.1f} (linear = {b['paths'] / a['paths']:.0f})"
        )
    return rows
