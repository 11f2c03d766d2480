"""Bad input on every page: sweep each page's widget domain through AppTest.

Widgets are discovered from the running page (so a new page is covered without editing
this file): the edges (min, max, default) one widget at a time and all together, random
combinations drawn by hypothesis, adversarial text, and out-of-range values written into the
session state and into the URL. No run may raise, show an error element, or put NaN on a
chart.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CONCEPT_PAGES, open_page, page_id
from tests.figures import all_finite

HOSTILE_TEXT = ["", " ", "nan", "inf", "-1e309", "1e999", "__import__('os').system('id')",
                "a" * 5000, "[[1, 2], [3]]", "0x10", "１２", "1,,2", "\x00", "🙂", "()",
                "nn.Linear(10, 10**10)", "9**9**9", "((((((((((1))))))))))"]
KINDS = ("slider", "number_input", "selectbox", "radio", "segmented_control", "pills",
         "select_slider", "multiselect", "text_input", "text_area", "toggle", "checkbox")
SKIP_KEYS = {"lecture"}


def check(at) -> None:
    assert not at.exception, [e.message[:300] for e in at.exception]
    assert not at.error, [e.value[:300] for e in at.error]
    for chart in at.get("plotly_chart"):
        assert all_finite(json.loads(chart.proto.spec)["data"]), "NaN or inf on a chart"


def widgets(at) -> list[tuple[str, object]]:
    found = []
    for kind in KINDS:
        for w in at.get(kind):
            if getattr(w, "key", None) and w.key not in SKIP_KEYS and not w.disabled:
                found.append((kind, w))
    return found


def edge_values(kind: str, w) -> list:
    """The values at the edges of a widget's domain (min, max, default)."""
    value = w.value
    if kind in ("slider", "number_input"):
        if isinstance(value, (tuple, list)):
            lo, hi = w.min, w.max
            return [(lo, lo), (hi, hi), (lo, hi)]
        return [v for v in (getattr(w, "min", None), getattr(w, "max", None), value)
                if v is not None]
    if kind in ("toggle", "checkbox"):
        return [True, False]
    if kind in ("text_input", "text_area"):
        cap = w.max_chars or 200
        return ["", " ", "x" * cap, value]
    if kind == "multiselect":
        return [[], list(value)]
    if kind in ("segmented_control", "pills"):
        return [None, "__first__", "__last__", value]  # a user can deselect these
    return ["__first__", "__last__", value]


def set_value(at, kind: str, key: str, value) -> bool:
    """Set a widget as a user could; False (and unchanged) where AppTest cannot express it.

    AppTest knows option widgets by their formatted labels; a label is only a valid value
    when the options are strings (or parse as the numbers they show).
    """
    w = getattr(at, kind)(key=key)
    old = w.value
    try:
        if isinstance(value, str) and value in ("__first__", "__last__"):
            index = 0 if value == "__first__" else len(w.options) - 1
            if hasattr(w, "select_index"):
                w.select_index(index)
            else:
                w.set_value(_option_value(w, index, old))
        else:
            w.set_value(value)
        w._widget_state  # noqa: B018 - the harness must be able to send this state
        return True
    except (ValueError, TypeError, IndexError, AttributeError, KeyError):
        try:
            w.set_value(old)
        except (ValueError, TypeError):
            pass
        return False


def _option_value(w, index: int, current):
    label = w.options[index]
    label = getattr(label, "content", label)
    if isinstance(current, (int, float)) and not isinstance(current, bool):
        return type(current)(float(label))
    if isinstance(current, str) or current is None:
        return label
    raise TypeError("options of this type cannot be set from their labels")


def random_value(kind: str, w, data):
    value = w.value
    if kind in ("slider", "number_input") and not isinstance(value, (tuple, list)):
        lo = getattr(w, "min", None)
        hi = getattr(w, "max", None)
        lo = -1e6 if lo is None else lo
        hi = 1e6 if hi is None else hi
        step = getattr(w, "step", None) or (1 if isinstance(value, int) else 0.01)
        k = data.draw(st.integers(0, max(0, int((hi - lo) / step))))
        v = lo + k * step
        v = min(v, hi)
        return int(v) if isinstance(value, int) else round(v, 10)
    if kind in ("toggle", "checkbox"):
        return data.draw(st.booleans())
    if kind in ("text_input", "text_area"):
        cap = w.max_chars or 200
        return data.draw(st.one_of(st.sampled_from(HOSTILE_TEXT),
                                   st.text(max_size=min(cap, 60))))[:cap]
    if kind == "multiselect":
        return data.draw(st.sampled_from([[], list(value)]))
    if hasattr(w, "options") and w.options:
        return data.draw(st.sampled_from(["__first__", "__last__"]))
    return value


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_every_widget_at_its_edges(file):
    at = open_page(file)
    check(at)
    for kind, w in widgets(at):
        for value in edge_values(kind, w):
            if set_value(at, kind, w.key, value):
                at.run()
                check(at)


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
@pytest.mark.parametrize("edge", [0, 1], ids=["all-min", "all-max"])
def test_all_widgets_at_once_at_the_caps(file, edge):
    at = open_page(file)
    for kind, w in widgets(at):
        values = edge_values(kind, w)
        set_value(at, kind, w.key, values[min(edge, len(values) - 1)])
    at.run()
    check(at)


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_combinations(file, data):
    at = open_page(file)
    for kind, w in widgets(at):
        if data.draw(st.booleans()):
            set_value(at, kind, w.key, random_value(kind, w, data))
    at.run()
    check(at)


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_out_of_range_values_in_session_state_and_url(file):
    at = open_page(file)
    numeric = [(k, w) for k, w in widgets(at) if k in ("slider", "number_input")
               and not isinstance(w.value, (tuple, list))]
    for _, w in numeric:
        hi = getattr(w, "max", None)
        at.session_state[w.key] = (hi if hi is not None else 1e6) * 10 + 1
    at.run()
    check(at)
    query = {}
    for _, w in numeric:
        lo = getattr(w, "min", None)
        query[w.key] = str(-abs(lo or 1) * 1000 - 1)
    for kind, w in widgets(at):
        if kind in ("selectbox", "radio", "segmented_control", "pills", "multiselect"):
            query[w.key] = "no-such-option"
    check(open_page(file, query=query))


def test_the_sweep_can_fail():
    """`check` rejects what it must: a NaN on a chart is caught."""
    from tests.figures import all_finite as finite

    assert not finite({"y": [1.0, math.nan]})
