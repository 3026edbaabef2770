"""Chunks as dask.distributed tasks; partial reductions merged in a tree on the workers."""

from __future__ import annotations

import operator
import os

from .errors import RunError

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


def _chunk_task(cfg, mi, chunk, n, engine, samples, threads):
    from .engine import simulate_chunk

    return simulate_chunk(cfg, mi, chunk, n, engine, threads, samples)


def connect(spec: str | None):
    """A dask Client for ``local[:N]`` (a LocalCluster of N worker processes, one
    thread each) or ``tcp://HOST:PORT`` (an existing scheduler); None: no cluster.
    Without ``spec``, DASK_SCHEDULER_ADDRESS is used when set."""
    spec = spec or os.environ.get(SCHEDULER_ENV)
    if not spec:
        return None
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is a dependency
        raise RunError(
            "--scheduler needs dask.distributed (pip install 'dask[distributed]')"
        ) from None
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2] or str(os.cpu_count() or 1)
        if not n.isdigit() or int(n) < 1:
            raise RunError(
                f"--scheduler {spec!r}: expected local or local:N with N >= 1"
            )
        cluster = LocalCluster(
            n_workers=int(n), threads_per_worker=1, processes=True,
            dashboard_address=None, silence_logs=40,
        )  # fmt: skip
        client = Client(cluster)
        client._sim_owns_cluster = cluster
        return client
    if not spec.startswith(("tcp://", "tls://", "ucx://")):
        raise RunError(
            f"--scheduler {spec!r}: expected local, local:N or tcp://HOST:PORT"
        )
    try:
        return Client(spec, timeout="10s")
    except OSError as e:
        raise RunError(f"--scheduler {spec}: cannot connect ({e})") from None


def close(client) -> None:
    if client is None:
        return
    cluster = getattr(client, "_sim_owns_cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def run_chunks(client, cfg, mi, jobs, engine, progress=None):
    """(merge of the complete chunks' partials or None, tail chunk's partial or None)
    for ``jobs`` [(chunk, n, samples)]; complete chunks are merged in a tree on the
    workers.

    Integer reductions make the merge exact whatever the tree's shape, so the result
    equals the single-process one bit for bit.
    """
    from dask.distributed import as_completed

    cfg_f, mi_f = client.scatter([cfg, mi], broadcast=True)
    threads = 1  # one thread per worker process: the cluster supplies the parallelism
    futures = [
        client.submit(_chunk_task, cfg_f, mi_f, c, n, engine, k, threads, pure=False)
        for c, n, k in jobs
    ]
    if progress is not None:
        sizes = {f.key: n for f, (_, n, _) in zip(futures, jobs, strict=True)}
        for f in as_completed(futures):
            progress(sizes[f.key])
    tail = None
    if jobs and jobs[-1][1] < cfg.chunk_size:
        tail = futures.pop()
    level = futures
    while len(level) > 1:  # pairwise tree merge on the workers
        nxt = [client.submit(operator.add, a, b, pure=False)
               for a, b in zip(level[::2], level[1::2], strict=False)]  # fmt: skip
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    merged = level[0].result() if level else None
    return merged, (tail.result() if tail is not None else None)
