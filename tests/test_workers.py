"""dlviz.workers: a batch split between this process and the worker gives each item exactly
the numbers it gets alone, and the worker takes its share on another core."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlviz import overfitting as of
from dlviz import workers


def _leaves(result):
    """Every array-like value of a result dataclass, in field order."""
    out = []
    for value in vars(result).values():
        if isinstance(value, torch.Tensor):
            out.append(value.numpy())
        elif isinstance(value, np.ndarray):
            out.append(value)
        elif isinstance(value, (int, float, str, bool)) or value is None:
            out.append(np.asarray(value))
    return out


@pytest.mark.skipif(workers.pool() is None, reason="no forkserver on this platform")
def test_a_split_batch_equals_each_seed_alone_bit_for_bit():
    seeds = [3, 11, 5, 40, 7]
    shared = dict(epochs=30)
    split = workers.split_call(of.train_many, seeds, **shared)
    assert len(split) == len(seeds)
    for seed, got in zip(seeds, split, strict=True):
        alone = of.train_many([seed], **shared)[0]
        for a, b in zip(_leaves(got), _leaves(alone), strict=True):
            assert np.array_equal(a, b, equal_nan=True), seed


def test_without_workers_the_batch_computes_here(monkeypatch):
    monkeypatch.setattr(workers, "WORKERS", 0)
    assert workers.pool() is None
    calls = []

    def many(items, *, progress=None, k=1):
        calls.append(list(items))
        return [i * k for i in items]

    assert workers.split_call(many, [1, 2, 3], k=2) == [2, 4, 6]
    assert calls == [[1, 2, 3]]


def test_one_item_never_leaves_the_process():
    calls = []

    def many(items, *, progress=None):
        calls.append(list(items))
        return list(items)

    assert workers.split_call(many, [9]) == [9]
    assert calls == [[9]]


@pytest.mark.skipif(workers.pool() is None, reason="no forkserver on this platform")
def test_the_worker_is_another_process():
    import os

    pids = workers.split_call(_pids, [1, 2])
    assert pids[0] == os.getpid() and pids[1] != os.getpid()


def _pids(items, *, progress=None):
    import os

    return [os.getpid() for _ in items]


def test_the_worker_is_only_used_where_memory_allows(monkeypatch):
    monkeypatch.setenv("DLVIZ_WORKERS", "auto")
    monkeypatch.setattr(workers, "memory_limit_mb", lambda: 690.0)
    assert workers._workers() == 0
    monkeypatch.setattr(workers, "memory_limit_mb", lambda: 4096.0)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    assert workers._workers() == 1
    monkeypatch.setenv("DLVIZ_WORKERS", "0")
    assert workers._workers() == 0


def _nested(items, *, progress=None):
    return [workers.pool() is None for _ in items]


@pytest.mark.skipif(workers.pool() is None, reason="no forkserver on this platform")
def test_a_worker_never_starts_a_pool_of_its_own():
    # A nested pool is a non-daemon child that keeps the worker, and pytest, from exiting.
    here, there = workers.split_call(_nested, [1, 2])
    assert here is False and there is True
