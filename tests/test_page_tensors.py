"""AppTests of the Tensors & linear layers page, driven by widget keys and by the URL."""

from __future__ import annotations

import json

import numpy as np
import torch

from tests.conftest import open_page
from tests.figures import array
from tests.markdown import rendered

PAGE = "pages/tensors.py"


def _fig(at, i: int) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def _y(at) -> np.ndarray:
    """The y panel of the linear-layer heatmaps."""
    return array(_fig(at, 0)["data"][3]["z"]).reshape(1, -1)


def _titles(at) -> str:
    """The charts' titles, lifted out of plotly into the page's markdown."""
    return rendered(" ".join(m.value for m in at.markdown if m.value.startswith("**")))


def _summaries(at) -> list[str]:
    return [rendered(c.value) for c in at.caption if c.value.startswith("Chart: ")]


def _seeded(seed: int):
    torch.manual_seed(seed)
    layer = torch.nn.Linear(3, 2)
    return layer.weight.detach().double().numpy(), layer.bias.detach().double().numpy()


def test_defaults_show_the_course_layer_and_tensor():
    at = open_page(PAGE)
    assert not at.exception and not at.warning
    w, b = _seeded(0)
    y = np.array([[0.3471, 0.4547, -0.2356]]) @ w.T + b
    np.testing.assert_allclose(_y(at), y, atol=1e-6)
    equations = next(c.value for c in at.code if c.value.startswith("y₁"))
    assert f"= {y[0, 0]:.4f}" in equations and f"= {y[0, 1]:.4f}" in equations
    assert [m.value for m in at.metric] == ["(2, 3)", "torch.float32"]
    assert "nn.Sequential: 683 trainable parameters" in _titles(at)  # (10,18)→(18,20)→(20,5)
    linear, stack, head_text = _summaries(at)
    assert f"y = ({y[0, 0]:.4f}, {y[0, 1]:.4f})" in linear
    assert "683 trainable parameters (Linear(10, 18) 198, " in stack
    head = _fig(at, 2)  # the course's 4-class example with softmax
    probs = array(head["data"][1]["y"])
    assert len(probs) == 4 and abs(probs.sum() - 1) < 1e-6
    assert "Head softmax" in head_text and f"{probs[0]:.4f}" in head_text


def test_widgets_edit_weights_input_and_maker():
    at = open_page(PAGE)
    at.text_input(key="x").input("1, 2, 3")
    at.text_input(key="w").input("[[1, 0, -1], [0.5, 2, 0]]")
    at.text_input(key="b").input("0.25, -1")
    at.segmented_control(key="maker").set_value("from_numpy")
    at.run()
    assert not at.exception and not at.warning
    np.testing.assert_allclose(_y(at), [[1 - 3 + 0.25, 0.5 + 4 - 1]], atol=1e-6)
    np.testing.assert_allclose(array(_fig(at, 0)["data"][1]["z"]).reshape(3, 2),
                               [[1, 0.5], [0, 2], [-1, 0]])  # Wᵀ
    assert [m.value for m in at.metric] == ["(2, 3)", "torch.float64"]


def test_deep_link_sets_stack_head_and_seed():
    query = {"sizes": "16, 4, 2, 1", "head": "Sigmoid", "seed": "7", "rows": "1, 2; 3, 4; 5, 6",
             "maker": "torch.from_numpy"}
    at = open_page(PAGE, query=query)
    assert not at.exception and not at.warning
    assert at.segmented_control(key="head").value == "sigmoid"
    assert at.number_input(key="seed").value == 7
    assert [m.value for m in at.metric] == ["(3, 2)", "torch.int64"]
    stack = _fig(at, 1)
    np.testing.assert_array_equal(array(stack["data"][1]["y"]), [68, 10, 3])
    assert "nn.Sequential: 81 trainable parameters" in _titles(at)
    w, b = _seeded(7)
    np.testing.assert_allclose(_y(at), np.array([[0.3471, 0.4547, -0.2356]]) @ w.T + b,
                               atol=1e-6)
    scores, outputs = _fig(at, 2)["data"]
    s = array(scores["y"])
    assert len(s) == 1
    np.testing.assert_allclose(array(outputs["y"]), 1 / (1 + np.exp(-s)), rtol=1e-5)


def test_bad_input_warns_and_keeps_defaults():
    at = open_page(PAGE, query={"w": "1, 2, x", "sizes": "10, 0, 5", "rows": "1, 2; 3",
                                "x": "1, 2"})
    assert not at.exception
    messages = " ".join(w.value for w in at.warning)
    for field in ("Weights W", "Layer sizes", "Values", "Input x"):
        assert field in messages
    w, b = _seeded(0)
    np.testing.assert_allclose(_y(at), np.array([[0.3471, 0.4547, -0.2356]]) @ w.T + b,
                               atol=1e-6)
    assert "nn.Sequential: 683 trainable parameters" in _titles(at)
    assert [m.value for m in at.metric] == ["(2, 3)", "torch.float32"]


def test_weights_out_of_bounds_are_refused():
    at = open_page(PAGE, query={"b": "0, 50"})
    assert any("Bias b" in w.value and "±10" in w.value for w in at.warning)


def test_link_labels_apply_with_no_notice():
    for maker in ("torch.from_numpy", "from_numpy"):  # the label the URL holds, or the name
        at = open_page(PAGE, query={"maker": maker, "head": "None"})
        assert not at.exception and not at.warning
        assert at.segmented_control(key="maker").value == "from_numpy"
        assert at.segmented_control(key="head").value == "none"
        assert [m.value for m in at.metric] == ["(2, 3)", "torch.float64"]


def test_a_bad_link_value_gets_one_exact_notice():
    at = open_page(PAGE, query={"maker": "torch.zeros", "seed": "-1", "x": "9" * 101})
    assert not at.exception
    text = rendered(" ".join(w.value for w in at.warning))
    assert ("Made with “torch.zeros” is not one of torch.tensor, torch.from_numpy: using "
            "torch.tensor instead.") in text
    assert "Seed “-1” is outside 0 … 2147483647: using 0 instead." in text
    assert (f"Input x (3 numbers) “{'9' * 40}…” is longer than 100 characters: using "
            "0.3471, 0.4547, -0.2356 instead.") in text
    assert [m.value for m in at.metric] == ["(2, 3)", "torch.float32"]


def test_markdown_in_link_values_renders_as_text():
    link = "[Log in again](https://evil.example)"
    at = open_page(PAGE, query={"maker": f"` {link} `", "x": f"1, 2, {link}", "w": f"1, 2, {link}",
                                "b": f"1, {link}", "rows": f"1, {link}",
                                "sizes": f"4, {link}"})
    assert not at.exception
    shown = [e.value for kind in (at.markdown, at.warning, at.caption) for e in kind]
    assert len(at.warning) == 6  # the link's notice, and one problem per text
    assert not [v for v in shown if "](" in v]
    assert "[Log in again](https://evil.ex" in rendered(" ".join(w.value for w in at.warning))
