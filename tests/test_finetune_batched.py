"""Batched fine-tuning and initialisation runs (dlviz.finetune_stack): a seed's numbers are
bit-identical alone and anywhere in a batch of other seeds; the stacked computation agrees with
a plain single-model torch loop; concurrent sessions coalesced into one batch each get their
own result, also when part of the batch computes in the worker process (dlviz.workers)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from dlviz import batching, workers
from dlviz import finetune as ft
from dlviz import finetune_stack as stack
from dlviz import init_schemes as ini

EPOCHS = 3  # a few steps are enough to show a leak; it would only grow with more
SEED = 5
NEIGHBOURS = [11, 0, 3, 42, 7, 19, 23, 2]  # 8 other seeds
OTHERS = [101, 102, 103, 104, 105, 106, 107, 108, 109]  # a different set of neighbours
PLACES = {  # where SEED sits in the batch
    "alone": [SEED],
    "first": [SEED, *NEIGHBOURS],
    "last": [*NEIGHBOURS, SEED],
    "middle": [*NEIGHBOURS[:4], SEED, *NEIGHBOURS[4:]],
    "other neighbours": [*OTHERS[:6], SEED, *OTHERS[6:]],
}


@pytest.fixture(scope="module")
def pretrained() -> ft.Pretrained:
    return ft.pretrain(epochs=5)


def _equal(a, b, where: str) -> None:
    """Every array (and number) of two results, bit for bit."""
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _equal(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _equal(x, y, f"{where}[{i}]")
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b), where
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True), where
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, where


def _fields(result) -> dict:
    return {k: getattr(result, k) for k in result.__dataclass_fields__}


def _comparison(c: ft.Comparison) -> dict:
    return {"runs": {k: _fields(r) for k, r in c.runs.items()}, "labels": c.labels,
            "pretrained": _fields(c.pretrained)}


@pytest.mark.parametrize("frozen_layers", [2, (1, 3)])
def test_a_seeds_comparison_is_bit_identical_wherever_it_sits_in_the_batch(pretrained,
                                                                           frozen_layers):
    kw = dict(frozen_layers=frozen_layers, lr=0.03, epochs=EPOCHS, pretrained=pretrained)
    results = {place: ft.compare_many(seeds, **kw)[seeds.index(SEED)]
               for place, seeds in PLACES.items()}
    alone = _comparison(results["alone"])
    for place, result in results.items():
        _equal(_comparison(result), alone, place)
    _equal(_comparison(ft.compare(seed=SEED, **kw)), alone, "compare")
    other = ft.compare_many([SEED, 11], **kw)[1].runs["freeze"].losses
    assert not np.array_equal(other, results["alone"].runs["freeze"].losses)  # seeds differ


def test_the_thread_count_of_a_batch_does_not_change_a_seed(pretrained):
    kw = dict(frozen_layers=2, lr=0.03, epochs=EPOCHS, pretrained=pretrained)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        alone = ft.compare_many([SEED], **kw)[0]
        curves = ini.train_curves_many([SEED], epochs=2)[0]
        torch.set_num_threads(2)  # what dlviz.ui.coalesced gives a batch
        batched = ft.compare_many([*NEIGHBOURS, SEED], **kw)[-1]
        batched_curves = ini.train_curves_many([*NEIGHBOURS, SEED], epochs=2)[-1]
    finally:
        torch.set_num_threads(before)
    _equal(_comparison(batched), _comparison(alone), "compare")
    _equal(_fields(batched_curves), _fields(curves), "train_curves")


def test_a_seeds_init_curves_are_bit_identical_wherever_it_sits_in_the_batch():
    kw = dict(epochs=2, lr=0.1, sigma=0.3, constant=-0.2)  # lr 0.1: kaiming diverges
    results = {place: ini.train_curves_many(seeds, **kw)[seeds.index(SEED)]
               for place, seeds in PLACES.items()}
    alone = _fields(results["alone"])
    assert np.isnan(alone["losses"]).any(), "a diverged run's nan must not leak either"
    for place, result in results.items():
        _equal(_fields(result), alone, place)
    _equal(_fields(ini.train_curves(seed=SEED, **kw)), alone, "train_curves")


def _runs(pretrained) -> list[stack.Run]:
    """Runs of every kind in one batch: frozen or not, two learning rates, three data sets;
    the first and the last share their freezing and rate (one stacked group together)."""
    start = {k: torch.from_numpy(v) for k, v in pretrained.state.items()}
    out = []
    for seed, frozen, lr in [(1, (), 0.03), (2, (True, True, False, False), 0.03),
                             (1, (False, True, False, True), 0.003), (3, (True,) * 4, 0.03),
                             (2, (), 0.003), (3, (), 0.03)]:
        out.append(stack.Run(start, ft.task("eu", seed), lr, seed + 2, frozen))
    return out


def test_each_run_of_a_mixed_batch_equals_that_run_alone(pretrained):
    runs = _runs(pretrained)
    together = stack.train_many(runs, epochs=EPOCHS, batch_size=ft.BATCH_SIZE,
                                momentum=ft.MOMENTUM)
    for i, run in enumerate(runs):
        (alone,) = stack.train_many([run], epochs=EPOCHS, batch_size=ft.BATCH_SIZE,
                                    momentum=ft.MOMENTUM)
        _equal(_fields(together[i]), _fields(alone), f"run {i}")
        for name, before in run.start.items():
            layer = int(name.split(".")[0]) // 2
            frozen = bool(run.frozen) and run.frozen[layer]
            assert torch.equal(together[i].state[name], before) == frozen, (i, name)
    assert together[3].trainable == 0 and np.all(together[3].losses == together[3].initial_loss)


def test_the_stacked_computation_agrees_with_a_plain_single_model_loop(pretrained):
    """The oracle: each run trained alone as an nn.Sequential with torch.optim.SGD."""
    runs = _runs(pretrained)
    trained = stack.train_many(runs, epochs=10, batch_size=ft.BATCH_SIZE,
                               momentum=ft.MOMENTUM)
    for run, got in zip(runs, trained, strict=True):
        model = ft.load(run.start)
        for name, param in model.named_parameters():
            layer = int(name.split(".")[0]) // 2
            param.requires_grad = not (run.frozen and run.frozen[layer])
        before, losses = ft.train_loop(model, run.split, lr=run.lr, epochs=10,
                                       seed=run.order_seed)
        assert got.initial_loss == before  # same kernels for the validation loss: exact
        np.testing.assert_allclose(got.losses, losses, rtol=1e-5)
        for name, value in model.state_dict().items():
            np.testing.assert_allclose(got.state[name].numpy(), value.numpy(), rtol=1e-4,
                                       atol=1e-6)
        assert got.trainable == sum(p.numel() for p in model.parameters() if p.requires_grad)


def test_the_batch_leaves_the_global_rng_alone(pretrained):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ft.compare_many([1, 2], frozen_layers=2, lr=0.01, epochs=1, pretrained=pretrained)
    ini.train_curves_many([1, 2], epochs=1)
    assert torch.equal(torch.rand(3), expected)


def test_concurrent_sessions_coalesce_into_one_batch_and_each_gets_its_own(pretrained):
    coalescer = batching.Coalescer(window=0.5)
    seeds = [SEED, *NEIGHBOURS]
    kw = dict(frozen_layers=(0, 1), lr=0.01, epochs=EPOCHS, pretrained=pretrained)
    got: dict[int, ft.Comparison] = {}

    def session(seed: int) -> None:
        got[seed] = coalescer(ft.compare_many, seed, **kw)

    threads = [threading.Thread(target=session, args=(s,)) for s in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert coalescer.stats.batches == 1 and coalescer.stats.largest == len(seeds)
    for seed in (SEED, NEIGHBOURS[-1]):
        _equal(_comparison(got[seed]), _comparison(ft.compare(seed=seed, **kw)), str(seed))


def test_a_pretrained_model_is_known_by_its_settings(pretrained):
    again = ft.pretrain(epochs=5)
    assert again == pretrained and hash(again) == hash(pretrained)  # batchable together
    assert ft.pretrain(epochs=4) != pretrained


def test_distinct_units_count_as_np_unique_does():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(12, 4, generator=g)
    w[3] = w[1]  # a duplicate
    w[5] = w[1] * 0.0  # zeros …
    w[6] = -w[5]  # … and negative zeros: equal
    w[7, 2] = w[8, 2] = float("nan")
    w[9] = w[10] = float("inf")
    b = torch.zeros(12)
    b[7:9] = b[1]
    expected = len(np.unique(torch.cat([w, b[:, None]], 1).numpy(), axis=0))
    assert ini._distinct(w, b) == expected == 9


@pytest.mark.skipif(workers.pool() is None, reason="no forkserver on this platform")
def test_a_batch_split_with_the_worker_process_equals_each_seed_alone(pretrained):
    seeds = [SEED, 11, 0, 42, 7]
    kw = dict(frozen_layers=2, lr=0.03, epochs=EPOCHS, pretrained=pretrained)
    split = workers.split_call(ft.compare_many, seeds, **kw)  # the tail computes there
    for seed, got in zip(seeds, split, strict=True):
        _equal(_comparison(got), _comparison(ft.compare(seed=seed, **kw)), str(seed))
    curves = workers.split_call(ini.train_curves_many, seeds, epochs=2)
    for seed, got in zip(seeds, curves, strict=True):
        _equal(_fields(got), _fields(ini.train_curves(seed=seed, epochs=2)), str(seed))


def test_the_layers_section_split_with_the_worker_equals_each_seed_alone():
    """The initialisation section's histograms and activation stds, coalesced and split with
    the worker process: each seed's are those of the two functions called for it alone."""
    seeds = [SEED, 11, 0, 42, 7]
    kw = dict(scheme="kaiming", depth=6, sigma=0.05, constant=0.2)
    split = workers.split_call(ini.layers_many, seeds, **kw)
    for seed, (hist, stds) in zip(seeds, split, strict=True):
        _equal(_fields(hist), _fields(ini.weight_histograms(
            "kaiming", seed=seed, sigma=0.05, constant=0.2)), f"{seed} histograms")
        _equal(_fields(stds), _fields(ini.activation_std(
            depth=6, seed=seed, sigma=0.05, constant=0.2)), f"{seed} stds")
