"""Oracles for dlviz.losses: closed forms in numpy float64, independent of torch."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlviz import losses, losses_plots, losses_script, losses_text
from dlviz.reproduce import close, format_prints, parse_prints
from tests.figures import array

COURSE = np.array([0.1, 6.0, -2.0, 3.2])


def np_softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def np_cross_entropy(s: np.ndarray, c: int) -> float:
    m = s.max()
    return float(m + math.log(np.exp(s - m).sum()) - s[c])


scores_st = st.lists(st.floats(-50, 50, allow_nan=False), min_size=2, max_size=10)


# --- the contract ---

def test_course_cross_entropy_is_8_0619():
    # logsumexp([0.1, 6, -2, 3.2]) − (−2), by hand in float64
    expected = math.log(sum(math.exp(v) for v in COURSE)) + 2.0
    assert losses.cross_entropy(COURSE, 2) == pytest.approx(expected, rel=1e-12)
    assert losses.cross_entropy(COURSE, 2) == pytest.approx(8.0619272742, abs=1e-9)


def test_cross_entropy_equals_torch_module():
    criterion = torch.nn.CrossEntropyLoss()
    got = criterion(torch.tensor([COURSE.tolist()]), torch.tensor([2])).item()  # float32
    assert losses.cross_entropy(COURSE, 2) == pytest.approx(got, rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(scores_st, st.data())
def test_cross_entropy_matches_closed_form(scores, data):
    s = np.array(scores)
    c = data.draw(st.integers(0, len(s) - 1))
    assert losses.cross_entropy(s, c) == pytest.approx(np_cross_entropy(s, c), rel=1e-10,
                                                       abs=1e-10)


def test_cross_entropy_batch_is_the_mean():
    s = np.array([[0.1, 6.0, -2.0, 3.2], [1.0, 0.0, 0.0, 0.0]])
    expected = (np_cross_entropy(s[0], 2) + np_cross_entropy(s[1], 0)) / 2
    assert losses.cross_entropy(s, [2, 0]) == pytest.approx(expected, rel=1e-12)


def test_softmax_is_stable_for_large_scores():
    p = losses.softmax([1000.0, 1001.0, 999.0])
    assert np.isfinite(p).all()
    e = np.exp([-1.0, 0.0, -2.0])
    np.testing.assert_allclose(p, e / e.sum(), rtol=1e-12)
    np.testing.assert_allclose(losses.softmax([-1000.0, 0.0]), [0.0, 1.0], atol=1e-300)


@settings(max_examples=60, deadline=None)
@given(scores_st)
def test_softmax_matches_numpy(scores):
    s = np.array(scores)
    p = losses.softmax(s)
    assert p.shape == s.shape
    np.testing.assert_allclose(p, np_softmax(s), rtol=1e-12, atol=1e-300)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)


def test_softmax_2d_is_per_row():
    s = np.array([[1.0, 2.0], [5.0, 0.0]])
    np.testing.assert_allclose(losses.softmax(s), np_softmax(s), rtol=1e-12)


def test_mse_course_example_is_81():
    assert losses.mse(10, 1) == 81.0
    assert isinstance(losses.mse(10.0, 1.0), float)


def test_mse_sequences_and_broadcast_target():
    assert losses.mse([1.0, 2.0, 3.0], [1.0, 4.0, 0.0]) == pytest.approx((0 + 4 + 9) / 3)
    assert losses.mse([2.0, 4.0], 3.0) == pytest.approx(1.0)


# --- the page's computations ---

def test_walk_reproduces_the_course_pipeline():
    w = losses.cross_entropy_walk(scores=COURSE, label=2)
    np.testing.assert_allclose(w.probabilities, np_softmax(COURSE), rtol=1e-12)
    np.testing.assert_array_equal(w.one_hot, [0, 0, 1, 0])
    np.testing.assert_allclose(w.log_probabilities, np.log(np_softmax(COURSE)), rtol=1e-12)
    assert w.loss == pytest.approx(np_cross_entropy(COURSE, 2), rel=1e-12)
    assert w.loss_one_hot == pytest.approx(w.loss, rel=1e-12)  # one-hot target: same number
    assert w.p_true == pytest.approx(np_softmax(COURSE)[2], rel=1e-12)
    assert w.loss == pytest.approx(-math.log(w.p_true), rel=1e-12)


def test_walk_rejects_a_label_outside_the_classes():
    with pytest.raises(ValueError):
        losses.cross_entropy_walk(scores=COURSE, label=4)


@pytest.mark.parametrize("classes", [2, 4, 10])
def test_ce_curve_is_minus_log_p(classes):
    c = losses.ce_curve(classes=classes)
    p = c.p_true
    assert p[0] == pytest.approx(losses.P_FLOOR) and p[-1] == pytest.approx(1.0)
    np.testing.assert_allclose(c.cross_entropy, -np.log(p), rtol=1e-9, atol=1e-12)
    rest = (1 - p) / (classes - 1)
    np.testing.assert_allclose(c.squared_error, (1 - p) ** 2 + (classes - 1) * rest ** 2,
                               rtol=1e-9, atol=1e-12)
    assert np.isfinite(c.cross_entropy).all() and c.squared_error.max() <= 2


def test_mse_curve_is_the_parabola():
    c = losses.mse_curve(pred=10.0, target=1.0)
    np.testing.assert_allclose(c.loss, (c.prediction - 1.0) ** 2, rtol=1e-12, atol=1e-12)
    assert c.pred_loss == 81.0
    assert c.prediction.min() < 1.0 < 10.0 < c.prediction.max()


# --- figures: the plotted arrays are the result's ---

def _json(fig) -> dict:
    import json

    return json.loads(fig.to_json())


def test_walk_figure_plots_scores_probabilities_one_hot():
    w = losses.cross_entropy_walk(scores=COURSE, label=2)
    bars = _json(losses_plots.walk_figure(w))["data"]
    np.testing.assert_allclose(array(bars[0]["y"]), w.scores)
    np.testing.assert_allclose(array(bars[1]["y"]), w.probabilities)
    np.testing.assert_array_equal(array(bars[2]["y"]), w.one_hot)
    colours = bars[1]["marker"]["color"]
    assert colours[2] == losses_plots.TRUE and colours.count(losses_plots.TRUE) == 1


def test_curves_figure_marks_the_point():
    c = losses.ce_curve(classes=4)
    fig = _json(losses_plots.curves_figure(c, 0.25, -math.log(0.25)))
    np.testing.assert_allclose(array(fig["data"][0]["y"]), c.cross_entropy)
    np.testing.assert_allclose(array(fig["data"][1]["y"]), c.squared_error)
    assert array(fig["data"][2]["y"])[0] == pytest.approx(math.log(4))


def test_mse_figure_plots_the_curve_and_81():
    c = losses.mse_curve(pred=10.0, target=1.0)
    fig = _json(losses_plots.mse_figure(c))
    np.testing.assert_allclose(array(fig["data"][0]["y"]), c.loss)
    assert array(fig["data"][1]["y"])[0] == 81.0
    assert "= 81" in fig["data"][1]["text"][0]


# --- the reproduce script at non-default settings ---

def test_script_prints_the_same_numbers(tmp_path):
    w = losses.cross_entropy_walk(scores=[3.0, -1.5, 0.0, 2.5, 7.0], label=4)
    m = losses.mse_curve(pred=-3.0, target=2.5)
    path = tmp_path / "s.py"
    path.write_text(losses_script.script(walk=w, mse=m))
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    got = parse_prints(run.stdout)
    expected = parse_prints(format_prints(losses_script.prints(walk=w, mse=m)))
    assert list(got) == list(expected)
    for label, values in expected.items():
        assert all(close(a, b) for a, b in zip(got[label], values, strict=True)), label
    assert got["mse"] == [30.25]


# --- the charts' text alternatives carry the result's numbers ---

def test_summaries_hold_the_numbers():
    w = losses.cross_entropy_walk(scores=COURSE, label=2)
    assert losses_text.walk_summary(w).endswith(
        f"picks class 2, with p = {w.p_true:.4g}, so the loss is −log p = 8.0619.")
    data = losses_plots.walk_data(w)
    np.testing.assert_allclose(data["softmax probability"], w.probabilities)
    np.testing.assert_allclose(data["−log probability"][2], w.loss, rtol=1e-12)
    c = losses.ce_curve(classes=4)
    summary = losses_text.curves_summary(c, 0.25, math.log(4))
    assert f"falls from {-math.log(losses.P_FLOOR):.2f} at p = 0.0001" in summary
    assert f"never exceeds {c.squared_error.max():.2f}" in summary
    assert "p = 0.25 and CE = 1.3863." in summary
    m = losses.mse_curve(pred=10.0, target=1.0)
    assert losses_text.mse_summary(m) == (
        "MSELoss is the parabola (prediction − 1)², zero at the target 1; the prediction 10 "
        "costs 81.")


def test_which_has_no_table():  # a 4-column table scrolled the page sideways on a phone
    assert "|" not in losses_text.WHICH
    assert "`nn.CrossEntropyLoss()`" in losses_text.WHICH and "`nn.MSELoss()`" in losses_text.WHICH


def test_lecture_bar_labels_are_short():  # large digits overlapped their neighbours at 390 px
    w = losses.cross_entropy_walk(scores=COURSE, label=2)
    bars = _json(losses_plots.walk_figure(w, lecture=True))["data"]
    assert bars[1]["text"] == ["3e-3", "0.94", "3e-4", "0.06"]
    np.testing.assert_allclose(array(bars[1]["y"]), w.probabilities)  # the bars stay exact
