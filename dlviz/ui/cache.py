"""Process-wide caches bounded by bytes, not only by entries.

`st.cache_data(max_entries=…)` and `st.cache_resource(max_entries=…)` bound each function's
cache by its number of entries, whatever their size: under an hour of a class's varied
settings the server's RSS grew past the free tier's 690 MB. Here every cached function
belongs to a *pool* with one byte budget (`FIGURES`, `RESULTS`); the least recently used
entry of the whole pool is evicted first, so the pool's total stays under its budget for
any mix of pages and settings. An entry larger than its pool's budget is computed and used,
never kept.

As `st.cache_resource`, values are shared between sessions without a copy: cached functions
return results and figures that nothing mutates afterwards. As both Streamlit caches,
parameters whose name starts with `_` are not part of the key, and concurrent calls with
the same key compute once (the others wait for that result).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping

import numpy as np

MB = 1 << 20
_SCALARS = (float, int, bool, type(None))


def nbytes(value, _depth: int = 0) -> int:
    """An estimate of the memory `value` holds: arrays, tensors, strings and containers of
    them, dataclasses and figures' specs (what the cached results are made of)."""
    if _depth > 12:
        return 64
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + 112
    if isinstance(value, (bytes, bytearray, str)):
        return len(value) + 49
    if isinstance(value, (bool, int, float, complex)) or value is None:
        return 32
    tensor = sys.modules.get("torch")
    if tensor is not None and isinstance(value, tensor.Tensor):
        return int(value.element_size() * value.nelement()) + 200
    if isinstance(value, Mapping):
        return 64 + sum(nbytes(k, _depth + 1) + nbytes(v, _depth + 1)
                        for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        if len(value) > 16 and isinstance(value, (list, tuple)) \
                and all(type(v) in _SCALARS for v in value[:4]) \
                and type(value[-1]) in _SCALARS:  # a figure's column of numbers: estimated,
            return 56 + 40 * len(value)  # not walked (it was most of a figure's caching)
        return 56 + 8 * len(value) + sum(nbytes(v, _depth + 1) for v in value)
    spec = getattr(value, "_spec", None)  # dlviz.ui._Spec: a figure's dict
    if isinstance(spec, dict):
        return nbytes(spec, _depth + 1)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return 64 + sum(nbytes(getattr(value, f.name), _depth + 1)
                        for f in dataclasses.fields(value))
    if hasattr(value, "__dict__"):
        return 64 + nbytes(vars(value), _depth + 1)
    return sys.getsizeof(value)


class Pool:
    """One byte budget shared by every function cached in it; LRU over the whole pool."""

    def __init__(self, name: str, max_bytes: int):
        self.name, self.max_bytes = name, max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict = OrderedDict()  # key → (value, size)
        self._inflight: dict = {}  # key → Event of the call computing it
        self.bytes = 0
        self.hits = self.misses = self.evictions = 0

    def get_or_compute(self, key, compute: Callable[[], object]):
        while True:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return self._entries[key][0]
                event = self._inflight.get(key)
                if event is None:
                    event = self._inflight[key] = threading.Event()
                    self.misses += 1
                    break
            event.wait()  # another session computes this key: use its result
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return self._entries[key][0]
            # it failed or was too large to keep: compute it here (loop to take the slot)
        try:
            value = compute()
            self._store(key, value)
            return value
        finally:
            with self._lock:
                self._inflight.pop(key, None)
            event.set()

    def _store(self, key, value) -> None:
        size = nbytes(value)
        if size > self.max_bytes:
            return
        with self._lock:
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes and self._entries:
                _, (_, old) = self._entries.popitem(last=False)
                self.bytes -= old
                self.evictions += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


# Budgets measured against the free tier's 690 MB: a server with every page warm holds about
# 480 MB before any cache entry (torch, Streamlit, plotly, the sessions).
FIGURES = Pool("figures", 64 * MB)
RESULTS = Pool("results", 96 * MB)
POOLS = (FIGURES, RESULTS)


def clear_all() -> None:
    for pool in POOLS:
        pool.clear()


def _freeze(value):
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    return value


def cached(pool: Pool, *, max_entries: int | None = None,
           convert: Callable[[object], object] | None = None):
    """Decorator: cache `fn` in `pool` by its (hashable) arguments, `_`-prefixed ones
    excluded. `max_entries` additionally bounds this function's share of the pool;
    `convert` turns a computed value into what is kept and returned."""

    def decorate(fn):
        signature = inspect.signature(fn)
        name = f"{fn.__module__}.{fn.__qualname__}"
        mine: OrderedDict = OrderedDict()  # this function's keys, oldest first
        lock = threading.Lock()

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            key = (name, tuple((k, _freeze(v)) for k, v in bound.arguments.items()
                               if not k.startswith("_")))

            def compute():
                value = fn(*args, **kwargs)
                return convert(value) if convert is not None else value

            value = pool.get_or_compute(key, compute)
            if max_entries is not None:
                with lock:
                    mine[key] = None
                    mine.move_to_end(key)
                    while len(mine) > max_entries:
                        old, _ = mine.popitem(last=False)
                        with pool._lock:
                            entry = pool._entries.pop(old, None)
                            if entry is not None:
                                pool.bytes -= entry[1]
            return value

        wrapper.clear = pool.clear
        return wrapper

    return decorate
