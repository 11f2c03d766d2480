"""An AppTest for every page the navigation registers, normal and lecture mode."""

from __future__ import annotations

import json
import pickle  # only to measure sizes of our own session values

import pytest

from tests.conftest import CONCEPT_PAGES, PAGE_FILES, open_page, page_id
from tests.figures import all_finite


def _assert_clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _lecture(at) -> bool:
    # The toggle lives in the entry script's sidebar; AppTest's element tree drops entry-script
    # sidebar elements once a page writes to the sidebar, so read the widget's state instead.
    return bool(at.session_state["lecture"]) if "lecture" in at.session_state else False


def _figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("file", PAGE_FILES, ids=page_id)
@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
def test_page_runs_clean(file, lecture):
    at = open_page(file, query={"lecture": "true"} if lecture else None)
    _assert_clean(at)
    assert _lecture(at) is lecture
    if file in CONCEPT_PAGES:
        figures = _figures(at)
        assert figures, "a concept page shows at least one chart"
        for fig in figures:
            assert all_finite(fig["data"]), "no NaN or inf reaches a chart"


@pytest.mark.parametrize("file", PAGE_FILES, ids=page_id)
def test_nothing_large_lives_in_session_state(file):
    """Each of 100 sessions holds its own session_state: results belong in the shared caches."""
    at = open_page(file)
    sizes = {key: len(pickle.dumps(at.session_state[key], protocol=5)) for key in at.session_state}
    assert sizes, "the page's widgets keep their values in session_state"
    assert sum(sizes.values()) <= 16_384, sorted(sizes.items(), key=lambda kv: -kv[1])[:5]


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_page_has_code_panel(file):
    at = open_page(file)
    assert any(c.language == "python" and c.value.startswith("# dlviz") for c in at.code)
    assert at.get("download_button"), "the script can be downloaded"


def test_lecture_mode_survives_page_switch():
    at = open_page("pages/home.py", query={"lecture": "true"})
    for file in CONCEPT_PAGES[:2]:
        at.switch_page(file).run()
        _assert_clean(at)
        assert _lecture(at) is True  # (the URL itself is checked in the browser test)


def test_home_lists_every_page():
    from dlviz import catalog

    at = open_page("pages/home.py")
    text = " ".join(m.value for m in at.markdown) + " ".join(
        str(e.proto) for e in at.get("page_link"))
    for spec in catalog.PAGES:
        assert spec.title in text
    links = at.get("page_link")
    assert len(links) == len(catalog.live_pages()), "only live pages are linked"
