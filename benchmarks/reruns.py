"""Rerun cost of every page: `python -m benchmarks.reruns [--reruns N] [--server-reruns M]
[--no-server] [--pages KEY ...]`.

Part 1 (AppTest, in process): the first run of each page with empty caches, then warm reruns
after a widget change (the first numeric or choice widget alternates between two values, so
both are cached after the first round), against the floor: an empty one-slider page measured
in the same process. Payload = the plotly JSON the page sends.

Part 2 (the real server): `streamlit run` with the repo's .streamlit/config.toml, one
websocket session per page, M plain reruns; p50 latency and the server's CPU per rerun,
against the same for the one-slider page on its own server.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.server import streamlit_server
from benchmarks.wsclient import Session, process_cpu_seconds
from dlviz import catalog, optim, ui
from tests.conftest import PAGE_FILES, open_page

FLOOR_APP = "import streamlit as st\nst.slider('x', 0, 100, 50, key='x')\n"
TARGETS = {"warm_p95_ms": 100, "ratio": 10, "cpu_ms": 20, "payload_kb": 1024}


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _alternate(at):
    """A function that flips the page's first simple widget between two valid values."""
    for kind in ("slider", "number_input", "select_slider", "segmented_control", "selectbox",
                 "radio", "pills"):
        widgets = [w for w in at.get(kind) if getattr(w, "key", None)]
        if not widgets:
            continue
        w = widgets[0]
        key, start = w.key, w.value
        if kind in ("slider", "number_input"):
            if isinstance(start, tuple):
                continue
            lo = getattr(w, "min", None)
            hi = getattr(w, "max", None)
            other = lo if lo is not None and lo != start else hi
            if other is None:
                other = start + (getattr(w, "step", 1) or 1)
        else:
            options = list(w.options)
            other = next((o for o in options if str(o) != str(start)), start)

        def flip(i, kind=kind, key=key, a=start, b=other):
            widget = getattr(at, kind)(key=key)
            widget.set_value(b if i % 2 else a)

        return f"{kind} {key}", flip
    return "none (plain rerun)", lambda i: None


def apptest_row(file: str, reruns: int) -> dict:
    st.cache_data.clear()
    st.cache_resource.clear()
    ui.clear_caches()
    t0 = time.perf_counter()
    at = open_page(file)
    first = time.perf_counter() - t0  # includes the shell's run and the switch
    assert not at.exception, [e.message for e in at.exception]
    what, flip = _alternate(at)
    times = []
    for i in range(reruns + 2):
        flip(i + 1)
        t = time.perf_counter()
        at.run()
        if i >= 2:  # the first two reruns fill the caches for both values
            times.append(time.perf_counter() - t)
    payload = sum(len(c.proto.spec) for c in at.get("plotly_chart")) / 1024
    return {"first_ms": first * 1000, "p50_ms": _pct(times, 0.5) * 1000,
            "p95_ms": _pct(times, 0.95) * 1000, "payload_kb": payload, "widget": what}


def floor_row(reruns: int) -> dict:
    at = AppTest.from_string(FLOOR_APP).run()
    times = []
    for i in range(reruns):
        at.slider(key="x").set_value(40 + i % 2)
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
    return {"p50_ms": _pct(times, 0.5) * 1000, "p95_ms": _pct(times, 0.95) * 1000}


def _server_row(url: str, pid: int, path: str, reruns: int) -> dict:
    session = Session(url, page=path)
    session.run()  # cold: imports, caches
    session.run()
    cpu0 = process_cpu_seconds(pid)
    times = [session.run().seconds for _ in range(reruns)]
    cpu = (process_cpu_seconds(pid) - cpu0) / reruns
    session.close()
    return {"ws_p50_ms": _pct(times, 0.5) * 1000, "cpu_ms": cpu * 1000}


def server_rows(pages: list[tuple[str, str]], reruns: int) -> dict[str, dict]:
    """Per page, over the websocket; "floor" is the one-slider app on its own server (same
    config), i.e. what Streamlit itself spends on a rerun."""
    with tempfile.TemporaryDirectory() as tmp:
        floor_app = Path(tmp) / "floor.py"
        floor_app.write_text(FLOOR_APP)
        with streamlit_server(floor_app) as (url, proc):
            rows = {"floor": _server_row(url, proc.pid, "", reruns)}
    with streamlit_server() as (url, proc):
        Session(url, page="").run()  # the first visit starts the app's torch warm-up thread:
        time.sleep(5)  # let it finish, or its 2.3 s of CPU lands in the first page's row
        for key, path in pages:
            rows[key] = _server_row(url, proc.pid, path, reruns)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=20)
    parser.add_argument("--server-reruns", type=int, default=100,
                        help="reruns per page over the websocket (CPU is read in 10 ms ticks)")
    parser.add_argument("--no-server", action="store_true", help="skip the websocket part")
    parser.add_argument("--pages", nargs="*", help="page keys (default: all)")
    args = parser.parse_args()

    files = [f for f in PAGE_FILES if not args.pages or f.split("/")[-1][:-3] in args.pages]
    optim.warm_up()  # torch's one-time imports, here rather than in the background of a row
    floor = floor_row(args.reruns)
    rows = {f.split("/")[-1][:-3]: apptest_row(f, args.reruns) for f in files}
    url_paths = {p.key: p.url_path for p in catalog.PAGES} | {"home": ""}
    server = {} if args.no_server else server_rows(
        [(k, url_paths[k]) for k in rows], args.server_reruns)

    print(f"floor (one-slider page): warm p50 {floor['p50_ms']:.1f} ms, "
          f"p95 {floor['p95_ms']:.1f} ms", end="")
    if "floor" in server:
        print(f"; on the server: rerun p50 {server['floor']['ws_p50_ms']:.1f} ms, "
              f"CPU {server['floor']['cpu_ms']:.1f} ms/rerun", end="")
    print("\n")
    print("| page | first run ms | warm p50 ms | warm p95 ms | × floor (p95) | payload KB "
          "| server rerun p50 ms | server CPU/rerun ms | widget changed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for key, r in rows.items():
        s = server.get(key, {})
        ratio = r["p95_ms"] / floor["p95_ms"]
        print(f"| {key} | {r['first_ms']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
              f"{ratio:.1f} | {r['payload_kb']:.0f} | {s.get('ws_p50_ms', float('nan')):.1f} | "
              f"{s.get('cpu_ms', float('nan')):.1f} | {r['widget']} |")
    print(f"\ntargets: warm p95 ≤ {TARGETS['warm_p95_ms']} ms and ≤ {TARGETS['ratio']}× floor, "
          f"server CPU ≤ {TARGETS['cpu_ms']} ms/rerun, payload ≤ {TARGETS['payload_kb']} KB")


if __name__ == "__main__":
    main()
