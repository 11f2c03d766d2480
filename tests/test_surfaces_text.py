"""The Loss-surfaces charts' text alternatives: their numbers are the run's and the grid's."""

import numpy as np
import pytest
import torch

from dlviz import landscape, optim, surfaces
from dlviz import surfaces_text as text
from dlviz import surfaces_view as view
from tests.test_surfaces_plots import _run as preset_run


def _run(name, **kw):
    return preset_run(name, resolution=31, **kw)


def test_curve_summary_is_the_course_story():
    s, t, g, pv = _run("course")  # SGD from 2.5, lr 0.01, 20 steps: ends near the local min
    line = text.curve_summary(s, pv, 20, "SGD")
    assert line.startswith(f"The curve f(x): SGD from x = 2.5 is at x = {t.points[20, 0]:.3g} "
                           f"with f = {t.losses[20]:.4g} at step 20 of 20")
    slope = 4 * t.points[20, 0] ** 3 + 3 * t.points[20, 0] ** 2 - 10 * t.points[20, 0]
    assert f"the gradient (the tangent's slope) is {slope:.4g}" in line
    local = next(m for m in s.minima if m.kind == "local")
    assert f"the nearest minimum is the local one at x = {local.point[0]:.3g}" in line
    early = text.curve_summary(s, pv, 3, "SGD")
    assert f"is at x = {t.points[3, 0]:.3g} with f = {t.losses[3]:.4g} at step 3 of 20" in early


def test_contour_summary_names_the_box_the_step_and_the_minimum():
    s, t, g, pv = _run("rosenbrock", lr=1e-3, momentum=0.9, steps=300)
    line = text.contour_summary(s, g, pv, 300, "SGD")
    x, y = t.points[300]
    assert line.startswith("Contour of f (log colours) over -2 ≤ x ≤ 2, -1 ≤ y ≤ 3: SGD from "
                           f"({s.start[0]:.3g}, {s.start[1]:.3g}) is at ({x:.3g}, {y:.3g}) "
                           f"with f = {t.losses[300]:.4g} at step 300 of 300")
    assert line.endswith("the nearest minimum is the global one at (1, 1) (f = 0).")
    assert "at step 7 of 300" in text.contour_summary(s, g, pv, 7, "SGD")


def test_a_diverged_runs_summary_says_where_it_ends():
    s, t, g, pv = _run("bowl", lr=1.1, steps=200)
    line = text.curve_summary(s, pv, 200, "SGD", t.diverged_at)
    assert "at step 63 of 63" in line
    assert line.endswith("The run diverged at step 64; its path ends at step 63.")


def test_surface_summary_range_and_height():
    s, t, g, pv = _run("himmelblau")
    line = text.surface_summary(s, g, pv, 5)
    assert (f"f ranges from {g.z.min():.4g} to {g.z.max():.4g} on the 31×31 grid; at step 5 "
            f"the run is inside the box at f = {t.losses[5]:.4g}.") in line
    s, t, g, pv = _run("saddle", steps=60)
    k = int(np.flatnonzero(~pv.inside)[0])
    assert "outside the box (not drawn)" in text.surface_summary(s, g, pv, k)


def test_unbounded_objective_has_no_nearest_minimum():
    s, t, g, pv = _run("saddle", steps=10)
    assert "f has no minimum (it is unbounded below)" in text.contour_summary(s, g, pv, 10, "SGD")


def test_path_data_is_the_trace():
    s, t, g, pv = _run("himmelblau", steps=15)
    columns = view.path_data(s, t)
    assert list(columns) == ["step", "x", "y", "f", "∂f/∂x", "∂f/∂y"]
    np.testing.assert_array_equal(columns["step"], np.arange(16))
    np.testing.assert_array_equal(columns["x"], t.points[:, 0])
    np.testing.assert_array_equal(columns["f"], t.losses)
    np.testing.assert_array_equal(columns["∂f/∂y"], t.grads[:, 1])
    assert list(view.path_data(surfaces.SURFACES["regression"], optim.trace(
        "regression", start=(0.0, 0.0), lr=0.1, steps=2))) == ["step", "w", "b", "f", "∂f/∂w",
                                                                 "∂f/∂b"]


def test_landscape_summary_and_data():
    torch.set_num_threads(1)
    r = landscape.landscape(plane="pca", resolution=11, hidden=4, epochs=20, seed=0)
    line = text.landscape_summary(r, "pca")
    assert f"{r.center_loss:.3g} at θ*, from {r.loss.min():.3g} to {r.loss.max():.3g}" in line
    assert f"over the 11×11 grid; the training path starts at loss {r.path_loss[0]:.3g}" in line
    data = view.landscape_data(r)
    assert len(data["a"]) == 121
    j, i = 3, 7  # loss[j, i] is at (alphas[i], betas[j])
    row = j * 11 + i
    assert (data["a"][row], data["b"][row]) == (r.alphas[i], r.betas[j])
    assert data["loss"][row] == pytest.approx(r.loss[j, i])
    line = text.landscape_surface_summary(r)
    j, i = np.unravel_index(np.argmin(r.loss), r.loss.shape)
    assert line == (f"The same log₁₀ loss as a 3-D surface: lowest {r.loss.min():.3g} at "
                    f"a = {r.alphas[i]:.3g}, b = {r.betas[j]:.3g}; highest {r.loss.max():.3g}.")
