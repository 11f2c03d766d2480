"""The playground's batched engine: a seed's numbers are bit-identical alone and anywhere in
a batch of other seeds (first, last, in the middle, other neighbours), for every kind of
network the page trains together, and the single-run functions are the batched ones."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from dlviz import batching, rng
from dlviz import playground as pg
from dlviz import playground_data as pdata
from dlviz import playground_presets as presets
from dlviz.playground_net import FEATURES, NetSpec

SEED = 7
OTHERS = list(range(20, 28))  # 8 other students
STRANGERS = [3, 101, 4242, 9, 55, 1234567, 0, 2**31 + 5, 77]  # other neighbours
CASES = {  # page_many's shared settings: what the page batches for one seed
    "defaults, short": dict(data=("circle", 0.0, 0.5, ()), first=NetSpec(epochs=15)),
    "momentum, L2, a last short batch, a lesson's baseline": dict(
        data=("xor", 0.1, 0.3, ((1.5, -2.0, 1), (0.3, 4.1, 0))),
        first=NetSpec(hidden=(5, 3), activation="relu", optimizer="momentum", lr=0.01,
                      batch_size=7, epochs=8, regularization="l2", reg_rate=0.03),
        baseline=NetSpec(hidden=(5, 3), activation="relu", optimizer="momentum", lr=0.01,
                         batch_size=7, epochs=8)),
    "adam, L1, dropout, a same-shaped second network": dict(
        data=("spiral", 0.2, 0.7, ()),
        first=NetSpec(features=("x1", "x2", "x1x2"), hidden=(8, 4), activation="sigmoid",
                      dropout=0.3, optimizer="adam", lr=0.03, batch_size=13, epochs=6,
                      regularization="l1", reg_rate=0.3),
        second=NetSpec(features=("x1_sq", "x2_sq", "sin_x1"), hidden=(8, 4),
                       activation="sigmoid", dropout=0.3, optimizer="adam", lr=0.03,
                       batch_size=13, epochs=6, regularization="l1", reg_rate=0.3)),
    "a run that blows up beside one that does not": dict(
        data=("gauss", 0.5, 0.9, ()),
        first=NetSpec(features=tuple(FEATURES), hidden=(8, 8), activation="linear", lr=1.0,
                      epochs=4),
        second=NetSpec(features=tuple(FEATURES), hidden=(8, 8), activation="tanh", lr=1.0,
                       epochs=4)),
}


def assert_identical(a, b, where: str = "") -> None:
    """Every field of two results (dataclasses, tuples, arrays, numbers) equal, bit for bit."""
    if dataclasses.is_dataclass(a):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            assert_identical(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (tuple, list)) and not isinstance(a, NetSpec):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_identical(x, y, f"{where}[{i}]")
    elif isinstance(a, (np.ndarray, torch.Tensor)):
        x, y = np.asarray(a), np.asarray(b)
        assert x.dtype == y.dtype and x.shape == y.shape, where
        assert np.array_equal(x, y, equal_nan=True), where
    else:
        assert a == b or (a != a and b != b), where  # NaN equals NaN here


@pytest.mark.parametrize("name", list(CASES))
def test_a_seed_is_the_same_alone_and_anywhere_in_a_batch(name):
    shared = CASES[name]
    [alone] = pg.page_many([SEED], **shared)
    batches = {"first": [SEED, *OTHERS], "last": [*OTHERS, SEED],
               "middle": [*OTHERS[:4], SEED, *OTHERS[4:]],
               "other neighbours": [*STRANGERS[:5], SEED, *STRANGERS[5:]]}
    results = {}
    for where, seeds in batches.items():
        got = pg.page_many(seeds, **shared)
        assert len(got) == len(seeds)
        assert_identical(alone, got[seeds.index(SEED)], f"{name}, {where}")
        results[where] = dict(zip(seeds, got, strict=True))
    for seed in OTHERS:  # the neighbours too: each the same in both batches
        assert_identical(results["first"][seed], results["last"][seed], f"seed {seed}")
    assert not np.array_equal(results["first"][OTHERS[0]].run.train_loss,
                              alone.run.train_loss)  # another seed is another run


SWEEP = [  # every activation × optimizer, with shapes from a linear model to 6 layers
    NetSpec(features=feats, hidden=hidden, activation=act, optimizer=opt, lr=lr,
            batch_size=bs, epochs=3, dropout=drop, regularization=reg, reg_rate=rate)
    for (act, opt), (feats, hidden, lr, bs, drop, reg, rate) in zip(
        [(a, o) for a in ("relu", "tanh", "sigmoid", "linear")
         for o in ("sgd", "momentum", "adam")],
        [(("x1",), (), 0.1, 1, 0.0, "none", 0.0),
         (("x1", "x2"), (1,), 0.03, 30, 0.0, "l2", 0.1),
         (tuple(FEATURES), (8,) * 6, 0.01, 8, 0.5, "l1", 0.01),
         (("x1_sq", "x2_sq"), (3, 7), 0.3, 11, 0.2, "none", 0.0),
         (("x1", "x2", "x1x2"), (2,), 1.0, 17, 0.0, "l1", 0.3),
         (("sin_x1", "sin_x2"), (5, 5, 5), 0.003, 4, 0.7, "l2", 1.0)] * 2, strict=True)]


@pytest.mark.parametrize("spec", SWEEP, ids=lambda s: f"{s.activation}-{s.optimizer}")
def test_a_sweep_of_settings_is_the_same_alone_and_in_a_batch(spec):
    shared = dict(data=("moons", 0.3, 0.4, ((0.5, 0.5, 1),)), first=spec)
    [alone] = pg.page_many([SEED], **shared)
    batch = pg.page_many([*OTHERS[:3], SEED, *OTHERS[3:]], **shared)
    assert_identical(alone, batch[3], spec.activation + " " + spec.optimizer)


def test_the_cases_exercise_what_they_name():
    by_name = {k: pg.page_many([SEED], **v)[0] for k, v in CASES.items()}
    blown = by_name["a run that blows up beside one that does not"]
    assert blown.run.diverged_at is not None and blown.second.diverged_at is None
    l1 = by_name["adam, L1, dropout, a same-shaped second network"]
    assert (presets.final_weights(l1.run) == 0).any()  # L1's exact zeros
    n_train = len(_data(CASES["momentum, L2, a last short batch, a lesson's baseline"]).y_train)
    assert n_train % 7  # a short last batch: padded rows
    assert by_name["defaults, short"].over.reached_at is None


def _data(case: dict) -> pdata.PlaygroundData:
    dataset, noise, share, extra = case["data"]
    return pdata.make(dataset=dataset, noise=noise, train_share=share, seed=SEED, extra=extra)


@pytest.mark.parametrize("name", list(CASES))
def test_the_single_functions_are_the_batched_ones(name):
    shared = CASES[name]
    [batched] = pg.page_many([SEED, *OTHERS[:2]], **shared)[:1]
    data = _data(shared)
    assert_identical(pg.train(data, shared["first"], seed=SEED), batched.run)
    assert_identical(pg.overfit_one_batch(data, shared["first"], seed=SEED), batched.over)
    if "second" in shared:
        a, b = pg.compare(data, shared["first"], shared["second"], seed=SEED)
        assert_identical(b, batched.second)
        assert_identical(a, batched.run)
        [many] = pg.train_many([SEED], data=shared["data"], spec=shared["second"])
        assert_identical(many, batched.second)


def test_dropout_draws_from_the_seeds_own_stream_as_nn_dropout_does():
    """The script's loop (nn.Dropout on torch's global generator, seeded, after the init)
    and the stacked engine take the same masks: one epoch of one batch, by hand."""
    data = pdata.make(dataset="xor", seed=SEED, n=40)
    spec = NetSpec(hidden=(6, 3), dropout=0.5, batch_size=30, epochs=1)
    run = pg.train(data, spec, seed=SEED)
    sets = pg._sets(data, spec.features, torch.float64)
    with rng.seeded(SEED):  # torch.manual_seed(seed), then build() and train
        model = pg.net.build(spec).double()
        opt = pg.net.make_optimizer(model, spec)
        perm = torch.randperm(len(sets.y), generator=torch.Generator().manual_seed(SEED))
        model.train()
        for xb, yb in zip(sets.x[perm].split(30), sets.y[perm].split(30), strict=True):
            pg.net.step(model, opt, spec, xb, yb)
    w = [m.weight.detach() for m in model if isinstance(m, torch.nn.Linear)]
    for mine, theirs in zip(run.frames.weights, w, strict=True):
        np.testing.assert_allclose(mine[-1], theirs.float().numpy(), rtol=0, atol=1e-6)
    assert not np.allclose(run.frames.weights[0][-1],  # without the masks it differs
                           pg.train(data, dataclasses.replace(spec, dropout=0.0),
                                    seed=SEED).frames.weights[0][-1], atol=1e-3)


def test_thirty_sessions_coalesce_into_one_call():
    """Through dlviz.batching as the page calls it: 30 threads, 30 seeds, one batched
    call, and each thread gets exactly its own seed's result."""
    import threading

    coalescer = batching.Coalescer(window=0.2)
    shared = dict(data=("circle", 0.0, 0.5, ()), first=NetSpec(epochs=3))
    got: dict[int, pg.PageRuns] = {}

    def session(seed: int) -> None:
        got[seed] = coalescer(pg.page_many, seed, **shared)

    threads = [threading.Thread(target=session, args=(s,)) for s in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert coalescer.stats.batches == 1 and coalescer.stats.largest == 30
    for seed in (0, 13, 29):
        assert_identical(got[seed], pg.page_many([seed], **shared)[0], f"seed {seed}")
