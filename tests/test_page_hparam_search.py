"""AppTests of the Hyperparameter search page, driven by widget keys and by the URL."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from dlviz import hparam_search as hs
from dlviz.hparam_search_settings import SETTINGS
from dlviz.reproduce import parse_prints
from dlviz.safe_text import md
from tests.conftest import open_page
from tests.figures import array
from tests.markdown import link_notices

torch.set_num_threads(1)
PAGE = "pages/hparam_search.py"


def _fig(at, key: str) -> dict:
    chart = next(c for c in at.get("plotly_chart") if c.key == key)
    return json.loads(chart.proto.spec)


def _trace(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t.get("name") == name)


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _assert_figures_match(at, result: hs.SearchResult) -> None:
    plane = _fig(at, "plane")
    for name, t in (("Grid search", result.grid), ("Random search", result.random)):
        trace = _trace(plane, name)
        np.testing.assert_array_equal(array(trace["x"]), t.lr)
        np.testing.assert_array_equal(array(trace["y"]), t.momentum)
        np.testing.assert_allclose(array(trace["marker"]["color"]), t.val_loss, rtol=1e-12)


def test_defaults_show_the_default_search():
    at = open_page(PAGE)
    assert not at.exception
    assert at.select_slider(key="trials").value == 16
    assert at.slider(key="epochs").value == 40
    assert at.number_input(key="seed").value == 0
    result = hs.search(trials=16, epochs=40, seed=0)
    _assert_figures_match(at, result)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Best of grid search"] == f"val loss {result.grid.val_loss.min():.4f}"
    assert metrics["Best of random search"] == f"val loss {result.random.val_loss.min():.4f}"
    assert "only √16 = 4 learning rates" in _text(at)


def test_deep_link_sets_every_widget_and_the_numbers():
    at = open_page(PAGE, query={"trials": "9", "epochs": "10", "seed": "3"})
    assert not at.exception
    assert at.select_slider(key="trials").value == 9
    assert at.slider(key="epochs").value == 10
    assert at.number_input(key="seed").value == 3
    result = hs.search(trials=9, epochs=10, seed=3)
    _assert_figures_match(at, result)
    projections = _fig(at, "projections")
    assert _trace(projections, "Random search: 9 lr values, 9 momentum values")
    shown = parse_prints(next(c.value for c in at.code if c.language == "text"))
    np.testing.assert_allclose(shown["random val loss"], result.random.val_loss, rtol=1e-5)
    script = next(c.value for c in at.code if c.language == "python")
    assert "TRIALS, EPOCHS, SEED = 9, 10, 3" in script


def test_changing_the_budget_reruns_both_methods():
    at = open_page(PAGE, query={"epochs": "5"})
    at.select_slider(key="trials").set_value(4)
    at.run()
    assert not at.exception
    plane = _fig(at, "plane")
    assert len(array(_trace(plane, "Grid search")["x"])) == 4
    assert len(array(_trace(plane, "Random search")["x"])) == 4
    assert "only √4 = 2 learning rates" in _text(at)


_notices = link_notices


TRIALS_LABEL = "Trials per method (the budget)"


@pytest.mark.parametrize(("query", "notices"), [
    ({"trials": "17"}, [f"{TRIALS_LABEL} “17” is not one of its 7 options: using 16 instead."]),
    ({"trials": "abc", "epochs": "500"},
     [f"{TRIALS_LABEL} “abc” is not one of its 7 options: using 16 instead.",
      "Epochs per trial “500” is outside 5 … 50: using 40 instead."]),
    ({"seed": "-4"}, ["Seed “-4” is outside 0 … 2147483647: using 0 instead."]),
    ({"seed": "1e400"}, ["Seed “1e400” is not a finite number: using 0 instead."]),
])
def test_bad_urls_fall_back_to_defaults_with_exact_notices(query, notices):
    at = open_page(PAGE, query={**query, "epochs": query.get("epochs", "5")})
    assert not at.exception and not at.error
    assert _notices(at) == notices
    assert at.select_slider(key="trials").value == 16
    epochs = 40 if "epochs" in query else 5
    assert at.slider(key="epochs").value == epochs
    assert at.number_input(key="seed").value == 0
    _assert_figures_match(at, hs.search(trials=16, epochs=epochs, seed=0))


def test_every_budget_label_is_a_valid_link():
    for trials in hs.BUDGETS:
        at = open_page(PAGE, query={"trials": SETTINGS["trials"].label_of(trials),
                                    "epochs": "5"})
        assert not at.exception and not _notices(at), trials
        assert at.select_slider(key="trials").value == trials
        assert len(array(_trace(_fig(at, "plane"), "Grid search")["x"])) == trials


def test_lecture_mode_trims_the_prose():
    normal = open_page(PAGE, query={"epochs": "5"})
    lecture = open_page(PAGE, query={"epochs": "5"})
    lecture.session_state["lecture"] = True  # the shell's toggle, as a click would set it
    lecture.run()
    assert "Bergstra" in _text(normal) and "Bergstra" not in _text(lecture)
    assert "√16 = 4" in _text(lecture)  # the essential sentence stays


def test_charts_have_their_summaries_and_the_settings_sit_above_the_plane():
    at = open_page(PAGE, query={"trials": "9", "epochs": "5", "seed": "3"})
    result = hs.search(trials=9, epochs=5, seed=3)
    from dlviz import hparam_search_text as text

    captions = [c.value for c in at.caption]
    assert "Chart: " + md(text.plane_summary(result)) in captions
    assert "Chart: " + md(text.projections_summary(result)) in captions
    assert not at.sidebar.slider and not at.sidebar.select_slider, "no setting in the sidebar"
    assert [w.key for w in at.main.select_slider] == ["trials"]
