"""Coalesce concurrent cold requests across sessions into one batched computation.

When a lecturer says "now put your own seed in", thirty sessions ask for the same function
with thirty seeds within a few tens of milliseconds. As dynamic batching in model servers
does, the first request of a kind opens a *group*; every request with the same function and
shared arguments that arrives while it is open joins it. The group collects until `window`
seconds have passed since its latest member (at most `max_wait` in all, or until it is
full), and it stays open while it waits for a heavy-run slot; then one call
`fn(items, **shared)` computes them all, and each caller gets exactly its own result. A
student alone waits `window`; a class whose requests arrive over a second (their scripts
share one interpreter) fills one batch. A caller may say who else could still join
(`callers`: the server's running scripts): once every one of them is inside a call, waiting
longer cannot add a member, and the group computes at once. `DLVIZ_DEBUG_BATCH=1` prints
each batch's size and when it computed.

A batched function must make each item's result independent of the other items in its
batch (the pages' `*_many` functions are tested for this bit for bit: the same seed gives
the same numbers alone, first, last or among 31 others). Identical items are computed once.
This module knows nothing of Streamlit: `dlviz.ui.coalesced` adds the heavy-run slots and a
progress bar.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

_DEBUG = bool(os.environ.get("DLVIZ_DEBUG_BATCH"))
WINDOW_S = 0.03  # how long a group of one stays open: a student alone waits only this
# How long a group of two or more stays open after its latest member joined. A class's
# requests reach the call about 50 ms apart (thirty sessions' scripts share one interpreter),
# so a 30-ms window cut a storm into batches of 8, 2, 20 (or 9, 1, 1, 17, 1, 1), each a
# pass of its own; a second member is the sign of a storm, where waiting costs nothing: the
# server is busy running the other sessions' scripts meanwhile.
GROUP_WINDOW_S = 0.15
MAX_WAIT_S = 1.0  # the longest a group collects before it computes
MAX_BATCH = 32


@dataclass
class _Group:
    items: list = field(default_factory=list)
    closed: bool = False
    done: threading.Event = field(default_factory=threading.Event)
    results: list | None = None
    error: BaseException | None = None


@dataclass
class Stats:
    calls: int = 0  # requests seen
    batches: int = 0  # batched calls made
    largest: int = 0  # the most items in one batched call


class Coalescer:
    """`coalescer(fn, item, **shared)` → `fn([... item ...], **shared)[i]`, shared by all
    concurrent callers with the same `fn` and `shared` (which must be hashable).

    `fn(items, *, progress, **shared)` returns one result per item, in order; `progress` is
    None or a callable taking a fraction in [0, 1]."""

    def __init__(self, *, window: float = WINDOW_S, max_wait: float = MAX_WAIT_S,
                 max_batch: int = MAX_BATCH, clock: Callable[[], float] = time.monotonic,
                 group_window: float | None = None):
        self.window, self.max_wait, self.max_batch = window, max_wait, max_batch
        self.group_window = window if group_window is None else group_window
        self._clock = clock
        self._lock = threading.Lock()
        self._open: dict[Hashable, _Group] = {}
        self._inside = 0  # callers in __call__ now: collecting, computing or waiting
        self.stats = Stats()

    def __call__(self, fn: Callable[..., Sequence], item: Hashable, *,
                 run: Callable[[Callable[[], Any], int], Any] | None = None,
                 wait: Callable[[int], None] | None = None,
                 call: Callable[..., Sequence] | None = None,
                 callers: Callable[[], int] | None = None, **shared) -> Any:
        """`run(compute, n)` wraps the leader's batched call (slots, progress bar): it must
        return `compute(progress)`, which calls `fn(items, progress=progress, **shared)`;
        `wait(n)` is called once by a follower before it blocks, with the group's size so
        far. Without `run`, `fn` gets `progress=None`. `call(fn, items, progress=…, **shared)`
        replaces the plain call (dlviz.workers splits a batch over processes). `callers()`:
        how many threads could call now, this one included (None: unknown); when that many
        are inside calls, the group stops collecting."""
        with self._lock:
            self._inside += 1
        try:
            return self._call(fn, item, run, wait, call, callers, shared)
        finally:
            with self._lock:
                self._inside -= 1

    def _others(self, callers: Callable[[], int] | None) -> int | None:
        """How many threads outside a call could still join (0: a student alone, or a
        class's last session arriving); None where the caller did not say."""
        if callers is None:
            return None
        with self._lock:
            inside = self._inside
        return max(0, callers() - inside)

    def _call(self, fn, item, run, wait, call, callers, shared) -> Any:
        key = (fn, tuple(sorted(shared.items())))
        with self._lock:
            self.stats.calls += 1
            group = self._open.get(key)
            leader = group is None
            if leader:
                group = self._open[key] = _Group()
            if item not in group.items:
                group.items.append(item)
            index = group.items.index(item)
            if len(group.items) >= self.max_batch:
                self._close(key, group)
        if not leader:
            if wait is not None:
                wait(len(group.items))
            group.done.wait()
            if group.error is not None:
                raise group.error
            return group.results[index]
        # Collect: the group stays open for `window` after its latest member joined, or
        # `group_window` once it has two or more (at most `max_wait` in all), so a class
        # arriving over a second fills one batch while a student alone waits only `window`.
        # Where the caller says who could still join (`callers`), a group stops as soon as
        # nobody outside a call could, and waits `group_window` while somebody could: the
        # first of a class to arrive no longer goes alone after `window` (measured: a lone
        # batch beside the class's 29, both slower).
        last_size = None
        start = self._clock()
        deadline = start + self.window
        while self._clock() < deadline:
            with self._lock:
                if group.closed:
                    break
                size = len(group.items)
            others = self._others(callers)
            if others == 0:
                break
            if size != last_size:
                last_size = size
                window = self.window if size < 2 and others is None else self.group_window
                deadline = min(start + self.max_wait, self._clock() + window)
            time.sleep(min(0.005, max(0.0, deadline - self._clock())))
        taken: list = []

        def compute(progress=None):
            # The group closes when its computation starts (inside the caller's slot, if
            # `run` waits for one): members keep joining while the server is busy.
            with self._lock:
                self._close(key, group)
                taken.extend(group.items)
                self.stats.batches += 1
                self.stats.largest = max(self.stats.largest, len(taken))
            t0 = time.time()
            out = (call(fn, list(taken), progress=progress, **shared) if call is not None
                   else fn(list(taken), progress=progress, **shared))
            if _DEBUG:
                print(f"batch {getattr(fn, '__name__', fn)}: {len(taken)} items, "
                      f"{t0:.3f} → {time.time():.3f}", flush=True)
            return out

        try:
            results = run(compute, len(group.items)) if run is not None else compute()
            results = list(results)
            if len(results) != len(taken):
                raise RuntimeError(f"{getattr(fn, '__name__', fn)} returned {len(results)} "
                                   f"results for {len(taken)} items")
            group.results = results
        except BaseException as err:  # every member of the group sees the failure
            with self._lock:
                self._close(key, group)
            group.error = err
            raise
        finally:
            group.done.set()
        return group.results[index]

    def _close(self, key, group: _Group) -> None:
        group.closed = True
        if self._open.get(key) is group:
            del self._open[key]


COALESCER = Coalescer(group_window=GROUP_WINDOW_S)  # process-wide: every session shares it
