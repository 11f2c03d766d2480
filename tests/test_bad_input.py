"""Bad input on every page: sweep each page's settings table through AppTest.

The domains come from the page's table (`catalog.BY_KEY[key].settings`, dlviz.settings), so a
new page or setting is covered without editing this file: every setting at the edges of its
domain one at a time and all at their heavy end together, random combinations drawn by
hypothesis from the domains, adversarial text, and out-of-domain values written into the
session state and into the URL. No run may raise, show an error element, or put NaN on a
chart.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlviz import catalog
from dlviz import settings as cfg
from tests.conftest import CONCEPT_PAGES, open_page, page_id
from tests.figures import all_finite

HOSTILE_TEXT = ["", " ", "nan", "inf", "-1e309", "1e999", "__import__('os').system('id')",
                "a" * 5000, "[[1, 2], [3]]", "0x10", "１２", "1,,2", "🙂", "()",
                "nn.Linear(10, 10**10)", "9**9**9", "((((((((((1))))))))))",
                "[x](https://evil.example)", "![](//x.invalid/a)", ":red[x]", "`a`"]


def table_of(file: str) -> cfg.Table:
    return catalog.BY_KEY[page_id(file)].settings


def check(at) -> None:
    assert not at.exception, [e.message[:300] for e in at.exception]
    assert not at.error, [e.value[:300] for e in at.error]
    for chart in at.get("plotly_chart"):
        assert all_finite(json.loads(chart.proto.spec)["data"]), "NaN or inf on a chart"


def known(at, table: cfg.Table) -> dict:
    """The session's current settings, resolved as the page resolves them."""
    state = {k: at.session_state[k] for k in table.keys if k in at.session_state}
    return table.resolve(state)


def put(at, s: cfg.Setting, value) -> None:
    """Set a setting as a widget or a callback would (lists for multiselects)."""
    at.session_state[s.key] = list(value) if isinstance(s, cfg.Multi) else value


def random_value(s: cfg.Setting, k: dict, data):
    if isinstance(s, cfg.Number):
        lo, hi = s.bounds(k)
        step = s.step or (1 if s.integer else (hi - lo) / 100)
        n = data.draw(st.integers(0, max(0, int((hi - lo) / step))))
        v = min(lo + n * step, hi)
        return int(v) if s.integer else round(v, 10)
    if isinstance(s, cfg.Flag):
        return data.draw(st.booleans())
    if isinstance(s, cfg.Text):
        return data.draw(st.one_of(st.sampled_from(HOSTILE_TEXT),
                                   st.text(max_size=60)))[:s.max_chars]
    if isinstance(s, cfg.Multi):
        options = s.choices(k)
        return tuple(o for o in options if data.draw(st.booleans()))
    if isinstance(s, cfg.Span):
        options = s.choices(k)
        i, j = sorted(data.draw(st.integers(0, len(options) - 1)) for _ in range(2))
        return (options[i], options[j])
    return data.draw(st.sampled_from(list(s.choices(k))))


def test_every_page_has_a_settings_table():
    for file in CONCEPT_PAGES:
        table = table_of(file)
        assert len(table.keys) >= 2, file


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_every_setting_at_its_edges(file):
    table = table_of(file)
    at = open_page(file)
    check(at)
    for s in table:
        if not s.active(known(at, table)):
            continue  # not drawn for these settings (its conditions are swept with them)
        for value in s.edges(known(at, table)):
            put(at, s, value)
            at.run()
            check(at)
        put(at, s, s.default_for(known(at, table)))


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
@pytest.mark.parametrize("edge", ["low", "heavy"])
def test_all_settings_at_once_at_the_edges(file, edge):
    table = table_of(file)
    at = open_page(file)
    for s in table:
        k = known(at, table)
        put(at, s, s.heavy(k) if edge == "heavy" else s.edges(k)[0])
    at.run()
    check(at)


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_combinations(file, data):
    table = table_of(file)
    at = open_page(file)
    for s in table:
        if data.draw(st.booleans()):
            put(at, s, random_value(s, known(at, table), data))
    at.run()
    check(at)


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_out_of_domain_values_in_session_state(file):
    """A stale session (an older version's value, a callback's mistake) never crashes.
    (Unknown options are swept through the URL in tests/test_url_state.py: AppTest itself
    cannot hold a selectbox value outside its options.)"""
    table = table_of(file)
    at = open_page(file)
    # (A disabled widget cannot be given a value in the browser; AppTest would still send it.)
    disabled = {w.key for kind in ("slider", "number_input") for w in at.get(kind)
                if w.disabled}
    for s in table:
        if isinstance(s, cfg.Number) and s.active(known(at, table)) and s.key not in disabled:
            at.session_state[s.key] = s.bounds(known(at, table))[1] * 10 + 1
    at.run()
    check(at)
    query = {s.key: "no-such-option" for s in table if isinstance(s, cfg.Choice)}
    check(open_page(file, query=query))


def test_the_sweep_can_fail():
    """`check` rejects what it must: a NaN on a chart is caught."""
    from tests.figures import all_finite as finite

    assert not finite({"y": [1.0, math.nan]})
