"""AppTests of the Loss functions page, driven by widget keys and by the URL."""

from __future__ import annotations

import json
import math

import numpy as np

from tests.conftest import open_page
from tests.figures import all_finite, array
from tests.markdown import rendered

PAGE = "pages/losses.py"


def _fig(at, i: int) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def _ce(scores, label) -> float:
    s = np.asarray(scores, dtype=float)
    return float(np.log(np.exp(s - s.max()).sum()) + s.max() - s[label])


def _summaries(at) -> list[str]:
    return [rendered(c.value) for c in at.caption if c.value.startswith("Chart: ")]


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_defaults_reproduce_the_course_examples():
    at = open_page(PAGE)
    assert not at.exception and not at.warning
    ce = _ce([0.1, 6.0, -2.0, 3.2], 2)  # 8.0619
    assert _metrics(at)["nn.CrossEntropyLoss"] == f"{ce:.4f}" == "8.0619"
    walk = _fig(at, 0)["data"]
    np.testing.assert_array_equal(array(walk[2]["y"]), [0, 0, 1, 0])  # F.one_hot(2, 4)
    e = np.exp([0.1, 6.0, -2.0, 3.2])
    np.testing.assert_allclose(array(walk[1]["y"]), e / e.sum(), rtol=1e-12)
    point = _fig(at, 1)["data"][2]
    assert abs(array(point["y"])[0] - ce) < 1e-12
    mse = _fig(at, 2)["data"][1]
    assert array(mse["y"])[0] == 81.0
    assert any("**81**" in m.value for m in at.markdown)
    walk_summary = _summaries(at)[0]
    assert "picks class 2, with p = 0.0003153, so the loss is −log p = 8.0619." in walk_summary


def test_widgets_change_scores_label_and_mse():
    at = open_page(PAGE)
    at.text_input(key="scores").input("2, -1, 0.5")
    at.number_input(key="label").set_value(0)
    at.number_input(key="pred").set_value(-2.0)
    at.number_input(key="target").set_value(3.0)
    at.run()
    assert not at.exception and not at.warning
    assert _metrics(at)["nn.CrossEntropyLoss"] == f"{_ce([2, -1, 0.5], 0):.4f}"
    np.testing.assert_array_equal(array(_fig(at, 0)["data"][2]["y"]), [1, 0, 0])
    curve = _fig(at, 1)["data"][0]
    p = array(curve["x"])
    np.testing.assert_allclose(array(curve["y"]), -np.log(p), rtol=1e-9)
    titles = rendered(" ".join(m.value for m in at.markdown if m.value.startswith("**")))
    assert "3 classes: confident and wrong" in titles  # lifted out of the figure
    walk, curves, mse = _summaries(at)
    assert f"the loss is −log p = {_ce([2, -1, 0.5], 0):.4f}." in walk
    assert "With 3 classes" in curves and "the prediction -2 costs 25." in mse
    assert array(_fig(at, 2)["data"][1]["y"])[0] == 25.0


def test_deep_link_and_large_scores_stay_finite():
    at = open_page(PAGE, query={"scores": "100, -100, 0", "label": "1", "pred": "0.5",
                                "target": "0.5"})
    assert not at.exception and not at.warning
    assert at.number_input(key="label").value == 1
    assert _metrics(at)["nn.CrossEntropyLoss"] == f"{_ce([100, -100, 0], 1):.4f}"  # 200.0
    assert all(all_finite(_fig(at, i)["data"]) for i in range(3))
    assert array(_fig(at, 0)["data"][1]["y"])[1] < 1e-80  # e^-200: tiny, finite
    assert array(_fig(at, 2)["data"][1]["y"])[0] == 0.0


def test_bad_input_warns_and_falls_back():
    at = open_page(PAGE, query={"scores": "1, two, 3", "label": "7"})
    assert not at.exception
    messages = " ".join(w.value for w in at.warning)
    assert "Scores" in messages and "Label 7" in messages
    # the course's scores, label clamped to the last class (3)
    assert _metrics(at)["nn.CrossEntropyLoss"] == f"{_ce([0.1, 6.0, -2.0, 3.2], 3):.4f}"
    assert math.isfinite(float(_metrics(at)["p(true class)"]))


def test_a_bad_link_value_gets_one_exact_notice():
    at = open_page(PAGE, query={"label": "12", "pred": "abc", "target": "inf"})
    assert not at.exception
    text = rendered(" ".join(w.value for w in at.warning))
    assert "True class (label y) “12” is outside 0 … 9: using 2 instead." in text
    assert "Prediction “abc” is not a number: using 10 instead." in text
    assert "Target “inf” is not a finite number: using 1 instead." in text
    assert _metrics(at)["nn.CrossEntropyLoss"] == "8.0619"  # the course's example
    assert array(_fig(at, 2)["data"][1]["y"])[0] == 81.0


def test_markdown_in_the_scores_renders_as_text():
    at = open_page(PAGE, query={"scores": "1, [Login](https://evil.example)"})
    assert not at.exception
    shown = [e.value for kind in (at.markdown, at.warning, at.caption) for e in kind]
    assert not [v for v in shown if "](" in v]
    text = rendered(" ".join(w.value for w in at.warning))
    assert "Scores: Number 2, '[Login](https://evil', is not a number." in text
    assert _metrics(at)["nn.CrossEntropyLoss"] == "8.0619"
