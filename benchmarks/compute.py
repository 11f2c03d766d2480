"""Time the compute cases of every page: `python -m benchmarks.compute [name-filter]`.

Each `benchmarks/compute_<key>.py` defines `CASES: dict[str, Callable[[], object]]`, zero-arg
calls at the page's default (and capped) settings. Cold = first call in this process;
warm = median of the next calls (the pages cache results, so warm matters for the compute
itself only when settings change).
"""

from __future__ import annotations

import importlib
import pkgutil
import statistics
import sys
import time

import torch

import benchmarks

torch.set_num_threads(1)  # as in the app: many sessions share one process


def discover() -> dict[str, object]:
    cases = {}
    for info in pkgutil.iter_modules(benchmarks.__path__):
        if info.name.startswith("compute_"):
            module = importlib.import_module(f"benchmarks.{info.name}")
            for name, fn in module.CASES.items():
                cases[f"{info.name[len('compute_'):]}: {name}"] = fn
    return cases


def main() -> None:
    pattern = sys.argv[1] if len(sys.argv) > 1 else ""
    print("| case | cold ms | warm median ms (3 runs) |\n|---|---:|---:|")
    for name, fn in discover().items():
        if pattern not in name:
            continue
        t = time.perf_counter()
        fn()
        cold = time.perf_counter() - t
        warm = []
        for _ in range(3):
            t = time.perf_counter()
            fn()
            warm.append(time.perf_counter() - t)
        print(f"| {name} | {cold * 1000:.0f} | {statistics.median(warm) * 1000:.0f} |")


if __name__ == "__main__":
    main()
