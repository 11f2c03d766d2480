"""compare_many / optim.traces_many: one seed's runs are the same bits alone or batched.

A class's seeds run as rows of stacked parameters, one torch.optim optimizer per run
(dlviz.batching coalesces them); each seed's noise must stay its own and no row may touch
another, whatever the objective, optimizer, divergence or batch size."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz import lr_momentum as lm
from dlviz import optim, surfaces
from dlviz.lr_momentum import RunSpec

SEED = 5
OTHERS = [11, 0, 3, 8, 21, 2, 13, 34]  # ≥ 8 neighbours
DIFFERENT = [101, 102, 103, 104, 105, 106, 107, 108, 109]
RUNS = (RunSpec("sgd", 0.01, 0.9, False, 120), RunSpec("adam", 0.1, 0.0, False, 80),
        RunSpec("rmsprop", 0.01, 0.5, False, 60), RunSpec("sgd", 3.0, 0.0, False, 100))
ENGINE_RUNS = [dict(optimizer="sgd", lr=0.001, steps=60),
               dict(optimizer="sgd", lr=0.002, momentum=0.9, nesterov=True, steps=40),
               dict(optimizer="adam", lr=0.3, steps=50),
               dict(optimizer="rmsprop", lr=0.01, momentum=0.5, steps=30),
               dict(optimizer="adagrad", lr=0.5, steps=20),
               dict(optimizer="sgd", lr=3.0, steps=60)]  # diverges on most objectives
PLACEMENTS = {"first": ([SEED, *OTHERS], 0), "last": ([*OTHERS, SEED], len(OTHERS)),
              "middle": ([*OTHERS[:4], SEED, *OTHERS[4:]], 4),
              "other neighbours": ([*DIFFERENT[:5], SEED, *DIFFERENT[5:]], 5)}


def _same_run(a: lm.Run, b: lm.Run) -> bool:
    arrays = ("points", "losses", "gap", "distance")
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in arrays) and (
        (a.spec, a.diverged_at, a.outcome, a.rate) == (b.spec, b.diverged_at, b.outcome,
                                                       b.rate))


def _same_trace(a: optim.Trace, b: optim.Trace) -> bool:
    return (np.array_equal(a.points, b.points) and np.array_equal(a.losses, b.losses)
            and np.array_equal(a.grads, b.grads)
            and (a.diverged_at, a.converged_at) == (b.diverged_at, b.converged_at))


@pytest.mark.parametrize("f", ["course", "d2l_quadratic", "rosenbrock", "rastrigin"])
def test_a_seed_alone_first_last_and_in_the_middle_is_the_same_bits(f):
    kw = dict(f=f, runs=RUNS, noise_std=0.5)
    alone = lm.compare_many([SEED], **kw)[0]
    assert all(_same_run(a, b) for a, b in zip(
        alone.runs, lm.compare(f, runs=RUNS, noise_std=0.5, seed=SEED).runs, strict=True))
    for where, (seeds, i) in PLACEMENTS.items():
        batch = lm.compare_many(seeds, **kw)
        assert [c.seed for c in batch] == seeds
        got = batch[i]
        assert all(_same_run(a, b) for a, b in zip(got.runs, alone.runs, strict=True)), (
            f"seed {SEED} {where} in a batch differs from alone on {f}")
    # the neighbours drew their own noise: their runs are not seed 5's
    assert not np.array_equal(batch[0].runs[0].points, alone.runs[0].points)


@pytest.mark.parametrize("f", lm.OBJECTIVES)
@pytest.mark.parametrize("noise", [0.0, 0.7])
def test_every_row_of_the_engine_equals_its_own_trace(f, noise):
    """The oracle is `optim.trace`, one real torch.optim run on a lone parameter."""
    start = surfaces.get(f).start
    seeds = [*OTHERS[:4], SEED, *OTHERS[4:]]
    batch = optim.traces_many(f, start=start, runs=ENGINE_RUNS, seeds=seeds, noise_std=noise)
    for seed in (SEED, OTHERS[0], OTHERS[-1]):
        for run, got in zip(ENGINE_RUNS, batch[seeds.index(seed)], strict=True):
            want = optim.trace(f, start=start, noise_std=noise, seed=seed, **run)
            assert _same_trace(got, want), (f, noise, seed, run)


def test_without_noise_the_seed_changes_nothing():
    a, b = lm.compare_many([1, 2], f="distill", runs=RUNS[:2])
    assert all(_same_run(x, y) for x, y in zip(a.runs, b.runs, strict=True))
    assert (a.seed, b.seed) == (1, 2)


def test_empty_and_duplicate_seeds():
    assert optim.traces_many("bowl", start=(1.0,), runs=ENGINE_RUNS, seeds=[]) == []
    twice = optim.traces_many("bowl", start=(1.0,), runs=ENGINE_RUNS[:2], seeds=[4, 4],
                              noise_std=0.3)
    assert all(_same_trace(x, y) for x, y in zip(*twice, strict=True))
