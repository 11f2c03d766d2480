"""dlviz.overfitting: determinism, an independent float64 oracle of the first Adam step,
weight decay, the dropout demo, and the diagnosis rule on constructed curves."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
from torch import nn

from dlviz import overfitting as of

SMALL = dict(dataset="moons", n_train=40, noise=0.2, width=16, depth=2, epochs=30)


def _train(**kw) -> of.TrainResult:
    return of.train(**(SMALL | kw))


def _arrays(r: of.TrainResult) -> list[np.ndarray]:
    return [r.train_loss, r.val_loss, r.train_acc, r.val_acc, r.weight_norm, r.prob,
            r.x_train, r.x_val]


# --- determinism and the data ------------------------------------------------------------------

@pytest.mark.parametrize("kw", [{}, dict(dropout=0.5, jitter=0.2, weight_decay=1e-2),
                                dict(dataset="spirals", depth=1)], ids=["plain", "regularised",
                                                                        "spirals"])
def test_same_seed_same_numbers_and_global_rng_untouched(kw):
    before = torch.get_rng_state()
    a, b = _train(seed=3, **kw), _train(seed=3, **kw)
    assert torch.equal(before, torch.get_rng_state()), "the caller's RNG is left alone"
    for x, y in zip(_arrays(a), _arrays(b), strict=True):
        np.testing.assert_array_equal(x, y)
    c = _train(seed=4, **kw)
    assert not np.array_equal(a.val_loss, c.val_loss), "another seed, other numbers"


@pytest.mark.parametrize("n_train", [20, 37, 60, 155, 300])
def test_split_sizes(n_train):
    s = of.make_data(dataset="moons", n_train=n_train, noise=0.1, seed=1)
    assert len(s.x_train) == n_train and len(s.x_val) == of.N_VAL
    labels = torch.cat([s.y_train, s.y_val])
    assert set(labels.tolist()) == {0, 1}


def test_result_shapes_and_ranges():
    r = _train(epochs=25)
    for curve in (r.epoch, r.train_loss, r.val_loss, r.train_acc, r.val_acc, r.weight_norm):
        assert curve.shape == (25,) and np.isfinite(curve).all()
    np.testing.assert_array_equal(r.epoch, np.arange(1, 26))
    # accuracy is a count over the set
    np.testing.assert_allclose(r.train_acc * 40, np.round(r.train_acc * 40), atol=1e-5)
    np.testing.assert_allclose(r.val_acc * of.N_VAL, np.round(r.val_acc * of.N_VAL), atol=1e-4)
    assert r.prob.shape == (of.GRID, of.GRID) and (0 <= r.prob).all() and (r.prob <= 1).all()
    pts = np.vstack([r.x_train, r.x_val])
    assert r.grid_x[0] <= pts[:, 0].min() - of.MARGIN and r.grid_x[-1] >= pts[:, 0].max()
    assert r.grid_y[0] <= pts[:, 1].min() - of.MARGIN and r.grid_y[-1] >= pts[:, 1].max()
    # 2 → 16 → 16 → 2: (2·16 + 16) + (16·16 + 16) + (16·2 + 2)
    assert r.n_params == 48 + 272 + 34


def test_progress_reaches_one():
    seen: list[float] = []
    _train(epochs=50, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and 0 < seen[0] < 1


@pytest.mark.parametrize("bad", [dict(n_train=10), dict(n_train=301), dict(noise=0.5),
                                 dict(width=65), dict(depth=0), dict(depth=5), dict(dropout=0.9),
                                 dict(weight_decay=0.5), dict(epochs=301), dict(jitter=-0.1),
                                 dict(dataset="circles")])
def test_out_of_bounds_settings_are_refused(bad):
    with pytest.raises(ValueError):
        _train(**bad)


# --- an independent oracle: ten epochs in float64 with Adam written out ------------------------

def _oracle(*, weight_decay: float, seed: int, epochs: int) -> dict:
    with torch.random.fork_rng(devices=[]):
        return _oracle_run(weight_decay=weight_decay, seed=seed, epochs=epochs)


def _oracle_run(*, weight_decay: float, seed: int, epochs: int) -> dict:
    """Init as torch does, then full-batch Adam by hand in float64:
    g = ∇CE + wd·w; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
    w ← w − lr·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)."""
    b1, b2, eps = 0.9, 0.999, 1e-8
    split = of.make_data(dataset="moons", n_train=40, noise=0.2, seed=seed)
    torch.manual_seed(seed)
    init = of.mlp(width=16, depth=2, dropout=0.0)
    params = [p.detach().double().clone().requires_grad_(True) for p in init.parameters()]
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]

    def logits(x: torch.Tensor) -> torch.Tensor:
        h = x.double()
        for i in range(0, len(params) - 2, 2):
            h = torch.clamp(h @ params[i].T + params[i + 1], min=0)
        return h @ params[-2].T + params[-1]

    def ce(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return (torch.logsumexp(z, 1) - z[torch.arange(len(y)), y]).mean()

    out = {k: [] for k in ("train_loss", "val_loss", "train_acc", "val_acc", "weight_norm")}
    for t in range(1, epochs + 1):
        grads = torch.autograd.grad(ce(logits(split.x_train), split.y_train), params)
        with torch.no_grad():
            for i, (p, g) in enumerate(zip(params, grads, strict=True)):
                g = g + weight_decay * p
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                p -= of.LR * (m[i] / (1 - b1 ** t)) / ((v[i] / (1 - b2 ** t)).sqrt() + eps)
            z_tr, z_va = logits(split.x_train), logits(split.x_val)
            out["train_loss"].append(ce(z_tr, split.y_train).item())
            out["val_loss"].append(ce(z_va, split.y_val).item())
            out["train_acc"].append((z_tr.argmax(1) == split.y_train).double().mean().item())
            out["val_acc"].append((z_va.argmax(1) == split.y_val).double().mean().item())
            out["weight_norm"].append(torch.sqrt(sum((p ** 2).sum() for p in params[0::2])).item())
    return out | {"logits": logits}


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_training_matches_float64_oracle(weight_decay):
    r = _train(epochs=10, weight_decay=weight_decay, seed=2)
    want = _oracle(weight_decay=weight_decay, seed=2, epochs=10)
    for name in ("train_loss", "val_loss", "weight_norm"):
        np.testing.assert_allclose(getattr(r, name), want[name], rtol=1e-4, err_msg=name)
    for name in ("train_acc", "val_acc"):  # a point on the boundary may flip, no more
        np.testing.assert_allclose(getattr(r, name), want[name], atol=1.01 / 40, err_msg=name)
    # the boundary grid is the final model's softmax
    xx, yy = np.meshgrid(r.grid_x, r.grid_y)
    with torch.no_grad():
        z = want["logits"](torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1)))
    prob = torch.softmax(z, 1)[:, 1].reshape(of.GRID, of.GRID).numpy()
    np.testing.assert_allclose(r.prob, prob, atol=1e-4)


# --- the regularisers act ------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weight_decay_shrinks_the_weight_norm(seed):
    none = of.train(seed=seed, epochs=100)
    decayed = of.train(seed=seed, epochs=100, weight_decay=0.01)
    assert decayed.weight_norm[-1] < 0.8 * none.weight_norm[-1]
    np.testing.assert_array_equal(decayed.x_train, none.x_train)  # same seed, same data
    assert (decayed.weight_norm[10:] < none.weight_norm[10:]).all(), "smaller all along"


def test_dropout_and_jitter_change_training():
    plain = _train(seed=5)
    for kw in (dict(dropout=0.5), dict(jitter=0.2)):
        assert not np.allclose(_train(seed=5, **kw).train_loss, plain.train_loss), kw


def test_default_settings_overfit_and_weight_decay_cures():
    """The page's story at its defaults, for seed 0."""
    def verdict(**kw):
        r = of.train(**kw)
        return of.diagnose(train_loss=r.train_loss, val_loss=r.val_loss,
                           train_acc=r.train_acc, val_acc=r.val_acc).verdict
    assert verdict() == "overfitting"
    assert verdict(weight_decay=0.01) == "good fit"
    assert verdict(width=2, depth=1) == "underfitting"


# --- dropout in train and eval mode --------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 7, 15])
def test_dropout_demo(seed):
    d = of.dropout_demo(seed=seed)
    again = of.dropout_demo(seed=seed)
    np.testing.assert_array_equal(d.train_out, again.train_out)  # seeded
    # eval mode: identical calls, equal to the ReLU output (dropout is the identity)
    assert (d.eval_out == d.eval_out[0]).all()
    np.testing.assert_allclose(d.eval_out[0], d.hidden, rtol=1e-6)
    # train mode: every unit is 0 or hidden / (1 − p)
    scaled = d.hidden / (1 - of.DROPOUT_P)
    assert np.all(np.isclose(d.train_out, 0) | np.isclose(d.train_out, scaled, rtol=1e-6))
    # the hidden layer: ReLU(W x + b) in float64, from the seeded nn.Linear(8, 4)
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)
        linear = torch.nn.Linear(8, 4)
        x = torch.randn(1, 8)
        want = torch.clamp(x.double() @ linear.weight.double().T + linear.bias.double(), min=0)
    np.testing.assert_allclose(d.x, x[0].numpy(), rtol=1e-6)
    np.testing.assert_allclose(d.hidden, want[0].numpy(), rtol=1e-5, atol=1e-7)


def test_dropout_train_mode_differs_from_call_to_call():
    d = of.dropout_demo(seed=15)  # the page's default: all four units active
    assert (d.hidden > 0).all()
    assert len({tuple(row) for row in d.train_out}) > 1, "fresh masks each call"
    # over many seeds the masks keep about half of the active units
    kept = active = 0
    for seed in range(40):
        demo = of.dropout_demo(seed=seed)
        kept += (demo.train_out > 0).sum()
        active += (demo.hidden > 0).sum() * of.DROPOUT_CALLS
    assert 0.4 < kept / active < 0.6


# --- the diagnosis rule on constructed curves ----------------------------------------------------

def _curves(train_loss, val_loss, train_acc, val_acc, epochs=50):
    full = lambda v: np.full(epochs, v, dtype=float) if np.isscalar(v) else np.asarray(v)  # noqa: E731
    return dict(train_loss=full(train_loss), val_loss=full(val_loss),
                train_acc=full(train_acc), val_acc=full(val_acc))


E = np.arange(50)
FALLING = 0.6 * np.exp(-E / 10) + 0.02  # training loss towards 0.02
U_SHAPE = 0.3 + 0.002 * (E - 15) ** 2  # val loss: minimum 0.3 in epoch 16, ends at 2.25


@pytest.mark.parametrize(("curves", "verdict", "best"), [
    (_curves(FALLING, U_SHAPE, 1.0, 0.95), "overfitting", 16),
    (_curves(FALLING, FALLING + 0.05, 1.0, 0.85), "overfitting", 50),  # accuracy gap 15 points
    (_curves(FALLING, FALLING + 0.05, 0.97, 0.95), "good fit", 50),
    (_curves(0.45, 0.47, 0.80, 0.79), "underfitting", 1),
    # below 90 % on training data wins even when the validation loss rises
    (_curves(FALLING, U_SHAPE, 0.85, 0.70), "underfitting", 16),
    # a rising validation loss that stays below the training loss is not overfitting
    (_curves(np.full(50, 3.0), U_SHAPE, 0.95, 0.95), "good fit", 16),
])
def test_diagnosis_rule(curves, verdict, best):
    d = of.diagnose(**curves)
    assert d.verdict == verdict, d.reason
    assert d.best_epoch == best
    assert d.reason


def test_diagnosis_thresholds_are_sharp():
    val = np.array([0.4, 0.2, 0.3, 0.2 * of.OVERFIT_RISE])
    over = of.diagnose(train_loss=np.full(4, 0.1), val_loss=val, train_acc=np.full(4, 0.95),
                       val_acc=np.full(4, 0.95))
    assert over.verdict == "overfitting" and over.best_epoch == 2
    just_below = val.copy()
    just_below[-1] -= 1e-6
    assert of.diagnose(train_loss=np.full(4, 0.1), val_loss=just_below,
                       train_acc=np.full(4, 0.95), val_acc=np.full(4, 0.95)).verdict == "good fit"
    at = dict(train_loss=np.full(4, 0.1), val_loss=np.full(4, 0.2))
    assert of.diagnose(**at, train_acc=np.full(4, of.UNDERFIT_ACC),
                       val_acc=np.full(4, of.UNDERFIT_ACC)).verdict == "good fit"
    assert of.diagnose(**at, train_acc=np.full(4, of.UNDERFIT_ACC - 1e-6),
                       val_acc=np.full(4, 0.9)).verdict == "underfitting"
    assert of.diagnose(**at, train_acc=np.full(4, 0.99),
                       val_acc=np.full(4, 0.99 - of.OVERFIT_GAP - 1e-9)).verdict == "overfitting"


# --- accuracies are counts: 18 of 20 is 90 % ---------------------------------------------------

def _logits_right(correct: int, total: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits for `total` points of alternating class, the first `correct` classified right."""
    targets = torch.arange(total) % 2
    predicted = torch.where(torch.arange(total) < correct, targets, 1 - targets)
    return nn.functional.one_hot(predicted, 2).float(), targets


@pytest.mark.parametrize(("correct", "total"), [(18, 20), (17, 20), (54, 60), (180, 200),
                                                (0, 20), (300, 300), (1, 3)])
def test_accuracy_is_the_count_over_the_set_in_float64(correct, total):
    acc = of.accuracy(*_logits_right(correct, total))
    assert acc.dtype == torch.float64
    assert acc.item() == float(Fraction(correct, total))  # the exact fraction, rounded once


def test_18_of_20_is_not_below_the_90_percent_threshold():
    """The page said "training accuracy 90.0% is below 90%": float32's 18/20 is 0.8999999762."""
    curves = dict(train_loss=np.full(3, 0.3), val_loss=np.full(3, 0.3))
    for acc in (of.accuracy(*_logits_right(18, 20)).item(),
                (torch.tensor(18.0) / 20).item()):  # the float32 quotient, as a caller may pass
        d = of.diagnose(**curves, train_acc=np.full(3, acc), val_acc=np.full(3, 0.85))
        assert d.verdict == "good fit", d.reason
    d = of.diagnose(**curves, train_acc=np.full(3, of.accuracy(*_logits_right(17, 20)).item()),
                    val_acc=np.full(3, 0.85))
    assert d.verdict == "underfitting" and "85.0% is below 90%" in d.reason


def test_a_run_with_18_of_20_right_is_not_called_underfitting():
    # a run of the page's (n=20, σ 0.3, width 8, depth 1, 30 epochs, seed 0) that ends 18/20
    r = of.train(n_train=20, noise=0.3, width=8, depth=1, epochs=30, seed=0)
    assert r.train_acc[-1] == 0.9 and round(r.val_acc[-1] * of.N_VAL) == 169
    d = of.diagnose(train_loss=r.train_loss, val_loss=r.val_loss, train_acc=r.train_acc,
                    val_acc=r.val_acc)
    assert d.verdict == "good fit", d.reason
    assert "training accuracy 90.0% ≥ 90%" in d.reason


def test_an_exact_ten_point_gap_is_overfitting():
    # 60 of 60 against 180 of 200: 1.0 − 0.9 is 0.09999999999999998 in float64
    train = of.accuracy(*_logits_right(60, 60)).item()
    val = of.accuracy(*_logits_right(180, 200)).item()
    assert train - val < of.OVERFIT_GAP  # the float subtraction alone would miss it
    d = of.diagnose(train_loss=np.full(3, 0.1), val_loss=np.full(3, 0.2),
                    train_acc=np.full(3, train), val_acc=np.full(3, val))
    assert d.verdict == "overfitting", d.reason
