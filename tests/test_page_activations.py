"""AppTests of the Activations page, driven by widget keys and by the URL."""

from __future__ import annotations

import json

import numpy as np

from dlviz import activations as act
from tests.conftest import open_page
from tests.figures import array
from tests.markdown import rendered

PAGE = "pages/activations.py"


def _fig(at, i=0) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def test_defaults_show_three_curves_and_their_derivatives():
    at = open_page(PAGE)
    assert at.multiselect(key="fns").value == ["sigmoid", "tanh", "relu"]
    fig = _fig(at)
    lines = [t for t in fig["data"] if t.get("mode") == "lines+markers"]
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
    lines = [t for t in _fig(at)["data"] if t.get("mode") == "lines+markers"]
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


def test_link_labels_apply_with_no_notice():
    at = open_page(PAGE, query={"fns": "GELU", "init": "xavier", "task": "binary"})
    assert not at.exception and not at.warning
    assert at.multiselect(key="fns").value == ["gelu"]
    lines = [t for t in _fig(at)["data"] if t.get("mode") == "lines+markers"]
    assert [t["name"] for t in lines[::2]] == ["GELU"]


def test_a_bad_link_value_gets_one_exact_notice():
    at = open_page(PAGE, query={"fns": "abc", "xmax": "3", "x0": "5", "init": "orthogonal"})
    assert not at.exception
    text = rendered(" ".join(w.value for w in at.warning))
    assert "Functions “abc” names no option (abc): using Sigmoid, Tanh, ReLU instead." in text
    assert "Probe x₀ “5” is outside -3 … 3: using 0.5 instead." in text  # x0's range is ±xmax
    assert ("Initialisation “orthogonal” is not one of default, kaiming, xavier: using "
            "kaiming instead.") in text
    assert at.multiselect(key="fns").value == ["sigmoid", "tanh", "relu"]
    assert at.slider(key="x0").value == 0.5 and at.slider(key="x0").max == 3.0


def test_markdown_in_the_scores_renders_as_text():
    at = open_page(PAGE, query={"scores": "1, [Login](https://evil.example)",
                                "fns": "[x](https://evil.example)"})
    assert not at.exception
    shown = [e.value for kind in (at.markdown, at.warning, at.caption) for e in kind]
    assert not [v for v in shown if "](" in v]
    text = rendered(" ".join(w.value for w in at.warning))
    assert "Scores: Number 2, '[Login](https://evil', is not a number." in text
    assert "Functions “[x](https://evil.example)” names no option" in text


def test_the_probe_stays_inside_a_narrower_range():
    at = open_page(PAGE, query={"xmax": "8", "x0": "7"})
    assert at.slider(key="x0").value == 7.0
    at.slider(key="xmax").set_value(2.0).run()
    assert not at.exception
    assert at.slider(key="x0").value == 0.5 and at.slider(key="x0").min == -2.0
    assert at.metric[0].label == "Sigmoid at x₀ = 0.5"


def test_at_most_six_functions_at_once():
    seven = ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU"]
    at = open_page(PAGE, query={"fns": seven})
    assert not at.exception
    assert "names more than 6" in rendered(" ".join(w.value for w in at.warning))
    assert at.multiselect(key="fns").value == ["sigmoid", "tanh", "relu"]
    at = open_page(PAGE, query={"fns": seven[:6]})
    assert not at.exception and not at.warning
    lines = [t for t in _fig(at)["data"] if t.get("mode") == "lines+markers"]
    assert len({t["line"]["color"] for t in lines}) == 6
    summary = rendered(next(c.value for c in at.caption if c.value.startswith("Chart: ")))
    assert all(f"{label} f from" in summary for label in seven[:6])
