"""A batch split over the server's cores: part here, part in a worker process.

Heavy runs are threads of one server process, and on these tiny models their cost is
per-step Python overhead, which holds the GIL: without help a server computes on one of its
two cores. A coalesced batch (dlviz.batching) is made of independent items whose results do
not depend on their neighbours (tested bit for bit per page), so it can be cut in two: one
part computes in this process, the other in a worker process at the same time.

The worker forks from a *forkserver* that has imported torch and the compute modules once
(`PRELOAD`), so it starts in milliseconds and shares those pages with the forkserver; the
server process itself is never forked (it runs threads). What crosses the process boundary
is ours: the batched function by reference, the items (seeds) and the shared settings (the
settings table's numbers, flags and option names), and the results (arrays in dataclasses)
coming back. The worker costs about 185 MB (measured as the process tree's PSS: 230 MB while
every optimizer imported torch._dynamo, see dlviz.steps), so it runs
only where the memory limit is at least `WORKER_MIN_MEMORY_MB` (not on the free tier's
690 MB), or as `DLVIZ_WORKERS` says. If the worker cannot be used (it died, or the platform
has no forkserver), the whole batch computes here: slower, never wrong.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import os
import sys
import threading
import types
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

WORKER_MIN_MEMORY_MB = 1536  # a worker costs ~185 MB: not under the free tier's 690 MB


def memory_limit_mb() -> float:
    """The memory this process may use: its cgroup's limit (containers, Community Cloud),
    else the machine's RAM; inf if neither can be read."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = open(path).read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            return int(text) / (1 << 20)
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("inf")


def _workers() -> int:
    """`DLVIZ_WORKERS` (0 = every batch in-process), or by default one worker where the
    memory allows it and there is a second core."""
    value = os.environ.get("DLVIZ_WORKERS", "auto")
    if value != "auto":
        return max(0, int(value))
    enough = memory_limit_mb() >= WORKER_MIN_MEMORY_MB
    return 1 if enough and (os.cpu_count() or 1) >= 2 else 0


WORKERS = _workers()
MIN_SPLIT = 2  # a batch of fewer items stays here (one student alone pays no hand-off)
PRELOAD = ["dlviz.worker_boot", "dlviz.finetune", "dlviz.init_schemes", "dlviz.landscape",
           "dlviz.optim", "dlviz.lr_momentum", "dlviz.overfitting", "dlviz.hparam_search",
           "dlviz.training_loop", "dlviz.playground"]

_lock = threading.Lock()
_pool: list[ProcessPoolExecutor | None] = [None]
_broken = [False]
_warm = [False]


def _init_worker() -> None:
    """In the worker: one torch thread, and never a pool of its own. (A worker that imports
    a module calling `pool()` would otherwise start a nested worker, a non-daemon child
    that keeps it from exiting: pytest hung at exit when a test module was unpickled there.)"""
    _broken[0] = True
    # What the worker inherits from the forkserver (torch, the compute modules) leaves the
    # collector's sight before its first collection (dlviz.memory.freeze_startup): it would
    # walk those objects on every full collection, writing to the pages it shares.
    gc.freeze()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)


def _call(fn: Callable, items: list, shared: dict) -> list:
    return list(fn(items, progress=None, **shared))


def pool() -> ProcessPoolExecutor | None:
    """The process-wide worker pool, started on first use (None if unavailable)."""
    if WORKERS < 1 or _broken[0]:
        return None
    with _lock:
        if _pool[0] is None:
            try:
                ctx = mp.get_context("forkserver")
                ctx.set_forkserver_preload(PRELOAD)
                executor = ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx,
                                               initializer=_init_worker)
                with _without_main():  # the worker starts now, on this first submit
                    executor.submit(_init_worker)
                _pool[0] = executor
            except (ValueError, OSError, RuntimeError):  # no forkserver here (e.g. Windows)
                _broken[0] = True
                return None
        return _pool[0]


@contextmanager
def _without_main():
    """Hide the `__main__` module while a worker is launched.

    multiprocessing re-imports the parent's `__main__` in every new worker. Under Streamlit
    that is the page script of the latest run (Streamlit installs each run's script as
    `__main__`): the worker would run the app shell, which starts a worker… (measured: a
    RuntimeError in the worker, then a broken pool). An empty stand-in for the moment of the
    launch gives the worker only the preloaded compute modules.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def warm_up() -> None:
    """Start the worker (forkserver imports included) in the background, once."""
    with _lock:
        if _warm[0]:
            return
        _warm[0] = True
    pool()


def split_call(fn: Callable, items: Sequence, *, progress=None, **shared) -> list:
    """`fn(items, **shared)` with the items' tail computed in the worker meanwhile."""
    items = list(items)
    p = pool() if len(items) >= MIN_SPLIT else None
    if p is None:
        return list(fn(items, progress=progress, **shared))
    cut = (len(items) + 1) // 2  # the first half here (it reports progress), the rest there
    try:
        future = p.submit(_call, fn, items[cut:], shared)
    except (BrokenProcessPool, RuntimeError):
        _broken[0] = True
        return list(fn(items, progress=progress, **shared))
    here = list(fn(items[:cut], progress=progress, **shared))
    try:
        there = future.result()
    except BrokenProcessPool as err:  # the worker died: compute its part here
        logging.getLogger(__name__).warning("worker process lost (%r): computing here", err)
        _broken[0] = True
        there = list(fn(items[cut:], progress=None, **shared))
    return here + there
