"""Benchmark: the numba engine against the numpy reference, measured in one run.

Each measurement runs in a fresh subprocess (so peak RSS is that run's own) on the
full model: every member, every mechanism on, base year to 2035.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

_CHILD = """
import json, os, resource, sys, time
from sim.config import load_config
from sim.engine import simulate
config, engine, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
warm = load_config(config, ["paths=200", "chunk_size=200"])
simulate(warm, engine=engine)  # compile and load before timing
cfg = load_config(config, [f"paths={n}"])
c0, t0 = os.times(), time.perf_counter()
mi, part = simulate(cfg, engine=engine)
t1, c1 = time.perf_counter(), os.times()
cpu = c1.user - c0.user + c1.system - c0.system
print(json.dumps({"engine": engine, "paths": n, "wall": t1 - t0, "cpu": cpu,
                  "members": len(mi.iso3), "years": len(mi.years),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(config: str, engine: str, paths: int) -> dict:
    """Time one run in a fresh process; returns wall, cpu, peak RSS and sizes."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, config, engine, str(paths)],
        capture_output=True, text=True, check=True, env={**os.environ},
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    if len(big_rows) >= 2:
        a, b = big_rows[0], big_rows[-1]
        echo(
            f"scaling: time ratio {b['paths']:,}/{a['paths']:,} paths = "
            f"{b['wall'] / a['wall']:.1f} (linear = {b['paths'] / a['paths']:.0f})"
        )
    return rows
