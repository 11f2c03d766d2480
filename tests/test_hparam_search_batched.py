"""hparam_search.search_many: a class's sessions' trials in one stacked computation must give
each seed exactly its own search: the same bits alone, first, last or in the middle of any
batch, across chunk boundaries, and the same bits as one nn.Module + torch.optim.SGD per
trial (the reproduce script's way), also when part of a batch computes in the worker process
(dlviz.workers)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlviz import hparam_search as hs
from dlviz import workers
from tests.test_hparam_search import _ordinary_run

torch.set_num_threads(1)
SEED = 5
OTHERS = [11, 0, 123456, 7, 2**31 - 1, 42, 3, 99]  # eight neighbours
OTHERS_2 = [8, 1, 2, 1000, 77, 31, 64, 12, 5000]


def _arrays(r: hs.SearchResult) -> list:
    return [a for t in (r.grid, r.random) for a in (t.lr, t.momentum, t.val_loss, t.best)]


def _assert_same(a: hs.SearchResult, b: hs.SearchResult) -> None:
    assert (a.trials, a.epochs, a.seed) == (b.trials, b.epochs, b.seed)
    for x, y in zip(_arrays(a), _arrays(b), strict=True):
        assert np.array_equal(x, y)


@pytest.mark.parametrize(("trials", "epochs"), [(9, 10), (16, 5)])
def test_a_seed_gets_the_same_bits_wherever_it_sits_in_a_batch(trials, epochs):
    alone = hs.search_many([SEED], trials=trials, epochs=epochs)[0]
    _assert_same(alone, hs.search(trials=trials, epochs=epochs, seed=SEED))
    for batch, where in ((OTHERS + [SEED], -1), ([SEED] + OTHERS, 0),
                         (OTHERS_2[:4] + [SEED] + OTHERS_2[4:], 4)):
        results = hs.search_many(batch, trials=trials, epochs=epochs)
        assert [r.seed for r in results] == batch
        _assert_same(results[where], alone)
        neighbour = results[where - 1]
        assert not np.array_equal(neighbour.grid.val_loss, alone.grid.val_loss)


def test_across_chunks_and_on_two_threads_no_bit_changes(monkeypatch):
    """More trials than one stack holds: the batch is cut into chunks; and torch may
    split the larger kernels over two intra-op threads (dlviz.parallel)."""
    alone = hs.search(trials=16, epochs=5, seed=SEED)
    monkeypatch.setattr(hs, "CHUNK_TRIALS", 3 * 32)  # three sessions of 2 × 16 a chunk
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        results = hs.search_many(OTHERS[:4] + [SEED] + OTHERS[4:], trials=16, epochs=5)
    finally:
        torch.set_num_threads(before)
    _assert_same(results[4], alone)  # the second chunk's middle
    _assert_same(results[0], hs.search(trials=16, epochs=5, seed=OTHERS[0]))


@pytest.mark.skipif(workers.pool() is None, reason="no forkserver on this platform")
def test_a_batch_split_with_the_worker_process_equals_each_seed_alone():
    seeds = [SEED, *OTHERS[:4]]
    split = workers.split_call(hs.search_many, seeds, trials=9, epochs=5)
    for seed, got in zip(seeds, split, strict=True):
        _assert_same(got, hs.search(trials=9, epochs=5, seed=seed))


def test_every_trial_is_bit_for_bit_an_ordinary_nn_module_with_torch_optim_sgd():
    seeds, epochs = [3, 8], 6
    for result in hs.search_many(seeds, trials=4, epochs=epochs):
        for t in (result.grid, result.random):
            want = [_ordinary_run(lr, m, epochs=epochs, seed=result.seed)
                    for lr, m in zip(t.lr, t.momentum, strict=True)]
            np.testing.assert_array_equal(t.val_loss, want)


def test_a_repeated_seed_and_progress():
    seen: list[float] = []
    a, b, c = hs.search_many([3, 4, 3], trials=4, epochs=5, progress=seen.append)
    _assert_same(a, c)
    assert not np.array_equal(a.random.lr, b.random.lr)
    a.grid.val_loss[0] = -1.0  # a session's arrays are its own, not views of the batch's
    assert c.grid.val_loss[0] != -1.0
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)


def test_the_callers_rng_is_untouched():
    before = torch.random.get_rng_state()
    hs.search_many(OTHERS, trials=4, epochs=5)
    assert torch.equal(before, torch.random.get_rng_state())
