"""Every run at the caps: `python -m benchmarks.caps [--pages KEY ...]`.

For each page, through AppTest on one torch thread (as the app runs), with every cache cleared
before each timed run (the worst case: nobody has asked for these settings yet):
- the defaults;
- each widget alone at each edge of its domain (min, max, default; first and last option);
- every widget at its heavy end at once (numbers at max, options at the last, toggles on).
Prints the slowest run of each kind and the setting that made it. Target: ≤ 2 s.
The widgets are discovered from the running page, as tests/test_bad_input.py does.
"""

from __future__ import annotations

import argparse
import time

import streamlit as st
import torch

from tests.conftest import CONCEPT_PAGES, open_page, page_id
from tests.test_bad_input import check, edge_values, set_value, widgets

TARGET_S = 2.0


def _cold_run(at) -> float:
    st.cache_data.clear()
    st.cache_resource.clear()
    t = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t
    check(at)  # a slow run must still be a correct one
    return seconds


def _heavy_end(kind: str, w):
    if kind in ("slider", "number_input") and not isinstance(w.value, (tuple, list)):
        return getattr(w, "max", None)
    if kind in ("toggle", "checkbox"):
        return True
    if kind == "multiselect":
        return None  # its default is the course's choice; "all" is not a cap
    if kind in ("text_input", "text_area"):
        return None  # text caps are covered by the edges (max_chars of "x")
    return "__last__"


def page_caps(file: str) -> dict:
    at = open_page(file)
    defaults = _cold_run(at)
    slowest = (0.0, "")
    found = [(kind, w.key) for kind, w in widgets(at)]
    for kind, key in found:
        for value in edge_values(kind, getattr(at, kind)(key=key)):
            at = open_page(file)
            if set_value(at, kind, key, value):
                seconds = _cold_run(at)
                if seconds > slowest[0]:
                    slowest = (seconds, f"{key}={value!r}"[:60])
    at = open_page(file)
    changed = [key for kind, key in found
               if (value := _heavy_end(kind, getattr(at, kind)(key=key))) is not None
               and set_value(at, kind, key, value)]
    together = _cold_run(at)
    return {"defaults": defaults, "slowest": slowest, "together": together,
            "widgets": len(found), "changed": len(changed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", help="page keys (default: every live page)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    files = [f for f in CONCEPT_PAGES if not args.pages or page_id(f) in args.pages]
    print("| page | widgets | defaults s | slowest single edge s | that edge "
          "| all at the heavy end s |")
    print("|---|---:|---:|---:|---|---:|")
    worst = 0.0
    for file in files:
        r = page_caps(file)
        worst = max(worst, r["defaults"], r["slowest"][0], r["together"])
        print(f"| {page_id(file)} | {r['widgets']} | {r['defaults']:.2f} | "
              f"{r['slowest'][0]:.2f} | `{r['slowest'][1]}` | {r['together']:.2f} "
              f"({r['changed']} set) |", flush=True)
    print(f"\nslowest run: {worst:.2f} s (target ≤ {TARGET_S:g} s, caches cold)")


if __name__ == "__main__":
    main()
