"""The search figures plot exactly the result's arrays, mark each method's best, stay finite."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from dlviz import hparam_search as hs
from dlviz import hparam_search_plots as plots
from dlviz import style
from tests.figures import all_finite, array

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def result() -> hs.SearchResult:
    return hs.search(trials=9, epochs=5, seed=11)


def _json(fig) -> dict:
    return json.loads(fig.to_json())


def _with_diverged(result: hs.SearchResult) -> hs.SearchResult:
    loss = result.random.val_loss.copy()
    loss[2] = np.inf
    random = hs._trials("random", result.random.lr, result.random.momentum, loss)
    return hs.SearchResult(grid=result.grid, random=random, trials=result.trials,
                           epochs=result.epochs, seed=result.seed)


def _points(fig: dict, name: str) -> list[dict]:
    return [t for t in fig["data"] if t.get("name") == name]


def test_plane_plots_every_trial_coloured_by_its_loss(result):
    fig = _json(plots.plane_figure(result))
    for t, trace in zip((result.grid, result.random),
                        (_points(fig, "Grid search")[0], _points(fig, "Random search")[0]),
                        strict=True):
        np.testing.assert_array_equal(array(trace["x"]), t.lr)
        np.testing.assert_array_equal(array(trace["y"]), t.momentum)
        np.testing.assert_array_equal(array(trace["marker"]["color"]), t.val_loss)
    axis = fig["layout"]["coloraxis"]
    losses = np.concatenate([result.grid.val_loss, result.random.val_loss])
    assert (axis["cmin"], axis["cmax"]) == (losses.min(), losses.max())  # one shared scale
    assert fig["layout"]["xaxis"]["type"] == fig["layout"]["xaxis2"]["type"] == "log"


def test_plane_stars_each_methods_best(result):
    fig = _json(plots.plane_figure(result))
    stars = _points(fig, "best of each method")
    assert len(stars) == 2
    for star, t in zip(stars, (result.grid, result.random), strict=True):
        assert star["marker"]["symbol"] == "star-open"
        assert star["marker"]["color"] == style.color(4)  # black: apart from both methods
        assert array(star["x"])[0] == t.lr[np.argmin(t.val_loss)]
        assert array(star["y"])[0] == t.momentum[np.argmin(t.val_loss)]


def test_projections_show_each_axis_and_the_distinct_counts(result):
    fig = _json(plots.projections_figure(result))
    grid = [t for t in fig["data"] if t.get("legendgroup") == "grid"]
    random = [t for t in fig["data"] if t.get("legendgroup") == "random"]
    assert grid[0]["name"] == "Grid search: 3 lr values, 3 momentum values"
    assert random[0]["name"] == "Random search: 9 lr values, 9 momentum values"
    for traces, t in ((grid, result.grid), (random, result.random)):
        np.testing.assert_array_equal(array(traces[0]["x"]), t.lr)
        np.testing.assert_array_equal(array(traces[1]["x"]), t.momentum)
        for trace in traces:
            np.testing.assert_array_equal(array(trace["y"]), t.val_loss)
    assert len(np.unique(array(grid[0]["x"]))) == 3
    assert len(np.unique(array(random[0]["x"]))) == 9


def test_a_diverged_trial_never_puts_inf_into_a_figure(result):
    bad = _with_diverged(result)
    for fig in (plots.plane_figure(bad), plots.projections_figure(bad)):
        data = _json(fig)["data"]
        assert all_finite(data)
    plane = _json(plots.plane_figure(bad))
    assert len(array(_points(plane, "Random search")[0]["x"])) == 8
    np.testing.assert_array_equal(array(_points(plane, "diverged")[0]["x"]), [bad.random.lr[2]])


@pytest.mark.parametrize("builder", [plots.plane_figure, plots.projections_figure])
def test_lecture_mode_is_larger(result, builder):
    normal, lecture = _json(builder(result)), _json(builder(result, lecture=True))
    font = lecture["layout"]["font"]["size"]
    assert font == style.LECTURE.font > normal["layout"]["font"]["size"]
    big = [t["marker"]["size"] for t in lecture["data"] if t.get("name") == "Grid search"
           or t.get("legendgroup") == "grid"]
    assert big and all(s >= style.LECTURE.marker for s in big)
