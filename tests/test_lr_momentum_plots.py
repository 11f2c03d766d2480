"""The page's figures hold exactly the result arrays (and never NaN)."""

import json

import numpy as np
import plotly.io as pio
import pytest

from dlviz import lr_momentum as lm
from dlviz import lr_momentum_map as lmap
from dlviz import lr_momentum_plots as plots
from dlviz import lr_momentum_presets as presets
from dlviz import lr_momentum_theory as theory


@pytest.fixture(scope="module")
def valley():
    p = presets.PRESETS["d2l_valley"]
    comp = lm.compare(p.surface, runs=p.runs, start=p.start)
    the_map = lmap.lr_momentum_map(p.surface, start=p.start, steps=20, lr_decades=(-3, 1))
    return comp, lm.landscape(p.surface), the_map, theory.theory(p.surface)


@pytest.fixture(scope="module")
def course():
    p = presets.PRESETS["course_lr"]
    return lm.compare(p.surface, runs=p.runs, start=p.start), lm.landscape(p.surface)


def _by_name(fig, name):
    return next(t for t in fig.data if t.name == name)


def _no_nan(fig):
    text = pio.to_json(fig, validate=False)
    assert "NaN" not in text and "Infinity" not in text


def test_paths_2d_hold_the_runs_and_the_contour(valley):
    comp, land, _, _ = valley
    fig = plots.paths_figure(comp, land, minima=lm.surface_for("d2l_quadratic").minima)
    for i, r in enumerate(comp.runs):
        tr = _by_name(fig, plots.run_name(i, comp))
        np.testing.assert_allclose(tr.x, r.points[:, 0], atol=1e-6)
        np.testing.assert_allclose(tr.y, r.points[:, 1], atol=1e-6)
    contour = next(t for t in fig.data if t.type == "contour")
    np.testing.assert_allclose(np.array(contour.z, dtype=float), land.shade, atol=1e-4)
    assert _by_name(fig, "global minimum").marker.symbol == "star"
    _no_nan(fig)


def _balls(fig):
    return [t for t in fig.data if t.name.endswith(" now")]


def test_each_frame_moves_each_ball_along_its_run(valley):
    comp, land, _, _ = valley
    base = plots.paths_figure(comp, land)
    steps = plots.frame_steps(comp)
    assert steps == list(range(21))  # 20 steps: one frame a step
    assert not base.frames and not base.layout.sliders and not base.layout.updatemenus
    for frame, k in enumerate(steps):
        fig = plots.frame_figure(base.to_dict(), comp, frame)
        assert not fig.frames and not fig.layout.sliders and not fig.layout.updatemenus
        assert fig.layout.title.text == f"The runs after step {k} of 20"
        balls = _balls(fig)
        assert [b.name for b in balls] == [f"run {i} now" for i in (1, 2, 3)]
        for ball, r in zip(balls, comp.runs, strict=True):
            np.testing.assert_allclose([ball.x[0], ball.y[0]], r.points[k], atol=1e-6)
        # the rest of the figure is the base's, the paths whole
        assert len(fig.data) == len(base.data)
        for i, r in enumerate(comp.runs):
            np.testing.assert_allclose(_by_name(fig, plots.run_name(i, comp)).x,
                                       r.points[:, 0], atol=1e-6)
    # the base figure is the last frame: the whole run, as a fresh page shows it
    for ball, r in zip(_balls(base), comp.runs, strict=True):
        np.testing.assert_allclose([ball.x[0], ball.y[0]], r.points[-1], atol=1e-6)


def test_long_runs_get_at_most_max_frames_ending_at_the_last_step():
    p = presets.PRESETS["rosenbrock"]
    comp = lm.compare(p.surface, runs=p.runs, start=p.start)
    steps = plots.frame_steps(comp)
    assert len(steps) == lm.MAX_FRAMES and steps[0] == 0 and steps[-1] == 1000
    fig = plots.frame_figure(plots.paths_figure(comp, lm.landscape(p.surface)).to_dict(),
                             comp, 30)
    for ball, r in zip(_balls(fig), comp.runs, strict=True):
        np.testing.assert_allclose([ball.x[0], ball.y[0]], r.points[steps[30]], atol=1e-6)


def test_runs_differ_by_dash_and_marker_as_well_as_colour(valley):
    comp, land, the_map, th = valley
    paths, curves = plots.paths_figure(comp, land), plots.curves_figure(comp)
    the_map = plots.map_figure(the_map, comp=comp, theory=th)
    for fig, key in ((paths, lambda t: (t.line.color, t.line.dash, t.marker.symbol)),
                     (curves, lambda t: (t.line.color, t.line.dash))):
        looks = [key(_by_name(fig, plots.run_name(i, comp))) for i in range(len(comp.runs))]
        for part in zip(*looks, strict=True):
            assert len(set(part)) == len(comp.runs), looks
    rings = [_by_name(the_map, f"run {i + 1}").marker.symbol for i in range(len(comp.runs))]
    assert len(set(rings)) == len(rings) and all(r.endswith("-open") for r in rings)
    for fig in (paths, curves, the_map):
        assert fig.layout.legend.orientation == "h" and fig.layout.legend.yanchor == "bottom"


def test_paths_1d_balls_ride_the_curve_and_divergence_is_marked(course):
    comp, land = course
    fig = plots.paths_figure(comp, land)
    np.testing.assert_allclose(_by_name(fig, "f(x)").y, land.values, atol=1e-6)
    r = comp.runs[2]
    assert "diverged at step" in plots.run_name(2, comp)
    cross = _by_name(fig, "run 3 diverged")
    assert cross.marker.symbol == "x"
    np.testing.assert_allclose([cross.x[0], cross.y[0]], [r.points[-1, 0], r.losses[-1]],
                               rtol=1e-6)
    last = _balls(fig)[2]  # the diverged run's ball stays at its last finite point
    np.testing.assert_allclose([last.x[0], last.y[0]], [r.points[-1, 0], r.losses[-1]],
                               rtol=1e-6)
    early = _balls(plots.frame_figure(fig.to_dict(), comp, 2))[2]
    np.testing.assert_allclose([early.x[0], early.y[0]], [r.points[2, 0], r.losses[2]],
                               rtol=1e-6)
    _no_nan(fig)


def test_curves_hold_gap_and_distance(course):
    comp, _ = course
    fig = plots.curves_figure(comp)
    for i, r in enumerate(comp.runs):
        gap = _by_name(fig, plots.run_name(i, comp))
        np.testing.assert_allclose(gap.y, r.gap, rtol=1e-6, atol=1e-9)
        dist = _by_name(fig, f"run {i + 1} distance")
        np.testing.assert_allclose(dist.y, r.distance, rtol=1e-6, atol=1e-9)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"


def test_map_figure_cells_bound_and_runs(valley):
    comp, _, the_map, th = valley
    fig = plots.map_figure(the_map, metric="final", comp=comp, theory=th)
    heat = fig.data[0]
    z = np.array([[np.nan if v is None else v for v in row] for row in heat.z], dtype=float)
    want = np.where(the_map.diverged, np.nan, np.log10(np.maximum(the_map.gap, 1e-16))).T
    np.testing.assert_allclose(z, want, atol=1e-4)
    np.testing.assert_allclose(heat.x, np.log10(the_map.lrs), atol=1e-6)
    grey = np.array([[v is not None for v in row] for row in fig.data[1].z])
    np.testing.assert_array_equal(grey, the_map.diverged.T)
    bound = _by_name(fig, "stability bound lr = 2(1+μ)/L")
    np.testing.assert_allclose(10 ** np.array(bound.x), 2 * (1 + np.array(bound.y)) / 4,
                               rtol=1e-5)
    for i, r in enumerate(comp.runs):  # every run here is plain SGD inside the range
        ring = _by_name(fig, f"run {i + 1}")
        assert ring.x[0] == pytest.approx(np.log10(r.spec.lr), abs=1e-6)
        assert ring.y[0] == r.spec.momentum
    cells = _by_name(fig, "cells")
    assert len(cells.x) == 40 * 40
    np.testing.assert_allclose(np.array(cells.customdata)[:, 1], the_map.final_loss.ravel())
    _no_nan(fig)


def test_map_figure_steps_metric(valley):
    comp, _, the_map, th = valley
    fig = plots.map_figure(the_map, metric="steps", comp=comp, theory=th)
    z = np.array([[-1 if v is None else v for v in row] for row in fig.data[0].z], dtype=float)
    np.testing.assert_array_equal(z, the_map.steps_to_converge.T)
    assert json.loads(pio.to_json(fig))["layout"]["title"]["text"].startswith("Steps")


def test_non_sgd_runs_are_not_ringed_on_the_map(valley):
    _, _, the_map, _ = valley
    comp = lm.compare("d2l_quadratic", runs=[lm.RunSpec("adam", 0.1, 0.0, False, 5),
                                             lm.RunSpec("sgd", 0.1, 0.5, True, 5)])
    fig = plots.map_figure(the_map, comp=comp, theory=None)
    assert not [t for t in fig.data if t.name in ("run 1", "run 2")]
    assert not [t for t in fig.data if t.name and t.name.startswith("stability")]
