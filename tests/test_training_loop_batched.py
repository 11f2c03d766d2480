"""train_many: a seed's results do not depend on the seeds computed with it (dlviz.batching
puts concurrent sessions' seeds into one batch), and the page's single runs are its pieces."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from dlviz import training_loop as tl
from dlviz.training_loop_settings import SETTINGS

SEED = 7
NEIGHBOURS = [0, 1, 2, 3, 4, 5, 6, 8]  # 8 other seeds
OTHERS = [11, 12, 13, 14, 15, 16, 17, 18, 19]  # a different set of neighbours
CASES = {
    "defaults": dict(batch_size=8, shuffle=True, lr=0.05, epochs=20),  # without zero_grad blows up
    "diverging": dict(batch_size=2, shuffle=True, lr=0.1, epochs=3),  # each seed at its own step
    "large batch": dict(batch_size=64, shuffle=False, lr=0.1, epochs=5),  # bmm's per-matrix BLAS
}


def _leaves(value, path="run"):
    """(path, value) of every array and number in a result, dataclasses walked."""
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _leaves(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, tuple) and not all(isinstance(v, str) for v in value):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, value


def assert_identical(a: tl.Run, b: tl.Run) -> None:
    left, right = list(_leaves(a)), list(_leaves(b))
    assert [p for p, _ in left] == [p for p, _ in right]
    for (path, x), (_, y) in zip(left, right, strict=True):
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, path
            assert np.array_equal(x, y), f"{path} differs"
        else:
            assert x == y, f"{path}: {x} != {y}"


@pytest.mark.parametrize("settings", CASES.values(), ids=CASES.keys())
def test_a_seed_is_bit_identical_alone_first_last_and_among_other_neighbours(settings):
    alone, = tl.train_many([SEED], **settings)
    first = tl.train_many([SEED, *NEIGHBOURS], **settings)[0]
    last = tl.train_many([*NEIGHBOURS, SEED], **settings)[-1]
    middle = tl.train_many([*OTHERS[:4], SEED, *OTHERS[4:]], **settings)[4]
    for batched in (first, last, middle):
        assert_identical(alone, batched)
    assert alone.trace.steps > 0 and alone.comparison.steps > 0


def test_neighbours_that_blow_up_at_other_steps_do_not_touch_a_seed():
    settings = CASES["diverging"]
    runs = tl.train_many([SEED, *OTHERS], **settings)
    halted = {r.trace.diverged_at for r in runs} | {r.without.diverged_at for r in runs}
    assert len(halted) > 2, "the batch holds seeds that stop at different steps"
    assert_identical(tl.train_many([SEED], **settings)[0], runs[0])


def test_the_thread_count_of_a_batch_does_not_change_a_seed():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        alone, = tl.train_many([SEED])
        torch.set_num_threads(2)  # what dlviz.ui.coalesced gives a batch
        batched = tl.train_many([*NEIGHBOURS, SEED])[-1]
    finally:
        torch.set_num_threads(before)
    assert_identical(alone, batched)


def test_a_repeated_seed_gets_the_same_result_and_the_global_rng_is_untouched():
    state = torch.get_rng_state()
    a, b, c = tl.train_many([SEED, 3, SEED], batch_size=16, epochs=4)
    assert torch.equal(torch.get_rng_state(), state)
    assert_identical(a, c)
    assert not np.array_equal(a.trace.loss, b.trace.loss)


def test_each_seed_has_its_own_data_model_and_batch_order():
    runs = tl.train_many([3, 4], batch_size=8, epochs=1)
    for seed, run in zip((3, 4), runs, strict=True):
        x, _ = tl.make_data(seed=seed)
        np.testing.assert_array_equal(run.trace.params_before[0],
                                      tl.flat(tl.make_model(seed=seed).parameters()))
        loader = tl.make_loader(*tl.make_data(seed=seed), batch_size=8, shuffle=True, seed=seed)
        for t, (feature, target) in enumerate(loader):
            np.testing.assert_array_equal(run.trace.features[t], feature.double().numpy())
            np.testing.assert_array_equal(run.without.targets[t], target[:, 0].double().numpy())


def test_the_single_functions_are_pieces_of_one_batched_run():
    """The page takes all of it from one train_many call; tests and benchmarks call the
    pieces: the comparison does not depend on the epochs, nor the accumulation on lr."""
    run, = tl.train_many([SEED], batch_size=8, shuffle=True, lr=0.05, epochs=20)
    assert_identical(run.trace, tl.train(batch_size=8, lr=0.05, epochs=20, seed=SEED))
    assert_identical(run.without, tl.train(batch_size=8, lr=0.05, epochs=20, seed=SEED,
                                           zero_grad=False))
    assert_identical(run.comparison, tl.compare_updates(batch_size=8, lr=0.05, seed=SEED))
    for k in (1, 5, tl.MAX_K):
        assert_identical(run.accumulation(k), tl.accumulate(k=k, batch_size=8, seed=SEED))
    with pytest.raises(ValueError):
        run.accumulation(tl.MAX_K + 1)


def test_the_page_asks_for_no_more_accumulated_batches_than_a_run_holds():
    assert SETTINGS["k"].hi == tl.MAX_K


def test_the_comparisons_optimizer_copy_is_the_training_run():
    run, = tl.train_many([SEED], batch_size=4, lr=0.02, epochs=10)
    cmp = run.comparison
    assert cmp.steps == tl.COMPARE_STEPS and cmp.max_diff[0] == cmp.max_diff[1] == 0
    np.testing.assert_array_equal(cmp.final[0], run.trace.params_after[cmp.steps - 1])
