"""AppTests of the Learning rate & momentum page: defaults, preset clicks, deep links, input,
and runs added by a map click or the optimal-run button surviving a reload."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates

from dlviz import lr_momentum as lm
from dlviz import lr_momentum_presets as presets
from dlviz.reproduce import parse_prints
from tests.conftest import open_page
from tests.figures import array
from tests.markdown import rendered

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


def _warnings(at) -> str:
    return rendered(" ".join(w.value for w in at.warning))


def _notices(at) -> list[str]:
    """The link notices under the title (rendered), not the page's own warnings."""
    return [rendered(w.value) for w in at.warning if w.icon == ":material/link_off:"]


def _query(at) -> dict:
    """The page's URL query, each value as the list of its texts."""
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def _lanes(at) -> list[tuple]:
    """Every run's widgets: (optimizer, lr, momentum, nesterov, steps)."""
    return [(at.selectbox(key=f"opt{i}").value, at.select_slider(key=f"lr{i}").value,
             at.slider(key=f"mom{i}").value, at.checkbox(key=f"nest{i}").value,
             at.number_input(key=f"steps{i}").value)
            for i in range(1, at.slider(key="n").value + 1)]


def _reloads_the_same(at) -> None:
    """Opening the page fresh with its URL shows the same runs, and no link notice: the
    same warnings (a diverged run's) as before the reload, nothing else."""
    again = open_page(PAGE, query=_query(at))
    _clean(again)
    assert not _notices(again)
    assert [w.value for w in again.warning] == [w.value for w in at.warning]
    assert _lanes(again) == _lanes(at)
    assert _runs(again) == _runs(at)
    assert _query(again) == _query(at)


def _click_map(at, lr: float, momentum: float):
    """A click on the map's cell (lr, momentum), as the browser sends it: the chart's
    selection state in the next run's widget states (its on_select callback runs)."""
    chart = at.get("plotly_chart")[2]
    states = WidgetStates()
    states.CopyFrom(at._tree.get_widget_states())
    click = states.widgets.add()
    click.id = chart.proto.id
    click.string_value = json.dumps({"selection": {
        "points": [{"x": math.log10(lr), "y": momentum}], "point_indices": [0], "box": [],
        "lasso": []}})
    return at._run(states)


def test_default_is_the_course_learning_rate_story():
    at = open_page(PAGE)
    _clean(at)
    assert at.selectbox(key="f").value == "course" and at.slider(key="n").value == 3
    assert _runs(at) == ["1: sgd lr=0.01 10 steps", "2: sgd lr=0.05 10 steps",
                         "3: sgd lr=0.1 10 steps — diverged at step 5"]
    assert "Reproduced here ✓" in _text(at) and "What to observe" in _text(at)
    assert any("diverged at step 5" in w.value for w in at.warning)
    paths, curves, the_map = _figs(at)
    assert not {"frames", "sliders", "updatemenus"} & ({*paths} | {*paths["layout"]})
    assert at.slider(key="step").value == 10 and not at.toggle(key="step_play").value
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
    # the URL names the preset, whose values are the defaults of what it sets (a default
    # value is left out of the URL, and the page's default preset is the course's lr story)
    assert _query(at) == ({} if key == "course_lr" else {"preset": [p.title]})
    assert _runs(at) == [f"{i}: {s.label()}" + (
        f" — diverged at step {r}" if r is not None else "")
        for i, (s, r) in enumerate(zip(p.runs, _diverged(p), strict=True), start=1)]
    assert f"**{p.title}.**" in _text(at) and "Reproduced here ✓" in _text(at)
    _reloads_the_same(at)


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
    assert "title" not in the_map["layout"]  # lifted: drawn as page text above the chart
    assert "**Steps to converge (SGD): grey cells diverged" in rendered(_text(at))
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
    assert _lanes(at)[1] == ("sgd", 0.67, pytest.approx(0.403), False, 20)
    # the whole new run is in the URL, not only n (issue: a reload showed lane 2's default)
    assert {"n": ["2"], "lr2": ["0.67"], "mom2": ["0.403"], "steps2": ["20"]}.items() <= (
        _query(at).items())
    _reloads_the_same(at)


def test_map_click_adds_that_cell_as_a_run_and_the_url_keeps_it():
    at = open_page(PAGE)  # the course's lr preset: 3 runs of 10 steps, map 10⁻³ … 1
    _click_map(at, 0.035, 0.5)
    _clean(at)
    assert at.slider(key="n").value == 4
    assert _lanes(at)[3] == ("sgd", 0.035, 0.5, False, 10)
    assert _runs(at)[3] == "4: sgd lr=0.035 μ=0.5 10 steps"
    assert {"n": ["4"], "lr4": ["0.035"], "mom4": ["0.5"]}.items() <= _query(at).items()
    _reloads_the_same(at)
    # with every lane taken, a click replaces the last run
    _click_map(at, 0.0012, 0.0)
    _clean(at)
    assert at.slider(key="n").value == 4
    assert _lanes(at)[3] == ("sgd", 0.0012, 0.0, False, 10)
    assert _lanes(at)[:3] == [("sgd", lr, 0.0, False, 10) for lr in (0.01, 0.05, 0.1)]
    _reloads_the_same(at)


def test_map_click_then_optimal_run_on_a_preset_link():
    at = open_page(PAGE, query={"preset": "d2l: valley"})
    _click_map(at, 0.2, 0.8)
    at.button(key="add_optimal").click().run()
    _clean(at)
    assert _lanes(at)[3:] == [("sgd", 0.67, pytest.approx(0.403), False, 20)]
    assert _lanes(at)[:3] == [("sgd", 0.4, 0.0, False, 20), ("sgd", 0.6, 0.0, False, 20),
                              ("sgd", 0.6, 0.5, False, 20)]
    assert _query(at)["preset"] == ["d2l: valley"]
    _reloads_the_same(at)


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
    messages = _warnings(at)
    assert "Run 1 learning rate “20” is not one of its 541 options: using 0.01 instead." in (
        messages)
    assert "Run 1 momentum μ “1.5” is outside 0 … 0.999: using 0 instead." in messages
    assert "Run 1 steps “5000” is outside 1 … 1000: using 10 instead." in messages
    assert "Objective “nope” is not one of its 10 options: using course instead." in messages
    assert at.select_slider(key="lr1").value == 0.01 and at.number_input(key="steps1").value == 10
    assert at.selectbox(key="f").value == "course"


@pytest.mark.parametrize("query,line", [
    ({"mlr": "abc"}, "lr range (powers of 10) “abc” needs two values, low and high: using "
                     "-3, 0 instead."),
    ({"steps1": "inf"}, "Run 1 steps “inf” is not a finite number: using 10 instead."),
    ({"preset": "Distill's hero", "steps1": "inf"},
     "Run 1 steps “inf” is not a finite number: using 150 instead."),  # the preset's value
    ({"n": "9"}, "Runs “9” is outside 1 … 4: using 3 instead."),
])
def test_bad_link_values_get_the_exact_notice(query, line):
    at = open_page(PAGE, query=query)
    _clean(at)
    (notice,) = _notices(at)
    assert notice == f"**Some settings in this link could not be used.**\n\n- {line}"
    at.run()
    assert not _notices(at), "the notice is shown on the page load only"


def test_valid_links_raise_no_notice():
    at = open_page(PAGE, query={"preset": "Rosenbrock", "metric": "steps to converge",
                                "mlr": ["-5", "-1"]})
    _clean(at)
    assert not _notices(at)
    assert at.segmented_control(key="metric").value == "steps"
    at = open_page(PAGE, query={
        "f": "quadratic", "kappa": "1000", "n": "4", "lr4": "1e-05", "mom4": "0.999",
        "nest4": "true", "steps4": "1000", "opt3": "adagrad", "noise": "20",
        "seed": "2147483647", "start": "0.5, -0.5"})
    _clean(at)
    assert not _notices(at)
    assert at.select_slider(key="kappa").value == 1000.0
    assert _lanes(at)[2][0] == "adagrad" and _lanes(at)[3] == ("sgd", 1e-05, 0.999, True, 1000)
    assert (at.slider(key="noise").value, at.number_input(key="seed").value) == (20.0, 2**31 - 1)
    assert at.text_input(key="start").value == "0.5, -0.5"


def test_start_text_reaches_the_page_as_plain_text():
    typed = "1, `x`![i](http://e"  # the second number quotes markdown
    at = open_page(PAGE, query={"f": "rosenbrock", "start": typed})
    _clean(at)
    (warning,) = [w.value for w in at.warning if "Start point" in w.value]
    assert "Number 2, '`x`![i](http://e', is not a number." in rendered(warning)
    assert "](" not in warning and "`" not in warning.replace("\\`", "")


def test_preset_and_metric_links_raise_no_ignored_notice():
    at = open_page(PAGE, query={"preset": "d2l: valley", "metric": "steps to converge"})
    _clean(at)
    assert not _notices(at)
    assert at.selectbox(key="f").value == "d2l_quadratic"
    assert "**Steps to converge (SGD): grey cells diverged" in rendered(_text(at))


def _balls(at) -> list[list[float]]:
    return [[array(t["x"])[0], array(t["y"])[0]] for t in _figs(at)[0]["data"]
            if t.get("name", "").endswith(" now")]


def test_the_frame_slider_steps_the_runs_and_the_link_keeps_the_frame():
    p = presets.PRESETS["d2l_valley"]
    comp = lm.compare(p.surface, runs=p.runs, start=p.start)
    at = open_page(PAGE, query={"preset": p.title})
    _clean(at)
    assert at.slider(key="step").value == 20  # the whole run
    np.testing.assert_allclose(_balls(at), [r.points[-1] for r in comp.runs], atol=1e-6)
    at.slider(key="step").set_value(7).run()
    _clean(at)
    np.testing.assert_allclose(_balls(at), [r.points[7] for r in comp.runs], atol=1e-6)
    assert _query(at)["step"] == ["7"]
    chart_captions = [c.value for c in at.caption if c.value.startswith("Chart:")]
    assert rendered(chart_captions[0]).startswith("Chart: After step 7 of 20 from (−5, −2)")
    again = open_page(PAGE, query=_query(at))
    _clean(again)
    assert again.slider(key="step").value == 7
    np.testing.assert_allclose(_balls(again), [r.points[7] for r in comp.runs], atol=1e-6)



def test_new_runs_keep_the_frame_or_the_end():
    at = open_page(PAGE, query={"preset": "d2l: valley"})
    at.number_input(key="steps1").set_value(30).run()  # at the end: the end of the new runs
    _clean(at)
    assert at.slider(key="step").value == 30 and "step" not in _query(at)
    at.pills(key="preset").set_value("Course: lr").run()
    assert at.slider(key="step").value == 10 and "step" not in _query(at)
    at.slider(key="step").set_value(4).run()  # mid-way: the frame stays
    at.number_input(key="steps1").set_value(20).run()
    _clean(at)
    assert at.slider(key="step").value == 4 and _query(at)["step"] == ["4"]
    at.pills(key="preset").set_value("d2l: x²").run()
    assert at.slider(key="step").value == 4
