"""Load through nginx: `python -m benchmarks.balancer [--replicas 1 2 4] [-n 30 60 100]`.

For each number of replicas, deploy/dlviz-cluster starts them and nginx on loopback (the
repository's config and deploy/nginx-dlviz.conf), and `benchmarks.load`'s crowd runs through
nginx for each N: N sessions from N distinct client addresses in 127.0.0.0/8, so that nginx's
`hash $remote_addr` has N clients to spread. Prints p50/p95/max rerun latency, first loads,
failures, how the sessions spread and the RSS of each replica. `--storm` runs
`benchmarks.storm`'s own-settings storm instead (every session a cache miss) and prints its
wall time per replica count. Loopback only; every run is bounded in count and time.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks import load, storm
from benchmarks.server import ROOT, free_port
from benchmarks.wsclient import Session
from dlviz import catalog

LAUNCHER = ROOT / "deploy" / "dlviz-cluster"
NGINX = "/usr/sbin/nginx"
REPLICA = "x-dlviz-replica"  # the response header naming the replica that answered


def client_address(i: int) -> str:
    """Client i's own loopback address: 127.0.1.1, 127.0.1.2, … (the whole /8 is loopback)."""
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def _free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports."""
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(20000, 60000 - count)
        try:
            with contextlib.ExitStack() as stack:
                for port in range(first, first + count):
                    s = stack.enter_context(socket.socket())
                    s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError("no run of free ports")


@dataclass
class Cluster:
    url: str  # nginx
    dir: Path  # the launcher's --dir: cluster.json, logs/, nginx/
    options: tuple[str, ...]  # the launcher's options for this cluster

    def launcher(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(LAUNCHER), *self.options, *command],
                              capture_output=True, text=True, check=check, timeout=300)

    @property
    def replicas(self) -> dict[str, int]:
        """'127.0.0.1:port' → pid, as the launcher recorded them."""
        state = json.loads((self.dir / "cluster.json").read_text())
        return {f"{state['bind']}:{r['port']}": r["pid"] for r in state["replicas"]}

    def direct_url(self, replica: str) -> str:
        return f"http://{replica}"


@contextlib.contextmanager
def cluster(replicas: int, *, directory: Path | None = None, upstream: tuple[str, ...] = ()):
    """Start `replicas` replicas and nginx with deploy/dlviz-cluster; stop them after."""
    if not Path(NGINX).exists():
        raise FileNotFoundError("Debian's nginx is missing: apt-get install -y nginx")
    with contextlib.ExitStack() as stack:
        if directory is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        listen = f"127.0.0.1:{free_port()}"
        options = ("--dir", str(directory), "--listen", listen,
                   "--first-port", str(_free_ports(max(replicas, 1))),
                   *itertools.chain.from_iterable(("--upstream", u) for u in upstream))
        c = Cluster(f"http://{listen}", directory, options)
        started = c.launcher("start", str(replicas), check=False)
        try:
            if started.returncode:
                raise RuntimeError(f"dlviz-cluster start failed: {started.stderr[-3000:]}")
            yield c
        finally:
            c.launcher("stop", check=False)


# --- many clients, each from its own address ----------------------------------------------------

class Clients:
    """Session factories that give each new session the next client address, round-robin,
    and count the replica each one landed on."""

    def __init__(self, count: int):
        self.addresses = itertools.cycle([client_address(i) for i in range(count)])
        self.landed: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, url: str, **kwargs) -> Session:
        with self._lock:
            address = next(self.addresses)
        session = Session(url, source_address=address, **kwargs)
        with self._lock:
            self.landed[session.ws.getheaders().get(REPLICA, "?").split(", ")[-1]] += 1
        return session


@contextlib.contextmanager
def from_distinct_addresses(count: int):
    """load.crowd and storm.storm open their sessions from `count` distinct addresses."""
    clients = Clients(count)
    saved = load.Session, storm.Session
    load.Session = storm.Session = clients
    try:
        yield clients
    finally:
        load.Session, storm.Session = saved


def warm(c: Cluster, keys: list[str]) -> None:
    """Each replica's lecturer visit: defaults cached, imports done (directly, not via nginx)."""
    for replica in c.replicas:
        for key in keys:
            s = Session(c.direct_url(replica), page=catalog.BY_KEY[key].url_path, timeout=180)
            s.run()
            s.close()


def rss_per_replica(c: Cluster) -> str:
    return " / ".join(f"{sum(storm.tree_rss_mb(pid)):.0f}" for pid in c.replicas.values())


# --- the two benchmarks -------------------------------------------------------------------------

def crowd_rows(c: Cluster, replicas: int, keys: list[str], counts: list[int], *, reruns: int,
               think: float) -> None:
    for n in counts:
        for key in keys:
            with from_distinct_addresses(n) as clients:
                r = load.crowd(c.url, catalog.BY_KEY[key].url_path, sessions=n,
                               reruns=reruns, think=think)
            spread = "/".join(str(clients.landed[a]) for a in c.replicas)
            print(f"| {replicas} | {n} | {key} | {r['p50'] * 1000:.0f} | {r['p95'] * 1000:.0f} "
                  f"| {r['max'] * 1000:.0f} | {r['first_p95'] * 1000:.0f} | "
                  f"{len(r['failures'])} | {spread} | {rss_per_replica(c)} |", flush=True)
            for failure in r["failures"][:3]:
                print(f"    {failure}")


def storm_rows(c: Cluster, replicas: int, keys: list[str], counts: list[int],
               walls: dict) -> None:
    for n in counts:
        for key in keys:
            queries = [storm.own_query(key, i) for i in range(n)]
            pids = list(c.replicas.values())
            cpu0, t0 = sum(map(storm.tree_cpu_seconds, pids)), time.perf_counter()
            with from_distinct_addresses(n) as clients:
                r = storm.storm(c.url, catalog.BY_KEY[key].url_path, queries)
            busy = (sum(map(storm.tree_cpu_seconds, pids)) - cpu0) / (time.perf_counter() - t0)
            walls[(key, n, replicas)] = r["wall"]
            spread = "/".join(str(clients.landed[a]) for a in c.replicas)
            print(f"| {replicas} | {n} | {key} | {r['p95']:.2f} | {r['max']:.2f} | "
                  f"{r['wall']:.2f} | {len(r['failures'])} | {busy:.2f} | {spread} | "
                  f"{rss_per_replica(c)} |", flush=True)
            for failure in r["failures"][:3]:
                print(f"    {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("-n", "--sessions", type=int, nargs="+", default=[30, 60, 100])
    parser.add_argument("--pages", nargs="+", default=["surfaces"], help="page keys")
    parser.add_argument("-r", "--reruns", type=int, default=5)
    parser.add_argument("-t", "--think", type=float, default=3.0)
    parser.add_argument("--storm", action="store_true", help="the own-settings storm instead")
    args = parser.parse_args()
    if max(args.sessions) > 500 or max(args.replicas) > 8:
        parser.error("at most 500 sessions and 8 replicas on one machine")
    walls: dict = {}
    if args.storm:
        print("| replicas | N | page | p95 s | max s | wall s | failures | cores busy | "
              "sessions per replica | RSS MB per replica |\n"
              "|---:|---:|---|---:|---:|---:|---:|---:|---|---|")
    else:
        print(f"R={args.reruns} reruns, think 0–{args.think:g} s, through nginx\n")
        print("| replicas | N | page | rerun p50 ms | p95 ms | max ms | first load p95 ms | "
              "failures | sessions per replica | RSS MB per replica |")
        print("|---:|---:|---|---:|---:|---:|---:|---:|---|---|")
    for replicas in args.replicas:
        with cluster(replicas) as c:
            warm(c, args.pages)
            if args.storm:
                storm_rows(c, replicas, args.pages, args.sessions, walls)
            else:
                crowd_rows(c, replicas, args.pages, args.sessions, reruns=args.reruns,
                           think=args.think)
    for (key, n, replicas), wall in sorted(walls.items()):
        if replicas != 1 and (key, n, 1) in walls:
            print(f"storm {key} N={n}: {replicas} replicas take "
                  f"{wall / walls[(key, n, 1)]:.2f}× the wall time of 1")
    print(load.TARGETS if not args.storm else storm.TARGETS)


if __name__ == "__main__":
    t0 = time.monotonic()
    main()
    print(f"finished in {time.monotonic() - t0:.0f} s")
