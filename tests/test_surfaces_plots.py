"""Figures and view arrays of the Loss-surfaces page against the results they draw."""

import json

import numpy as np
import pytest
import torch

from dlviz import landscape, optim, style, surfaces
from dlviz import surfaces_plots as plots
from dlviz import surfaces_view as view
from tests.figures import all_finite, array
from tests.test_colour_vision import problems


def _run(name, *, resolution=41, **kw):
    """(surface, its preset's trace with `kw` changed, grid, path view)."""
    s = surfaces.SURFACES[name]
    p = s.preset
    settings = dict(start=s.start, lr=p.lr, momentum=p.momentum, steps=p.steps,
                    optimizer=p.optimizer) | kw
    t = optim.trace(name, **settings)
    g = view.grid(s, resolution=resolution)
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
    # no plotly animation any more: the page's player draws one figure per step
    assert not fig.get("frames") and not fig["layout"].get("sliders")
    assert not fig["layout"].get("updatemenus")
    (ball,) = _named(fig, "current step")
    assert array(ball["x"]).tolist() == [t.points[-1, 0]]
    assert array(ball["y"]).tolist() == [t.points[-1, 1]]


@pytest.mark.parametrize("k", [0, 1, 7, 20])
def test_contour_at_a_step_draws_the_path_up_to_it(k):
    s, t, g, pv = _run("himmelblau", steps=20)
    fig = _json(plots.contour_figure(s, g, pv, step=k))
    (path,) = _named(fig, "path")
    np.testing.assert_allclose(array(path["x"]), t.points[:k + 1, 0])
    np.testing.assert_allclose(array(path["y"]), t.points[:k + 1, 1])
    np.testing.assert_allclose(array(path["customdata"]), t.losses[:k + 1])
    (ball,) = _named(fig, "current step")
    assert array(ball["x"]).tolist() == [t.points[k, 0]]
    assert array(ball["y"]).tolist() == [t.points[k, 1]]
    (start,) = _named(fig, "start")
    assert array(start["x"]).tolist() == [t.points[0, 0]]
    surface = _json(plots.surface_figure(s, g, pv, step=k))
    (path3d,) = _named(surface, "path")
    np.testing.assert_allclose(np.array(path3d["x"], dtype=float), t.points[:k + 1, 0])
    (ball3d,) = _named(surface, "current step")
    assert ball3d["x"] == [t.points[k, 0]] and ball3d["y"] == [t.points[k, 1]]
    assert ball3d["z"] == [pytest.approx(float(g.to_color(t.losses[k])))]


@pytest.mark.parametrize("name", ["course", "bowl", "himmelblau", "rastrigin", "saddle"])
@pytest.mark.parametrize("lecture", [False, True])
def test_path_ball_and_minima_differ_by_marker_and_colour(name, lecture):
    """They all turned olive for deuteranopes (vermillion path, orange ball, gold star): every
    step's figure passes the colour-vision simulation (tests/test_colour_vision.py)."""
    s, t, g, pv = _run(name, steps=10)
    builders = [plots.curve_figure] if s.dim == 1 else [plots.contour_figure,
                                                        plots.surface_figure]
    for build in builders:
        for k in (0, 5, 10):
            fig = build(s, g, pv, step=k, lecture=lecture)
            assert problems(fig.to_dict()) == [], (build.__name__, k)
            names = {d.name for d in fig.data}
            assert {"current step", "global minimum"} <= names or s.name == "saddle"
            (ball,) = [d for d in fig.data if d.name == "current step"]
            assert ball.marker.color == style.color(4)  # black, white-rimmed
    fig = plots.contour_figure(s, g, pv) if s.dim == 2 else plots.curve_figure(s, g, pv)
    for d in fig.data:  # no yellow, and no white fill on the 1-D chart's white background
        if d.type == "scatter":
            assert d.marker.color not in ("#FFD700", "white")


def test_local_minima_are_diamonds_and_log_ticks_are_labelled():
    s, t, g, pv = _run("rastrigin")
    fig = _json(plots.contour_figure(s, g, pv))
    (diamonds,) = _named(fig, "local minimum")
    assert diamonds["marker"]["symbol"] == "diamond" and len(diamonds["x"]) == 80
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
    for k in range(len(t.points)):  # each step's figure: the tangent and the ball at step k
        frame = _json(plots.curve_figure(s, g, pv, step=k))
        (tangent,) = _named(frame, "tangent: slope = gradient")
        (ball,) = _named(frame, "current step")
        (steps,) = _named(frame, "steps")
        (x0, x1), (y0, y1) = array(tangent["x"]), array(tangent["y"])
        x = t.points[k, 0]
        assert (y1 - y0) / (x1 - x0) == pytest.approx(4 * x**3 + 3 * x**2 - 10 * x, rel=1e-9)
        assert array(ball["x"]).tolist() == [x] and array(ball["y"]).tolist() == [t.losses[k]]
        np.testing.assert_allclose(array(steps["x"]), t.points[:k + 1, 0])
        np.testing.assert_allclose(array(steps["y"]), t.losses[:k + 1])
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
    for k in (0, 63, 64, 200):  # a step past the divergence shows the last finite one
        fig = _json(plots.curve_figure(s, g, pv, step=k))
        assert all_finite(fig["data"])
        (ball,) = _named(fig, "current step")
        assert array(ball["x"]).tolist() == [t.points[min(k, 63), 0]]
    assert view.summary(s, t).status == "diverged at step 64"
    s, t, g, pv = _run("rosenbrock", lr=0.05, steps=100)
    for fig in (plots.contour_figure(s, g, pv), plots.surface_figure(s, g, pv)):
        fig = _json(fig)
        assert all_finite(fig["data"]) and not fig.get("frames")


def test_a_long_runs_step_figure_stays_small():
    s, t, g, pv = _run("rosenbrock", steps=1000)
    assert len(pv.tangents) == len(t.points) == 1001
    assert len(plots.contour_figure(s, g, pv, step=1000).to_json()) < 300_000


def test_lecture_path_is_thick_and_solid():
    s, t, g, pv = _run("course")
    fig = _json(plots.curve_figure(s, g, pv, lecture=True))
    (steps,) = _named(fig, "steps")
    assert steps["line"]["width"] >= 3 and steps["line"]["dash"] != "dot"
    s, t, g, pv = _run("himmelblau")
    fig = _json(plots.contour_figure(s, g, pv, lecture=True))
    (path,) = _named(fig, "path")
    assert path["line"]["width"] >= 3 and path["line"].get("dash", "solid") == "solid"
    assert fig["data"][0]["contours"]["showlines"] is False  # 3-px contour lines would bury it


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
    fig, fig3d = map(_json, plots.landscape_figure(r))
    contour, surface = fig["data"][0], fig3d["data"][0]
    np.testing.assert_allclose(array(contour["z"]).reshape(11, 11), np.log10(r.loss), rtol=1e-6)
    np.testing.assert_allclose(array(surface["z"]).reshape(11, 11), np.log10(r.loss), rtol=1e-6)
    np.testing.assert_allclose(array(contour["customdata"]).reshape(11, 11), r.loss, rtol=1e-6)
    (path,) = _named(fig, "training path")
    np.testing.assert_allclose(array(path["x"]), r.path[:, 0])
    np.testing.assert_allclose(array(path["customdata"]), r.path_loss)
    (path3d,) = _named(fig3d, "training path")
    np.testing.assert_allclose(array(path3d["z"]), r.path_log_loss)
    (star,) = _named(fig, "trained weights θ*")
    assert star["marker"]["symbol"] == "star"
    assert all_finite(fig["data"]) and all_finite(fig3d["data"])
    assert problems(fig) == [] and problems(fig3d) == []
