"""landscape_many: one seed's landscape is the same bits alone or batched with other seeds.

Thirty students' seeds train as one stacked computation (dlviz.batching coalesces them); a
leak between them (a shared generator, a batch-wide draw, a reduction across models) would
show a student numbers that depend on who else asked at the same moment."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlviz import landscape as L

SEED = 5
OTHERS = [11, 0, 3, 8, 21, 2, 13, 34]  # ≥ 8 neighbours
DIFFERENT = [101, 102, 103, 104, 105, 106, 107, 108, 109]
ARRAYS = ("alphas", "betas", "loss", "log_loss", "path", "path_loss", "path_log_loss")
SETTINGS = dict(resolution=9)  # the page's network (hidden 16, 200 epochs), a small grid


def _same(a: L.Landscape, b: L.Landscape) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ARRAYS) and (
        (a.center_loss, a.accuracy, a.explained, a.n_params)
        == (b.center_loss, b.accuracy, b.explained, b.n_params))


@pytest.mark.parametrize("plane", ["random", "pca"])
def test_a_seed_alone_first_last_and_in_the_middle_is_the_same_bits(plane):
    alone = L.landscape_many([SEED], plane=plane, **SETTINGS)[0]
    assert _same(alone, L.landscape(plane=plane, seed=SEED, **SETTINGS))  # one code path
    placements = {
        "first": ([SEED, *OTHERS], 0),
        "last": ([*OTHERS, SEED], len(OTHERS)),
        "middle": ([*OTHERS[:4], SEED, *OTHERS[4:]], 4),
        "other neighbours": ([*DIFFERENT[:5], SEED, *DIFFERENT[5:]], 5),
    }
    for where, (seeds, i) in placements.items():
        batch = L.landscape_many(seeds, plane=plane, **SETTINGS)
        assert len(batch) == len(seeds)
        assert _same(batch[i], alone), f"seed {SEED} {where} in a batch differs from alone"
    # and the batch is not one result copied: its neighbours have their own landscapes
    assert not np.array_equal(batch[0].loss, alone.loss)


def test_trained_models_are_each_seeds_own():
    seeds = [*OTHERS[:4], SEED, *OTHERS[4:]]
    batch = L.train_many(seeds, epochs=30)
    alone = L.train_many([SEED], epochs=30)[0]
    got = batch[4]
    assert torch.equal(got.trajectory, alone.trajectory) and torch.equal(got.losses,
                                                                         alone.losses)
    assert torch.equal(got.x, alone.x) and torch.equal(got.y, alone.y)
    for p, q in zip(got.model.parameters(), alone.model.parameters(), strict=True):
        assert torch.equal(p, q)
    assert got.trajectory.shape == (31, 354)  # epochs + 1 flattened θ of 2→16→16→2


def test_stacked_training_equals_a_plain_module_loop():
    """The oracle: nn.Sequential with its own torch.optim.SGD, one model at a time."""
    seeds = [SEED, 7]
    batch = L.train_many(seeds, epochs=25)
    for seed, got in zip(seeds, batch, strict=True):
        model = L.mlp(16, seed=seed)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x, y = got.x, got.y
        for _ in range(25):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
        want = torch.nn.utils.parameters_to_vector(model.parameters()).detach()
        torch.testing.assert_close(got.trajectory[-1], want, rtol=1e-10, atol=1e-12)
