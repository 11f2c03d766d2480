"""A page's settings table on the page: URL → state before the widgets, widgets from the
table, and state → URL after them.

Streamlit's `bind="query-params"` keeps a widget and its URL parameter in step, and seeds a
newly drawn widget from the URL. It parses those values itself, though: `?seed=inf` raised
OverflowError inside its number_input deserializer (the page crashed, and so did a reload),
an out-of-range value was clamped or dropped without a word, and a widget first drawn after a
callback set its value (a run added by clicking the map) never reached the URL. So, per run:
1. `apply_url` (from `page`, before any widget): the table parses the URL's values for its
   keys. A valid value is rewritten to its canonical form, which Streamlit's seeding parses
   to the same value; an invalid one is removed before Streamlit sees it, with an exact
   notice on the page load.
2. `widget`: the table's setting drawn as its widget, bound to the URL.
3. `sync_url` (from `code_panel`, after every widget): the URL is set to the canonical form
   of every active setting that differs from its default, if it is not already.
Steps 1 and 3 reach into Streamlit's `QueryParams` (pinned at 1.67): its initial-value
dict, which seeds widgets and which the public `st.query_params` does not reach, and bound
keys, which the public API refuses to write.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import streamlit as st

from dlviz import settings as cfg
from dlviz.safe_text import md

_PAGE = "_dlviz_url_page"  # the page whose settings the session last loaded from a URL
_NOTICES = "_dlviz_url_notices"  # notices waiting for the page title, this run
_current = threading.local()  # the table of the page this script thread is running
SETTINGS_CHANGED = "_dlviz_settings_changed"  # set_values ran: the page must run again


@contextmanager
def _query_params():
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as qp:
        yield qp


def _is_page_load(table: cfg.Table, page: str) -> bool:
    """True on a page's first run in this session (a link opened, a page switch) and on
    back/forward navigation: the runs where the URL, not the session, holds the settings."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    history = bool(ctx is not None and getattr(ctx, "is_history_navigation", False))
    key = f"{_PAGE}:{table.name}"
    first = st.session_state.get(key) != page
    st.session_state[key] = page
    return first or history


def begin_run() -> None:
    """The shell, at the start of every run: no page table yet."""
    _current.table, _current.resolved = None, {}


def apply_url(table: cfg.Table, page: str, *, current: bool = True) -> None:
    """Before any of `table`'s widgets exist: check the URL's values, canonical or gone.

    `current`: the table is the running page's (the one `widget`, `values` and `sync_url`
    use); the shell's own table is not."""
    loaded = _is_page_load(table, page)
    with _query_params() as qp:
        sent = {k: list(qp._initial_query_params[k]) for k in table.keys
                if k in qp._initial_query_params}
    parsed = table.parse(sent)
    with _query_params() as qp:
        changed = False
        for key, raw in sent.items():
            canonical = parsed.canonical.get(key)
            if canonical == raw:
                continue
            changed = True
            if canonical is None:
                qp._initial_query_params.pop(key, None)
                qp._query_params.pop(key, None)
            else:
                qp._initial_query_params[key] = canonical
                qp._query_params[key] = canonical if len(canonical) > 1 else canonical[0]
        if changed:
            qp._send_query_param_msg()
    if current:
        _current.table = table
        _current.resolved = table.resolve(_session(table))
    if loaded and parsed.notices:
        pending = st.session_state.setdefault(_NOTICES, [])
        pending += [cfg.notice_text(*n, escape=md) for n in parsed.notices]


def show_notices() -> None:
    """Under the page title, on the run that loaded the link: what the link asked for that
    could not be used, one exact line each. (User text in them is escaped.)"""
    lines = st.session_state.pop(_NOTICES, None)
    if lines:
        st.warning("**Some settings in this link could not be used.**\n\n"
                   + "\n\n".join(f"- {line}" for line in lines), icon=":material/link_off:")


def current_table() -> cfg.Table | None:
    return getattr(_current, "table", None)


def _session(table: cfg.Table) -> dict:
    """The session's values for the table's keys (the widgets' states included)."""
    # One read of the session, not two proxy calls (each takes the session's lock) a key.
    state = st.session_state.to_dict()
    return {k: state[k] for k in table.keys if k in state}


def values(table: cfg.Table | None = None):
    """The frozen settings object, read after the widgets: every value within its domain."""
    table = table or current_table()
    return table.freeze(table.resolve(_session(table)))


def set_values(table: cfg.Table, changes: dict, *, reset: tuple = ()) -> None:
    """From a callback: set settings (a preset, a click, a cure), and put the `reset` ones
    back to their defaults given the new values (an objective's own start point).

    Values are set explicitly rather than deleted: a deleted widget state is re-seeded from
    the URL, which still holds the old value during this rerun."""
    state = st.session_state
    current = {**_session(table), **changes}
    for key in reset:
        current.pop(key, None)
    resolved = table.resolve(current)
    for key in (*changes, *reset):
        state[key] = resolved[key]
    state[SETTINGS_CHANGED] = True  # a callback inside a fragment (a chart click): see player


def link_value(key: str, known: dict):
    """The value the page's link gives setting `key` (already checked by `apply_url`), or
    None: what a bound widget not drawn yet will start from."""
    table = current_table()
    with _query_params() as qp:
        raw = qp._initial_query_params.get(key)
    if raw is None:
        return None
    try:
        return table[key].parse(list(raw) if not isinstance(raw, str) else [raw], known)
    except cfg.Invalid:
        return None


def _differs(s: cfg.Setting, a, b) -> bool:
    try:
        return s.url(a) != s.url(b)
    except (TypeError, ValueError):
        return True


def widget(key: str, *, where=None, **overrides):
    """Draw setting `key` of the page's table as its widget (bound to the URL); return its
    value. An inactive setting draws nothing and returns its default. `overrides` go to the
    Streamlit call (disabled, label_visibility, on_change …)."""
    table = current_table()
    s = table[key]
    known = _current.resolved
    if not s.active(known):
        return known[key]
    if key in st.session_state and _differs(s, st.session_state[key], known[key]):
        st.session_state[key] = known[key]  # outside its current domain: the default
    value = _DRAW[type(s).__name__, s.widget](where or st, s, known, overrides)
    if value is None:  # nothing chosen (an empty multiselect is (), not None)
        value = known[key]
    known[key] = value
    return value


def _common(s: cfg.Setting, overrides: dict) -> dict:
    return {"key": s.key, "bind": "query-params", "help": s.help, **overrides}


def _label(s: cfg.Setting, overrides: dict) -> str:
    return overrides.pop("label", s.label)


def _number(where, s: cfg.Number, known, overrides):
    lo, hi = s.bounds(known)
    default = s.default_for(known)
    if s.integer:
        lo, hi, default = int(lo), int(hi), int(default)
        step = int(s.step or 1)
    else:
        lo, hi, default = float(lo), float(hi), float(default)
        step = s.step
    kwargs = {"min_value": lo, "max_value": hi, "value": default, "step": step}
    if s.format:
        kwargs["format"] = s.format
    call = where.slider if s.widget == "slider" else where.number_input
    return call(_label(s, overrides), **kwargs, **_common(s, overrides))


def _options(where, s: cfg.Choice, known, overrides):
    options = list(s.choices(known))
    default = s.default_for(known)
    label = _label(s, overrides)
    common = {"format_func": s.label_of, **_common(s, overrides)}
    if s.widget == "selectbox":
        return where.selectbox(label, options, index=options.index(default), **common)
    if s.widget == "radio":
        return where.radio(label, options, index=options.index(default), horizontal=True,
                           **common)
    if s.widget == "select_slider":
        return where.select_slider(label, options, value=default, **common)
    call = where.segmented_control if s.widget == "segmented" else where.pills
    return call(label, options, default=default, required=True, **common)


def _span(where, s: cfg.Span, known, overrides):
    return tuple(where.select_slider(_label(s, overrides), list(s.choices(known)),
                                     value=tuple(s.default_for(known)),
                                     format_func=s.label_of, **_common(s, overrides)))


def _multi(where, s: cfg.Multi, known, overrides):
    return tuple(where.multiselect(_label(s, overrides), list(s.choices(known)),
                                   default=list(s.default_for(known)), format_func=s.label_of,
                                   max_selections=s.max_count, **_common(s, overrides)))


def _flag(where, s: cfg.Flag, known, overrides):
    call = where.toggle if s.widget == "toggle" else where.checkbox
    return call(_label(s, overrides), value=bool(s.default_for(known)),
                **_common(s, overrides))


def _text(where, s: cfg.Text, known, overrides):
    label = _label(s, overrides)
    kwargs = {"max_chars": s.max_chars, "placeholder": s.placeholder, **_common(s, overrides)}
    if s.widget == "area":
        return where.text_area(label, s.default_for(known), height=s.height, **kwargs)
    return where.text_input(label, s.default_for(known), **kwargs)


_DRAW = {
    ("Number", "slider"): _number, ("Number", "number"): _number,
    **{("Choice", w): _options for w in ("selectbox", "radio", "select_slider", "segmented",
                                         "pills")},
    ("Span", "select_slider"): _span, ("Multi", "multiselect"): _multi,
    ("Flag", "toggle"): _flag, ("Flag", "checkbox"): _flag,
    ("Text", "text"): _text, ("Text", "area"): _text,
}


def sync_url(table: cfg.Table | None = None) -> None:
    """After every widget: the URL holds exactly the table's non-default active values."""
    table = table or current_table()
    if table is None:
        return
    want = table.url(table.resolve(_session(table)))
    with _query_params() as qp:
        have = {k: qp.get_all(k) for k in table.keys if k in qp._query_params}
        if have == want:
            return
        for key in table.keys:
            qp._query_params.pop(key, None)
        for key, texts in want.items():
            qp._query_params[key] = texts if len(texts) > 1 else texts[0]
        qp._send_query_param_msg()
