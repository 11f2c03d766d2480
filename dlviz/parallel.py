"""Independent training runs on the server's two cores.

Small models spend much of a training step inside torch ops, which release the GIL, so two
runs on two threads finish ~1.4× sooner than one after the other (measured: fine-tuning's four
runs plus the seven initialisations, 1.45 s → 1.02 s). Jobs must not draw from torch's global
RNG outside `dlviz.rng.seeded` (build models before, shuffle with a private generator).
Progress is reported from the calling thread only, which is the one that may draw on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TypeVar

import torch

T = TypeVar("T")
WORKERS = 2  # the hosts we measure on have two cores
Job = Callable[[Callable[[float], None]], T]  # job(progress) -> result


def run_all(jobs: Sequence[Job], *, progress: Callable[[float], None] | None = None,
            workers: int | None = None) -> list[T]:
    """Each `job(progress)` on up to `workers` threads; results in the jobs' order.

    A job's own progress (0…1) is summed into `progress`, called from this thread about
    every 0.1 s. `workers` defaults to WORKERS; 1 runs the jobs here, one after the other.
    The first exception is raised here, after the running jobs have ended.
    """
    workers = WORKERS if workers is None else workers
    if workers < 2 or len(jobs) < 2:
        done = []
        for i, job in enumerate(jobs):
            done.append(job(lambda f, i=i: progress((i + f) / len(jobs)) if progress else None))
        return done
    fractions = [0.0] * len(jobs)

    def call(i: int) -> T:
        if torch.get_num_threads() != 1:  # a new thread: one intra-op thread, as the app's
            torch.set_num_threads(1)

        def report(f: float) -> None:
            fractions[i] = float(f)
        return jobs[i](report)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dlviz-run") as pool:
        futures = [pool.submit(call, i) for i in range(len(jobs))]
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.1, return_when=FIRST_EXCEPTION)
            if any(f.exception() for f in finished):
                for f in pending:
                    f.cancel()
                break
            if progress is not None:
                progress(sum(fractions) / len(jobs))
        return [f.result() for f in futures]
