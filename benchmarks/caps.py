"""Every run at the caps: `python -m benchmarks.caps [--pages KEY ...]`.

For each page, through AppTest on one torch thread (as the app runs), with every cache cleared
before each timed run (the worst case: nobody has asked for these settings yet):
- the defaults;
- each setting alone at each edge of its domain (min, max, default; first and last option);
- every setting at its heavy end at once (numbers at max, options at the last, toggles on).
Prints the slowest of each kind and the setting that made it (with --repeat N, each setting's
median of N cold runs: run-to-run noise on the 2-core VM is about ±25 %). Target: ≤ 2 s.
The domains come from each page's settings table (dlviz.settings), as in
tests/test_bad_input.py.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import streamlit as st
import torch

from dlviz import optim, ui
from dlviz import settings as cfg
from tests.conftest import CONCEPT_PAGES, open_page, page_id
from tests.test_bad_input import check, known, put, table_of

TARGET_S = 2.0


def _cold_run(at, repeat: int = 1) -> float:
    """Median seconds of `repeat` runs of `at`, each with every cache cleared first."""
    times = []
    for _ in range(repeat):
        st.cache_data.clear()
        st.cache_resource.clear()
        ui.clear_caches()
        gc.collect()  # the garbage of earlier runs is not this run's cost
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        check(at)  # a slow run must still be a correct one
    return statistics.median(times)


def page_caps(file: str, repeat: int = 1) -> dict:
    table = table_of(file)
    at = open_page(file)
    defaults = _cold_run(at, repeat)
    slowest = (0.0, "")
    for s in table:
        for value in s.edges(known(open_page(file), table)):
            at = open_page(file)
            put(at, s, value)
            seconds = _cold_run(at, repeat)
            if seconds > slowest[0]:
                slowest = (seconds, f"{s.key}={value!r}"[:60])
    at = open_page(file)
    for s in table:
        if not isinstance(s, cfg.Text):  # text caps are covered by the edges ("x" × max)
            put(at, s, s.heavy(known(at, table)))
    together = _cold_run(at, repeat)
    return {"defaults": defaults, "slowest": slowest, "together": together,
            "widgets": len(table.keys), "changed": len(table.keys)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", help="page keys (default: every live page)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="cold runs per setting, median reported (this VM varies ±25 %%)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    optim.warm_up()  # torch's one-time imports are not any page's cost
    files = [f for f in CONCEPT_PAGES if not args.pages or page_id(f) in args.pages]
    print("| page | settings | defaults s | slowest single edge s | that edge "
          "| all at the heavy end s |")
    print("|---|---:|---:|---:|---|---:|")
    worst = 0.0
    for file in files:
        r = page_caps(file, args.repeat)
        worst = max(worst, r["defaults"], r["slowest"][0], r["together"])
        print(f"| {page_id(file)} | {r['widgets']} | {r['defaults']:.2f} | "
              f"{r['slowest'][0]:.2f} | `{r['slowest'][1]}` | {r['together']:.2f} "
              f"({r['changed']} set) |", flush=True)
    print(f"\nslowest: {worst:.2f} s (median of {args.repeat}; target ≤ {TARGET_S:g} s, "
          "caches cold)")


if __name__ == "__main__":
    main()
