"""AppTests of the Learning rate & momentum page: defaults, preset clicks, deep links, input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dlviz import lr_momentum as lm
from dlviz import lr_momentum_presets as presets
from dlviz.reproduce import parse_prints
from tests.conftest import open_page
from tests.figures import array

PAGE = "pages/lr_momentum.py"


def _figs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def _runs(at) -> list[str]:
    return [t["name"] for t in _figs(at)[0]["data"]
            if t.get("name", "")[:2] in {"1:", "2:", "3:", "4:"}]


def _clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_default_is_the_course_learning_rate_story():
    at = open_page(PAGE)
    _clean(at)
    assert at.selectbox(key="f").value == "course" and at.slider(key="n").value == 3
    assert _runs(at) == ["1: sgd lr=0.01 10 steps", "2: sgd lr=0.05 10 steps",
                         "3: sgd lr=0.1 10 steps — diverged at step 5"]
    assert "Reproduced here ✓" in _text(at) and "What to observe" in _text(at)
    assert any("diverged at step 5" in w.value for w in at.warning)
    paths, curves, the_map = _figs(at)
    assert paths["frames"] and paths["layout"]["updatemenus"]
    assert curves["layout"]["yaxis"]["type"] == "log"
    cells = next(t for t in the_map["data"] if t.get("name") == "cells")
    assert len(array(cells["x"])) == 40 * 40
    # the good run's path ends at the global minimum, as the course says
    good = next(t for t in paths["data"] if t.get("name", "").startswith("2:"))
    assert array(good["x"])[-1] == pytest.approx(-2.0, abs=1e-3)


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_preset_click_sets_widgets_url_and_claim(key):
    p = presets.PRESETS[key]
    at = open_page(PAGE)
    at.pills(key="preset").set_value(p.title).run()
    _clean(at)
    assert at.selectbox(key="f").value == p.surface
    assert at.slider(key="n").value == len(p.runs)
    for i, spec in enumerate(p.runs, start=1):
        assert at.select_slider(key=f"lr{i}").value == spec.lr
        assert at.slider(key=f"mom{i}").value == pytest.approx(spec.momentum)
        assert at.number_input(key=f"steps{i}").value == spec.steps
        assert at.selectbox(key=f"opt{i}").value == spec.optimizer
    # the settings are in the URL (a default value is left out of it)
    assert at.query_params.get("f", "course") in (p.surface, [p.surface])
    assert at.query_params.get("n", "3") in (str(len(p.runs)), [str(len(p.runs))])
    assert _runs(at) == [f"{i}: {s.label()}" + (
        f" — diverged at step {r}" if r is not None else "")
        for i, (s, r) in enumerate(zip(p.runs, _diverged(p), strict=True), start=1)]
    assert f"**{p.title}.**" in _text(at) and "Reproduced here ✓" in _text(at)


def _diverged(p):
    comp = lm.compare(p.surface, runs=p.runs, start=p.start)
    return [r.diverged_at for r in comp.runs]


def test_deep_link_to_a_preset_sets_the_runs():
    at = open_page(PAGE, query={"preset": "Distill's hero"})
    _clean(at)
    assert at.selectbox(key="f").value == "distill"
    assert at.text_input(key="start").value == "-1.21, 0.853"
    assert at.select_slider(key="lr1").value == 0.003
    assert at.slider(key="mom1").value == pytest.approx(0.74)
    assert "Distill's hero" in _text(at)


def test_deep_link_settings_win_over_the_preset():
    at = open_page(PAGE, query={"preset": "Distill's hero", "lr1": "0.002", "noise": "0.5",
                                "seed": "3"})
    _clean(at)
    assert at.selectbox(key="f").value == "distill"
    assert at.select_slider(key="lr1").value == 0.002
    assert "Reproduced here" not in _text(at)  # modified settings make no claim


def test_deep_link_without_preset_sets_every_widget():
    query = {"f": "quadratic", "kappa": "100.0", "start": "1, 1", "n": "2", "opt1": "sgd",
             "lr1": "0.033", "mom1": "0.669", "steps1": "300", "opt2": "adam", "lr2": "0.1",
             "steps2": "300", "metric": "steps to converge", "mlr": ["-3", "0"]}
    at = open_page(PAGE, query=query)
    _clean(at)
    assert at.select_slider(key="kappa").value == 100.0
    assert at.select_slider(key="mlr").value == (-3, 0)
    assert _runs(at) == ["1: sgd lr=0.033 μ=0.669 300 steps", "2: adam lr=0.1 300 steps"]
    the_map = _figs(at)[2]
    assert the_map["layout"]["title"]["text"].startswith("Steps to converge")
    assert any(t.get("name", "").startswith("stability bound") for t in the_map["data"])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rate (√κ−1)/(√κ+1)"] == "0.8182"
    measured = float(next(m for m in at.metric if m.label.startswith("Rate")).delta.split()[-1])
    assert measured == pytest.approx(0.8182, rel=0.02)


def test_bad_start_point_gets_a_message_and_the_default():
    at = open_page(PAGE, query={"f": "rosenbrock", "start": "1, two"})
    _clean(at)
    assert any("Start point" in w.value for w in at.warning)
    paths = _figs(at)[0]
    first = next(t for t in paths["data"] if t.get("name", "").startswith("1:"))
    assert [array(first["x"])[0], array(first["y"])[0]] == [-2.0, 2.0]
    at.text_input(key="start").set_value("0.5").run()  # one number for a 2-D objective
    assert any("2 number" in w.value for w in at.warning)


def test_too_narrow_map_range_is_explained():
    at = open_page(PAGE, query={"mlr": ["-2", "-1"]})
    _clean(at)
    assert any("two decades" in w.value for w in at.warning)


def test_add_optimal_run_button_adds_an_sgd_run_at_alpha_beta():
    at = open_page(PAGE, query={"f": "d2l_quadratic", "n": "1", "lr1": "0.4", "steps1": "20"})
    at.button(key="add_optimal").click().run()
    _clean(at)
    assert at.slider(key="n").value == 2
    assert at.select_slider(key="lr2").value == 0.67  # α* = 0.668 on the lr stops
    assert at.slider(key="mom2").value == pytest.approx(0.403)


def test_code_panel_prints_the_runs():
    at = open_page(PAGE, query={"f": "bowl", "n": "1", "lr1": "0.2", "start": "10"})
    printed = parse_prints(next(c.value for c in at.code if c.language == "text"))
    want = 10 * 0.6**10
    assert printed["run 1 final point"] == [pytest.approx(want, rel=1e-5)]
    assert printed["run 1 steps done"] == [10]
    script = next(c.value for c in at.code if c.language == "python")
    assert "torch.optim.SGD" in script and "(\'sgd\', 0.2, 0.0, False, 10)" in script


def test_noise_changes_the_runs_reproducibly():
    query = {"f": "d2l_quadratic", "n": "1", "lr1": "0.1", "steps1": "30", "noise": "1.0"}
    a, b = open_page(PAGE, query=query | {"seed": "1"}), open_page(PAGE, query=query | {
        "seed": "2"})
    xa = array(next(t for t in _figs(a)[0]["data"] if t.get("name", "").startswith("1:"))["x"])
    xb = array(next(t for t in _figs(b)[0]["data"] if t.get("name", "").startswith("1:"))["x"])
    assert len(xa) == len(xb) == 31 and not np.allclose(xa, xb)


def test_out_of_range_link_values_get_messages_and_defaults():
    at = open_page(PAGE, query={"lr1": "20", "mom1": "1.5", "steps1": "5000", "f": "nope"})
    _clean(at)
    messages = " ".join(w.value for w in at.warning)
    assert "learning rate to '20'" in messages and "[1, 1000]" in messages
    assert "choose one of course" in messages
    assert at.select_slider(key="lr1").value == 0.01 and at.number_input(key="steps1").value == 10


def test_preset_and_metric_links_raise_no_ignored_notice():
    at = open_page(PAGE, query={"preset": "d2l: valley", "metric": "steps to converge"})
    _clean(at)
    assert not at.toast, [t.proto.body for t in at.toast]
    assert at.selectbox(key="f").value == "d2l_quadratic"
    assert _figs(at)[2]["layout"]["title"]["text"].startswith("Steps to converge")
