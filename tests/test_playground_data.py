"""TensorFlow Playground's data sets: the generators' statistics, the split and the caps."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dlviz import data
from dlviz import playground_data as pdata


def _all(d: pdata.PlaygroundData) -> tuple[np.ndarray, np.ndarray]:
    return (np.concatenate([d.x_train, d.x_val, d.x_test]),
            np.concatenate([d.y_train, d.y_val, d.y_test]))


@pytest.mark.parametrize("name", pdata.DATASETS)
def test_shapes_dtypes_and_the_default_split(name):
    d = pdata.make(dataset=name, seed=3)
    assert (d.x_train.shape, d.x_val.shape, d.x_test.shape) == ((200, 2), (50, 2), (250, 2))
    assert d.x_train.dtype == np.float64 and d.y_train.dtype == np.int64
    x, y = _all(d)
    assert set(np.unique(y)) == {0, 1} and np.isfinite(x).all()
    assert d.n_extra == 0 and d.dataset == name


@pytest.mark.parametrize(("share", "sizes"), [(0.1, (40, 10, 450)), (0.3, (120, 30, 350)),
                                              (0.9, (360, 90, 50))])
def test_the_split_is_a_partition_of_the_same_points(share, sizes):
    """train_share of the shuffled points train (20 % of them validation), the rest test;
    the points themselves do not depend on the share."""
    d = pdata.make(dataset="xor", train_share=share, seed=5)
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == sizes
    ref = pdata.make(dataset="xor", train_share=0.5, seed=5)
    assert np.array_equal(_all(d)[0], _all(ref)[0]) and np.array_equal(_all(d)[1], _all(ref)[1])


def test_circle_radii_bands_and_the_noise_free_label():
    x, y = _all(pdata.make(dataset="circle", seed=1))
    r = np.hypot(x[:, 0], x[:, 1])
    inner = r <= 2.5
    assert inner.sum() == 250 and (r[~inner] >= 3.5).all() and (r <= 5).all()
    assert np.array_equal(y, inner.astype(np.int64))  # inside 2.5: class 1 (Playground's +1)
    assert abs(np.mean(x[:, 0] / r)) < 0.1 and abs(np.mean(x[:, 1] / r)) < 0.1  # any angle


def test_circle_noise_flips_labels_near_the_border_without_moving_points():
    """The label is judged at the point plus an offset of at most 5·noise per coordinate
    (≤ 5·noise·√2 away): only points that close to the radius 2.5 can change class."""
    for noise, some in ((0.0, False), (0.1, True), (0.3, True), (0.5, True)):
        x, y = _all(pdata.make(dataset="circle", noise=noise, seed=1))
        r = np.hypot(x[:, 0], x[:, 1])
        assert ((r <= 2.5) | (r >= 3.5)).all()  # the points stay in their bands
        flipped = y != (r <= 2.5)
        assert flipped.any() == some
        assert not flipped[np.abs(r - 2.5) > 5 * noise * math.sqrt(2)].any()
        assert flipped.mean() < 0.3


def test_xor_pushes_points_off_the_axes_and_labels_by_the_sign():
    x, y = _all(pdata.make(dataset="xor", seed=2))
    assert (np.abs(x) >= 0.3).all() and (np.abs(x) <= 5.3).all()
    assert np.array_equal(y, (x[:, 0] * x[:, 1] >= 0).astype(np.int64))
    assert 0.4 < y.mean() < 0.6
    xn, yn = _all(pdata.make(dataset="xor", noise=0.5, seed=2))
    wrong = yn != (xn[:, 0] * xn[:, 1] >= 0)
    assert 0.05 < wrong.mean() < 0.5
    near_both_axes = (np.abs(xn) > 2.5).all(1)  # an offset ≤ 2.5 cannot change either sign
    assert not wrong[near_both_axes].any()


@pytest.mark.parametrize(("noise", "variance"), [(0.0, 0.5), (0.25, 2.25), (0.5, 4.0)])
def test_two_gaussians_centres_and_variance(noise, variance):
    x, y = _all(pdata.make(dataset="gauss", noise=noise, seed=4))
    for label, centre in ((1, 2.0), (0, -2.0)):
        pts = x[y == label]
        assert len(pts) == 250
        se = math.sqrt(variance / 250)
        assert np.all(np.abs(pts.mean(0) - centre) < 4 * se)
        assert np.all(np.abs(pts.var(0) / variance - 1) < 0.25)


def test_spiral_arms_follow_the_formula_and_the_noise_bound():
    x, y = _all(pdata.make(dataset="spiral", seed=0))
    m = 250
    for label, delta in ((1, 0.0), (0, math.pi)):
        pts = x[y == label]
        r = np.hypot(pts[:, 0], pts[:, 1])
        order = np.argsort(r)
        assert np.allclose(r[order], 5 * np.arange(m) / m, atol=1e-12)
        t = 1.75 * 2 * math.pi * r[order] / 5 + delta
        assert np.allclose(pts[order], np.stack([r[order] * np.sin(t),
                                                 r[order] * np.cos(t)], 1), atol=1e-9)
    # noise: U[−0.4, 0.4] per coordinate around the same noise-free points, same labels
    d0 = pdata.make(dataset="spiral", noise=0.0, seed=0)
    d4 = pdata.make(dataset="spiral", noise=0.4, seed=0)
    assert np.array_equal(_all(d0)[1], _all(d4)[1])
    offsets = _all(d4)[0] - _all(d0)[0]
    assert np.abs(offsets).max() <= 0.4 and np.abs(offsets).max() > 0.3


def test_moons_are_dlviz_moons_scaled_onto_the_square():
    x, y = _all(pdata.make(dataset="moons", seed=6))
    for label, centre in ((0, (-1.5, -0.75)), (1, (1.5, 0.75))):
        pts = x[y == label]
        assert len(pts) == 250
        assert np.allclose(np.hypot(*(pts - centre).T), pdata.MOONS_SCALE)
    assert np.abs(x).max() <= 4.5 + 1e-9
    ref_x, ref_y = data.moons(n=500, noise=0.0, seed=0)
    assert ref_x.abs().max() <= 1.5 + 1e-6 and torch.equal(ref_y.unique(), torch.tensor([0, 1]))


def test_extra_points_are_appended_to_training_clipped_and_counted():
    extra = [(7.5, -1.0, 1), (0.5, -9.0, 0), (1.0, 2.0, 1)]
    d = pdata.make(dataset="circle", seed=0, extra=extra)
    plain = pdata.make(dataset="circle", seed=0)
    assert d.n_extra == 3 and len(d.x_train) == 203
    assert np.array_equal(d.x_train[:200], plain.x_train)
    assert np.array_equal(d.x_train[200:], [[6.0, -1.0], [0.5, -6.0], [1.0, 2.0]])
    assert np.array_equal(d.y_train[200:], [1, 0, 1])
    assert np.array_equal(d.x_test, plain.x_test) and np.array_equal(d.x_val, plain.x_val)


def test_same_seed_same_points_other_seed_other_points():
    a, b = pdata.make(dataset="spiral", noise=0.3, seed=9), pdata.make(
        dataset="spiral", noise=0.3, seed=9)
    c = pdata.make(dataset="spiral", noise=0.3, seed=10)
    assert all(np.array_equal(p, q) for p, q in zip(_all(a), _all(b), strict=True))
    assert not np.array_equal(_all(a)[0], _all(c)[0])


def test_the_global_torch_generator_is_untouched():
    before = torch.random.get_rng_state()
    pdata.make(dataset="moons", seed=1)
    assert torch.equal(torch.random.get_rng_state(), before)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"dataset": "swirl"}, "dataset must be one of circle, xor, gauss, spiral, moons"),
    ({"noise": 0.6}, r"noise must lie in \[0.0, 0.5\]"),
    ({"noise": -0.1}, "noise must lie"),
    ({"noise": float("nan")}, "noise must lie"),
    ({"noise": True}, "noise must lie"),
    ({"train_share": 0.05}, r"train_share must lie in \[0.1, 0.9\]"),
    ({"train_share": 0.95}, "train_share must lie"),
    ({"seed": -1}, "seed must be an integer"),
    ({"seed": 1.5}, "seed must be an integer"),
    ({"n": 10}, "n must be an integer"),
    ({"extra": [(0, 0, 1)] * 51}, "at most 50 extra points, got 51"),
    ({"extra": [(0, 0, 2)]}, "label must be 0 or 1"),
    ({"extra": [(0, 0)]}, r"each extra point must be \(x1, x2, label\)"),
    ({"extra": [(float("nan"), 0, 1)]}, "finite coordinates"),
    ({"extra": [(float("inf"), 0, 1)]}, "finite coordinates"),
])
def test_bad_arguments_raise_clear_messages(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pdata.make(**kwargs)


def test_fifty_extra_points_are_allowed():
    d = pdata.make(extra=[(0.1 * i, 0.0, i % 2) for i in range(50)])
    assert d.n_extra == 50 and len(d.x_train) == 250
