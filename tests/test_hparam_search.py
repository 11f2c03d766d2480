"""Grid vs random search: the samples, the budget, the best point, and batched training checked
against ordinary nn.Module + torch.optim.SGD runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlviz import data
from dlviz import hparam_search as hs

torch.set_num_threads(1)  # tiny tensors: extra threads only contend on a shared machine


def _ordinary_run(lr: float, momentum: float, *, epochs: int, seed: int) -> float:
    """The oracle: one nn.Module, one torch.optim.SGD, one trial, built from scratch."""
    x, y = data.moons(n=hs.N_POINTS, noise=hs.NOISE, seed=seed)
    s = data.split(x, y, val_fraction=hs.VAL_FRACTION, seed=seed)
    x_train, x_val = s.x_train.to(torch.float64), s.x_val.to(torch.float64)
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, hs.HIDDEN), nn.ReLU(), nn.Linear(hs.HIDDEN, 2))
    torch.random.set_rng_state(state)
    model = model.to(torch.float64)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed + 1)
    for _ in range(epochs):
        perm = torch.randperm(len(x_train), generator=g)
        for start in range(0, len(x_train), hs.BATCH):
            idx = perm[start:start + hs.BATCH]
            opt.zero_grad()
            loss_fn(model(x_train[idx]), s.y_train[idx]).backward()
            opt.step()
    with torch.no_grad():
        return loss_fn(model(x_val), s.y_val).item()


# --- the samples -----------------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), trials=st.sampled_from(hs.BUDGETS))
def test_random_samples_lie_in_the_courses_ranges(seed, trials):
    lr, momentum = hs.random_points(trials=trials, seed=seed)
    assert lr.shape == momentum.shape == (trials,)
    assert np.all((lr >= 1e-4) & (lr <= 1e-2))
    assert np.all((momentum >= 0.85) & (momentum <= 0.99))


def test_random_lr_is_log_uniform_and_momentum_uniform():
    lr, momentum = hs.random_points(trials=20000, seed=0)
    exponent = -np.log10(lr)  # U(2, 4): mean 3, a quarter of the mass per half-decade
    assert abs(exponent.mean() - 3.0) < 0.02
    np.testing.assert_allclose(np.histogram(exponent, bins=4, range=(2, 4))[0] / lr.size,
                               0.25, atol=0.015)
    assert abs(momentum.mean() - 0.92) < 0.002
    assert abs(momentum.std() - 0.14 / math.sqrt(12)) < 0.002


def test_random_samples_depend_on_the_seed_only():
    a = hs.random_points(trials=16, seed=5)
    b = hs.random_points(trials=16, seed=5)
    c = hs.random_points(trials=16, seed=6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])


@pytest.mark.parametrize("trials", hs.BUDGETS)
def test_grid_is_k_by_k_over_the_same_ranges(trials):
    k = math.isqrt(trials)
    lr, momentum = hs.grid_points(trials=trials)
    assert lr.shape == momentum.shape == (trials,)
    lrs, moms = np.unique(lr), np.unique(momentum)
    assert lrs.size == moms.size == k  # √n distinct values per axis
    np.testing.assert_allclose(lrs, 10.0 ** np.linspace(-4, -2, k), rtol=1e-12)  # log-spaced
    np.testing.assert_allclose(moms, np.linspace(0.85, 0.99, k), rtol=1e-12)
    pairs = {(a, b) for a, b in zip(lr.tolist(), momentum.tolist(), strict=True)}
    assert len(pairs) == trials  # every combination exactly once


def test_grid_needs_a_square_budget():
    with pytest.raises(ValueError, match="square"):
        hs.grid_points(trials=10)


@pytest.mark.parametrize("trials, epochs", [(10, 20), (100, 20), (16, 0), (16, 51)])
def test_settings_are_bounded(trials, epochs):
    with pytest.raises(ValueError):
        hs.search(trials=trials, epochs=epochs, seed=0)


# --- the search ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small() -> hs.SearchResult:
    return hs.search(trials=9, epochs=10, seed=3)


def test_same_budget_for_both_methods(small):
    assert small.trials == 9
    for t in (small.grid, small.random):
        assert t.lr.shape == t.momentum.shape == t.val_loss.shape == (9,)
    assert (small.grid.distinct_lr, small.grid.distinct_momentum) == (3, 3)
    assert (small.random.distinct_lr, small.random.distinct_momentum) == (9, 9)


def test_search_uses_the_grid_and_the_seeded_random_points(small):
    np.testing.assert_array_equal(small.grid.lr, hs.grid_points(trials=9)[0])
    np.testing.assert_array_equal(small.random.momentum, hs.random_points(trials=9, seed=3)[1])


def test_best_point_is_the_argmin(small):
    for t in (small.grid, small.random):
        assert t.val_loss[t.best] == t.val_loss.min()
        assert np.sum(t.val_loss < t.val_loss[t.best]) == 0
        assert t.best == int(np.argmin(t.val_loss))


def test_best_skips_diverged_trials():
    t = hs._trials("random", np.array([1e-3, 1e-2, 1e-4]), np.array([0.9, 0.9, 0.9]),
                   np.array([np.inf, 0.5, 0.6]))
    assert t.best == 1


def test_deterministic_for_a_seed(small):
    again = hs.search(trials=9, epochs=10, seed=3)
    for a, b in ((small.grid, again.grid), (small.random, again.random)):
        np.testing.assert_array_equal(a.val_loss, b.val_loss)
        np.testing.assert_array_equal(a.lr, b.lr)
    other = hs.search(trials=9, epochs=10, seed=4)
    assert not np.allclose(other.grid.val_loss, small.grid.val_loss)  # data and init change


def test_search_leaves_the_global_rng_alone():
    before = torch.random.get_rng_state()
    hs.search(trials=4, epochs=5, seed=1)
    assert torch.equal(before, torch.random.get_rng_state())


def test_progress_reaches_one_in_order():
    seen: list[float] = []
    hs.search(trials=4, epochs=5, seed=0, progress=seen.append)
    assert seen == [pytest.approx(e / 5) for e in range(1, 6)]


# --- batched training equals ordinary training ----------------------------------------------

@pytest.mark.parametrize("lr, momentum", [(1e-4, 0.85), (1e-2, 0.99), (2.7e-3, 0.93)])
def test_batched_trial_equals_an_ordinary_nn_module_with_torch_optim_sgd(lr, momentum):
    epochs, seed = 12, 7
    batched = hs.train_batched(lr=np.array([lr, 5e-3, 1e-4]),
                               momentum=np.array([momentum, 0.9, 0.99]),
                               epochs=epochs, seed=seed)
    expected = _ordinary_run(lr, momentum, epochs=epochs, seed=seed)
    assert batched[0] == pytest.approx(expected, rel=1e-10, abs=0)


def test_trials_do_not_interact():
    lr, mom = np.array([1e-3, 1e-2, 3e-4, 5e-3]), np.array([0.95, 0.86, 0.99, 0.9])
    together = hs.train_batched(lr=lr, momentum=mom, epochs=8, seed=2)
    alone = [hs.train_batched(lr=lr[i:i + 1], momentum=mom[i:i + 1], epochs=8, seed=2)[0]
             for i in range(4)]
    np.testing.assert_allclose(together, alone, rtol=1e-12)


def test_training_helps_and_more_effective_lr_helps_more():
    # Untrained, the loss is near log 2; the largest lr·1/(1-μ) trains furthest in 10 epochs.
    untrained = _ordinary_run(1e-2, 0.9, epochs=0, seed=0)
    val = hs.train_batched(lr=np.array([1e-4, 1e-2]), momentum=np.array([0.85, 0.99]),
                           epochs=10, seed=0)
    assert val[1] < val[0] < untrained + 1e-9
    assert val[1] < 0.8 * untrained
