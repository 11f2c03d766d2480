"""dlviz.parallel: independent runs on two threads give the numbers of one after the other."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from dlviz import finetune as ft
from dlviz import init_schemes as ini
from dlviz import parallel


def test_run_all_keeps_order_reports_progress_on_the_caller_and_raises():
    caller = threading.get_ident()
    seen = []

    def job(i):
        def run(report):
            for k in range(5):
                report((k + 1) / 5)
            return i * i, threading.get_ident()
        return run

    results = parallel.run_all([job(i) for i in range(5)],
                               progress=lambda f: seen.append((f, threading.get_ident())))
    assert [r[0] for r in results] == [0, 1, 4, 9, 16]
    assert {r[1] for r in results} != {caller}  # the jobs ran on worker threads
    assert seen and all(who == caller for _, who in seen)  # progress never left the caller
    assert seen[-1][0] == 1.0

    def boom(report):
        raise ValueError("bad run")
    with pytest.raises(ValueError, match="bad run"):
        parallel.run_all([job(1), boom, job(2)])


@pytest.fixture
def sequential(monkeypatch):
    def run(fn, **kwargs):
        monkeypatch.setattr(parallel, "WORKERS", 1)
        try:
            return fn(**kwargs)
        finally:
            monkeypatch.undo()
    return run


def test_compare_on_two_threads_equals_one_after_the_other(sequential):
    kwargs = dict(frozen_layers=2, lr=0.01, epochs=4, seed=3)
    pre = ft.pretrain(seed=3, epochs=3)
    together = ft.compare(pretrained=pre, **kwargs)
    alone = sequential(ft.compare, pretrained=pre, **kwargs)
    for key in alone.runs:
        a, b = together.runs[key], alone.runs[key]
        np.testing.assert_array_equal(a.losses, b.losses)
        for name in a.state:
            np.testing.assert_array_equal(a.state[name], b.state[name])


def test_train_curves_on_two_threads_equal_one_after_the_other(sequential):
    together = ini.train_curves(seed=5, epochs=2)
    alone = sequential(ini.train_curves, seed=5, epochs=2)
    np.testing.assert_array_equal(together.losses, alone.losses)
    np.testing.assert_array_equal(together.initial, alone.initial)
    np.testing.assert_array_equal(together.distinct_units, alone.distinct_units)
    for scheme in together.schemes:
        np.testing.assert_array_equal(together.first_layer[scheme], alone.first_layer[scheme])
