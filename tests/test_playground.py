"""The Network playground's engine against independent oracles (numpy forward passes, one
proximal step by hand, hand counts), plus determinism, divergence, caps and the presets."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from dlviz import playground as pg
from dlviz import playground_data as pdata
from dlviz import playground_frames as pf
from dlviz import playground_net as net
from dlviz import playground_presets as presets
from dlviz import rng
from dlviz.playground_net import NetSpec

ALL = tuple(net.FEATURES)
NP_ACT = {"relu": lambda h: np.maximum(h, 0), "tanh": np.tanh,
          "sigmoid": lambda h: 1 / (1 + np.exp(-h)), "linear": lambda h: h}


def np_features(x: np.ndarray, names) -> np.ndarray:
    x1, x2 = x[:, 0], x[:, 1]
    cols = {"x1": x1, "x2": x2, "x1_sq": x1 ** 2, "x2_sq": x2 ** 2, "x1x2": x1 * x2,
            "sin_x1": np.sin(x1), "sin_x2": np.sin(x2)}
    return np.stack([cols[n] for n in names], 1)


def np_bce(logit: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy from logits, in the overflow-free form."""
    return float(np.mean(np.maximum(logit, 0) - logit * y + np.log1p(np.exp(-np.abs(logit)))))


def np_forward(x: np.ndarray, spec: NetSpec, ws, bs) -> tuple[list[np.ndarray], np.ndarray]:
    """float64 forward pass from the snapshot's weights: hidden outputs and the logits."""
    h, hidden = np_features(x, spec.features), []
    for w, b in zip(ws[:-1], bs[:-1], strict=True):
        h = NP_ACT[spec.activation](h @ w.astype(np.float64).T + b)
        hidden.append(h)
    return hidden, (h @ ws[-1].astype(np.float64).T + bs[-1])[:, 0]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def lattice_points(coords: np.ndarray) -> np.ndarray:
    """Row i is x2 = coords[i], column j is x1 = coords[j]; (n·n, 2) in that row order."""
    return np.array([(x1, x2) for x2 in coords for x1 in coords])


@pytest.fixture(scope="module")
def relu_run():
    d = pdata.make(dataset="xor", noise=0.1, seed=3)
    spec = NetSpec(features=("x1", "x2", "x1x2", "sin_x1"), hidden=(5, 3), activation="relu",
                   dropout=0.2, optimizer="adam", lr=0.01, epochs=30)
    return d, pg.train(d, spec, seed=3)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_snapshot_boundary_and_units_equal_an_independent_forward_pass(activation):
    spec = NetSpec(features=("x1", "x2_sq", "sin_x2"), hidden=(3, 2), activation=activation,
                   epochs=12)
    _check_frames(spec, pg.train(pdata.make(seed=1), spec, seed=1))


def test_relu_dropout_adam_snapshots_equal_the_forward_pass(relu_run):
    _check_frames(relu_run[1].spec, relu_run[1])


def _check_frames(spec: NetSpec, run: pg.PlaygroundRun) -> None:
    f = run.frames
    assert np.array_equal(f.grid, np.linspace(-6, 6, pf.GRID))
    assert np.array_equal(f.unit_grid, np.linspace(-6, 6, pf.UNIT_GRID))
    big, small = lattice_points(f.grid), lattice_points(f.unit_grid)
    assert np.allclose(f.feature_maps, np_features(small, spec.features).T.reshape(
        -1, pf.UNIT_GRID, pf.UNIT_GRID), atol=1e-5)
    for k in range(len(f.epoch)):
        ws, bs = [w[k] for w in f.weights], [b[k] for b in f.biases]
        _, logit = np_forward(big, spec, ws, bs)
        assert np.allclose(f.prob[k], sigmoid(logit).reshape(pf.GRID, pf.GRID), atol=2e-5)
        hidden, _ = np_forward(small, spec, ws, bs)
        for layer, h in zip(f.units, hidden, strict=True):
            assert np.allclose(layer[k], h.T.reshape(-1, pf.UNIT_GRID, pf.UNIT_GRID),
                               atol=2e-5)


def test_frames_shapes_dtypes_and_schedule(relu_run):
    _, run = relu_run
    f = run.frames
    assert np.array_equal(f.epoch, pf.schedule(30)) and f.epoch[0] == 0 and f.epoch[-1] == 30
    n = len(f.epoch)
    assert f.prob.shape == (n, pf.GRID, pf.GRID) and f.prob.dtype == np.float32
    assert [u.shape for u in f.units] == [(n, 5, 10, 10), (n, 3, 10, 10)]
    assert [w.shape for w in f.weights] == [(n, 5, 4), (n, 3, 5), (n, 1, 3)]
    assert [b.shape for b in f.biases] == [(n, 5), (n, 3), (n, 1)]
    assert f.feature_maps.shape == (4, 10, 10)
    assert run.n_params == 5 * 4 + 5 + 3 * 5 + 3 + 3 + 1
    assert not np.array_equal(f.weights[0][0], f.weights[0][-1])  # it trained
    assert np.array_equal(pf.schedule(100), np.arange(0, 101, 5))
    assert np.array_equal(pf.schedule(3), [0, 1, 2, 3])


def test_loss_curve_and_accuracies_match_the_last_snapshot(relu_run):
    """The recorded losses are the eval-mode BCE of the final weights; the accuracies equal
    a hand count of P > 0.5 on each set."""
    d, run = relu_run
    ws, bs = [w[-1] for w in run.frames.weights], [b[-1] for b in run.frames.biases]
    for x, y, loss, acc in ((d.x_train, d.y_train, run.train_loss, run.train_acc),
                            (d.x_val, d.y_val, run.val_loss, run.val_acc),
                            (d.x_test, d.y_test, run.test_loss, run.test_acc)):
        _, logit = np_forward(x, run.spec, ws, bs)
        assert loss[-1] == pytest.approx(np_bce(logit, y), abs=1e-5)
        p = sigmoid(logit)
        correct = sum(int((pi > 0.5) == yi) for pi, yi in zip(p, y, strict=True))
        assert acc == float(np.float32(correct / len(y)))
    assert run.epoch.tolist() == list(range(31)) and run.train_loss.dtype == np.float64


def test_accuracy_is_a_hand_count_of_a_known_linear_model():
    """w = (1, 0), b = 0 predicts class 1 exactly where x1 > 0: 7 of these 10 are right."""
    x = np.array([[1, 0], [2, 1], [3, 1], [-1, 0], [-2, 2], [-3, 1], [0.5, 1], [4, 0],
                  [-4, 1], [-1, -1]], dtype=np.float64)
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 1, 0])  # rows 6, 7 and 8 are wrong
    d = pdata.PlaygroundData("xor", x, y, x[:4], y[:4], x[4:], y[4:], 0)
    spec = NetSpec(hidden=())
    model = net.build(spec)
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, 0.0]]))
        model[0].bias.zero_()
    train, val, test = pg.accuracies(model, pg._sets(d, spec.features))
    assert (train, val, test) == (float(np.float32(0.7)), 1.0, float(np.float32(3 / 6)))


def test_one_l1_step_matches_a_hand_proximal_step():
    """SGD then w ← sign(w)·max(|w| − lr·rate, 0) on weights only, re-implemented here."""
    spec = NetSpec(hidden=(6, 4), features=ALL, lr=0.1, regularization="l1", reg_rate=1.0)
    d = pdata.make(dataset="circle", seed=2)
    with rng.seeded(7):
        model = net.build(spec)
    opt = net.make_optimizer(model, spec)
    x = net.feature_columns(torch.tensor(d.x_train[:10], dtype=torch.float32), ALL)
    y = torch.tensor(d.y_train[:10], dtype=torch.float32)
    before = [p.detach().double().numpy().copy() for p in model.parameters()]
    copy = net.build(spec)
    copy.load_state_dict(model.state_dict())
    torch.nn.functional.binary_cross_entropy_with_logits(copy(x).squeeze(1), y).backward()
    grads = [p.grad.double().numpy() for p in copy.parameters()]
    net.step(model, opt, spec, x, y)
    after = [p.detach().double().numpy() for p in model.parameters()]
    t = spec.lr * spec.reg_rate
    zeros = 0
    for i, (w0, g, w1) in enumerate(zip(before, grads, after, strict=True)):
        moved = w0 - spec.lr * g
        if i % 2:  # a bias: plain SGD, no shrinkage
            assert np.allclose(w1, moved, atol=1e-6)
            continue
        want = np.sign(moved) * np.maximum(np.abs(moved) - t, 0)
        assert np.allclose(w1, want, atol=1e-6)
        assert np.array_equal(w1 == 0, np.abs(moved) <= t)  # exactly 0 where the oracle says
        zeros += int((w1 == 0).sum())
    assert zeros > 10


def test_soft_threshold_is_bitwise_the_formula():
    w = torch.tensor([-0.3, -0.1, -0.05, 0.0, 0.05, 0.1, 0.1000001, 0.7])
    got = w.clone()
    net.soft_threshold_([got], 0.1)
    want = torch.sign(w) * torch.clamp(w.abs() - 0.1, min=0)
    assert torch.equal(got, want) and int((got == 0).sum()) == 5


def test_l2_is_weight_decay_on_the_weights_only():
    spec = NetSpec(hidden=(3,), lr=0.1, regularization="l2", reg_rate=0.3)
    with rng.seeded(0):
        model = net.build(spec)
    opt = net.make_optimizer(model, spec)
    decays = {id(p): g["weight_decay"] for g in opt.param_groups for p in g["params"]}
    assert [decays[id(m.weight)] for m in model if isinstance(m, torch.nn.Linear)] == [0.3] * 2
    assert [decays[id(m.bias)] for m in model if isinstance(m, torch.nn.Linear)] == [0.0] * 2
    x, y = torch.tensor([[1.0, -2.0], [0.5, 0.5]]), torch.tensor([1.0, 0.0])
    w0 = model[0].weight.detach().clone()
    copy = net.build(spec)
    copy.load_state_dict(model.state_dict())
    torch.nn.functional.binary_cross_entropy_with_logits(copy(x).squeeze(1), y).backward()
    net.step(model, opt, spec, x, y)
    assert torch.allclose(model[0].weight, w0 - 0.1 * (copy[0].weight.grad + 0.3 * w0),
                          atol=1e-7)


def test_l1_training_leaves_exact_zeros_and_l2_none():
    d = pdata.make(dataset="circle", noise=0.2, seed=0)
    l1 = pg.train(d, NetSpec(hidden=(8,), features=ALL, regularization="l1", reg_rate=0.03))
    l2 = pg.train(d, NetSpec(hidden=(8,), features=ALL, regularization="l2", reg_rate=0.03))
    w1, w2 = presets.final_weights(l1), presets.final_weights(l2)
    assert (w1 == 0).sum() >= 16 and (w2 == 0).sum() == 0
    assert (np.concatenate([b[-1] for b in l1.frames.biases]) != 0).all()


def test_same_seed_is_bit_identical_and_another_seed_differs(relu_run):
    d, run = relu_run
    again = pg.train(d, run.spec, seed=3)
    _assert_identical(run, again)
    other = pg.train(d, run.spec, seed=4)
    assert not np.array_equal(run.train_loss, other.train_loss)
    assert not np.array_equal(run.frames.prob, other.frames.prob)


def _assert_identical(a: pg.PlaygroundRun, b: pg.PlaygroundRun) -> None:
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if field.name == "frames":
            for ff in dataclasses.fields(x):
                fx, fy = getattr(x, ff.name), getattr(y, ff.name)
                pairs = zip(fx, fy, strict=True) if isinstance(fx, tuple) else [(fx, fy)]
                assert all(np.array_equal(p, q) for p, q in pairs), ff.name
        elif isinstance(x, np.ndarray):
            assert np.array_equal(x, y), field.name
        else:
            assert x == y, field.name


def test_training_leaves_the_global_generator_alone():
    torch.manual_seed(11)
    before = torch.random.get_rng_state()
    pg.train(pdata.make(), NetSpec(dropout=0.3, epochs=3))
    assert torch.equal(torch.random.get_rng_state(), before)


def test_divergence_stops_recording_and_no_nan_reaches_the_result():
    d = pdata.make()
    spec = NetSpec(hidden=(8, 8), features=ALL, activation="linear", optimizer="momentum",
                   lr=0.1, epochs=30)
    run = pg.train(d, spec)
    assert run.diverged_at == 2 and run.epoch.tolist() == [0, 1]
    assert run.frames.epoch.tolist() == [0, 1]  # epoch 1 was not scheduled: the last finite
    arrays = [run.train_loss, run.val_loss, run.test_loss, run.frames.prob,
              *run.frames.units, *run.frames.weights, *run.frames.biases]
    assert all(np.isfinite(a).all() for a in arrays)
    assert all(np.isfinite(v) for v in (run.train_acc, run.val_acc, run.test_acc))
    one = pg.train(d, dataclasses.replace(spec, epochs=1))
    assert np.array_equal(one.frames.weights[0][-1], run.frames.weights[0][-1])
    assert one.test_acc == run.test_acc and np.array_equal(one.train_loss, run.train_loss)
    first = pg.train(d, dataclasses.replace(spec, lr=1.0))
    assert first.diverged_at == 1 and first.epoch.tolist() == [0]
    assert np.isfinite(first.frames.prob).all()


def test_overfit_one_batch_reaches_zero_with_adam_and_stops_at_the_cap_with_slow_sgd():
    d = pdata.make(seed=2)
    fast = pg.overfit_one_batch(d, NetSpec(optimizer="adam", lr=0.03, dropout=0.5,
                                           regularization="l2", reg_rate=1.0), seed=2)
    assert fast.reached_at is not None and fast.loss[-1] < pg.OVERFIT_TOL
    assert len(fast.loss) == fast.reached_at + 1 and (fast.loss[:-1] >= pg.OVERFIT_TOL).all()
    assert np.array_equal(fast.x, d.x_train[:10]) and np.array_equal(fast.y, d.y_train[:10])
    with rng.seeded(2):
        init = net.build(NetSpec())
    ws = [m.weight.detach().numpy() for m in init if isinstance(m, torch.nn.Linear)]
    bs = [m.bias.detach().double().numpy() for m in init if isinstance(m, torch.nn.Linear)]
    _, logit = np_forward(fast.x, NetSpec(), ws, bs)
    assert fast.loss[0] == pytest.approx(np_bce(logit, fast.y), abs=1e-6)  # train's init
    slow = pg.overfit_one_batch(d, NetSpec(lr=1e-5), seed=2, max_steps=50)
    assert slow.reached_at is None and len(slow.loss) == 51


def test_compare_trains_both_on_the_same_data_and_seed():
    d = pdata.make(dataset="xor", seed=1)
    plain, crossed = NetSpec(hidden=(), epochs=10), NetSpec(hidden=(), epochs=10,
                                                             features=("x1", "x2", "x1x2"))
    a, b = pg.compare(d, plain, crossed, seed=5)
    _assert_identical(a, pg.train(d, plain, seed=5))
    _assert_identical(b, pg.train(d, crossed, seed=5))
    assert b.test_acc > a.test_acc + 0.3


def test_max_epochs_keeps_every_run_within_the_step_budget():
    assert net.max_epochs(n_train=200, batch_size=10) == net.MAX_EPOCHS
    assert net.max_epochs(n_train=200, batch_size=1) == net.MAX_STEPS // 200
    assert net.max_epochs(n_train=410, batch_size=8) == net.MAX_STEPS // 52
    with pytest.raises(ValueError, match="epochs must be at most 20 with batch size 1 and "
                                         "200 training points"):
        pg.train(pdata.make(), NetSpec(batch_size=1, epochs=21))


@pytest.mark.parametrize(("change", "message"), [
    ({"features": ()}, "features must be distinct names"),
    ({"features": ("x1", "x1")}, "features must be distinct names"),
    ({"features": ("x3",)}, "features must be distinct names"),
    ({"hidden": (8,) * 7}, "hidden must be at most 6 layers of 1 … 8 units"),
    ({"hidden": (9,)}, "hidden must be"),
    ({"hidden": (0,)}, "hidden must be"),
    ({"hidden": (2.0,)}, "hidden must be"),
    ({"activation": "gelu"}, "activation must be one of relu, tanh, sigmoid, linear"),
    ({"optimizer": "rmsprop"}, "optimizer must be one of sgd, momentum, adam"),
    ({"lr": 0.05}, "lr must be one of 1e-05, 0.0001"),
    ({"lr": True}, "lr must be one of"),
    ({"regularization": "l3"}, "regularization must be one of none, l1, l2"),
    ({"reg_rate": 0.5}, "reg_rate must be one of"),
    ({"dropout": 0.8}, r"dropout must lie in \[0, 0.7\]"),
    ({"dropout": -0.1}, "dropout must lie"),
    ({"dropout": float("nan")}, "dropout must lie"),
    ({"dropout": False}, "dropout must lie"),
    ({"batch_size": 0}, r"batch_size must be an integer in \[1, 30\]"),
    ({"batch_size": 31}, "batch_size must be"),
    ({"batch_size": True}, "batch_size must be"),
    ({"epochs": 0}, r"epochs must be an integer in \[1, 200\]"),
    ({"epochs": 201}, "epochs must be"),
    ({"epochs": 10.0}, "epochs must be"),
])
def test_bad_settings_raise_clear_messages(change, message):
    with pytest.raises(ValueError, match=message):
        pg.train(pdata.make(), dataclasses.replace(NetSpec(), **change))


def test_bad_frame_and_step_counts_raise():
    with pytest.raises(ValueError, match=r"frames must be an integer in \[2, 21\]"):
        pg.train(pdata.make(), NetSpec(epochs=2), n_frames=22)
    with pytest.raises(ValueError, match=r"max_steps must be an integer in \[1, 2000\]"):
        pg.overfit_one_batch(pdata.make(), max_steps=0)


@pytest.mark.parametrize("key", presets.PRESETS)
def test_preset_registry_entries_are_valid(key):
    p = presets.PRESETS[key]
    net.check(p.spec)
    assert p.dataset in pdata.DATASETS and p.expect[0] in presets.EXPECT_KINDS
    assert p.title and p.claim and p.observe


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("key", presets.PRESETS)
def test_each_preset_shows_its_lesson(key, seed):
    result = presets.outcome(key, seed=seed)
    assert result.ok, f"{key} seed {seed}: measured {result.value}"
    if presets.PRESETS[key].expect[0] in ("zeros_at_least", "norm_below"):
        assert result.baseline is not None and result.baseline.spec.regularization == "none"
