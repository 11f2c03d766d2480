"""Shared page helpers: the only package of dlviz that imports streamlit.

A page is: `lecture = ui.page("key", SETTINGS)` → `ui.widget("lr")` for each setting of its
table (dlviz.settings; drawn bound to the URL) → `s = ui.values()` → one cached dlviz call →
one figure builder → `ui.chart(fig)` → `ui.explain(...)` → `ui.code_panel(script, prints)`.
"""

from __future__ import annotations

import html
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from typing import TypeVar

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.basedatatypes import BaseFigure

from dlviz import batching, catalog, memory, workers
from dlviz import settings as cfg
from dlviz.reproduce import Number, format_prints
from dlviz.safe_text import md
from dlviz.ui import cache, url
from dlviz.ui.url import (
    apply_url,
    current_table,
    set_values,
    show_notices,
    sync_url,
    values,
    widget,
)

__all__ = ["apply_url", "begin_run", "current_table", "md", "set_values", "show_notices",
           "sync_url", "values", "widget"]

T = TypeVar("T")
LECTURE_KEY = "lecture"

# Both modes. Streamlit draws captions at 60 % opacity (#828180 on white, 3.9:1): opaque
# #555 instead, 7.5:1.
_BASE_CSS = """
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {
  color: #555555 !important; opacity: 1 !important;
}
</style>
"""

# Projector CSS. Streamlit sizes text in rem, so raising the root size scales text, widgets
# and spacing together; headings get an explicit floor.
_LECTURE_CSS = """
<style>
html { font-size: 24px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stWidgetLabel"] p, [data-testid="stMetricValue"],
[data-testid="stMetricLabel"] p, label, code, button p {
  font-size: max(1rem, 24px) !important;
}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {
  font-size: 20px !important;
}
[data-testid="stTable"] th, [data-testid="stTable"] td { font-size: max(0.85rem, 20px) !important; }
/* The navigation bar: every chapter on one line (at the root's 24 px, three went under
   "more"). The lecturer reads it, not the back row. */
[data-testid="stTopNav"] p { font-size: 19px !important; }
h1 { font-size: 44px !important; padding: 0 0 8px 0 !important; }
h2 { font-size: 34px !important; }
h3 { font-size: 28px !important; }
[data-testid="stMainBlockContainer"] {
  padding: 80px 32px 32px 32px !important; max-width: 100% !important;
}
/* The header scales with rem (90 px here) and would cover the title: keep only its menu. */
[data-testid="stHeader"] { background: transparent !important; pointer-events: none; }
[data-testid="stHeader"] * { pointer-events: auto; }
</style>
"""


SHELL = cfg.Table((cfg.Flag(LECTURE_KEY, "Lecture mode", False,
                             "Large text, thick lines and less prose, for a projector."),),
                   name="Shell")


def lecture_toggle(page: str) -> bool:
    """The sidebar's lecture-mode switch; `?lecture=true` survives page switches."""
    apply_url(SHELL, page, current=False)
    s = SHELL[LECTURE_KEY]
    on = st.sidebar.toggle(s.label, value=s.default, key=s.key, bind="query-params",
                           help=s.help)
    st.html(_BASE_CSS + (_LECTURE_CSS if on else ""))
    return on


SHELL_KEY = "_dlviz_shell"


def mark_shell() -> None:
    """Called by streamlit_app.py: the shell (navigation, lecture toggle) has run."""
    st.session_state[SHELL_KEY] = True


def ensure_shell() -> None:
    """Rerun through the shell if a page file was run on its own.

    With a `pages/` folder, Streamlit's very first run on a fresh server runs a deep-linked
    page file directly (the multipage v1 fallback), skipping streamlit_app.py: no navigation,
    no lecture toggle, no page config. `st.navigation` clears the class flag that selects that
    fallback, but only once the shell has run; clear it here (as st.navigation does) and
    rerun, so the page renders through the shell, URL and query string intact.
    """
    if st.session_state.get(SHELL_KEY):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


def is_lecture() -> bool:
    return bool(st.session_state.get(LECTURE_KEY, False))


def page(key: str, table: cfg.Table | None = None) -> bool:
    """Draw the header of catalog page `key` and check the URL against the page's settings
    `table` (before any widget exists); return whether lecture mode is on."""
    ensure_shell()
    spec = catalog.BY_KEY[key]
    lecture = is_lecture()
    _slots.controls = st.sidebar.container()  # the top of the sidebar: see main_columns
    st.title(spec.title)
    if not lecture:
        st.caption(f"Chapter {spec.chapter} · {catalog.CHAPTERS[spec.chapter]} — {spec.blurb}")
    if table is not None:
        apply_url(table, key)
    show_notices()
    return lecture


_slots = threading.local()


def main_columns(spec, **kwargs) -> list:
    """Where a page draws its main controls: `st.columns(spec, **kwargs)` above the main
    figure, so a phone reaches them without the sidebar; in lecture mode, the top of the
    sidebar instead (one container per column), right under the lecture toggle: on a
    1280×720 projector the main figure then sits whole under the title and its controls
    beside it."""
    if not is_lecture():
        return list(st.columns(spec, **kwargs))
    n = spec if isinstance(spec, int) else len(spec)
    where = getattr(_slots, "controls", None) or st.sidebar
    return [where.container() for _ in range(n)]


def explain(essential: str, more: str | None = None) -> None:
    """The explanation block: `essential` always, `more` only outside lecture mode; one
    markdown element (each element is a message with its own per-run cost)."""
    st.markdown(f"{essential}\n\n{more}" if more and not is_lecture() else essential)


def figure_cache(max_entries: int = 64):
    """Decorator for a page's `(primitive settings, lecture) -> go.Figure` function (or a
    tuple holding figures).

    Building a plotly figure costs far more than a cache hit, so a warm rerun must reuse the
    built figure. What is kept is each figure's dict (`figure_spec`), in the process-wide
    FIGURES pool, bounded by bytes (dlviz.ui.cache); shared across sessions without a copy:
    builders return figures and nothing mutates them after.
    """
    return cache.cached(cache.FIGURES, max_entries=max_entries, convert=_as_specs)


def result_cache(max_entries: int = 32):
    """Decorator for a page's heavy computation `(primitive settings) -> result`: kept in
    the process-wide RESULTS pool, bounded by bytes, shared across sessions without a copy
    (results are never mutated), computed once for concurrent identical requests."""
    return cache.cached(cache.RESULTS, max_entries=max_entries)


def clear_caches() -> None:
    """Empty the byte-bounded pools (benchmarks and tests measuring cold runs)."""
    cache.clear_all()


def _as_specs(value):
    if isinstance(value, BaseFigure) and not isinstance(value, _Spec):
        return _Spec(figure_spec(value))
    if isinstance(value, tuple):
        return tuple(_as_specs(v) for v in value)
    return value


class _Spec(BaseFigure):
    """A figure's `to_dict()`, computed once, in the one form st.plotly_chart reads.

    For a plotly figure st.plotly_chart calls `to_dict()` (a deep copy of every trace plus
    the base64 encoding of every array: 2–7 ms a page) and serialises the result. Figures from
    `figure_cache` never change after they are built, so `figure_spec` keeps that dict on the
    figure and each later chart of it skips the copy. st.plotly_chart only calls `to_dict` on
    a BaseFigure, so nothing else of BaseFigure is initialised here.
    """

    def __init__(self, spec: dict):  # deliberately not BaseFigure.__init__
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec


def figure_spec(fig: go.Figure) -> dict:
    """`fig.to_dict()`, computed on the first call and kept on the (never mutated) figure."""
    if isinstance(fig, _Spec):
        return fig._spec
    spec = fig.__dict__.get("_dlviz_spec")
    if spec is None:
        spec = fig.to_dict()
        fig._dlviz_spec = spec  # plotly lets private attributes through
    return spec


def chart(fig: go.Figure, *, summary: str, data=None, key: str | None = None, **kwargs):
    """Render a plotly figure full width, with its text alternative.

    - The figure's title is drawn as page text above the chart, not inside it: page text
      wraps on a 390-px phone (a plotly title does not, and ran over the legend and the
      toolbar), scales with lecture mode and is read by a screen reader before the chart.
    - `summary`: one sentence that says what the chart shows and its key numbers, shown as
      the chart's caption ("Chart: …"): the chart's text alternative.
    - `data`: the numbers behind the chart (a DataFrame, or a mapping of equal-length
      columns), in a "Chart data" expander as a table (first rows, with a CSV download of
      every row when there are more).
    - `theme=None`: Streamlit's chart theme would replace dlviz.style's dark text with grey
      (#808495, 3.7:1 on white).
    """
    config = {"displaylogo": False, "responsive": True,
              "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
    spec, title = _lift_title(figure_spec(fig))
    if title:
        st.markdown(f"**{md(title)}**")
    out = st.plotly_chart(_Spec(spec), width="stretch", config=config, key=key, theme=None,
                          **kwargs)
    st.caption(f"Chart: {md(summary)}")
    if data is not None:
        chart_data(data, name=title or summary, key=key)
    return out


CHART_DATA_ROWS = 30  # rows shown in a chart's data table; more go to its CSV download


def chart_data(data, *, name: str, key: str | None = None) -> None:
    """A chart's numbers: an expander with a table (and a CSV of every row when long).

    The expander is drawn closed, and its table and download only once a student opens it
    (`on_change="rerun"`: the open state reaches the server, which then draws them). Drawn
    on every run, the tables of a page's charts were the largest share of a cached page's
    run (py-spy under a class's storm); few students open them.

    A mapping of columns (what dlviz's `*_data` functions return) goes to the table as an
    Arrow table of its first rows, without pandas. The CSV is made on the click."""
    box = st.expander(f"Chart data · {md(_short(name))}", icon=":material/table_view:",
                      key=f"chart_data_{key}" if key else None, on_change="rerun")
    if not box.open:
        return
    head, rows, csv = _table_head(data)
    with box:
        if rows > CHART_DATA_ROWS:
            st.caption(f"The first {CHART_DATA_ROWS} of {rows} rows; the download has all.")
        table(head, hide_index=True)  # as Streamlit decides for a RangeIndex
        # The CSV is made on the click (a deferred download), not on every run: a run wrote
        # each chart's CSV, stored it and hashed it for a file few students ever download.
        st.download_button("Download the data (CSV)", csv,
                           file_name=f"dlviz_{key or 'chart'}.csv", mime="text/csv",
                           key=f"csv_{key or abs(hash(name))}", on_click="ignore",
                           icon=":material/download:")


def _table_head(data):
    """(the first CHART_DATA_ROWS rows, the number of rows, a CSV maker); `table` turns
    the rows into Arrow."""
    import pandas as pd

    if not isinstance(data, Mapping):
        return data.head(CHART_DATA_ROWS), len(data), lambda: data.to_csv(index=False)
    columns = dict(data)
    rows = len(next(iter(columns.values()), ()))
    return ({k: v[:CHART_DATA_ROWS] for k, v in columns.items()}, rows,
            lambda: pd.DataFrame(columns).to_csv(index=False))


def _column(values):
    """An Arrow column: numbers through numpy (pyarrow converts a list of numpy scalars one
    by one, 1.4 ms a table), anything else as it is."""
    import pyarrow as pa

    array = np.asarray(values)
    return pa.array(array) if array.dtype.kind in "biuf" else pa.array(list(values))


def table(frame, **kwargs) -> None:
    """A table students can read: HTML (st.table), whose text follows the page's CSS and
    lecture mode's sizes, and is read by a screen reader; a canvas-drawn st.dataframe stays
    at 13–14 px whatever the CSS says. Wide tables scroll inside their own box on a phone.

    With `hide_index=True`, a mapping of columns or a DataFrame goes to Streamlit as an Arrow
    table built column by column: Streamlit's own conversion (through pandas and pyarrow's
    pandas_compat) cost 4–6 ms a table on every run, a fifth of a cached training_loop run
    under the class storm (py-spy)."""
    st.table(_arrow(frame) if kwargs.get("hide_index") is True else frame, **kwargs)


def _arrow(frame):
    """`frame` (a mapping of equal-length columns, a list of rows as dicts with the same keys,
    or a DataFrame, its index not shown) as an Arrow table with the same columns and types;
    anything else, or columns Arrow cannot take one by one (mixed types, duplicate or
    non-text names), as it is."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(frame, pd.DataFrame):
        if not frame.columns.is_unique:
            return frame
        columns = {name: frame[name].to_numpy() for name in frame.columns}
    elif isinstance(frame, Mapping):
        columns = dict(frame)
    elif isinstance(frame, list) and frame and all(isinstance(r, Mapping) for r in frame) \
            and all(r.keys() == frame[0].keys() for r in frame):  # rows, as records
        columns = {name: [r[name] for r in frame] for name in frame[0]}
    else:
        return frame
    if not all(isinstance(name, str) for name in columns):
        return frame
    try:
        return pa.table({name: _column(values) for name, values in columns.items()})
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return frame


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_TAG = re.compile(r"<[^>]*>")


def _lift_title(spec: dict) -> tuple[dict, str]:
    """(the figure's spec without its title, the title as plain text). The spec is shared
    (figure caches): only the top-level layout dict is copied."""
    layout = spec.get("layout") or {}
    title = layout.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    if not text:
        return spec, ""
    plain = html.unescape(_TAG.sub(" ", str(text).replace("<br>", " · ")))
    layout = {k: v for k, v in layout.items() if k != "title"}
    margin = dict(layout.get("margin") or {})
    margin["t"] = min(margin.get("t", 40), 40)  # the toolbar's room only
    layout["margin"] = margin
    return {**spec, "layout": layout}, " ".join(plain.split())


def problem(message: str) -> None:
    """A bad-input message on the page (never a traceback). The message is plain text: it
    quotes what the user typed, so none of it is read as markdown."""
    st.warning(md(message), icon=":material/error:")


def used(read: tuple):
    """The value of a `(value, problems)` reader of user text, each problem shown."""
    value, problems = read
    for line in problems:
        problem(line)
    return value


def code_panel(
    script: str,
    prints: Mapping[str, Number | Iterable[Number]],
    *,
    filename: str,
    expanded: bool = False,
) -> None:
    """The "Reproduce in PyTorch" panel: the script, a download button, and what it prints.

    `prints` are the page's own numbers; the script must print the same lines (tested by
    tests/test_code_panels.py, which runs every page's script).
    """
    with st.expander("Reproduce in PyTorch", expanded=expanded, icon=":material/code:"):
        st.caption("A self-contained script with this page's settings. Run it with "
                   f"`python {filename}`; it prints the numbers shown below.")
        # Wrapped: a horizontally scrolling block is a scroll region without a tab stop.
        st.code(script, language="python", wrap_lines=True)
        # The script as data (a few kB, already made): its media id is its content's hash,
        # the same on every rerun. Deferred, the id was renewed by each rerun, and under a
        # loaded CI a click after a rerun (a Chart data expander opened first) got no file.
        st.download_button(
            "Download script", script, file_name=filename, mime="text/x-python",
            key=f"download_{filename}", on_click="ignore", icon=":material/download:",
        )
        st.markdown("**It prints**")
        st.code(format_prints(prints), language="text")
    sync_url()  # the code panel closes every page: all its widgets exist by now


# --- heavy runs (training, sweeps): cached by settings, at most HEAVY_SLOTS at once ---------

HEAVY_SLOTS = 2  # process-wide: one per core on the 2-core hosts we measure on
_heavy = threading.BoundedSemaphore(HEAVY_SLOTS)
_holding = threading.local()  # a run already holding a slot never waits for a second one
PROGRESS_INTERVAL = 0.25  # seconds between progress-bar updates (and before the first)


class Throttle:
    """True at most once per `interval` seconds, the first time `interval` after creation.

    Every element written inside an `st.cache_data` function is recorded and replayed on
    each cache hit. A progress bar updated per epoch recorded hundreds of messages, and
    replaying them made every later visit to a page with a cached run slow (fine-tune's first
    loads took 260 ms of server time each). Throttled, a run shorter than `interval` records
    no bar at all and a 2 s run about eight updates.
    """

    def __init__(self, interval: float, clock=time.monotonic):
        self._interval, self._clock = interval, clock
        self._last = clock()

    def __call__(self) -> bool:
        now = self._clock()
        if now - self._last < self._interval:
            return False
        self._last = now
        return True


@contextmanager
def heavy_slot(label: str):
    """Hold one of the process-wide heavy-run slots, with a progress bar; yield `progress`.

    Use it *inside* an `st.cache_data` function, so that a cache hit never waits and the
    bar (created in here) is replayed as nothing:
        @st.cache_data(max_entries=32, show_spinner=False)
        def _train(lr: float, epochs: int, seed: int):
            with ui.heavy_slot("Training") as progress:
                return dlviz_module.train(lr=lr, epochs=epochs, seed=seed, progress=progress)
    `progress(fraction, text=None)` takes a fraction in [0, 1].
    """
    # The placeholder exists only once it shows something: an empty element here would be
    # one more element on a cache miss than on a hit (our own caches replay nothing), which
    # shifts every later element and remounts them, a player's Play toggle and its keyboard
    # focus included.
    slot = _LazySlot()
    due = Throttle(PROGRESS_INTERVAL)

    def progress(fraction: float, text: str | None = None) -> None:
        if due():
            slot.get().progress(min(max(float(fraction), 0.0), 1.0), text=text or label)

    nested = getattr(_holding, "depth", 0) > 0
    if not nested and not _heavy.acquire(blocking=False):
        slot.get().info("Queued: other sessions' runs are computing; yours starts next …",
                        icon=":material/hourglass_top:")
        _heavy.acquire()
    _holding.depth = getattr(_holding, "depth", 0) + 1
    try:
        yield progress
    finally:
        _holding.depth -= 1
        if not nested:
            _heavy.release()
            memory.trim()  # a heavy run's temporaries go back to the kernel
        slot.empty()


class _LazySlot:
    """An `st.empty()` created on first use (see heavy_slot)."""

    def __init__(self):
        self._slot = None

    def get(self):
        if self._slot is None:
            self._slot = st.empty()
        return self._slot

    def empty(self) -> None:
        if self._slot is not None:
            self._slot.empty()


def coalesced(fn, item, *, label: str, **shared):
    """This session's result of `fn([..., item, ...], progress=…, **shared)`, computed in one
    batch with the concurrent cold requests of other sessions (dlviz.batching).

    Call it inside an `st.cache_data` function, as `heavy_slot`: the batch's leader holds one
    heavy-run slot and shows the progress bar; a follower shows that it is computing together
    with other sessions. `shared` must be hashable primitives (the settings every member of a
    batch has in common); `item` is what differs (a seed).
    """
    slot = _LazySlot()  # as in heavy_slot: no element unless it shows something

    def run(compute, n: int):
        text = label if n == 1 else f"{label} (yours and {n - 1} other sessions' at once)"
        with heavy_slot(text) as progress:
            return compute(lambda f, t=None: progress(f, t or text))

    def wait(n: int) -> None:
        slot.get().info(f"{label}: computing together with other sessions …",
                        icon=":material/hourglass_top:")

    try:
        return batching.COALESCER(fn, item, run=run, wait=wait, call=workers.split_call,
                                  callers=running_scripts, **shared)
    finally:
        slot.empty()


def begin_run() -> None:
    """The shell, at the start of every run: no page table yet (`url.begin_run`), and the
    run's start noted for `running_scripts`."""
    url.begin_run()
    _RUN_STARTS.append((time.monotonic(), threading.get_ident()))


_RUN_STARTS: deque = deque(maxlen=64)  # (when, thread) of the latest runs' starts, any session
_SCRIPT_THREAD = "ScriptRunner.scriptThread"  # the name Streamlit gives a session's run
# While sessions are still starting runs (a class opening a link), more may be on their way
# whose threads do not exist yet: measured, a storm's first arrivals then went as batches of
# 2 and 3 of their own. A group stops early only once no other run has begun for this long.
STARTING_S = batching.GROUP_WINDOW_S
# And the first of a class can reach its call before the server has begun anybody else's
# run: a class's runs begin about 10 ms apart (the server starts one at a time), and the
# first reached its call 12–25 ms after its own run began, then trained alone beside the
# class's 29 (measured: playground p95 1.9 → 2.4 s). So while other sessions are connected,
# a run younger than this does not know it is alone; a student alone on the server never
# waits, and one among idle classmates waits at most until its run is this old.
SETTLE_S = 0.02


def connected_sessions() -> int:
    """How many sessions are connected to this server: 1 where there is no server (AppTest,
    a plain import), unbounded where Streamlit no longer says."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return 1
    try:
        return Runtime.instance()._session_mgr.num_active_sessions()
    except AttributeError:  # Streamlit moved it: assume company
        return sys.maxsize


def running_scripts() -> int:
    """Who could still join a coalesced batch: the sessions' scripts running in this server
    now (each on a thread of its own), this one included; unbounded while other sessions'
    runs are still starting (STARTING_S), and while this run is younger than SETTLE_S with
    other sessions connected. A finished run's thread may count for a moment longer, which
    only makes a group wait its window as before."""
    now, me = time.monotonic(), threading.get_ident()
    starts = list(_RUN_STARTS)
    if any(now - t < STARTING_S and who != me for t, who in starts):
        return sys.maxsize
    if any(now - t < SETTLE_S and who == me for t, who in starts) and connected_sessions() > 1:
        return sys.maxsize
    here = threading.current_thread().name == _SCRIPT_THREAD
    return sum(t.name == _SCRIPT_THREAD for t in threading.enumerate()) + (not here)
