"""A class each exploring their own settings: `python -m benchmarks.storm [--pages KEY ...]`.

The lecturer says "now put your own seed in": N sessions open one page at the same moment,
each with its own value of a setting that changes the page's computation (`seed`, or the
page's main input where it has no seed), so every one of them is a cache miss. The same N
sessions on the defaults (one shared, cached result) follow for comparison. Prints, per page,
the p95 and max time to a finished run, failures, the cores the server's process tree kept
busy on average during the storm, and its RSS.

`--single K` first opens each page K times one session at a time, each with a new setting,
against the defaults: what one student pays for a setting nobody asked for yet.
`--soak S` then runs the variety soak: K sessions move through random valid settings of every
page for S seconds (≤ 600), and the server's RSS is printed every 30 s and at the end.

Starts the app on loopback with the repository's config; every loop is bounded in count and
time, and traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import random
import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode

from benchmarks.load import _pct
from benchmarks.server import streamlit_server
from benchmarks.wsclient import Session
from dlviz import catalog
from dlviz import settings as cfg

TARGETS = ("targets: own-settings p95 ≤ 1.5 s (finetune ≤ 3 s), 0 failures, ≥ 1.7 cores busy; "
           "soak RSS ≤ 690 MB at the end and never above 800 MB")
SOAK_MAX_S = 600


def own_query(key: str, i: int) -> dict[str, list[str]]:
    """Session i's own setting on page `key`: a seed of its own, or the page's main input."""
    table = catalog.BY_KEY[key].settings
    if "seed" in table:
        query = {"seed": [str(101 + i)]}  # 0 is every page's default: never a shared value
    elif key == "params":  # an architecture of its own: sizes 4, 8+i, 4+i % 5, 2
        query = {"short": [f"4,{8 + i % 500},{4 + i % 5},2"]}
    elif key == "losses":
        query = {"scores": [f"{1 + i % 97 / 10:g}, {-(i // 97) / 20:g}, 0.5"]}
    else:
        raise KeyError(f"no own setting for page {key!r}")
    parsed = table.parse(query)
    if parsed.notices or parsed.canonical != query:  # the page would fall back: not "own"
        raise ValueError(f"{key}: {query} is not a valid setting of its own")
    return query


# --- the process tree the server runs in (a worker pool is part of the server) -------------

def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                kids.append(int(entry))
    return kids


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(_children(p))
    return pids


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and its live descendants, from /proc (Linux)."""
    total = 0.0
    for p in tree(pid):
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def tree_rss_mb(pid: int) -> list[float]:
    """RSS of `pid` and of each live descendant, in MB (the first is `pid`'s)."""
    sizes = []
    for p in tree(pid):
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
    return sizes


def tree_pss_mb(pid: int) -> float:
    """Proportional set size of `pid` and its descendants, in MB: pages shared between them
    (a worker forked from its forkserver) counted once, as a container's memory limit does."""
    total = 0.0
    for p in tree(pid):
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def rss_text(pid: int) -> str:
    """The server's memory: with worker processes, the tree's PSS (what counts against a
    container's limit) and each process's RSS."""
    sizes = tree_rss_mb(pid)
    if len(sizes) == 1:
        return f"{sizes[0]:.0f}"
    return f"{tree_pss_mb(pid):.0f} PSS (RSS {' + '.join(f'{s:.0f}' for s in sizes)})"


# --- the storm --------------------------------------------------------------------------------

def visit(url: str, path: str, query: str, *, timeout: float = 120,
          before_run: Callable[[], object] | None = None):
    """One tab: connect to `path?query`, (wait for `before_run`), run it, close; the run's
    result. A page that drew an exception element raises."""
    session = Session(url, page=path, query=query, timeout=timeout)
    try:
        if before_run is not None:
            before_run()
        result = session.run()
        if result.exceptions:
            raise RuntimeError(f"{result.exceptions} exception element(s) on {path}?{query}")
        return result
    finally:
        session.close()


def storm(url: str, path: str, queries: list[dict], *, timeout: float = 120) -> dict:
    """Every query opens `path` at once; the time from the request to its finished run."""
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(len(queries))

    def student(i: int) -> None:
        try:
            result = visit(url, path, urlencode(queries[i], doseq=True), timeout=timeout,
                           before_run=lambda: gate.wait(timeout=60))
            with lock:
                times.append(result.seconds)
        except Exception as err:  # a failure is a result here, counted and reported
            with lock:
                failures.append(f"session {i}: {type(err).__name__}: {err}"[:200])

    threads = [threading.Thread(target=student, args=(i,), daemon=True)
               for i in range(len(queries))]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout + 60)
    return {"p95": _pct(times, 0.95), "max": max(times, default=float("nan")),
            "failures": failures, "wall": time.perf_counter() - start}


def storm_rows(url: str, pid: int, keys: list[str], n: int) -> None:
    print(f"N={n} sessions at once, server pid {pid}\n")
    print("| page | sessions' settings | p95 s | max s | failures | cores busy | RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for key in keys:
        path = catalog.BY_KEY[key].url_path
        for label, queries in (("own", [own_query(key, i) for i in range(n)]),
                               ("defaults", [{} for _ in range(n)])):
            cpu0, t0 = tree_cpu_seconds(pid), time.perf_counter()
            r = storm(url, path, queries)
            busy = (tree_cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)
            print(f"| {key} | {label} | {r['p95']:.2f} | {r['max']:.2f} | "
                  f"{len(r['failures'])} | {busy:.2f} | {rss_text(pid)} |", flush=True)
            for failure in r["failures"][:3]:
                print(f"    {failure}")
    print()


def single_rows(url: str, keys: list[str], k: int) -> None:
    """One session at a time, each with a setting nobody asked for yet: the time from the
    request to the finished run, against the same with the defaults (cached)."""
    import statistics

    print(f"One session at a time, {k} new settings each (seeds unlike the storm's)\n")
    print("| page | new setting median ms | max ms | defaults median ms | new − defaults ms |")
    print("|---|---:|---:|---:|---:|")
    for key in keys:
        path = catalog.BY_KEY[key].url_path
        own, base = [], []
        for i in range(k):
            for queries, out in (([own_query(key, 500 + i)], own), ([{}], base)):
                r = storm(url, path, queries)
                out.append(r["p95"])
        m, b = statistics.median(own), statistics.median(base)
        print(f"| {key} | {m * 1000:.0f} | {max(own) * 1000:.0f} | {b * 1000:.0f} | "
              f"{(m - b) * 1000:.0f} |", flush=True)
    print()


# --- the variety soak ---------------------------------------------------------------------------

def random_value(s: cfg.Setting, known, rng: random.Random):
    """A random valid value of setting `s` (text settings keep their default)."""
    if isinstance(s, cfg.Number):
        lo, hi = s.bounds(known)
        if s.integer:
            return rng.randint(int(lo), int(hi))
        if s.step:
            return round(lo + s.step * rng.randint(0, int(round((hi - lo) / s.step))), 10)
        return rng.uniform(lo, hi)
    if isinstance(s, cfg.Span):
        options = s.choices(known)
        a, b = sorted(rng.sample(range(len(options)), 2)) if len(options) > 1 else (0, 0)
        return (options[a], options[b])
    if isinstance(s, cfg.Multi):
        options = s.choices(known)
        k = rng.randint(1, min(len(options), s.max_count or len(options)))
        chosen = set(rng.sample(list(options), k))
        return tuple(o for o in options if o in chosen)
    if isinstance(s, cfg.Choice):
        return rng.choice(list(s.choices(known)))
    if isinstance(s, cfg.Flag):
        return rng.random() < 0.5
    return s.default_for(known)


def random_query(key: str, rng: random.Random, changes: int = 3) -> dict[str, list[str]]:
    """A page's URL with `changes` random settings moved to random valid values."""
    table = catalog.BY_KEY[key].settings
    moved = set(rng.sample(table.keys, min(changes, len(table.keys))))
    known: dict = {}
    for s in table:
        known[s.key] = random_value(s, known, rng) if s.key in moved else s.default_for(known)
        try:
            known[s.key] = s.check(known[s.key], known)
        except Exception:  # a random pick outside a narrowed domain: the default
            known[s.key] = s.default_for(known)
    return table.url(known)


def soak(url: str, pid: int, keys: list[str], *, seconds: float, sessions: int,
         seed: int = 0) -> None:
    seconds = min(seconds, SOAK_MAX_S)
    stop = time.monotonic() + seconds
    runs, failures = [0], []
    lock = threading.Lock()

    def student(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        while time.monotonic() < stop:
            key = rng.choice(keys)
            query = urlencode(random_query(key, rng), doseq=True)
            try:
                visit(url, catalog.BY_KEY[key].url_path, query)
                with lock:
                    runs[0] += 1
            except Exception as err:  # counted and reported
                with lock:
                    failures.append(f"{type(err).__name__}: {err}"[:300])

    threads = [threading.Thread(target=student, args=(i,), daemon=True)
               for i in range(sessions)]
    for t in threads:
        t.start()
    start, peak = time.monotonic(), 0.0
    print(f"variety soak: {sessions} sessions, random settings on {len(keys)} pages, "
          f"{seconds:.0f} s")
    print("| t s | runs | RSS MB |\n|---:|---:|---:|")
    while any(t.is_alive() for t in threads):
        time.sleep(1)
        elapsed = time.monotonic() - start
        total = tree_pss_mb(pid) if len(tree_rss_mb(pid)) > 1 else tree_rss_mb(pid)[0]
        peak = max(peak, total)
        if int(elapsed) % 30 == 0:
            print(f"| {elapsed:.0f} | {runs[0]} | {rss_text(pid)} |", flush=True)
    for t in threads:
        t.join(timeout=180)
    time.sleep(2)
    print(f"| end | {runs[0]} | {rss_text(pid)} |")
    print(f"peak memory (sampled each second; the tree's PSS with workers) {peak:.0f} MB; "
          f"{len(failures)} failures")
    for failure in failures[:5]:
        print(f"    {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", help="page keys (default: every concept page)")
    parser.add_argument("-n", "--sessions", type=int, default=30)
    parser.add_argument("--soak", type=float, default=0,
                        help=f"seconds of variety soak after the storms (≤ {SOAK_MAX_S})")
    parser.add_argument("--soak-sessions", type=int, default=10)
    parser.add_argument("--single", type=int, default=0, metavar="K",
                        help="also K one-at-a-time sessions per page with a new setting")
    parser.add_argument("--no-storm", action="store_true", help="skip the storms")
    args = parser.parse_args()
    keys = [p.key for p in catalog.live_pages() if p.key != "home"
            and (not args.pages or p.key in args.pages)]
    with streamlit_server() as (url, proc):
        for key in keys:  # the lecturer's own visit: defaults cached, imports done
            Session(url, page=catalog.BY_KEY[key].url_path).run()
        if args.single:
            single_rows(url, keys, args.single)
        if not args.no_storm:
            storm_rows(url, proc.pid, keys, args.sessions)
        if args.soak:
            soak(url, proc.pid, keys, seconds=args.soak, sessions=args.soak_sessions)
    print(TARGETS)


if __name__ == "__main__":
    main()
