"""AppTests of the Activations page, driven by widget keys and by the URL."""

from __future__ import annotations

import json

import numpy as np

from dlviz import activations as act
from tests.conftest import open_page
from tests.figures import array

PAGE = "pages/activations.py"


def _fig(at, i=0) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def test_defaults_show_three_curves_and_their_derivatives():
    at = open_page(PAGE)
    assert at.multiselect(key="fns").value == ["sigmoid", "tanh", "relu"]
    fig = _fig(at)
    lines = [t for t in fig["data"] if t.get("mode", "lines") == "lines"]
    assert [t["name"] for t in lines[::2]] == ["Sigmoid", "Tanh", "ReLU"]
    expected = act.evaluate("sigmoid", np.linspace(-6, 6, 401))
    np.testing.assert_array_equal(array(lines[1]["y"]), expected.dy)


def test_deep_link_sets_every_widget():
    query = {"fns": ["LeakyReLU", "ELU"],  # the URL carries the labels shown
              "negative_slope": "0.2", "alpha": "2.0",
             "xmax": "3.0", "x0": "-1.0", "seed": "7", "depth": "20", "init": "xavier",
             "task": "binary", "scores": "1, -1", "lecture": "true"}
    at = open_page(PAGE, query=query)
    assert not at.exception
    assert at.multiselect(key="fns").value == ["leaky_relu", "elu"]
    assert at.slider(key="negative_slope").value == 0.2
    assert at.slider(key="alpha").value == 2.0
    assert at.slider(key="x0").value == -1.0
    assert at.number_input(key="seed").value == 7
    assert at.slider(key="depth").value == 20
    assert at.segmented_control(key="init").value == "xavier"
    assert at.segmented_control(key="task").value == "binary"
    depth_fig = _fig(at, 1)
    expected = act.depth_gradients("leaky_relu", depth=20, init="xavier", seed=7,
                                   negative_slope=0.2)
    np.testing.assert_allclose(array(depth_fig["data"][0]["y"]), expected.grad_norm)
    head = _fig(at, 2)
    np.testing.assert_allclose(array(head["data"][1]["y"]), 1 / (1 + np.exp(-np.array([1, -1]))))


def test_widget_changes_rerun_the_figures():
    at = open_page(PAGE)
    at.multiselect(key="fns").set_value(["softplus"])
    at.slider(key="beta").set_value(3.0)
    at.run()
    lines = [t for t in _fig(at)["data"] if t.get("mode", "lines") == "lines"]
    x = array(lines[0]["x"])
    np.testing.assert_allclose(array(lines[0]["y"]), np.log1p(np.exp(3 * x)) / 3, rtol=1e-9)


def test_bad_input_is_a_message_not_a_traceback():
    at = open_page(PAGE)
    at.text_input(key="scores").set_value("1, two, __import__('os')").run()
    assert not at.exception
    assert any("not a number" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 3  # the default scores are shown meanwhile
    at.multiselect(key="fns").set_value([]).run()
    assert not at.exception and any("at least one" in w.value for w in at.warning)
