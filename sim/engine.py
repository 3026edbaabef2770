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
    ALL,
    Common,
    Shocks,
    as_draws,
    common_digest,
    draw,
    draw_common,
    draw_params,
    mechanism_keys,
    member_generators,
    member_variant,
)  # fmt: skip

ENGINES = ("numba", "numpy")


def kernel_inputs(cfg: Config, mi: ModelInputs, sh: Shocks) -> tuple:
    """(members, scalars, draws): the bundles shared by the numba kernel and the
    numpy reference."""
    return members(mi), scalars(cfg, mi), as_draws(sh)


def project_chunk(
    cfg: Config, mi: ModelInputs, sh: Shocks, engine: str = "numba"
) -> Outputs:
    """The kernel's :class:`Outputs` [member, path, year] for one chunk of shocks."""
    args = kernel_inputs(cfg, mi, sh)
    if engine == "numpy":
        return reference.project(*args)
    out = Outputs.empty(sh.u_g.shape)
    kernel.project(*args, out)
    return out


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


BLOCK = 4096
"""Paths a worker draws, projects and reduces at a time, so that its buffers do not
grow with the chunk (4,096: about 6 MB a worker; smaller blocks cost Python time per
block, which holds the interpreter lock).  The results do not depend on it (each
mechanism's generator goes on from block to block)."""


def member_draws(n: int, n_years: int) -> Draws:
    """Buffers for one member's draws of ``n`` paths (``variant``, ``haircut``: set
    per block from the common draws)."""
    return Draws.empty(1, n, n_years, np.empty((1, 0), np.int64), np.empty((0, 0)))


def buffer_floats(n_years: int, outputs: bool = True) -> int:
    """Floats per path of one member's draws and aux numbers (and outputs)."""
    per_year = len(Draws._fields) - len(Draws.PER_PATH) - 2  # not variant, haircut
    per_year += len(Outputs._fields) if outputs else 0
    return per_year * n_years + len(Draws.PER_PATH) + kernel.AUX


class DrawCache:
    """Members' draws kept between runs of the same chunks with other parameters
    (:mod:`sim.analyses.sensitivity`): a run draws again only the mechanisms whose
    parameters changed (:func:`sim.shocks.mechanism_keys`) and re-runs the projection,
    so its results equal a fresh run's bit for bit.  Holds every member's draws of
    every chunk: ``bytes_per_path`` each."""

    def __init__(self):
        self.entries: dict[tuple, _Entry] = {}

    @staticmethod
    def bytes_per_path(n_members: int, n_years: int) -> int:
        return n_members * 8 * buffer_floats(n_years, outputs=False)


@dataclass
class _Entry:
    draws: Draws  # one member's draws of a whole chunk, [1, path, year]
    aux: np.ndarray  # [path, AUX]
    keys: tuple | None = None  # mechanism keys of what it holds; None: nothing valid

    def redraw(self, keys: tuple) -> np.ndarray:
        old = self.keys or (None,) * len(keys)
        return np.array([a != b for a, b in zip(old, keys, strict=True)], np.bool_)


class _Worker:
    """Buffers of one thread; ``run`` draws, projects and reduces one member."""

    def __init__(self, n: int, n_years: int, n_targets: int):
        s = (min(n, BLOCK), n_years)
        self.block = s[0]
        self.draws = member_draws(s[0], n_years)
        self.aux = np.empty((s[0], kernel.AUX))
        self.out = Outputs.empty((1, *s))
        self.sums = PathSums(np.zeros((n_targets, n, n_years), np.int64),
                             *(np.zeros((n, n_years), np.int64) for _ in range(3)))  # fmt: skip

    def _store(self, cache, seed, chunk, sid, q, digest, n, n_years):
        """(draws, aux, redraw, (entry, keys) or None, whole): this worker's block
        buffers, or the cache's arrays for the whole chunk (``whole``) and the
        mechanisms to draw again."""
        if cache is None:
            return self.draws, self.aux, ALL, None, False
        key = (seed, chunk, int(sid), n, n_years)
        e = cache.entries.get(key)
        if e is None:
            e = _Entry(member_draws(n, n_years), np.empty((n, kernel.AUX)))
            cache.entries[key] = e
        keys = mechanism_keys(q, digest)
        redraw = e.redraw(keys)
        e.keys = None  # until every block is drawn
        return e.draws, e.aux, redraw, (e, keys), True

    def run(self, cfg, mi, cm: Common, chunk, j, part: Partial, samples: int, hits,
            fixed: tuple[Scalars, Targets], cache: DrawCache | None = None,
            digest: tuple[bytes, bytes] = (b"", b"")):  # fmt: skip
        """Member j of ``chunk``, block by block; ``hits`` [target, member, path, year]."""
        if not mi.counted[j]:  # no armed forces: nothing is reported for it
            return
        sc, tg = fixed
        prof = profile.active
        gens = member_generators(cfg.seed, chunk, mi.stream_ids[j])
        q = draw_params(cfg, mi, cm, j)
        variant = member_variant(mi, cm, j)
        m_j = members(mi, slice(j, j + 1))
        ms = member_sums(part, j)
        n, n_years = cm.f_g.shape
        store, aux, redraw, entry, whole = self._store(
            cache, cfg.seed, chunk, mi.stream_ids[j], q, digest, n, n_years
        )
        for lo in range(0, n, self.block):
            hi = min(lo + self.block, n)
            at = slice(lo, hi) if whole else slice(0, hi - lo)
            d = Draws(*(a[:, at] for a in store))._replace(
                variant=variant[None, lo:hi], haircut=cm.haircut[lo:hi])  # fmt: skip
            out = Outputs(*(a[:, : hi - lo] for a in self.out))
            one = d.member(0)
            with prof.stage("member draws"):
                kernel.draw_member(gens, q.rows(lo, hi), one, redraw, aux[at])
            with prof.stage("projection"):
                kernel.project(m_j, sc, d, out)
            with prof.stage("reductions"):
                o = Outputs(*(a[0] for a in out))
                check_outputs(mi, chunk, j, o.core, o.res, o.gdp, o.debt, one.noise)
                k = min(samples, hi) - lo
                if k > 0:
                    part.samples["core"][j, lo : lo + k] = o.core[:k]
                    part.samples["res"][j, lo : lo + k] = o.res[:k]
                ps = PathSums(*(a[..., lo:hi, :] for a in self.sums))
                kernel.reduce_member(o, mi.line[j], tg, ms, ps, hits[:, j, lo:hi])
        if entry is not None:
            entry[0].keys = entry[1]


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
    tick: Callable[[], None] | None = None, cache: DrawCache | None = None,
) -> Partial:  # fmt: skip
    """Reductions of one chunk of ``n`` paths; identical for any thread count.

    ``hits`` (uint8 [target, member, path, year], zeros) receives per-path "met" flags
    of counted members, for paired comparisons of scenarios; ``tick()`` is called as
    each counted member is done (numba engine); ``cache``: reuse draws of earlier
    runs of this chunk where their parameters are unchanged (:class:`DrawCache`)."""
    n_t, n_m, n_y = len(cfg.targets), len(mi.iso3), len(mi.years)
    ty = target_year_index(cfg, mi)
    part = Partial.empty(n_t, n_m, n_y, int(mi.counted.sum()), len(ty))
    samples = min(samples, n)
    if hits is None:  # per-path "met" flags, for the conditional view
        hits = np.zeros((n_t, n_m, n, n_y), np.uint8)
    if engine == "numpy":
        sh = draw(cfg, mi, chunk, n)
        out = project_chunk(cfg, mi, sh, "numpy")
        core, res, gdp, debt = out[:4]
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
    digest = common_digest(cm) if cache is not None else (b"", b"")
    workers = [_Worker(n, n_y, n_t) for _ in range(min(threads, n_m))]

    def task(w: int) -> None:  # static assignment: member j to worker j % workers
        for j in range(w, n_m, len(workers)):
            workers[w].run(cfg, mi, cm, chunk, j, part, samples, hits, fixed, cache,
                           digest)  # fmt: skip
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
        bufs = [member_draws(n, n_y) for _ in range(min(threads, len(mi.iso3)))]

        def task(w: int, cm=cm, c=c, bufs=bufs, n=n) -> None:
            for j in range(w, len(mi.iso3), len(bufs)):
                if mi.counted[j]:
                    gens = member_generators(cfg.seed, c, mi.stream_ids[j])
                    kernel.draw_member(gens, draw_params(cfg, mi, cm, j),
                                       bufs[w].member(0), ALL, np.empty((n, kernel.AUX)))  # fmt: skip

        with ThreadPoolExecutor(len(bufs)) as ex:
            list(ex.map(task, range(len(bufs))))
    return mi


MEMORY_BUDGET = 4 * 2**30
"""Most memory [bytes] the arrays of a run may need: checked when a config is loaded."""


def memory_need(
    n_members: int, n_years: int, n_targets: int, n_ty: int, threads: int,
    n_scenarios: int = 1,
) -> tuple[int, int]:  # fmt: skip
    """(bytes per path of a chunk, fixed bytes) of a run [bytes]: per path, the
    common draws, each thread's per-path sums (:class:`_Worker`) and the per-path
    "met" flags of every scenario;
    fixed, each thread's block buffers, the reductions kept (a :class:`Partial` per
    scenario, three more while merging) and a sweep's pairwise counts."""
    workers = min(threads, n_members)
    per_path = n_years * (
        8 * (20 + (3 + n_targets) * workers) + n_targets * n_members * n_scenarios
    )
    # a block's buffers and, measured with tracemalloc, about as much again while one
    # is processed (views and temporaries of the block loop)
    blocks = 2 * workers * BLOCK * 8 * buffer_floats(n_years)
    empty = Partial.empty(n_targets, n_members, n_years, n_members, n_ty)
    partial = sum(v.nbytes for v in vars(empty).values() if isinstance(v, np.ndarray))
    partial += sum(h.nbytes for h in empty.hists.values())
    pairs = 3 * 8 * n_scenarios**2 * n_targets * n_members * n_years
    return per_path, blocks + partial * (n_scenarios + 3) + (
        pairs if n_scenarios > 1 else 0
    )


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
    cache: DrawCache | None = None,
) -> tuple[ModelInputs, RunState]:
    """Compute the chunks of ``cfg.paths`` not already in ``state``; return the
    merged state.  ``progress(n_paths_in_chunk)`` is called after each chunk;
    ``cache``: draws kept from earlier runs (:class:`DrawCache`, here only).

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
            part = simulate_chunk(cfg, mi, c, n, engine, threads, k, tick=tick,
                                  cache=cache)  # fmt: skip
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
