"""The URL is the page's state, read through the page's settings table.

A link's unusable values fall back to their defaults with one exact notice each, shown on
the page load only; valid values (every option label, every in-range number) never raise a
notice; hostile values (non-finite numbers, huge text, markdown) never crash a page and are
never rendered as markdown.
"""

from __future__ import annotations

import re

import pytest

from dlviz import catalog
from dlviz import settings as cfg
from tests.conftest import CONCEPT_PAGES, open_page, page_id
from tests.markdown import rendered

NOTICE = "could not be used"
HOSTILE = ["inf", "-inf", "nan", "1e400", "", "x" * 10_000, "![](//x.invalid/a)",
           "[x](https://evil.example)", "`a`", ":red[x]", r"$\href{x}{y}$"]
# Markdown that would act if rendered unescaped: an image or link, a colour directive, LaTeX.
LIVE_MARKDOWN = re.compile(r"(?<!\\)\]\((?!\))|(?<!\\)!\[|(?<!\\):red(?<!\\)\[|(?<!\\)\$\\href")


def table_of(file: str) -> cfg.Table:
    return catalog.BY_KEY[page_id(file)].settings


def notices(at) -> str:
    return rendered(" ".join(w.value for w in at.warning if NOTICE in w.value))


def markdown_sources(at) -> list[str]:
    """Every element source Streamlit renders as markdown."""
    sources = [e.value for kind in ("markdown", "caption", "warning", "error", "success",
                                    "info", "title", "header", "subheader") for e in at.get(kind)]
    sources += [t.proto.body for t in at.toast]
    sources += [m.label for m in at.metric]
    return sources


def test_markdown_check_can_fail():
    assert LIVE_MARKDOWN.search("see [x](https://evil.example)")
    assert LIVE_MARKDOWN.search("![](//x.invalid/a)") and LIVE_MARKDOWN.search(":red[x]")
    from dlviz.safe_text import md

    for payload in HOSTILE:
        assert not LIVE_MARKDOWN.search(md(payload)), payload


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: v[:12] or "empty")
def test_hostile_link_values_for_every_setting(file, value):
    """Every setting of the page's table gets the hostile value at once (one link)."""
    query = {key: value for key in table_of(file).keys}
    at = open_page(file, query=query)
    assert not at.exception, [e.message[:300] for e in at.exception]
    for source in markdown_sources(at):
        assert not LIVE_MARKDOWN.search(source), source[:300]


def _spread(options: tuple, k: int, count: int):
    """The k-th of `count` options spread evenly over `options` (all of them if few)."""
    if len(options) <= count:
        return options[min(k, len(options) - 1)]
    return options[round(k * (len(options) - 1) / (count - 1))]


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_every_option_label_parses_without_notice(file):
    """Every label of every option setting, in a link, is read as its option."""
    table = table_of(file)
    defaults = table.defaults()
    for s in table:
        if not isinstance(s, cfg.Choice) or isinstance(s, (cfg.Span, cfg.Multi)):
            continue
        for option in s.choices(defaults):
            assert s.parse([s.label_of(option)], defaults) == option, (s.key, option)
            assert s.parse([str(option)], defaults) == option, (s.key, option)


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_option_labels_in_a_link_are_applied_without_notice(file):
    """On the page, through the browser's path: all options of the small settings, and 12
    spread over each wide one (the lr stops), every setting at once per link."""
    table = table_of(file)
    choices = [s for s in table if isinstance(s, cfg.Choice) and not isinstance(
        s, (cfg.Span, cfg.Multi))]
    defaults = table.defaults()
    count = min(12, max((len(s.choices(defaults)) for s in choices), default=0))
    for k in range(count):
        query = {s.key: s.label_of(_spread(s.choices(defaults), k, count)) for s in choices}
        at = open_page(file, query=query)
        assert not at.exception, [e.message[:300] for e in at.exception]
        assert not notices(at), (query, notices(at))
        parsed = table.parse({key: [v] for key, v in query.items()})
        for key, value in parsed.values.items():
            if key in query and key in at.session_state:
                assert table[key].url(at.session_state[key]) == table[key].url(value), key


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_numbers_out_of_range_fall_back_with_an_exact_notice(file):
    table = table_of(file)
    numbers = [s for s in table if isinstance(s, cfg.Number) and s.when is None][:3]
    if not numbers:
        pytest.skip("no unconditional number on this page")
    defaults = table.defaults()
    query = {s.key: "1e999x" for s in numbers}
    at = open_page(file, query=query)
    assert not at.exception
    text = notices(at)
    for s in numbers:
        assert f"{s.label} “1e999x” is not a number: using {s.describe(defaults[s.key])} " \
               "instead." in text, text
        assert at.session_state[s.key] == s.default_for(defaults)
    at.run()
    assert not at.exception
    assert not notices(at), "the notice is shown on the page load, not on every rerun"


def test_garbage_lecture_flag_is_reported_by_the_shell():
    at = open_page("pages/home.py", query={"lecture": "sometimes"})
    assert not at.exception
    assert "Lecture mode “sometimes” is neither true nor false: using false instead." \
        in notices(at)


def test_valid_url_values_raise_no_notice():
    at = open_page("pages/activations.py", query={"depth": "12", "x0": "-1.5", "seed": "3",
                                                  "fns": ["GELU"], "lecture": "true"})
    assert not notices(at) and not at.toast
    assert at.slider(key="depth").value == 12


def test_out_of_range_url_values_fall_back_and_are_reported():
    at = open_page("pages/activations.py", query={"depth": "500"})
    assert not at.exception
    assert at.slider(key="depth").value == table_of("pages/activations.py")["depth"].default
    assert "“500” is outside 2 … 30" in notices(at)


def test_no_notice_when_widgets_change_after_the_page_load():
    """Later reruns carry a lagging query string (callbacks, presets): never a notice."""
    at = open_page("pages/activations.py", query={"depth": "12"})
    at.slider(key="depth").set_value(20).run()
    assert not notices(at)
    at.session_state["depth"] = 25  # as a preset's callback does
    at.run()
    assert not notices(at) and at.slider(key="depth").value == 25


def test_the_url_follows_the_settings():
    """After a change, the URL holds exactly the non-default settings, canonically."""
    at = open_page("pages/surfaces.py", query={"f": "himmelblau", "lr": "0.0200"})
    assert at.query_params["f"] == "Himmelblau" and at.query_params["lr"] == "0.02"
    assert not notices(at)
    at.number_input(key="steps").set_value(40).run()
    assert at.query_params["steps"] == "40"
