"""The URL is the page's state: garbage in it falls back to defaults, with a notice."""

from __future__ import annotations

import pytest

from tests.conftest import CONCEPT_PAGES, open_page, page_id

NUMERIC = ("slider", "number_input")


def _numeric_keys(at) -> list[str]:
    return [w.key for kind in NUMERIC for w in at.get(kind)
            if w.key and not isinstance(w.value, (tuple, list))]


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_garbage_url_values_fall_back_with_a_notice(file):
    keys = _numeric_keys(open_page(file))
    if not keys:
        pytest.skip("no numeric widget on this page")
    garbage = {key: "1e999x" for key in keys[:3]}
    at = open_page(file, query=garbage)
    assert not at.exception, [e.message for e in at.exception]
    notices = " ".join(t.proto.body for t in at.toast)
    for key in garbage:
        assert f"`{key}=1e999x`" in notices
    at.run()
    assert not at.exception
    assert not at.toast, "the notice is shown once, not on every rerun"


def test_garbage_lecture_flag_is_reported_by_the_shell():
    at = open_page("pages/home.py", query={"lecture": "sometimes"})
    assert not at.exception
    assert any("`lecture=sometimes`" in t.proto.body for t in at.toast)


def test_valid_url_values_raise_no_notice():
    at = open_page("pages/activations.py", query={"depth": "12", "x0": "-1.5", "seed": "3",
                                                  "fns": ["GELU"], "lecture": "true"})
    assert not at.toast
    assert at.slider(key="depth").value == 12


def test_out_of_range_url_values_are_clamped_and_reported():
    at = open_page("pages/activations.py", query={"depth": "500"})
    assert not at.exception
    assert at.slider(key="depth").value <= 30
    assert any("`depth=500`" in t.proto.body for t in at.toast)
