"""Run a config: chunks of paths -> shocks -> kernel -> reductions -> labelled Dataset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from . import kernel, reference
from .config import Config
from .params import ModelInputs, build_inputs
from .rng import chunks
from .shocks import Shocks, draw


def kernel_args(cfg: Config, mi: ModelInputs, sh: Shocks) -> tuple:
    """Positional arguments shared by the numba kernel and the numpy reference."""
    w, p, r, f = cfg.will, cfg.policy, cfg.resilience, cfg.fiscal
    scale = 1.0 / cfg.execution.mean if p.budget_for_underspend else 1.0
    return (
        mi.g0, mi.pi0, mi.mu_g, mi.mu_pi, mi.phi_g, mi.phi_pi, mi.sig_g, mi.sig_pi,
        mi.gdp0, mi.base_share, mi.path, mi.dmax, mi.wbar,
        w.reversion, w.vol, w.speed, scale,
        r.cap, r.speed,
        mi.debt0, mi.deficit, mi.drag_mask, f.drag_per_10pp, f.threshold,
        f.debt_financed, f.interest_shift_pp / 100.0,
        mi.dip, mi.pool, mi.g_shock,
        sh.u_g, sh.u_pi, sh.u_w, sh.eta, sh.zeta, sh.w0, sh.r0,
        sh.w_offset, sh.w_jump, sh.review, sh.reclass_start, sh.noise,
    )  # fmt: skip


def project_chunk(cfg: Config, mi: ModelInputs, sh: Shocks, engine: str = "numba"):
    """(core, res, gdp, debt) arrays [member, path, year] for one chunk of shocks."""
    args = kernel_args(cfg, mi, sh)
    if engine == "numpy":
        return reference.project(*args)
    out = tuple(np.empty(sh.u_g.shape) for _ in range(4))
    kernel.project(*args, *out)
    return out


@dataclass
class Reductions:
    """Mergeable per-chunk reductions plus the per-path values kept for quantiles."""

    meet: np.ndarray  # [target, member, year] counts
    meet_by: np.ndarray  # [target, member, year] counts
    n_meeting: np.ndarray  # [target, year, count] counts
    alliance_meet: np.ndarray  # [target, year] counts
    core_sum: np.ndarray  # [member, year]
    total_sum: np.ndarray  # [member, year]
    on_path: np.ndarray  # [member, year] counts on the credible incremental path
    shortfall: np.ndarray  # [target, member, year] sum of shortfalls, bn US$
    regime: np.ndarray  # [state, year] counts
    stance: np.ndarray  # [state, year] counts
    review: np.ndarray  # [outcome] counts
    n_paths: int = 0
    kept: dict[str, list[np.ndarray]] = field(default_factory=dict)


def _reduce(cfg: Config, mi: ModelInputs, sh: Shocks, out, red: Reductions) -> None:
    core, res, gdp, debt = out
    total = core + res
    c = mi.counted
    w = gdp[c]  # real-GDP weights of counted members [member, path, year]
    alliance = {
        "core": (core[c] * w).sum(0) / w.sum(0),
        "total": (total[c] * w).sum(0) / w.sum(0),
    }
    for k, tgt in enumerate(cfg.targets):
        measure = core if tgt.measure == "core" else total
        hit = measure[c] >= tgt.level - cfg.meet_tolerance  # [member, path, year]
        red.meet[k, c] += hit.sum(1)
        red.meet_by[k, c] += np.logical_or.accumulate(hit, axis=2).sum(1)
        counts = hit.sum(0)  # [path, year]
        for t in range(counts.shape[1]):
            red.n_meeting[k, t] += np.bincount(counts[:, t], minlength=c.sum() + 1)
        red.alliance_meet[k] += (
            alliance[tgt.measure] >= tgt.level - cfg.meet_tolerance
        ).sum(0)
        gap = np.maximum(tgt.level - measure[c], 0.0) / 100.0 * gdp[c]
        red.shortfall[k, c] += gap.sum(1)
    above = core[c] >= mi.line[c][:, None, :] - cfg.meet_tolerance
    red.on_path[c] += np.logical_and.accumulate(above, axis=2).sum(1)
    for i in range(red.regime.shape[0]):
        red.regime[i] += (sh.regime == i).sum(0)
        red.stance[i] += (sh.stance == i).sum(0)
    red.review += np.bincount(sh.review, minlength=3)
    red.core_sum += core.sum(1)
    red.total_sum += total.sum(1)
    red.n_paths += core.shape[1]
    for name, arr in (
        ("core", core), ("total", total), ("res", res), ("debt", debt),
        ("alliance_core", alliance["core"]), ("alliance_total", alliance["total"]),
    ):  # fmt: skip
        red.kept.setdefault(name, []).append(arr)


def simulate(
    cfg: Config,
    engine: str = "numba",
    progress: Callable[[int], None] | None = None,
) -> tuple[ModelInputs, Reductions]:
    """Run all chunks; ``progress(n_paths_done_in_chunk)`` is called after each."""
    mi = build_inputs(cfg)
    n_t, n_m, n_y = len(cfg.targets), len(mi.iso3), len(mi.years)
    n_c = int(mi.counted.sum())
    red = Reductions(
        meet=np.zeros((n_t, n_m, n_y), np.int64),
        meet_by=np.zeros((n_t, n_m, n_y), np.int64),
        n_meeting=np.zeros((n_t, n_y, n_c + 1), np.int64),
        alliance_meet=np.zeros((n_t, n_y), np.int64),
        core_sum=np.zeros((n_m, n_y)),
        total_sum=np.zeros((n_m, n_y)),
        on_path=np.zeros((n_m, n_y), np.int64),
        shortfall=np.zeros((n_t, n_m, n_y)),
        regime=np.zeros((3, n_y), np.int64),
        stance=np.zeros((3, n_y), np.int64),
        review=np.zeros(3, np.int64),
    )
    for chunk, n in chunks(cfg.paths, cfg.chunk_size):
        sh = draw(cfg, mi, chunk, n)
        _reduce(cfg, mi, sh, project_chunk(cfg, mi, sh, engine), red)
        if progress is not None:
            progress(n)
    return mi, red


def run(cfg: Config, engine: str = "numba", progress=None) -> xr.Dataset:
    """Simulate ``cfg`` and return the results Dataset (the same one written to disk)."""
    from .assemble import to_dataset

    mi, red = simulate(cfg, engine=engine, progress=progress)
    return to_dataset(cfg, mi, red)
