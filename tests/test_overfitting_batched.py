"""overfitting.train_many: thirty sessions' seeds in one stacked computation must give each
seed exactly its own run: the same bits alone, first, last or in the middle of any batch, and
the same bits as an ordinary nn.Module trained by torch.optim.Adam (the reproduce script's
loop) at the page's shapes, also when part of a batch computes in the worker process
(dlviz.workers)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from dlviz import overfitting as of
from dlviz import workers

torch.set_num_threads(1)
SHARED = {  # name → settings every member of a batch shares (what ui.coalesced groups by)
    "plain": dict(n_train=40, width=16, depth=2, epochs=25),
    "regularised": dict(dataset="spirals", n_train=37, noise=0.3, width=32, depth=3,
                        dropout=0.4, weight_decay=1e-2, jitter=0.2, epochs=20),
    "tiny": dict(n_train=20, width=2, depth=1, epochs=25),  # bmm's plain-loop shapes
}
SEED = 5
OTHERS = [11, 0, 123456, 7, 2**31 - 1, 42, 3, 99]  # eight neighbours
OTHERS_2 = [8, 1, 2, 1000, 77, 31, 64, 12, 5000]


def _assert_same(a: of.TrainResult, b: of.TrainResult) -> None:
    for f in dataclasses.fields(of.TrainResult):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert np.array_equal(x, y), f.name


@pytest.mark.parametrize("name", SHARED)
def test_a_seed_gets_the_same_bits_wherever_it_sits_in_a_batch(name):
    kw = SHARED[name]
    alone = of.train_many([SEED], **kw)[0]
    _assert_same(alone, of.train(seed=SEED, **kw))  # `train` is the batch of one
    for batch, where in ((OTHERS + [SEED], -1), ([SEED] + OTHERS, 0),
                         (OTHERS_2[:4] + [SEED] + OTHERS_2[4:], 4)):
        results = of.train_many(batch, **kw)
        _assert_same(results[where], alone)
        assert not np.array_equal(results[where - 1].val_loss, alone.val_loss), "neighbours differ"
    # and each neighbour is its own run, too
    _assert_same(of.train_many(OTHERS, **kw)[3], of.train(seed=OTHERS[3], **kw))


def test_two_torch_threads_change_no_bit():
    """torch splitting the larger kernels over two intra-op threads (dlviz.parallel) does
    not reach into any model's sums."""
    kw = SHARED["regularised"]
    alone = of.train_many([SEED], **kw)[0]
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        wide = of.train_many(OTHERS[:4] + [SEED] + OTHERS[4:], **kw)[4]
    finally:
        torch.set_num_threads(before)
    _assert_same(wide, alone)


@pytest.mark.skipif(workers.pool() is None, reason="no forkserver on this platform")
def test_a_batch_split_with_the_worker_process_equals_each_seed_alone():
    kw = SHARED["regularised"]
    seeds = [SEED, *OTHERS[:4]]
    split = workers.split_call(of.train_many, seeds, **kw)  # the tail computes there
    for seed, got in zip(seeds, split, strict=True):
        _assert_same(got, of.train(seed=seed, **kw))


def test_a_repeated_seed_gets_its_own_copy_of_one_result():
    a, b, c = of.train_many([3, 4, 3], **SHARED["plain"])
    _assert_same(a, c)
    assert not np.array_equal(a.val_loss, b.val_loss)
    a.train_loss[0] = -1.0  # a session's arrays are its own, not views of the batch's
    assert c.train_loss[0] != -1.0


def test_the_callers_rng_is_untouched_and_progress_reaches_one():
    before = torch.get_rng_state()
    seen: list[float] = []
    of.train_many(OTHERS, progress=seen.append, **SHARED["regularised"])
    assert torch.equal(before, torch.get_rng_state())
    assert seen == sorted(seen) and seen[-1] == 1.0


# --- the same bits as an ordinary nn.Module, one seed at a time ----------------------------

def _ordinary(*, dataset="moons", n_train, noise=0.25, width, depth, dropout=0.0,
              weight_decay=0.0, epochs, jitter=0.0, seed) -> dict[str, np.ndarray]:
    """The reproduce script's loop: nn.Sequential with nn.Dropout, torch.optim.Adam, torch's
    global RNG seeded once for the init, the jitter and the masks."""
    split = of.make_data(dataset=dataset, n_train=n_train, noise=noise, seed=seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = of.mlp(width=width, depth=depth, dropout=dropout)
        opt = torch.optim.Adam(model.parameters(), lr=of.LR, weight_decay=weight_decay,
                               foreach=True)
        both = torch.cat([split.x_train, split.x_val])
        out = {k: [] for k in ("train_loss", "val_loss", "weight_norm")}
        for _ in range(epochs):
            model.train()
            x = split.x_train
            if jitter > 0:
                x = x + jitter * torch.randn(x.shape)
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), split.y_train).backward()
            opt.step()
            model.eval()
            with torch.no_grad():
                z = model(both)
                out["train_loss"].append(nn.functional.cross_entropy(z[:n_train],
                                                                     split.y_train).item())
                out["val_loss"].append(nn.functional.cross_entropy(z[n_train:],
                                                                   split.y_val).item())
                w = [m.weight.reshape(-1) for m in model if isinstance(m, nn.Linear)]
                out["weight_norm"].append(torch.linalg.vector_norm(torch.cat(w)).item())
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("name", ["plain", "regularised"])
def test_batched_runs_are_bit_for_bit_ordinary_nn_module_runs(name):
    kw = SHARED[name]
    for seed, result in zip(OTHERS[:3], of.train_many(OTHERS[:3], **kw), strict=True):
        want = _ordinary(seed=seed, **kw)
        for key, values in want.items():
            np.testing.assert_array_equal(getattr(result, key), values, err_msg=key)


def test_at_the_smallest_shapes_only_the_last_float32_bits_differ():
    kw = SHARED["tiny"]
    result = of.train(seed=SEED, **kw)
    for key, values in _ordinary(seed=SEED, **kw).items():
        np.testing.assert_allclose(getattr(result, key), values, rtol=2e-6, err_msg=key)
