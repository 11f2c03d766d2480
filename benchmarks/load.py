"""Lecture-hall load: `python -m benchmarks.load [--pages KEY ...] [-n 30] [-r 10] [-t 3]`.

Starts the app on loopback (the repo's .streamlit/config.toml), opens N concurrent sessions
over Streamlit's websocket protocol, and has each rerun its page R times with a random think
time of 0–T s in between. Prints, per page, p50/p95/max rerun latency, the sessions' first
loads, failures (exception elements, errors, timeouts) and the server's RSS; then the RSS
growth over C connect/run/disconnect cycles. Traffic stays on 127.0.0.1 and every loop is
bounded in count and time.
"""

from __future__ import annotations

import argparse
import random
import threading
import time

from benchmarks.server import streamlit_server
from benchmarks.wsclient import Session, process_cpu_seconds, process_rss_mb
from dlviz import catalog

TARGETS = "targets: T=3 p95 ≤ 250 ms; T=0 p95 ≤ 1000 ms; 0 failures; RSS ≤ 1024 MB; " \
          "200 cycles grow RSS ≤ 100 MB"


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


def crowd(url: str, path: str, *, sessions: int, reruns: int, think: float,
          seed: int = 0) -> dict:
    """N sessions arrive together, then each reruns R times with 0–T s think time."""
    latencies: list[float] = []
    firsts: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(sessions)

    def student(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        session = None
        try:
            start_gate.wait(timeout=60)
            session = Session(url, page=path, timeout=120)
            first = session.run()
            mine = []
            for _ in range(reruns):
                time.sleep(rng.uniform(0, think))
                result = session.run()
                mine.append(result.seconds)
                if result.exceptions:
                    raise RuntimeError(f"{result.exceptions} exception element(s)")
            with lock:
                firsts.append(first.seconds)
                latencies.extend(mine)
        except Exception as err:  # a failure is a result here, counted and reported
            with lock:
                failures.append(f"session {i}: {type(err).__name__}: {err}"[:200])
        finally:
            if session:
                session.close()

    threads = [threading.Thread(target=student, args=(i,), daemon=True) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return {"p50": _pct(latencies, 0.5), "p95": _pct(latencies, 0.95),
            "max": max(latencies, default=float("nan")), "first_p95": _pct(firsts, 0.95),
            "failures": failures, "reruns": len(latencies)}


def cycles(url: str, path: str, pid: int, count: int) -> tuple[float, float]:
    """RSS before and after `count` connect → run → disconnect cycles."""
    Session(url, page=path).run()
    before = process_rss_mb(pid)
    for _ in range(count):
        s = Session(url, page=path)
        s.run()
        s.close()
    time.sleep(2)  # let the server notice the last disconnects
    return before, process_rss_mb(pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", help="page keys (default: every live page)")
    parser.add_argument("-n", "--sessions", type=int, default=30)
    parser.add_argument("-r", "--reruns", type=int, default=10)
    parser.add_argument("-t", "--think", type=float, nargs="+", default=[3.0, 0.0],
                        help="think-time bounds T to run (default: 3 then 0, a burst)")
    parser.add_argument("-c", "--cycles", type=int, default=200)
    args = parser.parse_args()
    pages = [p for p in catalog.live_pages() if not args.pages or p.key in args.pages]

    with streamlit_server() as (url, proc):
        for spec in pages:  # warm the shared caches once, as the lecturer's own visit does
            Session(url, page=spec.url_path).run()
        print(f"N={args.sessions} sessions × R={args.reruns} reruns, server pid {proc.pid}\n")
        print("| page | T s | rerun p50 ms | p95 ms | max ms | first load p95 ms | failures "
              "| server CPU s | RSS MB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for spec in pages:
            for think in args.think:
                cpu0 = process_cpu_seconds(proc.pid)
                r = crowd(url, spec.url_path, sessions=args.sessions, reruns=args.reruns,
                          think=think)
                cpu = process_cpu_seconds(proc.pid) - cpu0
                print(f"| {spec.key} | {think:g} | {r['p50'] * 1000:.0f} | "
                      f"{r['p95'] * 1000:.0f} | {r['max'] * 1000:.0f} | "
                      f"{r['first_p95'] * 1000:.0f} | {len(r['failures'])} | {cpu:.1f} | "
                      f"{process_rss_mb(proc.pid):.0f} |", flush=True)
                for failure in r["failures"][:3]:
                    print(f"    {failure}")
        if args.cycles:
            before, after = cycles(url, pages[0].url_path, proc.pid, args.cycles)
            print(f"\n{args.cycles} connect/disconnect cycles on {pages[0].key}: RSS "
                  f"{before:.0f} → {after:.0f} MB (+{after - before:.0f} MB)")
    print(TARGETS)


if __name__ == "__main__":
    main()
