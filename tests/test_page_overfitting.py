"""AppTests of the Overfitting page, driven by widget keys and URL parameters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dlviz import overfitting as of
from dlviz.overfitting_settings import SETTINGS
from dlviz.safe_text import md
from tests.figures import array
from tests.markdown import link_notices

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
FAST = {"epochs": "20"}  # short training, where the test is not about the curves


def _open(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/overfitting.py").run()
    _assert_clean(at)
    return at


def _assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _diagnosis(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Diagnosis:**"))


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _query(at: AppTest, key: str):
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def test_defaults_overfit_and_show_all_figures():
    at = _open()
    assert "Overfitting" in _diagnosis(at)
    curves, boundary, dropout = _charts(at)
    train = [t for t in curves["data"] if t["name"] == "training"]
    assert len(train) == 2 and len(array(train[0]["y"])) == 200, "loss and accuracy, 200 epochs"
    assert boundary["data"][0]["type"] == "contour"
    assert array(dropout["data"][0]["z"]).shape == (1 + 2 * of.DROPOUT_CALLS, 4)
    labels = [m.label for m in at.metric]
    assert "Weight norm" in labels and "Parameters" in labels
    assert at.metric[labels.index("Parameters")].value == "8,642"  # 2·64+64 + 2·(64·64+64) + 130


def test_weight_decay_cure_sets_its_knob_and_cures():
    at = _open()
    at.button(key="cure4").click().run()
    _assert_clean(at)
    assert at.select_slider(key="wd").value == 0.01
    assert _query(at, "wd") == "0.01", "the cure's setting is in the URL"
    assert "Good fit" in _diagnosis(at)


@pytest.mark.parametrize(("button", "knobs"), [
    ("cure0", {"n": 300}), ("cure1", {"aug": 0.2}), ("cure2", {"width": 16, "depth": 2}),
    ("cure3", {"p": 0.5}),
])
def test_each_cure_moves_its_knobs(button, knobs):
    at = _open(FAST)
    at.button(key=button).click().run()
    _assert_clean(at)
    for key, value in knobs.items():
        widget = at.select_slider(key=key) if key == "width" else at.slider(key=key)
        assert widget.value == value, key
    assert at.slider(key="epochs").value == 20, "other knobs stay where they were"


def test_reset_restores_the_overfitting_setup():
    at = _open({"wd": "0.01", "n": "100", "epochs": "20"})
    at.button(key="cure_reset").click().run()
    _assert_clean(at)
    assert at.select_slider(key="wd").value == 0.0
    assert at.slider(key="n").value == 60 and at.slider(key="epochs").value == 200
    assert "Overfitting" in _diagnosis(at)


def test_deep_link_sets_every_knob():
    query = {"data": "spirals", "n": "100", "noise": "0.1", "aug": "0.05", "width": "8",
             "depth": "2", "p": "0.2", "wd": "0.001", "epochs": "30", "seed": "4"}
    at = _open(query)
    assert at.segmented_control(key="data").value == "spirals"
    assert at.slider(key="n").value == 100 and at.slider(key="depth").value == 2
    assert at.select_slider(key="width").value == 8
    assert at.select_slider(key="wd").value == 0.001
    assert at.slider(key="p").value == pytest.approx(0.2)
    script = next(c.value for c in at.code if c.language == "python")
    assert "dataset, n_train, n_val, noise, seed = 'spirals', 100, 200, 0.1, 4" in script
    assert "epochs, lr, jitter = 30, 0.003, 0.05" in script
    curves = _charts(at)[0]
    assert len(array(curves["data"][0]["x"])) == 30
    # the page's numbers are the compute's numbers
    r = of.train(dataset="spirals", n_train=100, noise=0.1, jitter=0.05, width=8, depth=2,
                 dropout=0.2, weight_decay=0.001, epochs=30, seed=4)
    assert array(curves["data"][0]["y"])[-1] == pytest.approx(r.train_loss[-1], abs=1e-5)


def test_dropout_demo_seed_changes_the_demo_only():
    at = _open(FAST)
    before = _charts(at)
    at.number_input(key="dseed").set_value(7).run()
    _assert_clean(at)
    after = _charts(at)
    assert not np.array_equal(array(after[2]["data"][0]["z"]), array(before[2]["data"][0]["z"]))
    assert after[0]["data"] == before[0]["data"], "the training is untouched"
    printed = next(c.value for c in at.code if c.language == "text")
    demo = of.dropout_demo(seed=7)
    assert f"eval call 1: {' '.join(f'{v:.6g}' for v in demo.eval_out[0])}" in printed


_notices = link_notices


@pytest.mark.parametrize(("query", "notice"), [
    ({"n": "5000"}, "Training points “5000” is outside 20 … 300: using 60 instead."),
    ({"width": "7"}, "Width (units per hidden layer) “7” is not one of 2, 4, 8, 16, 32, 64: "
                     "using 64 instead."),
    ({"wd": "banana"}, "Weight decay “banana” is not one of its 8 options: using 0.0 instead."),
    ({"data": "circles"}, "Data set “circles” is not one of moons, spirals: using moons "
                          "instead."),
    ({"p": "-1"}, "Dropout p “-1” is outside 0 … 0.7: using 0 instead."),
    ({"seed": "-3"}, "Seed “-3” is outside 0 … 2147483647: using 0 instead."),
    ({"seed": "1e400"}, "Seed “1e400” is not a finite number: using 0 instead."),
    ({"dseed": "inf"}, "Demo seed “inf” is not a finite number: using 15 instead."),
])
def test_bad_url_values_get_one_exact_notice_and_a_clean_page(query, notice):
    at = _open(query | FAST)
    assert _notices(at) == [notice]
    assert len(_charts(at)) == 3, "still shows the figures"
    assert at.number_input(key="seed").value == 0
    assert at.number_input(key="dseed").value == 15
    printed = next(c.value for c in at.code if c.language == "text")
    demo = of.dropout_demo(seed=15)
    assert f"eval call 1: {' '.join(f'{v:.6g}' for v in demo.eval_out[0])}" in printed


def test_every_option_label_of_the_data_width_and_weight_decay_is_a_valid_link():
    s = SETTINGS
    data = [*of.DATASETS, *of.DATASETS, *of.DATASETS, *of.DATASETS]
    widths = [*of.WIDTHS, *of.WIDTHS[:2]]
    for dataset, width, wd in zip(data, widths, of.WEIGHT_DECAYS, strict=True):
        query = {"data": s["data"].label_of(dataset), "width": s["width"].label_of(width),
                 "wd": s["wd"].label_of(wd), "depth": "1", "epochs": "10"}
        at = _open(query)
        assert not _notices(at), query
        assert at.segmented_control(key="data").value == dataset
        assert at.select_slider(key="width").value == width
        assert at.select_slider(key="wd").value == wd
        script = next(c.value for c in at.code if c.language == "python")
        assert f"width, depth, dropout, weight_decay = {width}, 1, 0.0, {float(wd)!r}" in script


def test_lecture_mode_trims_prose():
    normal = _open(FAST)
    lecture = _open(FAST | {"lecture": "true"})
    text = lambda at: " ".join(m.value for m in at.markdown)  # noqa: E731
    assert "The rule:" in text(normal) and "The rule:" not in text(lecture)
    assert "Diagnosis" in text(lecture)


def test_18_of_20_right_is_diagnosed_as_90_percent_not_below_it():
    at = _open({"n": "20", "noise": "0.3", "width": "8", "depth": "1", "epochs": "30"})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Train accuracy"] == "90.0%"
    assert "below 90%" not in _diagnosis(at)
    assert "Good fit" in _diagnosis(at) and "training accuracy 90.0% ≥ 90%" in _diagnosis(at)


def test_charts_have_summaries_and_the_main_knobs_sit_above_the_curves():
    from dlviz import overfitting_text as text

    at = _open(FAST)
    r = of.train(dataset="moons", n_train=60, noise=0.25, jitter=0.0, width=64, depth=3,
                 dropout=0.0, weight_decay=0.0, epochs=20, seed=0)
    d = of.diagnose(train_loss=r.train_loss, val_loss=r.val_loss, train_acc=r.train_acc,
                    val_acc=r.val_acc)
    captions = [c.value for c in at.caption]
    assert "Chart: " + md(text.curves_summary(r, d)) in captions
    assert "Chart: " + md(text.dropout_summary(of.dropout_demo(seed=15))) in captions
    assert {w.key for w in at.main.slider} >= {"n", "p"}
    assert {w.key for w in at.main.select_slider} == {"width", "wd"}
    assert {w.key for w in at.sidebar.slider} >= {"noise", "aug", "depth", "epochs"}
