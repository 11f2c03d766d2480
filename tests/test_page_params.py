"""The Counting-parameters page, driven by widget keys: three ways in, one model out."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dlviz import params, params_text, params_views
from dlviz.reproduce import parse_prints
from tests.conftest import APP, open_page
from tests.figures import array
from tests.markdown import rendered

PAGE = "pages/params.py"
COURSE_81 = "nn.Sequential(nn.Linear(16, 4), nn.Linear(4, 2), nn.Linear(2, 1))"


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _total(at) -> int:
    return int(_metrics(at)["Parameters"].replace(",", ""))


def _charts(at) -> list[dict]:
    """The charts in page order: network, bars, compare (their titles are page text)."""
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 3
    return charts


def _bars(at) -> list[float]:
    fig = _charts(at)[1]
    assert {t["type"] for t in fig["data"]} == {"bar"}
    return [v for trace in fig["data"] for v in array(trace["y"]).tolist()]


def _prints(at) -> dict[str, list[float]]:
    texts = [c.value for c in at.code if c.language == "text"]
    return parse_prints(texts[-1])


def _clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _warnings(at) -> list[str]:
    """The warnings as a reader sees them (the page escapes the user text they quote)."""
    return [rendered(w.value) for w in at.warning]


@pytest.fixture(scope="module")
def default_page():
    return open_page(PAGE)


def test_default_is_the_683_example(default_page):
    at = default_page
    _clean(at)
    assert _total(at) == 683 and _metrics(at)["Trainable"] == "683"
    assert at.text_input(key="short").value == "10, 18, 20, 5"
    assert _bars(at) == [198, 380, 105]
    assert _prints(at) == {"parameters per layer": [198, 380, 105], "total": [683],
                           "trainable": [683], "buffers": [0]}
    table = at.data_editor[0].value
    assert list(table["layer"]) == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert list(table["arguments"]) == ["10, 18", "", "18, 20", "", "20, 5"]


def test_pasted_code_updates_shorthand_and_table():
    at = open_page(PAGE)
    at.text_area(key="code").set_value(COURSE_81).run()
    _clean(at)
    assert _total(at) == 81
    assert at.text_input(key="short").value == "16, 4, 2, 1"
    assert list(at.data_editor[0].value["arguments"]) == ["16, 4", "4, 2", "2, 1"]
    assert _prints(at)["total"] == [81]


def test_shorthand_rewrites_code_and_keeps_activations():
    at = open_page(PAGE)
    at.text_input(key="short").set_value("8, 6, 4, 4, 2").run()
    _clean(at)
    assert _total(at) == 112
    code = at.text_area(key="code").value
    assert params.parse_layers(code) == params.parse_layers(
        "nn.Sequential(nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 4), nn.ReLU(), "
        "nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))")
    assert list(at.data_editor[0].value["layer"]).count("ReLU") == 3


def test_layer_table_edit_rewrites_code_and_shorthand():
    at = open_page(PAGE)
    key = at.data_editor[0].key
    at.session_state[key] = {"edited_rows": {4: {"arguments": "20, 2"}},
                             "added_rows": [{"layer": "Softmax", "arguments": "dim=-1"}],
                             "deleted_rows": [1]}
    at.run()
    _clean(at)
    assert _total(at) == 683 - 105 + 42
    code = at.text_area(key="code").value
    assert [c.kind for c in params.parse_layers(code)] == ["Linear", "Linear", "ReLU",
                                                           "Linear", "Softmax"]
    assert at.text_input(key="short").value == "10, 18, 20, 2"
    at.run()  # the next run shows the table rebuilt from the new code
    assert list(at.data_editor[0].value["layer"])[-1] == "Softmax"
    assert _total(at) == 620


def test_parse_error_points_at_the_part_and_keeps_the_last_model():
    at = open_page(PAGE)
    bad = "nn.Sequential(nn.Linear(10, 18), nn.Linear(19, 2))"
    at.text_area(key="code").set_value(bad).run()
    _clean(at)
    assert any("Column 34" in w and "18" in w for w in _warnings(at))
    marks = [c.value for c in at.code if c.language == "text" and "^" in c.value]
    assert marks and marks[0].splitlines()[1] == " " * 33 + "^" * 16
    assert _total(at) == 683, "the last valid model stays on screen"
    assert at.text_area(key="code").value == bad, "nothing typed is lost"
    assert at.text_input(key="short").value == "10, 18, 20, 5"
    at.text_area(key="code").set_value("nn.Linear(19, 2)").run()
    assert _total(at) == 40 and not at.warning


def test_bad_table_edit_shows_the_error_and_the_next_fix_wins():
    at = open_page(PAGE)
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {"arguments": "10, 30"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert any("in_features is 18" in w for w in _warnings(at))
    assert _total(at) == 683
    at.text_area(key="code").set_value("10, 30, 5").run()
    assert _total(at) == 330 + 155 and not at.warning


def test_challenge_checked_with_explanation():
    at = open_page(PAGE)
    at.text_input(key="answer").set_value("8, 6, 4, 4, 2").run()
    assert at.success and "Solved" in at.success[0].value
    assert any("= **112**" in m.value for m in at.markdown)
    at.text_input(key="answer").set_value("8, 16, 16, 16, 2").run()
    assert at.error and "❌ fewer than 120 parameters (yours: 722)" in rendered(at.error[0].value)
    assert any("Layer 1 alone costs 16×16 + 16 = 272" in m.value for m in at.markdown)
    at.text_input(key="answer").set_value("nn.Linear(8, 2)").run()
    assert "❌ 4 linear layers (yours: 1)" in rendered(at.error[0].value)
    at.text_input(key="answer").set_value("8, x").run()
    assert any("Your model: Column 4" in w for w in _warnings(at))


def test_second_architecture_side_by_side():
    at = open_page(PAGE)
    at.text_input(key="other").set_value("10, 5").run()
    assert _metrics(at)["Second architecture"] == "55"
    fig = json.loads(at.get("plotly_chart")[-1].proto.spec)
    totals = [sum(array(t["x"])[i] for t in fig["data"]) for i in range(2)]
    assert totals == [683, 55]


def test_freezing_changes_trainable_and_the_script():
    at = open_page(PAGE)
    at.multiselect(key="freeze").set_value(["0"]).run()
    _clean(at)
    assert _metrics(at)["Trainable"] == f"{683 - 198:,}"
    assert _prints(at)["trainable"] == [485]
    script = next(c.value for c in at.code if c.language == "python")
    assert "frozen = ('0',)" in script


@pytest.mark.parametrize(("query", "total", "short"), [
    ({"code": "10, 64, 5"}, 1029, "10, 64, 5"),
    ({"short": "8, 4, 2"}, 46, "8, 4, 2"),
    ({"code": "nn.Conv2d(3, 8, 3)"}, 224, ""),
    ({"code": COURSE_81, "short": "1, 2"}, 81, "16, 4, 2, 1"),  # code wins
])
def test_deep_links(query, total, short):
    at = open_page(PAGE, query=query)
    _clean(at)
    assert _total(at) == total
    assert at.text_input(key="short").value == short


def test_deep_link_with_bad_code_falls_back_to_the_default():
    at = open_page(PAGE, query={"code": "__import__('os')"})
    _clean(at)
    assert _total(at) == 683
    assert at.warning and "Column 1" in _warnings(at)[0]


def test_lecture_mode_puts_the_network_first():
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lecture"] = True
    at.run()
    at.switch_page(PAGE).run()
    _clean(at)
    first = _charts(at)[0]
    assert [t["mode"] for t in first["data"]] == ["lines", "markers", "text", "text"]
    assert first["layout"]["font"]["size"] == 22, "lecture sizes"
    assert first["data"][0]["line"]["width"] >= 3 and first["data"][0]["opacity"] >= 0.6
    titles = [m.value for m in at.markdown if m.value.startswith("**")]
    assert titles[0].startswith("**The network"), "the first chart's title, as page text"
    assert _total(at) == 683


def test_returning_to_the_page_resets_views_consistently():
    at = open_page(PAGE)
    at.text_area(key="code").set_value(COURSE_81).run()
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE).run()
    _clean(at)
    short = at.text_input(key="short").value
    assert params.shorthand(params.parse_layers(at.text_area(key="code").value)) == short


# --- the settings table: links, notices, user text --------------------------------------------

def test_shorthand_link_applies_without_a_notice():
    at = open_page(PAGE, query={"short": "8,4,2"})
    _clean(at)
    assert not at.warning, _warnings(at)
    assert _total(at) == 8 * 4 + 4 + 4 * 2 + 2
    assert at.text_area(key="code").value == params_views.default_code("8, 4, 2")
    assert [c.kind for c in params.parse_layers(at.text_area(key="code").value)] == [
        "Linear", "ReLU", "Linear"], "the default model's activations are kept"
    assert _prints(at)["total"] == [46]


def test_freeze_link_naming_a_missing_layer_gets_the_exact_notice():
    at = open_page(PAGE, query={"code": COURSE_81, "freeze": ["0", "7"]})
    _clean(at)
    assert _warnings(at) == [
        "**Some settings in this link could not be used.**\n\n- Freeze layers "
        "(requires_grad = False) “0, 7” names no option (7): using nothing instead."]
    assert _total(at) == 81 and _metrics(at)["Trainable"] == "81"
    at = open_page(PAGE, query={"code": COURSE_81, "freeze": ["0", "2"]})
    assert not at.warning and _metrics(at)["Trainable"] == str(81 - 68 - 3)


def test_a_code_edit_keeps_the_frozen_layers_it_still_has():
    at = open_page(PAGE)
    at.multiselect(key="freeze").set_value(["0", "4"]).run()
    at.text_area(key="code").set_value("10, 18, 3").run()  # layers "0" and "1"
    _clean(at)
    assert list(at.multiselect(key="freeze").value) == ["0"]
    assert _metrics(at)["Trainable"] == str(57)
    at.text_area(key="code").set_value("10, (").run()  # an error keeps the selection
    assert at.multiselect(key="freeze").disabled
    at.text_area(key="code").set_value("10, 18, 3, 2").run()
    assert list(at.multiselect(key="freeze").value) == ["0"] and _metrics(at)["Trainable"] == "65"


PAYLOAD = "[x](https://evil.example)"


@pytest.mark.parametrize("key", ["code", "answer", "other", "short"])
def test_markdown_in_user_text_stays_text(key):
    at = open_page(PAGE, query={key: PAYLOAD})
    _clean(at)
    at.run()
    shown = [e.value for kind in ("markdown", "warning", "caption", "success", "error")
             for e in at.get(kind)]
    shown += [m.label for m in at.metric]
    assert shown and not [v for v in shown if "](" in v], "a link made of user text"


def test_challenge_answer_has_its_own_reproduce_script():
    at = open_page(PAGE, query={"answer": "8, 16, 16, 16, 2"})
    _clean_but_the_verdict = [e.value for e in at.exception]
    assert not _clean_but_the_verdict
    scripts = [c.value for c in at.code if c.language == "python"
               and c.value.startswith("# dlviz")]
    assert len(scripts) == 2 and "capacity challenge" in scripts[0]
    texts = [c.value for c in at.code if c.language == "text"]
    assert parse_prints(texts[0]) == {
        "parameters per layer": [144, 272, 272, 34], "total": [722], "linear layers": [4],
        "features in, classes out": [8, 2], "checks in, out, layers, budget": [1, 1, 1, 0],
        "solved": [0]}
    assert _prints(at)["total"] == [683], "the page's own script still closes the page"


def _order(node) -> list[str]:
    """The main area's widgets (by key) and charts, in page order."""
    out = []
    for child in getattr(node, "children", {}).values():
        if child.type == "plotly_chart":
            out.append("chart")
        elif getattr(child, "key", None) in ("short", "freeze", "code"):
            out.append(child.key)
        out += _order(child)
    return out


def test_the_sizes_and_frozen_layers_sit_right_above_the_network(default_page):
    order = _order(default_page.main)
    assert order[:3] == ["short", "freeze", "chart"], order
    assert order.index("code") > order.index("chart"), "the code editor is under the picture"


def test_every_chart_has_a_summary_with_its_numbers(default_page):
    captions = [rendered(c.value) for c in default_page.caption
                if c.value.startswith("Chart: ")]
    model = params.analyse(params_views.DEFAULT_CODE)  # with its ReLUs: layers 0, 2, 4
    report = model.report
    assert captions == ["Chart: " + params_text.network_summary(model.network, report),
                        "Chart: " + params_text.bars_summary(report),
                        "Chart: " + params_text.compare_summary(
                            report, params.analyse(params_views.DEFAULT_OTHER).report)]
    assert "683 parameters in all" in captions[0] and "1.51× as many" in captions[2]
    assert "layer 2 (Linear): 380" in captions[1]
