"""AppTests of the Loss-surfaces page, driven by widget keys and by the URL."""

from __future__ import annotations

import json

import numpy as np

from dlviz import optim, surfaces
from tests.conftest import open_chart_data, open_page
from tests.figures import all_finite, array
from tests.markdown import rendered

PAGE = "pages/surfaces.py"
TITLE = {n: s.title for n, s in surfaces.SURFACES.items()}


def _figs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _path(fig) -> tuple[np.ndarray, np.ndarray]:
    trace = next(t for t in fig["data"] if t.get("name") in ("path", "steps"))
    return array(trace["x"]), array(trace["y"])


def _metrics(at) -> dict[str, str]:
    return {m.label: f"{m.value} {m.delta}".strip() for m in at.metric}


def _clean(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_default_is_the_course_story():
    at = open_page(PAGE)
    _clean(at)
    assert at.selectbox(key="f").value == "course"
    x, y = _path(_figs(at)[0])
    t = optim.trace("course", start=(2.5,), lr=0.01, steps=20)
    np.testing.assert_allclose(x, t.points[:, 0])
    np.testing.assert_allclose(y, t.losses)
    m = _metrics(at)
    assert m["Nearest minimum"].startswith("local") and m["Run"] == "still moving after 20 steps"
    assert not at.warning


def test_deep_link_runs_those_settings():
    query = {"f": TITLE["rosenbrock"], "x0": "-1.5", "y0": "2.5", "opt": "SGD", "lr": "0.0005",
             "mom": "0.8", "steps": "150", "grid": "41"}
    at = open_page(PAGE, query=query)
    _clean(at)
    assert at.selectbox(key="f").value == "rosenbrock"
    assert at.number_input(key="x0").value == -1.5 and at.number_input(key="y0").value == 2.5
    contour, surface3d = _figs(at)[:2]
    x, y = _path(contour)
    t = optim.trace("rosenbrock", start=(-1.5, 2.5), lr=5e-4, momentum=0.8, steps=150)
    np.testing.assert_allclose(np.stack([x, y], 1), t.points)
    assert array(contour["data"][0]["x"]).shape == (41,)
    assert surface3d["data"][0]["type"] == "surface"
    # the landscape has its own panel; the optimizer run's panel is the last, ending the page
    printed = [c.value for c in at.code if c.language == "text"][-1]
    assert f"final loss: {t.losses[-1]:.6g}" in printed


def test_choosing_an_objective_loads_its_preset_and_sliders_move_the_start():
    at = open_page(PAGE)
    at.selectbox(key="f").set_value("distill").run()
    _clean(at)
    s = surfaces.SURFACES["distill"]
    assert at.number_input(key="lr").value == s.preset.lr
    assert at.slider(key="mom").value == s.preset.momentum
    assert (at.number_input(key="x0").value, at.number_input(key="y0").value) == s.start
    at.number_input(key="x0").set_value(0.5)
    at.number_input(key="y0").set_value(-0.2)
    at.run()
    _clean(at)
    x, y = _path(_figs(at)[0])
    assert (x[0], y[0]) == (0.5, -0.2)
    t = optim.trace("distill", start=(0.5, -0.2), lr=s.preset.lr, momentum=s.preset.momentum,
                    steps=s.preset.steps)
    np.testing.assert_allclose(x, t.points[:, 0])


def test_contour_is_clickable_and_click_logic_gives_the_start():
    at = open_page(PAGE, query={"f": TITLE["himmelblau"]})
    _clean(at)
    chart = at.get("plotly_chart")[0]
    assert list(chart.proto.selection_mode), "selections (clicks) are turned on"
    fig = _figs(at)[0]
    click = fig["data"][-1]
    cx, cy = array(click["x"]), array(click["y"])
    # the page's callback turns the event for one of these points into the new start
    s = surfaces.SURFACES["himmelblau"]
    event = {"selection": {"points": [{"x": float(cx[100]), "y": float(cy[100])}]}}
    start = surfaces.start_from_selection(s, event)
    assert start == (round(float(cx[100]), 2), round(float(cy[100]), 2))
    at.number_input(key="x0").set_value(start[0])
    at.number_input(key="y0").set_value(start[1])
    at.run()
    x, y = _path(_figs(at)[0])
    assert (x[0], y[0]) == start


def test_condition_number_widget_for_the_quadratic_bowl():
    at = open_page(PAGE, query={"f": TITLE["quadratic"], "kappa": "100"})
    _clean(at)
    assert at.select_slider(key="kappa").value == 100
    s = surfaces.quadratic(100.0)
    t = optim.trace(s, start=s.start, lr=at.number_input(key="lr").value, steps=60)
    x, y = _path(_figs(at)[0])
    np.testing.assert_allclose(y, t.points[:, 1])


def test_divergence_is_reported_not_raised():
    at = open_page(PAGE, query={"f": TITLE["bowl"], "lr": "1.1", "steps": "200"})
    _clean(at)
    assert _metrics(at)["Run"] == "diverged at step 64"
    assert any("diverged at step 64" in w.value for w in at.warning)
    for fig in _figs(at):
        assert all_finite(fig["data"])
    x, _ = _path(_figs(at)[0])
    assert len(x) == 64


def test_out_of_bounds_link_values_get_a_clear_message():
    at = open_page(PAGE, query={"lr": "50", "steps": "99999", "f": "nonsense"})
    _clean(at)
    text = rendered(" ".join(w.value for w in at.warning))
    assert "Learning rate “50” is outside 1e-05 … 10: using 0.01 instead." in text
    assert "Steps “99999” is outside 1 … 2000" in text
    assert "Objective “nonsense” is not one of" in text
    assert at.number_input(key="lr").value == surfaces.SURFACES["course"].preset.lr


def test_nesterov_without_momentum_is_explained():
    at = open_page(PAGE, query={"nest": "true", "mom": "0.0"})
    _clean(at)
    assert any("Nesterov needs a momentum" in w.value for w in at.warning)


def test_adam_disables_momentum():
    at = open_page(PAGE, query={"f": TITLE["beale"]})
    at.selectbox(key="f").set_value("beale").run()
    assert at.selectbox(key="opt").value == "adam"
    assert at.slider(key="mom").disabled
    _clean(at)


def test_landscape_pca_plane():
    at = open_page(PAGE, query={"plane": "pca", "lres": "21", "seed": "1"})
    _clean(at)
    land = _figs(at)[-1]
    assert any(d.get("name") == "training path" for d in land["data"])
    assert array(land["data"][0]["x"]).shape == (21,)


def _named(fig, name):
    return next(t for t in fig["data"] if t.get("name") == name)


def test_step_slider_shows_the_run_up_to_that_step():
    query = {"f": TITLE["himmelblau"], "steps": "40", "step": "7"}
    at = open_page(PAGE, query=query)
    _clean(at)
    assert at.slider(key="step").value == 7 and at.toggle(key="step_play").value is False
    s = surfaces.SURFACES["himmelblau"]
    t = optim.trace("himmelblau", start=s.start, lr=s.preset.lr, momentum=s.preset.momentum,
                    steps=40, optimizer=s.preset.optimizer)
    contour, surface3d = _figs(at)[:2]
    for fig in (contour, surface3d):
        assert not fig.get("frames") and not fig["layout"].get("sliders")
        assert not fig["layout"].get("updatemenus")
        ball = _named(fig, "current step")
        np.testing.assert_allclose([array(ball["x"])[0], array(ball["y"])[0]], t.points[7])
    x, y = _path(contour)
    np.testing.assert_allclose(np.stack([x, y], 1), t.points[:8])
    captions = rendered(" ".join(c.value for c in at.caption))
    assert f"is at ({t.points[7, 0]:.3g}, {t.points[7, 1]:.3g}) with f = {t.losses[7]:.4g} " \
           "at step 7 of 40" in captions
    at.slider(key="step").set_value(30).run()
    _clean(at)
    x, _ = _path(_figs(at)[0])
    np.testing.assert_allclose(x, t.points[:31, 0])
    assert at.query_params["step"] in ("30", ["30"])


def test_a_link_without_step_shows_the_whole_run_and_steps_resets_it():
    at = open_page(PAGE, query={"steps": "50"})
    _clean(at)
    assert at.slider(key="step").value == 50 and "step" not in at.query_params
    assert len(_path(_figs(at)[0])[0]) == 51
    at.number_input(key="steps").set_value(80).run()
    _clean(at)
    assert at.slider(key="step").value == 80 and len(_path(_figs(at)[0])[0]) == 81


def test_every_chart_has_a_summary_and_the_run_as_data():
    at = open_page(PAGE)
    _clean(at)
    captions = [rendered(c.value) for c in at.caption if c.value.startswith("Chart: ")]
    # the curve, the landscape's contour and its 3-D surface
    assert len(captions) == len(at.get("plotly_chart")) == 3
    assert captions[0].startswith("Chart: The curve f(x): SGD from x = 2.5")
    assert "Loss of the trained MLP on the random plane" in captions[1]
    assert captions[2].startswith("Chart: The same log₁₀ loss as a 3-D surface")
    labels = [e.label for e in at.expander]
    assert sum(label.startswith("Chart data") for label in labels) == 2
    t = optim.trace("course", start=(2.5,), lr=0.01, steps=20)
    tables = [tb for tb in open_chart_data(at).table]
    run = next(tb.value for tb in tables if "∂f/∂x" in tb.value.columns)
    np.testing.assert_allclose(run["x"].to_numpy(), t.points[:21, 0])
    np.testing.assert_allclose(run["f"].to_numpy(), t.losses[:21])


def test_main_controls_are_in_the_main_area():
    at = open_page(PAGE)
    _clean(at)
    sidebar = {w.key for w in at.sidebar.selectbox} | {w.key for w in at.sidebar.number_input}
    assert {"f", "opt", "lr"}.isdisjoint(sidebar)
    assert {"x0", "steps"} <= sidebar
    assert {w.key for w in at.main.selectbox} >= {"f", "opt"}
