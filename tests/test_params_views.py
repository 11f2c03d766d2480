"""dlviz.params_views and the page's settings table: the shorthand, the code and the frozen
layers stay in step, and a link means the same model however it is written."""

from __future__ import annotations

import pytest

from dlviz import params
from dlviz import params_views as views
from dlviz.params_settings import SETTINGS, link_changes

COURSE_81 = "nn.Sequential(nn.Linear(16, 4), nn.Linear(4, 2), nn.Linear(2, 1))"


def _kinds(code: str) -> list[str]:
    return [c.kind for c in params.parse_layers(code)]


def test_the_default_shorthand_stands_for_the_default_code():
    assert views.default_code(views.DEFAULT_SHORT) == views.DEFAULT_CODE
    assert views.view(views.DEFAULT_CODE) == views.DEFAULT_SHORT
    assert SETTINGS.defaults()["code"] == views.DEFAULT_CODE


@pytest.mark.parametrize("short", ["8,4,2", "8, 4, 2", " 8 ,4,  2 ", "nn.Sequential("
                                   "nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 2))"])
def test_a_shorthand_link_is_its_model_with_no_notice(short):
    parsed = SETTINGS.parse({"short": [short]})
    assert not parsed.notices
    code = parsed.values["code"]
    assert _kinds(code) == ["Linear", "ReLU", "Linear"]
    assert params.analyse(code).report.total == 46
    assert views.link_fix(short, code) == {}, "no rewrite, no rerun"


def test_a_code_link_brings_its_shorthand_and_code_wins_over_a_wrong_one():
    assert link_changes({"code": ["10, 64, 5"]}) == {"short": "10, 64, 5"}
    assert link_changes({"code": ["nn.Conv2d(3, 8, 3)"]}) == {"short": ""}
    assert link_changes({"code": ["nn.Linear(("]}) == {}, "a broken code leaves it alone"
    assert link_changes({"short": ["8, 2"], "code": [COURSE_81]}) == {}
    assert views.link_fix("1, 2", COURSE_81) == {"short": "16, 4, 2, 1"}
    assert views.link_fix("8, x", views.DEFAULT_CODE) == {"short": views.DEFAULT_SHORT}


def test_a_shorthand_edit_keeps_the_activations_and_drops_missing_frozen_layers():
    changes = views.after_short("8, 6, 2", views.DEFAULT_CODE, ("0", "4"))
    assert _kinds(changes["code"]) == ["Linear", "ReLU", "Linear"]
    assert changes["short"] == "8, 6, 2" and changes["freeze"] == ("0",)
    assert views.after_short("8, x", views.DEFAULT_CODE, ("0",)) == {}, "typing is kept"
    typed_code = views.after_short("nn.Linear(8, 2)", views.DEFAULT_CODE)
    assert typed_code["short"] == "8, 2" and _kinds(typed_code["code"]) == ["Linear"]


def test_a_code_edit_rewrites_the_shorthand_unless_it_does_not_parse():
    assert views.after_code(COURSE_81, ("2", "5")) == {"short": "16, 4, 2, 1",
                                                       "freeze": ("2",)}
    assert views.after_code("nn.Linear((", ("5",)) == {"freeze": ("5",)}, (
        "a broken code keeps the shorthand and the selection")
    assert views.after_edit("code", "ignored", COURSE_81)["short"] == "16, 4, 2, 1"


def test_a_table_edit_rewrites_the_code():
    rows = views.clean_rows([{"layer": "Linear", "arguments": " 3, 2 "},
                             {"layer": "Softmax", "arguments": None}])
    assert rows == [{"layer": "Linear", "arguments": "3, 2"},
                    {"layer": "Softmax", "arguments": ""}]
    changes = views.after_table(rows, ("0",))
    assert _kinds(changes["code"]) == ["Linear", "Softmax"]
    assert changes["short"] == "3, 2" and changes["freeze"] == ("0",)


def test_what_can_be_frozen_is_what_owns_parameters():
    code = ("nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.BatchNorm1d(6), "
            "nn.BatchNorm1d(6, affine=False), nn.Linear(6, 2))")
    assert views.freezable(code) == ("0", "2", "4")  # affine=False: buffers only
    assert views.freezable(code) == tuple(r.name for r in params.analyse(code).report.rows)
    assert views.freezable("nn.Linear((") == views.ANY_LAYER
    parsed = SETTINGS.parse({"code": [COURSE_81], "freeze": ["0", "7"]})
    (notice,) = parsed.notices
    assert notice[0].key == "freeze" and notice[2] == "names no option (7)"
    assert parsed.values["freeze"] == ()
    assert SETTINGS.parse({"code": [COURSE_81], "freeze": ["2", "0"]}).values["freeze"] == (
        "0", "2")


def test_the_url_holds_only_what_differs_from_its_default():
    values = SETTINGS.resolve({"short": "8, 4, 2", "code": views.default_code("8, 4, 2")})
    assert SETTINGS.url(values) == {"short": ["8, 4, 2"]}
    values = SETTINGS.resolve({"short": "16, 4, 2, 1", "code": COURSE_81})
    assert SETTINGS.url(values) == {"short": ["16, 4, 2, 1"], "code": [COURSE_81]}
