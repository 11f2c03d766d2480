"""Overfitting figures: the plotted arrays are the result's arrays; lecture mode; payload size."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dlviz import overfitting as of
from dlviz import overfitting_plots as plots
from dlviz import style


@pytest.fixture(scope="module")
def result() -> of.TrainResult:
    return of.train(n_train=40, width=16, depth=2, epochs=40, seed=1)


@pytest.fixture(scope="module")
def diagnosis(result) -> of.Diagnosis:
    return of.diagnose(train_loss=result.train_loss, val_loss=result.val_loss,
                       train_acc=result.train_acc, val_acc=result.val_acc)


def _by_name(fig, name: str, axis: str) -> list:
    return [t for t in fig.data if t.name == name and (t.xaxis or "x") == axis]


def test_curves_figure_plots_the_curves(result, diagnosis):
    fig = plots.curves_figure(result, diagnosis)
    for axis, (train, val) in (("x", (result.train_loss, result.val_loss)),
                               ("x2", (result.train_acc, result.val_acc))):
        (t,) = _by_name(fig, "training", axis)
        (v,) = _by_name(fig, "validation", axis)
        np.testing.assert_array_equal(t.x, result.epoch)
        np.testing.assert_allclose(t.y, train, atol=1e-5)
        np.testing.assert_allclose(v.y, val, atol=1e-5)
    best = [t for t in fig.data if t.legendgroup == "best"]
    assert len(best) == 2, "best epoch marked in both panels"
    assert all(list(t.x) == [diagnosis.best_epoch] * 2 for t in best)
    assert str(diagnosis.best_epoch) in best[0].name


def test_boundary_figure_plots_grid_and_points(result):
    fig = plots.boundary_figure(result)
    heat = fig.data[0]
    np.testing.assert_array_equal(heat.x, result.grid_x)
    np.testing.assert_array_equal(heat.y, result.grid_y)
    np.testing.assert_allclose(np.asarray(heat.z), result.prob, atol=5e-4)
    assert fig.data[1].contours.start == 0.5 == fig.data[1].contours.end  # the boundary line
    for cls in (0, 1):
        for label, x, y in (("train", result.x_train, result.y_train),
                            ("val", result.x_val, result.y_val)):
            (trace,) = [t for t in fig.data if t.name == f"class {cls} · {label}"]
            pts = x[y == cls]
            np.testing.assert_allclose(trace.x, pts[:, 0], atol=1e-4)
            np.testing.assert_allclose(trace.y, pts[:, 1], atol=1e-4)
    n_points = sum(len(t.x) for t in fig.data if t.type == "scatter")
    assert n_points == len(result.x_train) + len(result.x_val)


def test_dropout_figure_rows():
    demo = of.dropout_demo(seed=15)
    fig = plots.dropout_figure(demo)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (1 + 2 * of.DROPOUT_CALLS, 4)
    np.testing.assert_allclose(z[0], demo.hidden, atol=1e-4)
    np.testing.assert_allclose(z[1:1 + of.DROPOUT_CALLS], demo.train_out, atol=1e-4)
    np.testing.assert_allclose(z[1 + of.DROPOUT_CALLS:], demo.eval_out, atol=1e-4)
    assert list(fig.data[0].y)[1].startswith("train mode") and list(fig.data[0].y)[-1].startswith(
        "eval mode")


def test_lecture_mode_is_bigger_and_payload_small(result, diagnosis):
    for build in (lambda lec: plots.curves_figure(result, diagnosis, lecture=lec),
                  lambda lec: plots.boundary_figure(result, lecture=lec),
                  lambda lec: plots.dropout_figure(of.dropout_demo(seed=15), lecture=lec)):
        normal, lecture = build(False), build(True)
        assert lecture.layout.font.size == style.LECTURE.font > normal.layout.font.size
        payload = lecture.to_json()
        assert len(payload) < 1_000_000
        assert "NaN" not in payload and "Infinity" not in payload
    big = of.train(n_train=300, width=8, depth=1, epochs=10)
    assert len(plots.boundary_figure(big).to_json()) < 300_000


def test_figures_are_valid_json(result, diagnosis):
    for fig in (plots.curves_figure(result, diagnosis), plots.boundary_figure(result)):
        spec = json.loads(fig.to_json())
        assert spec["data"] and spec["layout"]["height"] > 0
