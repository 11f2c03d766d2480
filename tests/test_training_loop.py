"""Oracle tests of dlviz.training_loop: every recorded number against a closed-form float64
computation of the two-layer linear model, written without autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlviz import training_loop as tl


def unpack(vector):
    """(13,) → W1 (2, 4), b1 (2,), W2 (1, 2), b2 (1,)."""
    v = np.asarray(vector, dtype=np.float64)
    return v[:8].reshape(2, 4), v[8:10], v[10:12].reshape(1, 2), v[12:13]


def oracle(params, x, y):
    """Prediction (B,), MSE and its gradient (13,) by hand: pred = (x W1ᵀ + b1) W2ᵀ + b2."""
    w1, b1, w2, b2 = unpack(params)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1, 1)
    h = x @ w1.T + b1  # (B, 2)
    pred = h @ w2.T + b2  # (B, 1)
    loss = float(np.mean((pred - y) ** 2))
    dpred = 2 * (pred - y) / len(x)  # ∂L/∂pred, (B, 1)
    dh = dpred @ w2  # (B, 2)
    grad = np.concatenate([(dh.T @ x).ravel(), dh.sum(0), (dpred.T @ h).ravel(), dpred.sum(0)])
    return pred[:, 0], loss, grad


@pytest.fixture(scope="module")
def run():
    return tl.train(batch_size=8, shuffle=True, lr=0.05, epochs=3, seed=3)


@pytest.fixture(scope="module")
def forgetful():
    return tl.train(batch_size=8, shuffle=True, lr=0.01, epochs=2, seed=3, zero_grad=False)


def test_data_is_the_documented_linear_relation_and_seeded():
    state = torch.get_rng_state()
    x, y = tl.make_data(seed=5)
    assert torch.equal(torch.get_rng_state(), state), "the global RNG is untouched"
    assert x.shape == (64, 4) and y.shape == (64, 1) and x.dtype == torch.float32
    residual = y[:, 0].double().numpy() - x.double().numpy() @ np.array(tl.TRUE_WEIGHTS)
    assert abs(residual.mean() - tl.TRUE_BIAS) < 0.15  # noise σ = 0.3 over 64 rows
    assert 0.2 < residual.std() < 0.4
    x2, _ = tl.make_data(seed=5)
    x3, _ = tl.make_data(seed=6)
    assert torch.equal(x, x2) and not torch.equal(x, x3)


def test_model_is_the_courses_and_seeded():
    model = tl.make_model(seed=1)
    shapes = [(n, tuple(p.shape)) for n, p in model.named_parameters()]
    assert tuple(shapes) == tl.PARAMS
    assert sum(p.numel() for p in model.parameters()) == tl.N_PARAMS == 13
    state = torch.get_rng_state()
    again, other = tl.make_model(seed=1), tl.make_model(seed=2)
    assert torch.equal(torch.get_rng_state(), state), "the global RNG is untouched"
    np.testing.assert_array_equal(tl.flat(model.parameters()), tl.flat(again.parameters()))
    assert not np.array_equal(tl.flat(model.parameters()), tl.flat(other.parameters()))
    torch.manual_seed(1)  # what the reproduce script does
    script_model = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Linear(2, 1))
    np.testing.assert_array_equal(tl.flat(model.parameters()), tl.flat(script_model.parameters()))


def test_every_step_matches_the_closed_form(run):
    assert run.steps == 3 * 8 and run.steps_per_epoch == 8 and run.diverged_at is None
    for t in range(run.steps):
        pred, loss, grad = oracle(run.params_before[t], run.features[t], run.targets[t])
        np.testing.assert_allclose(run.preds[t], pred, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(run.loss[t], loss, rtol=1e-5)
        np.testing.assert_allclose(run.grads[t], grad, rtol=1e-4, atol=1e-6)
        # SGD: w ← w − lr·∂L/∂w
        np.testing.assert_allclose(run.params_after[t], run.params_before[t] - 0.05 * grad,
                                   rtol=0, atol=1e-6)
    np.testing.assert_array_equal(run.params_before[1:], run.params_after[:-1])
    np.testing.assert_array_equal(run.params_before[0],
                                  tl.flat(tl.make_model(seed=3).parameters()))


def test_epoch_loss_is_the_mean_of_its_batches(run):
    np.testing.assert_allclose(run.epoch_loss, run.loss.reshape(3, 8).mean(1), rtol=1e-12)


def test_each_epoch_visits_every_row_once_in_a_seeded_shuffled_order(run):
    x, y = tl.make_data(seed=3)
    rows = np.sort(x.double().numpy().view("f8,f8,f8,f8").ravel())
    orders = []
    for e in range(3):
        seen = run.features[e * 8:(e + 1) * 8].reshape(64, 4)
        np.testing.assert_array_equal(np.sort(seen.copy().view("f8,f8,f8,f8").ravel()), rows)
        orders.append(seen[:, 0])
    assert not np.array_equal(orders[0], orders[1]), "shuffled anew each epoch"
    again = tl.train(batch_size=8, shuffle=True, lr=0.05, epochs=1, seed=3)
    np.testing.assert_array_equal(again.features[:8], run.features[:8])
    plain = tl.train(batch_size=16, shuffle=False, lr=0.05, epochs=2, seed=3)
    np.testing.assert_array_equal(plain.features[:4].reshape(64, 4), x.double().numpy())
    np.testing.assert_array_equal(plain.targets[4:].ravel(), y[:, 0].double().numpy())


def test_zero_grad_leaves_grad_none_and_the_loop_without_it_keeps_the_old_grad(run, forgetful):
    assert run.grad_none.all(), "zero_grad() sets .grad to None (PyTorch's default)"
    assert forgetful.grad_none[0] and not forgetful.grad_none[1:].any()


def test_without_zero_grad_each_step_uses_the_sum_of_all_gradients_so_far(forgetful):
    total = np.zeros(13)
    for t in range(forgetful.steps):
        _, _, grad = oracle(forgetful.params_before[t], forgetful.features[t],
                            forgetful.targets[t])
        total += grad
        np.testing.assert_allclose(forgetful.grads[t], total, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(forgetful.params_after[t],
                                   forgetful.params_before[t] - 0.01 * total, atol=1e-6)


def test_forgetting_zero_grad_hurts_training():
    with_zero = tl.train(batch_size=8, lr=0.05, epochs=20, seed=0)
    without = tl.train(batch_size=8, lr=0.05, epochs=20, seed=0, zero_grad=False)
    assert with_zero.epoch_loss[-1] < 0.1 < with_zero.epoch_loss[0]
    assert without.diverged_at is not None and without.steps == without.diverged_at
    assert np.isfinite(without.loss).all() and without.loss.max() <= tl.DIVERGED


def test_a_diverging_run_stops_with_finite_arrays_and_completed_epochs():
    trace = tl.train(batch_size=2, lr=0.1, epochs=5, seed=0)
    assert trace.diverged_at is not None and trace.steps == trace.diverged_at
    assert len(trace.epoch_loss) == trace.steps // trace.steps_per_epoch
    for arr in (trace.loss, trace.params_before, trace.params_after, trace.grads, trace.preds):
        assert np.isfinite(arr).all()


def test_snapshot_indexes_the_stages(run):
    t = 8 + 2  # epoch 2, batch 3
    s = {stage: tl.snapshot(run, epoch=2, batch=3, stage=stage) for stage in tl.STAGES}
    assert all(v.step == t and v.epoch == 2 and v.batch == 3 for v in s.values())
    assert s["zero_grad"].grad is None and s["zero_grad"].pred is None
    assert s["forward"].loss is None
    np.testing.assert_array_equal(s["forward"].pred, run.preds[t])
    assert s["loss"].loss == run.loss[t]
    np.testing.assert_array_equal(s["backward"].params, run.params_before[t])
    np.testing.assert_array_equal(s["backward"].grad, run.grads[t])
    np.testing.assert_array_equal(s["step"].params, run.params_after[t])
    assert s["step"].grad_norm == pytest.approx(np.linalg.norm(run.grads[t]))
    late = tl.snapshot(run, epoch=9, batch=8, stage="step")
    assert late.step == run.steps - 1, "clamped to the steps that ran"
    with pytest.raises(ValueError):
        tl.snapshot(run, epoch=1, batch=1, stage="optimize")


def test_snapshot_without_zero_grad_shows_the_stale_grad(forgetful):
    snap = tl.snapshot(forgetful, epoch=1, batch=4, stage="zero_grad")
    np.testing.assert_array_equal(snap.grad, forgetful.grads[2])


def test_unflatten_restores_named_parameters():
    model = tl.make_model(seed=2)
    parts = tl.unflatten(tl.flat(model.parameters()))
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(parts[name], p.detach().double().numpy())


@pytest.mark.parametrize("k, batch_size", [(1, 8), (3, 8), (5, 16), (3, 64)])
def test_accumulated_grad_equals_the_sum_of_single_batch_grads(k, batch_size):
    acc = tl.accumulate(k=k, batch_size=batch_size, shuffle=True, seed=4)
    assert acc.single.shape == acc.accumulated.shape == (k, 13)
    initial = tl.flat(tl.make_model(seed=4).parameters())
    run = tl.train(batch_size=batch_size, shuffle=True, lr=1e-3, epochs=k, seed=4)
    for j in range(k):  # the same batches the DataLoader gives the training loop
        _, _, grad = oracle(initial, run.features[j], run.targets[j])
        np.testing.assert_allclose(acc.single[j], grad, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(acc.accumulated, np.cumsum(acc.single, 0), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(acc.summed, np.cumsum(acc.single, 0))
    assert acc.max_diff < 1e-5
    if k > 1:
        assert not np.allclose(acc.accumulated[-1], acc.single[-1]), "it really accumulates"


def _course_loops(lr: float, steps: int = 30, seed: int = 0):
    """Independent of dlviz.compare_updates: optimizer.step() and two manual updates."""
    x, y = tl.make_data(seed=seed)
    models = [tl.make_model(seed=seed) for _ in range(3)]
    optimizer = torch.optim.SGD(models[0].parameters(), lr=lr)
    g = torch.Generator().manual_seed(9)
    for _ in range(steps):
        idx = torch.randint(0, 64, (8,), generator=g)
        for m in models:
            m.zero_grad()
            torch.nn.functional.mse_loss(m(x[idx]), y[idx]).backward()
        optimizer.step()
        with torch.no_grad():
            for w in models[1].parameters():
                w.add_(w.grad, alpha=-lr)
            for w in models[2].parameters():
                w.copy_(w - lr * w.grad)
    return [tl.flat(m.parameters()) for m in models]


@pytest.mark.parametrize("lr", [0.01, 0.05, 0.1])
def test_manual_update_equals_optimizer_step(lr):
    step, add_, formula = _course_loops(lr)
    np.testing.assert_array_equal(add_, step)  # bit for bit
    np.testing.assert_allclose(formula, step, rtol=0, atol=1e-5)  # up to float32 rounding


def test_formula_is_bit_identical_when_lr_times_grad_is_exact():
    step, _, formula = _course_loops(0.0625)  # a power of two: lr·grad is not rounded
    np.testing.assert_array_equal(formula, step)


def test_compare_updates_reports_zero_difference_on_the_runs_batches():
    cmp = tl.compare_updates(batch_size=8, shuffle=True, lr=0.05, steps=40, seed=3)
    assert cmp.steps == 40 and cmp.forms == tl.MANUAL_FORMS
    assert cmp.max_diff[0] == 0 and cmp.max_diff[1] == 0
    assert 0 <= cmp.max_diff[2] < 1e-5
    run = tl.train(batch_size=8, shuffle=True, lr=0.05, epochs=5, seed=3)
    np.testing.assert_array_equal(cmp.final[0], run.params_after[39])
    np.testing.assert_array_equal(cmp.final[1], run.params_after[39])
    short = tl.compare_updates(batch_size=64, lr=0.05, steps=100, seed=3)
    assert short.steps == 100, "runs as many epochs as the steps need"


def test_compare_updates_stops_where_training_diverges():
    cmp = tl.compare_updates(batch_size=2, lr=0.1, steps=100, seed=0)
    run = tl.train(batch_size=2, lr=0.1, epochs=4, seed=0)
    assert cmp.steps == min(100, run.steps) and np.isfinite(cmp.final).all()


@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(lr=0.0), dict(epochs=0),
                                    dict(epochs=tl.MAX_EPOCHS + 1)])
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        tl.train(**kwargs)
