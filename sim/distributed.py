"""Chunks as dask.distributed tasks; partial reductions merged in a tree on the workers.

Safe to repeat on one Client: every key is unique to its run (nothing is content-hashed,
so a second run never meets keys the first is releasing), a run holds its futures until
its results are in, and every wait is bounded: a scheduler that goes away, no worker for
``NO_WORKERS_S`` or a chunk that keeps killing workers ends in a ``RunError``, not a hang.
"""

from __future__ import annotations

import functools
import logging
import operator
import os
import sys
import time

from .errors import RunError, SimError

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
POLL_S = 1.0
"""How often a waiting run checks on the cluster when no chunk finished [s]."""
NO_WORKERS_S = 60.0
"""A run gives up after this long without any worker [s]."""
LOCAL_HTTP = "127.0.0.1:0"
"""The scheduler's HTTP server (dashboard, health) always listens: on a random local
port, never on 8787, which another cluster may hold."""
RPC_S = 10.0
"""Limit on connecting to the scheduler and on one question to it [s]."""
FETCH_S = 300.0
"""Limit on fetching a finished result (tens of MB at the default chunk size) [s]."""


def max_local_workers() -> int:
    """Upper bound on N in ``local:N``: 4 worker processes per CPU."""
    return 4 * (os.cpu_count() or 1)


def _chunk_task(inputs, chunk, n, engine, samples):
    from .engine import simulate_chunk

    cfg, mi = inputs
    # one thread per worker process: the cluster supplies the parallelism
    return simulate_chunk(cfg, mi, chunk, n, engine, 1, samples)


def _inputs(cfg, mi):
    return cfg, mi


def parse(spec: str | None, source: str = "--scheduler") -> int | str | None:
    """None (no cluster), the number of local workers for ``local[:N]`` or the
    address of an existing scheduler; a RunError naming ``source`` if malformed."""
    if not spec:
        return None
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2] or str(os.cpu_count() or 1)
        top = max_local_workers()
        if not n.isdigit() or not 1 <= int(n) <= top:
            raise RunError(
                f"{source} {spec!r}: expected local or local:N with N from 1 to {top} "
                f"(4 per CPU)"
            )
        return int(n)
    if not spec.startswith(("tcp://", "tls://", "ucx://")):
        raise RunError(f"{source} {spec!r}: expected local, local:N or tcp://HOST:PORT")
    return spec


def connect(spec: str | None):
    """A dask Client for ``local[:N]`` (a LocalCluster of N worker processes, one
    thread each, on random local ports) or ``tcp://HOST:PORT`` (an existing
    scheduler); None: no cluster.  Without ``spec``, DASK_SCHEDULER_ADDRESS is used
    when set, with a note on stderr: results come back as pickles, so a scheduler can
    make this process run code, and nobody should be using one without knowing."""
    source = "--scheduler"
    if not spec and os.environ.get(SCHEDULER_ENV):
        spec, source = os.environ[SCHEDULER_ENV], SCHEDULER_ENV
    target = parse(spec, source)
    if target is None:
        return None
    if source == SCHEDULER_ENV:
        print(f"note: using dask scheduler {spec} from {SCHEDULER_ENV} "
              "(--scheduler overrides it)", file=sys.stderr)  # fmt: skip
    from dask.distributed import Client, LocalCluster

    # failures reach the user as one `error:` line, which dask's logs (tracebacks of a
    # lost connection) would bury: silenced the way LocalCluster(silence_logs) does it
    for handler in logging.getLogger("distributed").handlers:
        handler.setLevel(logging.CRITICAL)
    if isinstance(target, int):
        cluster = LocalCluster(
            n_workers=target, threads_per_worker=1, processes=True,
            scheduler_port=0, dashboard_address=LOCAL_HTTP, silence_logs=logging.CRITICAL,
        )  # fmt: skip
        client = Client(cluster)
        client._sim_owns_cluster = cluster
        return client
    try:
        return Client(target, timeout=f"{RPC_S}s")
    except (OSError, TimeoutError) as e:
        raise RunError(f"{source} {target}: cannot connect ({e})") from None


def close(client) -> None:
    """Close a client from ``connect`` (and its LocalCluster), in bounded time."""
    if client is None:
        return
    cluster = getattr(client, "_sim_owns_cluster", None)
    try:
        client.close(timeout=RPC_S)
    except (OSError, TimeoutError, RuntimeError):  # the scheduler may be gone already
        pass
    if cluster is not None:
        cluster.close(timeout=RPC_S)


def n_workers(client) -> int:
    """Number of workers the scheduler has now; a RunError if it does not answer."""
    try:
        return len(client.nthreads(callback_timeout=RPC_S))
    except (OSError, TimeoutError) as e:
        raise RunError(_lost(client, e)) from None


def _lost(client, why) -> str:
    return (
        f"dask scheduler {client.scheduler.address} went away or stopped answering "
        f"({type(why).__name__}): the run was abandoned and nothing was written"
    )


def _failed(future, label: str) -> Exception:
    """The error for a task that did not finish: the task's own SimError (one line
    already), a RunError for workers dying or a cancelled task, else the exception."""
    from dask.distributed import KilledWorker

    if future.status != "error":  # cancelled: the scheduler dropped it
        return RunError(
            f"dask cancelled {label} ({future.status}): the scheduler lost it; "
            "the run was abandoned and nothing was written"
        )
    exc = future.exception(timeout=RPC_S)
    if isinstance(exc, SimError):
        return exc
    if isinstance(exc, KilledWorker):
        return RunError(
            f"dask workers died while computing {label} ({exc}): out of memory? The "
            "run was abandoned and nothing was written"
        )
    return exc


def _wait(client, futures, labels, on_done=None) -> None:
    """Wait until every future has finished, calling ``on_done(future)`` for each;
    raise on a failed task, a lost scheduler, or no worker for NO_WORKERS_S."""
    from dask.distributed import CancelledError, wait

    pending, since = set(futures), None
    while pending:
        try:
            with client.as_current():  # wait() works on the current client
                done, pending = wait(pending, POLL_S, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = set()
        except CancelledError as e:  # the client lost the scheduler
            raise RunError(_lost(client, e)) from None
        for f in done:
            if f.status != "finished":
                raise _failed(f, labels[f.key])
            if on_done is not None:
                on_done(f)
        if done or not pending:
            since = None
            continue
        if client.status not in ("running", "connecting"):
            raise RunError(_lost(client, RuntimeError(client.status)))
        if n_workers(client):
            since = None
        elif since is None:
            since = time.monotonic()
        elif time.monotonic() - since > NO_WORKERS_S:
            raise RunError(
                f"dask scheduler {client.scheduler.address} has had no workers for "
                f"{NO_WORKERS_S:.0f} s: the run was abandoned and nothing was written"
            )


def mapper(client):
    """The engine's ``map_chunks`` on a dask Client (:func:`run_chunks`); None
    without one (the engine then computes in this process)."""
    return None if client is None else functools.partial(run_chunks, client)


def run_chunks(client, cfg, mi, jobs, engine, progress=None):
    """(merge of the complete chunks' partials or None, tail chunk's partial or None)
    for ``jobs`` [(chunk, n, samples)]; complete chunks are merged in a tree on the
    workers.

    Integer reductions make the merge exact whatever the tree's shape, so the result
    equals the single-process one bit for bit.  The inputs travel as a task rather
    than scattered data: if the worker holding them dies, the scheduler recomputes
    them instead of cancelling the run for lost dependencies.
    """
    inputs = client.submit(_inputs, cfg, mi, pure=False)
    chunk_fs = [
        client.submit(_chunk_task, inputs, c, n, engine, k, pure=False)
        for c, n, k in jobs
    ]
    held = [inputs, *chunk_fs]  # released only once the results are in
    labels = {f.key: f"chunk {c}" for f, (c, _, _) in zip(chunk_fs, jobs, strict=True)}
    try:
        sizes = {f.key: n for f, (_, n, _) in zip(chunk_fs, jobs, strict=True)}
        _wait(client, chunk_fs, labels,
              progress and (lambda f: progress(sizes[f.key])))  # fmt: skip
        tail = chunk_fs[-1] if jobs and jobs[-1][1] < cfg.chunk_size else None
        level = chunk_fs[:-1] if tail is not None else list(chunk_fs)
        while len(level) > 1:  # pairwise tree merge on the workers
            nxt = [client.submit(operator.add, a, b, pure=False)
                   for a, b in zip(level[::2], level[1::2], strict=False)]  # fmt: skip
            held += nxt
            labels.update((f.key, "a merge of chunks") for f in nxt)
            if len(level) % 2:
                nxt.append(level[-1])
            level = nxt
        out = [level[0] if level else None, tail]
        wanted = [f for f in out if f is not None]
        _wait(client, wanted, labels)
        try:
            return tuple(None if f is None else f.result(timeout=FETCH_S) for f in out)
        except (OSError, TimeoutError) as e:
            raise RunError(_lost(client, e)) from None
    finally:  # released tasks that are still queued never run
        for f in held:
            f.release()
