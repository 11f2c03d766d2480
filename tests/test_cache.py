"""The byte-bounded cache pools: a pool never holds more than its budget, whatever the mix."""

from __future__ import annotations

import threading
import time

import numpy as np
import plotly.graph_objects as go

from dlviz.ui import cache


def _array_fn(pool, name="f", **kw):
    calls = []

    @cache.cached(pool, **kw)
    def make(n: int, _unhashed=None):
        calls.append(n)
        return np.zeros(n * 1024, dtype=np.float64)  # n × 8 KiB

    make.__qualname__ = name
    return make, calls


def test_the_pool_stays_within_its_budget_for_any_mix_of_functions():
    pool = cache.Pool("t", 100 * 1024)
    f, _ = _array_fn(pool, "f")
    g, _ = _array_fn(pool, "g")
    for n in range(1, 40):
        (f if n % 2 else g)(n % 7 + 1)
        assert pool.bytes <= pool.max_bytes
        assert pool.bytes == sum(size for _, size in pool._entries.values())
    assert pool.evictions > 0


def test_least_recently_used_goes_first_and_hits_do_not_recompute():
    pool = cache.Pool("t", 40 * 1024)
    f, calls = _array_fn(pool)
    f(1), f(2), f(1)  # 1 is the most recent
    f(3)  # 8 + 16 + 24 KiB > 40: evicts 2, the least recent
    f(1)
    assert calls == [1, 2, 3]
    f(2)
    assert calls == [1, 2, 3, 2]


def test_an_entry_larger_than_the_budget_is_used_but_not_kept():
    pool = cache.Pool("t", 10 * 1024)
    f, calls = _array_fn(pool)
    assert f(4).nbytes == 4 * 8192
    f(4)
    assert calls == [4, 4] and len(pool) == 0 and pool.bytes == 0


def test_underscore_arguments_are_not_part_of_the_key():
    pool = cache.Pool("t", 1 << 20)
    f, calls = _array_fn(pool)
    f(1, _unhashed=object()), f(1, _unhashed=[1, 2])
    assert calls == [1]


def test_max_entries_bounds_one_functions_share():
    pool = cache.Pool("t", 1 << 30)
    f, calls = _array_fn(pool, max_entries=2)
    f(1), f(2), f(3), f(1)
    assert calls == [1, 2, 3, 1] and len(pool) == 2


def test_concurrent_identical_calls_compute_once():
    pool = cache.Pool("t", 1 << 20)
    calls = []

    @cache.cached(pool)
    def slow(n: int):
        calls.append(n)
        time.sleep(0.2)
        return n * 2

    out = []
    threads = [threading.Thread(target=lambda: out.append(slow(5))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert out == [10] * 8 and calls == [5]


def test_a_failure_is_not_cached():
    pool = cache.Pool("t", 1 << 20)
    attempts = []

    @cache.cached(pool)
    def flaky(n: int):
        attempts.append(n)
        if len(attempts) == 1:
            raise ValueError("first")
        return n

    try:
        flaky(1)
    except ValueError:
        pass
    assert flaky(1) == 1 and attempts == [1, 1]


def test_nbytes_counts_arrays_in_containers_and_figure_specs():
    a = np.zeros(1000)
    assert cache.nbytes(a) >= 8000
    assert cache.nbytes({"x": (a, [a])}) >= 16000
    spec = go.Figure(go.Scatter(x=np.arange(10000.0))).to_dict()

    class Spec:
        def __init__(self, s):
            self._spec = s

    assert cache.nbytes(Spec(spec)) >= 10000 * 8 * 4 // 3  # base64 of 80 kB
