"""The Overfitting page's chart summaries: their numbers are the results' numbers."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz import overfitting as of
from dlviz import overfitting_text as text


@pytest.fixture(scope="module")
def result() -> of.TrainResult:
    return of.train(n_train=40, width=16, depth=2, epochs=40, seed=1)


def test_curves_summary_and_data(result):
    d = of.diagnose(train_loss=result.train_loss, val_loss=result.val_loss,
                    train_acc=result.train_acc, val_acc=result.val_acc)
    summary = text.curves_summary(result, d)
    assert summary.startswith(f"After 40 epochs the training loss is {result.train_loss[-1]:.3g}"
                              f" and the validation loss {result.val_loss[-1]:.3g}")
    assert (f"(lowest {result.val_loss.min():.3g}, at epoch "
            f"{int(np.argmin(result.val_loss)) + 1})") in summary
    assert f"{result.train_acc[-1]:.1%} on training, {result.val_acc[-1]:.1%}" in summary
    assert summary.endswith(f": {d.verdict}.")
    data = text.curves_data(result)
    np.testing.assert_array_equal(data["epoch"], result.epoch)
    np.testing.assert_array_equal(data["validation loss"], result.val_loss)
    np.testing.assert_array_equal(data["training accuracy"], result.train_acc)


def test_boundary_summary_counts_the_misplaced_points(result):
    summary = text.boundary_summary(result)
    wrong_train = round((1 - result.train_acc[-1]) * 40)
    wrong_val = round((1 - result.val_acc[-1]) * of.N_VAL)
    assert f"40 training points (filled) and {of.N_VAL} validation points" in summary
    assert f"{wrong_train} training and {wrong_val} validation points lie on the wrong" in summary
    data = text.boundary_data(result)
    assert data["set"].count("training") == 40 and len(data["x₁"]) == 40 + of.N_VAL
    np.testing.assert_array_equal(data["x₂"][:40], result.x_train[:, 1])
    np.testing.assert_array_equal(data["class"][40:], result.y_val)


def test_dropout_summary_counts_the_zeroed_units():
    demo = of.dropout_demo(seed=15)
    summary = text.dropout_summary(demo)
    zeroed = [int((row == 0).sum()) for row in demo.train_out]  # seed 15: every input > 0
    assert (demo.hidden > 0).all()
    assert f"train-mode calls zero {', '.join(map(str, zeroed))} of its 4 units" in summary
    assert summary.endswith("calls return the input unchanged.")
    data = text.dropout_data(demo)
    assert data["call"][0] == "dropout's input" and len(data["call"]) == 1 + 2 * of.DROPOUT_CALLS
    np.testing.assert_array_equal(data["unit 2"][1:1 + of.DROPOUT_CALLS], demo.train_out[:, 1])
