"""Figures and view arrays of the Loss-surfaces page against the results they draw."""

import json

import numpy as np
import pytest
import torch

from dlviz import landscape, optim, surfaces
from dlviz import surfaces_plots as plots
from dlviz import surfaces_view as view
from tests.figures import all_finite, array


def _run(name, **kw):
    s = surfaces.SURFACES[name]
    p = s.preset
    settings = dict(start=s.start, lr=p.lr, momentum=p.momentum, steps=p.steps,
                    optimizer=p.optimizer) | kw
    t = optim.trace(name, **settings)
    g = view.grid(s, resolution=41)
    return s, t, g, view.path_view(s, t, g)


def _json(fig):
    return json.loads(fig.to_json())


def _named(fig_json, name):
    return [t for t in fig_json["data"] if t.get("name") == name]


def test_grid_values_and_log_colours():
    s = surfaces.SURFACES["rosenbrock"]
    g = view.grid(s, resolution=31)
    x, y = np.meshgrid(g.xs, g.ys)
    np.testing.assert_allclose(g.z, (1 - x) ** 2 + 100 * (y - x**2) ** 2, rtol=1e-12)
    assert g.log and g.f_min == 0.0  # the listed minimum is below every grid value
    np.testing.assert_allclose(10**g.color, g.z - g.f_min + g.delta, rtol=1e-10)
    assert g.color.max() - g.color.min() > 4  # decades, not one flat colour
    flat = view.grid(surfaces.SURFACES["saddle"], resolution=31)
    assert not flat.log and np.array_equal(flat.color, flat.z)
    with pytest.raises(ValueError):
        view.grid(s, resolution=500)


def test_contour_figure_draws_the_result():
    s, t, g, pv = _run("himmelblau")
    fig = _json(plots.contour_figure(s, g, pv))
    contour = fig["data"][0]
    np.testing.assert_allclose(array(contour["z"]).reshape(g.color.shape), g.color, rtol=1e-6)
    np.testing.assert_allclose(array(contour["customdata"]).reshape(g.z.shape), g.z, rtol=1e-6)
    (path,) = _named(fig, "path")
    np.testing.assert_allclose(array(path["x"]), t.points[:, 0])
    np.testing.assert_allclose(array(path["y"]), t.points[:, 1])
    (stars,) = _named(fig, "global minimum")
    assert stars["marker"]["symbol"] == "star" and len(stars["x"]) == 4
    assert not _named(fig, "local minimum")
    click = fig["data"][-1]
    assert click["name"] == plots.CLICK_NAME and click["marker"]["color"] == "rgba(0,0,0,0)"
    cx, cy = array(click["x"]), array(click["y"])
    assert len(cx) == view.CLICK_GRID**2
    assert (cx.min(), cx.max(), cy.min(), cy.max()) == (-5, 5, -5, 5)
    # frames move the ball (and only the ball) through the run's points
    ball = next(i for i, d in enumerate(fig["data"]) if d.get("name") == "current step")
    assert len(fig["frames"]) == len(pv.frames) == len(fig["layout"]["sliders"][0]["steps"])
    for frame in fig["frames"]:
        k = int(frame["name"])
        assert frame["traces"] == [ball]
        assert frame["data"][0]["x"] == [t.points[k, 0]]
        assert frame["data"][0]["y"] == [t.points[k, 1]]
    labels = [b["label"] for b in fig["layout"]["updatemenus"][0]["buttons"]]
    assert any("Play" in lab for lab in labels) and any("Pause" in lab for lab in labels)


def test_local_minima_are_circles_and_log_ticks_are_labelled():
    s, t, g, pv = _run("rastrigin")
    fig = _json(plots.contour_figure(s, g, pv))
    (circles,) = _named(fig, "local minimum")
    assert circles["marker"]["symbol"] == "circle" and len(circles["x"]) == 80
    s, t, g, pv = _run("rosenbrock")
    bar = _json(plots.contour_figure(s, g, pv))["data"][0]["colorbar"]
    assert [float(v) for v in bar["tickvals"]] == [tv for tv, _ in g.ticks]
    assert len(bar["ticktext"]) == len(g.ticks) >= 4


def test_surface_figure_heights_with_gaps_outside_the_box():
    s, t, g, pv = _run("rosenbrock", lr=1e-3, momentum=0.9, steps=300)
    fig = _json(plots.surface_figure(s, g, pv))
    np.testing.assert_allclose(array(fig["data"][0]["z"]).reshape(g.color.shape), g.color,
                               rtol=1e-6)
    (path,) = _named(fig, "path")
    inside = (t.points[:, 0] >= -2) & (t.points[:, 0] <= 2) & (t.points[:, 1] >= -1) & (
        t.points[:, 1] <= 3)
    assert not inside.all() and inside.sum() > 100  # momentum overshoots the box, comes back
    assert [z is None for z in path["z"]] == list(~inside)
    z = np.array([v for v in path["z"] if v is not None])
    np.testing.assert_allclose(z, np.log10(t.losses[inside] - g.f_min + g.delta), rtol=1e-9)


def test_path_leaving_the_domain_stays_whole_on_the_contour():
    s, t, g, pv = _run("saddle", steps=60)
    assert np.abs(t.points[:, 1]).max() > 2  # it leaves along y
    np.testing.assert_array_equal(pv.inside, np.abs(t.points[:, 1]) <= 2)
    assert len(array(_named(_json(plots.contour_figure(s, g, pv)), "path")[0]["x"])) == 61


def test_curve_figure_tangent_is_the_gradient():
    s, t, g, pv = _run("course", momentum=0.8)
    fig = _json(plots.curve_figure(s, g, pv))
    np.testing.assert_allclose(array(fig["data"][0]["y"]), g.xs**4 + g.xs**3 - 5 * g.xs**2)
    for frame in fig["frames"]:
        k = int(frame["name"])
        (x0, x1), (y0, y1) = frame["data"][0]["x"], frame["data"][0]["y"]
        x = t.points[k, 0]
        assert (y1 - y0) / (x1 - x0) == pytest.approx(4 * x**3 + 3 * x**2 - 10 * x, rel=1e-9)
        assert frame["data"][1]["x"] == [x] and frame["data"][1]["y"] == [t.losses[k]]
    click = fig["data"][-1]
    cx, cy = array(click["x"]), array(click["y"])
    # a grid over the whole plot, so a click anywhere lands near a target (the curve's own
    # line trace takes no hover, so it cannot swallow the click)
    lo, hi = fig["layout"]["yaxis"]["range"]
    assert cy.min() == pytest.approx(lo, abs=1e-4) and cy.max() == pytest.approx(hi, abs=1e-4)
    np.testing.assert_allclose([cx.min(), cx.max()], s.domain[0], atol=1e-6)
    assert len(np.unique(cx)) >= 100 and len(np.unique(cy)) >= 10
    assert fig["data"][0]["hoverinfo"] == "skip"


def test_diverged_run_puts_no_nan_on_a_chart():
    s, t, g, pv = _run("bowl", lr=1.1, steps=200)
    assert t.diverged_at == 64
    fig = _json(plots.curve_figure(s, g, pv))
    assert all_finite(fig["data"]) and all_finite(fig["frames"])
    assert view.summary(s, t).status == "diverged at step 64"
    s, t, g, pv = _run("rosenbrock", lr=0.05, steps=100)
    for fig in (plots.contour_figure(s, g, pv), plots.surface_figure(s, g, pv)):
        fig = _json(fig)
        assert all_finite(fig["data"]) and all_finite(fig.get("frames", []))


def test_frames_are_subsampled_for_long_runs():
    s, t, g, pv = _run("rosenbrock", steps=1000)
    assert len(pv.frames) == view.MAX_FRAMES and pv.frames[0] == 0 and pv.frames[-1] == 1000
    assert len(plots.contour_figure(s, g, pv).to_json()) < 1_000_000


def test_summary_names_the_nearest_minimum():
    s, t, g, pv = _run("course")
    r = view.summary(s, t)
    assert r.nearest.kind == "local" and r.status == "still moving after 20 steps"
    s, t, g, pv = _run("course", momentum=0.8, steps=200)
    r = view.summary(s, t)
    assert r.nearest.kind == "global" and r.status.startswith("converged at step")
    assert r.final_loss == pytest.approx(-12.0, abs=1e-6)


def test_landscape_figure_draws_log_loss_and_path():
    torch.set_num_threads(1)
    r = landscape.landscape(plane="pca", resolution=11, hidden=4, epochs=20, seed=0)
    fig = _json(plots.landscape_figure(r))
    contour, surface = fig["data"][0], fig["data"][1]
    np.testing.assert_allclose(array(contour["z"]).reshape(11, 11), np.log10(r.loss), rtol=1e-6)
    np.testing.assert_allclose(array(surface["z"]).reshape(11, 11), np.log10(r.loss), rtol=1e-6)
    (path,) = [d for d in fig["data"] if d.get("name") == "training path" and
               d["type"] == "scatter"]
    np.testing.assert_allclose(array(path["x"]), r.path[:, 0])
    assert all_finite(fig["data"])
