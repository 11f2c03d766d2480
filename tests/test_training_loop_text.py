"""The charts' text alternatives and data tables state the results' own numbers."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz import training_loop as tl
from dlviz import training_loop_plots as plots
from dlviz import training_loop_text as text


@pytest.fixture(scope="module")
def run():
    return tl.train(batch_size=16, lr=0.05, epochs=4, seed=1)


@pytest.fixture(scope="module")
def diverging():
    return tl.train(batch_size=8, lr=0.05, epochs=6, seed=0, zero_grad=False)


def test_state_summary_and_data(run):
    snap = tl.snapshot(run, epoch=2, batch=3, stage="backward")
    summary = text.state_summary(snap)
    assert summary.startswith("After loss.backward() at epoch 2, batch 3: the 13 parameters")
    assert f"range from {snap.params.min():.3g} to {snap.params.max():.3g}" in summary
    assert f"from {snap.grad.min():.3g} to {snap.grad.max():.3g}" in summary
    assert f"‖.grad‖ = {np.linalg.norm(snap.grad):.3g}" in summary
    data = text.state_data(snap)
    assert data["parameter"] == list(plots.PARAM_LABELS)
    np.testing.assert_array_equal(data["value"], run.params_before[snap.step])
    np.testing.assert_array_equal(data[".grad"], run.grads[snap.step])
    cleared = tl.snapshot(run, epoch=2, batch=3, stage="zero_grad")
    assert "every .grad is None" in text.state_summary(cleared)
    assert text.state_data(cleared)[".grad"] == [None] * 13


@pytest.mark.parametrize("drawn", [1, 3, 4])
def test_loss_summary_and_data_follow_the_frame(run, drawn):
    snap = tl.snapshot(run, epoch=3, batch=2, stage="loss")
    summary = text.loss_summary(run, step=snap.step, drawn=drawn)
    assert f"over {drawn} of 4 epochs: {run.epoch_loss[0]:.3g} in epoch 1, " \
           f"{run.epoch_loss[drawn - 1]:.3g} in epoch {drawn}" in summary
    assert f"epoch 3, batch 2 (batch loss {run.loss[snap.step]:.3g})" in summary
    data = text.loss_data(run, drawn=drawn)
    assert data["epoch"] == list(range(1, drawn + 1))
    np.testing.assert_array_equal(data["epoch loss (mean of its batches)"],
                                  run.epoch_loss[:drawn])
    batches = run.loss[:drawn * 4].reshape(drawn, 4)
    np.testing.assert_array_equal(data["lowest batch loss"], batches.min(axis=1))
    np.testing.assert_array_equal(data["highest batch loss"], batches.max(axis=1))
    np.testing.assert_allclose(np.mean(batches, axis=1), run.epoch_loss[:drawn])


def test_loss_summary_of_frame_zero_and_of_a_diverged_run(run, diverging):
    assert text.loss_summary(run, step=0, drawn=0).startswith("No epoch drawn yet of 4")
    assert text.loss_data(run, drawn=0)["epoch"] == []
    epoch, batch = divmod(diverging.diverged_at, diverging.steps_per_epoch)
    summary = text.loss_summary(diverging, step=0, drawn=6)
    n = len(diverging.epoch_loss)
    assert f"over {n} of {n} epochs (then it diverged at epoch {epoch + 1}, batch " \
           f"{batch + 1})" in summary


def test_accumulation_summary_and_data():
    acc = tl.accumulate(k=4, batch_size=8, seed=2)
    summary = text.accumulation_summary(acc)
    assert "After 4 backward passes" in summary
    assert f"(‖.grad‖ = {np.linalg.norm(acc.summed[-1]):.3g})" in summary
    assert f"to within {acc.max_diff:.2g}" in summary
    assert f"batch 4's own gradient has ‖.grad‖ = {np.linalg.norm(acc.single[-1]):.3g}" in summary
    data = text.accumulation_data(acc)
    np.testing.assert_array_equal(data["batch 4 alone"], acc.single[-1])
    np.testing.assert_array_equal(data[".grad after 4 batches"], acc.accumulated[-1])
    np.testing.assert_array_equal(data["sum of the 4 gradients"], acc.single.sum(axis=0))


def test_zero_grad_summary_and_data(diverging):
    with_zero = tl.train(batch_size=8, lr=0.05, epochs=6, seed=0)
    summary = text.zero_grad_summary(with_zero, diverging)
    assert f"ends at {with_zero.loss[-1]:.3g}, ‖.grad‖ at most " \
           f"{np.linalg.norm(with_zero.grads, axis=1).max():.3g}" in summary
    assert "without it, it starts at batch loss" in summary and "diverges at epoch" in summary
    data = text.zero_grad_data(with_zero, diverging)
    assert len(data["step"]) == with_zero.steps > diverging.steps
    np.testing.assert_array_equal(data["loss with zero_grad"], with_zero.loss)
    np.testing.assert_array_equal(data["loss without"][:diverging.steps], diverging.loss)
    assert data["loss without"][diverging.steps:] == [None] * (with_zero.steps - diverging.steps)
    np.testing.assert_allclose(data["‖.grad‖ without"][:diverging.steps],
                               np.linalg.norm(diverging.grads, axis=1))
    np.testing.assert_allclose(data["epoch"], (np.arange(with_zero.steps) + 1) / 8)
