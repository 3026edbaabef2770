"""Run a config: chunks of paths -> shocks -> kernel -> mergeable reductions -> Dataset."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np

from . import kernel, profile, reference
from .config import Config
from .model.inputs import Draws, Outputs, PathSums, Scalars, Targets
from .params import ModelInputs, build_inputs, members, scalars
from .reduce import (
    Partial,
    add_conditions,
    add_states,
    base_gdp,
    condition_masks,
    hist_specs,
    member_sums,
    reduce_numpy,
    target_year_index,
    targets,
)  # fmt: skip
from .rng import chunks
from .shocks import (
    Common,
    Shocks,
    as_draws,
    draw,
    draw_common,
    draw_params,
    member_generators,
    member_variant,
)  # fmt: skip

ENGINES = ("numba", "numpy")


def kernel_inputs(cfg: Config, mi: ModelInputs, sh: Shocks) -> tuple:
    """(members, scalars, draws): the bundles shared by the numba kernel and the
    numpy reference."""
    return members(mi), scalars(cfg, mi), as_draws(sh)


def project_chunk(cfg: Config, mi: ModelInputs, sh: Shocks, engine: str = "numba"):
    """(core, res, gdp, debt) arrays [member, path, year] for one chunk of shocks."""
    args = kernel_inputs(cfg, mi, sh)
    if engine == "numpy":
        return tuple(reference.project(*args))
    out = Outputs.empty(sh.u_g.shape)
    kernel.project(*args, out)
    return tuple(out)


def check_outputs(mi: ModelInputs, chunk: int, j: int, core, res, gdp, debt, noise):
    """Raise RunError if a member's paths hold NaN/Inf or negative spending."""
    from .errors import RunError

    for name, arr in (
        ("core share", core),
        ("resilience", res),
        ("GDP", gdp),
        ("debt", debt),
    ):
        bad = ~np.isfinite(arr)
        if bad.any():
            t = int(np.argwhere(bad)[0, -1])
            raise RunError(
                f"non-finite {name} for {mi.iso3[j]} in {mi.years[t]} (chunk {chunk})"
            )
    spent = core - noise  # the share actually spent, before reporting noise
    if (spent < -1e-9).any() or (gdp <= 0).any():
        t = int(np.argwhere((spent < -1e-9) | (gdp <= 0))[0, -1])
        raise RunError(
            f"negative spending or GDP for {mi.iso3[j]} in {mi.years[t]} (chunk {chunk})"
        )


def n_threads() -> int:
    """Worker threads: numba's thread count (NUMBA_NUM_THREADS), at most the CPUs."""
    return max(1, min(numba.config.NUMBA_NUM_THREADS, os.cpu_count() or 1))


class _Worker:
    """Buffers of one thread; ``run`` draws, projects and reduces one member."""

    def __init__(self, n: int, n_years: int, n_targets: int):
        s = (n, n_years)
        self.draws = Draws.empty(1, n, n_years, np.empty((1, 0), np.int64),
                                 np.empty((0, 0)))  # fmt: skip
        self.out = Outputs.empty((1, *s))
        self.sums = PathSums(np.zeros((n_targets, n, n_years), np.int64),
                             *(np.zeros(s, np.int64) for _ in range(3)))  # fmt: skip

    def run(self, cfg, mi, cm: Common, chunk, j, part: Partial, samples: int, hits,
            fixed: tuple[Scalars, Targets]):  # fmt: skip
        if not mi.counted[j]:  # no armed forces: nothing is reported for it
            return
        sc, tg = fixed
        d = self.draws._replace(variant=member_variant(mi, cm, j)[None],
                                haircut=cm.haircut)  # fmt: skip
        one = d.member(0)
        prof = profile.active
        with prof.stage("member draws"):
            gens = member_generators(cfg.seed, chunk, mi.stream_ids[j])
            kernel.draw_member(gens, draw_params(cfg, mi, cm, j), one)
        with prof.stage("projection"):
            kernel.project(members(mi, slice(j, j + 1)), sc, d, self.out)
        with prof.stage("reductions"):
            o = Outputs(*(a[0] for a in self.out))
            check_outputs(mi, chunk, j, *o, one.noise)
            if samples:
                part.samples["core"][j] = o.core[:samples]
                part.samples["res"][j] = o.res[:samples]
            no_hits = np.zeros((len(tg.levels), 0, 1), np.uint8)
            kernel.reduce_member(o, mi.line[j], tg, member_sums(part, j), self.sums,
                                 hits[:, j] if hits is not None else no_hits)  # fmt: skip


class _Ticks:
    """Progress inside a chunk: its paths shared out over the counted members as
    the worker threads finish them, so short runs show intermediate steps too."""

    def __init__(self, progress: Callable[[int], None], n: int, members: int):
        self.progress, self.n, self.m = progress, n, max(members, 1)
        self.i = self.sent = 0
        self.lock = threading.Lock()

    def _send(self, upto: int) -> None:
        step, self.sent = upto - self.sent, max(upto, self.sent)
        if step > 0:
            self.progress(step)

    def __call__(self) -> None:
        with self.lock:
            self.i += 1
            self._send(self.n * self.i // self.m)

    def finish(self) -> None:
        with self.lock:
            self._send(self.n)


def simulate_chunk(
    cfg: Config, mi: ModelInputs, chunk: int, n: int, engine: str = "numba",
    threads: int | None = None, samples: int = 0, hits: np.ndarray | None = None,
    tick: Callable[[], None] | None = None,
) -> Partial:  # fmt: skip
    """Reductions of one chunk of ``n`` paths; identical for any thread count.

    ``hits`` (uint8 [target, member, path, year], zeros) receives per-path "met" flags
    of counted members, for paired comparisons of scenarios; ``tick()`` is called as
    each counted member is done (numba engine)."""
    n_t, n_m, n_y = len(cfg.targets), len(mi.iso3), len(mi.years)
    ty = target_year_index(cfg, mi)
    part = Partial.empty(n_t, n_m, n_y, int(mi.counted.sum()), len(ty))
    samples = min(samples, n)
    if hits is None:  # per-path "met" flags, for the conditional view
        hits = np.zeros((n_t, n_m, n, n_y), np.uint8)
    if engine == "numpy":
        sh = draw(cfg, mi, chunk, n)
        core, res, gdp, debt = project_chunk(cfg, mi, sh, "numpy")
        for j in np.flatnonzero(mi.counted):
            check_outputs(mi, chunk, j, core[j], res[j], gdp[j], debt[j], sh.noise[j])
        part = reduce_numpy(
            cfg, mi, sh.regime, sh.stance, sh.review, core, res, gdp, debt
        )
        if samples:
            part.samples = {"core": core[:, :samples], "res": res[:, :samples]}
        return part
    if engine != "numba":
        raise ValueError(f"engine must be one of {ENGINES}")
    prof = profile.active
    with prof.stage("common draws"):
        cm = draw_common(cfg, mi, chunk, n)
    part.n_paths = n
    if samples:
        part.samples = {
            k: np.full((n_m, samples, n_y), np.nan) for k in ("core", "res")
        }
    threads = threads or n_threads()
    fixed = scalars(cfg, mi), targets(cfg)
    workers = [_Worker(n, n_y, n_t) for _ in range(min(threads, n_m))]

    def task(w: int) -> None:  # static assignment: member j to worker j % workers
        for j in range(w, n_m, len(workers)):
            workers[w].run(cfg, mi, cm, chunk, j, part, samples, hits, fixed)
            if tick is not None and mi.counted[j]:
                tick()

    if len(workers) == 1:
        task(0)
    else:
        with ThreadPoolExecutor(len(workers)) as ex:
            list(ex.map(task, range(len(workers))))
    with prof.stage("alliance reductions"):  # integer sums: order does not matter
        acc = PathSums(*(sum(w.sums[i] for w in workers) for i in range(4)))
        tg = fixed[1]._replace(specs=hist_specs(("alliance_core", "alliance_total")))
        kernel.reduce_alliance(acc, tg, part.n_meeting, part.alliance_meet,
                               part.hists["alliance_core"], part.hists["alliance_total"])  # fmt: skip
    with prof.stage("conditional view"):
        add_states(part, cm.regime, cm.stance, cm.review)
        masks = condition_masks(cm.regime, cm.stance, acc.y_sum, base_gdp(mi), ty)
        add_conditions(part, masks, hits, ty)
    return part


def draws_only(cfg: Config, threads: int | None = None) -> ModelInputs:
    """Every random number a run of ``cfg`` draws (same streams, same counts, same
    threads), without projecting or reducing: the benchmark's yardstick for the cost
    of the model beyond random-number generation."""
    mi = build_inputs(cfg)
    n_y = len(mi.years)
    threads = threads or n_threads()
    for c, n in chunks(cfg.paths, cfg.chunk_size):
        cm = draw_common(cfg, mi, c, n)
        bufs = [Draws.empty(1, n, n_y, np.empty((1, 0), np.int64), np.empty((0, 0)))
                for _ in range(min(threads, len(mi.iso3)))]  # fmt: skip

        def task(w: int, cm=cm, c=c, bufs=bufs) -> None:
            for j in range(w, len(mi.iso3), len(bufs)):
                if mi.counted[j]:
                    gens = member_generators(cfg.seed, c, mi.stream_ids[j])
                    kernel.draw_member(gens, draw_params(cfg, mi, cm, j),
                                       bufs[w].member(0))  # fmt: skip

        with ThreadPoolExecutor(len(bufs)) as ex:
            list(ex.map(task, range(len(bufs))))
    return mi


MEMORY_BUDGET = 4 * 2**30
"""Most memory [bytes] the arrays of a run may need: checked when a config is loaded."""


def memory_need(
    n_members: int, n_years: int, n_targets: int, n_ty: int, threads: int,
    n_scenarios: int = 1,
) -> tuple[int, int]:  # fmt: skip
    """(bytes per path of a chunk, fixed bytes) of a run [bytes]: per path, each
    thread's member buffers (:class:`_Worker`), the common draws and the per-path
    "met" flags of every scenario; fixed, the reductions kept (a :class:`Partial`
    per scenario, three more while merging) and a sweep's pairwise counts."""
    workers = min(threads, n_members)
    per_path = n_years * (
        8 * (20 + (15 + n_targets) * workers) + n_targets * n_members * n_scenarios
    )
    empty = Partial.empty(n_targets, n_members, n_years, n_members, n_ty)
    partial = sum(v.nbytes for v in vars(empty).values() if isinstance(v, np.ndarray))
    partial += sum(h.nbytes for h in empty.hists.values())
    pairs = 3 * 8 * n_scenarios**2 * n_targets * n_members * n_years
    return per_path, partial * (n_scenarios + 3) + (pairs if n_scenarios > 1 else 0)


def check_memory(cfg: Config, n_members: int, n_scenarios: int = 1) -> None:
    """ConfigError (naming the key and the largest allowed value) if a chunk of this
    config would need more than MEMORY_BUDGET, before anything is computed."""
    from .errors import ConfigError

    threads = n_threads()
    per_path, fixed = memory_need(n_members, len(cfg.years), len(cfg.targets),
                                  len(cfg.target_years), threads, n_scenarios)  # fmt: skip
    gib = MEMORY_BUDGET / 2**30
    if fixed + per_path > MEMORY_BUDGET:
        raise ConfigError(
            f"config keys 'sweep'/'grid': {n_scenarios} scenarios of {n_members} "
            f"members need about {fixed / 2**30:.1f} GiB for their reductions, more "
            f"than the {gib:g} GiB budget: use fewer scenarios or members"
        )
    most = (MEMORY_BUDGET - fixed) // per_path
    if min(cfg.chunk_size, cfg.paths) > most:
        raise ConfigError(
            f"config key 'chunk_size': {cfg.chunk_size:,} paths per chunk need about "
            f"{(fixed + per_path * min(cfg.chunk_size, cfg.paths)) / 2**30:.1f} GiB, "
            f"more than the {gib:g} GiB budget: at most {most:,} for this config "
            f"({n_members} members, {len(cfg.years)} years, {threads} threads)"
        )


@dataclass
class RunState:
    """What a run has computed: the merge of its complete chunks 0..n_full-1 and the
    partial of a trailing incomplete chunk.  Extending a run adds chunks n_full, ...
    (and recomputes the tail), so the result equals a fresh run of the new size."""

    full: Partial | None = None
    n_full: int = 0
    tail: Partial | None = None

    def total(self) -> Partial:
        parts = [p for p in (self.full, self.tail) if p is not None]
        out = parts[0]
        for p in parts[1:]:
            out = out + p
        return out


def _plan(cfg: Config, state: RunState) -> tuple[list[tuple[int, int]], tuple | None]:
    """Complete chunks still to compute for ``cfg.paths``, and the tail chunk."""
    todo = chunks(cfg.paths, cfg.chunk_size)
    full = [(c, n) for c, n in todo if n == cfg.chunk_size and c >= state.n_full]
    tail = todo[-1] if todo and todo[-1][1] < cfg.chunk_size else None
    if state.n_full > cfg.paths // cfg.chunk_size:
        raise ValueError("the stored run has more paths than requested")
    return full, tail


def _samples_left(cfg: Config, chunk: int) -> int:
    return max(cfg.sample_paths - chunk * cfg.chunk_size, 0)


def simulate(
    cfg: Config,
    engine: str = "numba",
    progress: Callable[[int], None] | None = None,
    threads: int | None = None,
    state: RunState | None = None,
    map_chunks: Callable | None = None,
) -> tuple[ModelInputs, RunState]:
    """Compute the chunks of ``cfg.paths`` not already in ``state``; return the
    merged state.  ``progress(n_paths_in_chunk)`` is called after each chunk.

    ``map_chunks(cfg, mi, jobs, engine, progress)`` computes ``jobs`` [(chunk, n,
    samples)] elsewhere and returns (merge of the complete chunks or None, the tail
    chunk's partial or None), e.g. :func:`sim.distributed.mapper`; None: here, in
    this process's threads."""
    mi = build_inputs(cfg)
    state = state or RunState()
    full, tail = _plan(cfg, state)
    jobs = [(c, n, _samples_left(cfg, c)) for c, n in full]
    if tail is not None:
        jobs.append((*tail, _samples_left(cfg, tail[0])))
    if map_chunks is None:
        new_full, new_tail = None, None
        for i, (c, n, k) in enumerate(jobs):
            tick = _Ticks(progress, n, int(mi.counted.sum())) if progress else None
            part = simulate_chunk(cfg, mi, c, n, engine, threads, k, tick=tick)
            with profile.active.stage("merging"):
                if i < len(full):
                    new_full = part if new_full is None else new_full + part
                else:
                    new_tail = part
            if tick is not None:
                tick.finish()
    else:
        new_full, new_tail = map_chunks(cfg, mi, jobs, engine, progress)
    merged = state.full
    if new_full is not None:
        merged = new_full if merged is None else merged + new_full
    return mi, RunState(full=merged, n_full=state.n_full + len(full), tail=new_tail)
