"""Animations stepped and played with Streamlit controls, not plotly's SVG buttons.

Plotly's Play/Pause buttons and step slider are SVG without a tab stop: a keyboard or a
presenter remote could not step through a descent, and on a phone the Pause button covered
the slider's handle. Here a frame is a setting of the page's table (a slider bound to the URL:
the arrow keys, Home/End and Page Up/Down on it move the frame, and a link keeps it) and
"Play" is a toggle. While it is on, the player's fragment reruns every `interval` seconds
and moves one frame on; only the fragment (its slider and its chart) reruns, not the page.

    def draw(frame: int) -> None:          # the chart of one frame
        ui.chart(frame_figure(result, frame, lecture=lecture), summary=..., key="path")

    ui.player("step", draw=draw)           # "step": a Number setting 0 … frames − 1
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dlviz.ui import url

PLAY_SUFFIX = "_play"
INTERVAL = 0.7  # s between frames while playing: a frame's chart is ~100 kB, a rerun ~20 ms
PLAY_TICKS = 60  # a play from the first frame to the last takes at most this many ticks (42 s)
_TICK = "_dlviz_player_tick"  # the full run a player last saw (see `player`)


def player(key: str, *, draw: Callable[[int], None], interval: float = INTERVAL,
           label: str | None = None) -> int:
    """Draw `draw(frame)`, then a Play toggle and the frame slider (setting `key`); return the
    frame drawn. Playing from the last frame starts again at the first; the last frame
    stops the play. A play moves one frame a tick, or a stride of frames when there are more
    than PLAY_TICKS; the slider's keys always step by one."""
    table = url.current_table()
    setting = table[key]
    play_key = key + PLAY_SUFFIX
    playing = bool(st.session_state.get(play_key, False))
    run_id = _full_run_id()
    known = url._current.resolved  # the page's values; a fragment rerun has a fresh thread

    @st.fragment(run_every=interval if playing else None)
    def _body() -> None:
        state = st.session_state
        url._current.table, url._current.resolved = table, known
        lo, hi = (int(v) for v in setting.bounds(known))
        ticks = state.setdefault(_TICK, {})
        fragment_run = ticks.get(key) == run_id  # not the page's own run
        ticks[key] = run_id
        if state.pop(url.SETTINGS_CHANGED, False) and fragment_run:
            st.rerun()  # a callback in here (a click on the chart) set the page's settings
        timer = playing and fragment_run
        # The default from the values the page's widgets chose this run (`steps=150` in a link
        # means the last of 150 frames, not of the table's resolution before the widgets).
        if key in state:
            frame = int(state[key])
        else:  # the link's frame, or the default given the values the widgets chose
            linked = url.link_value(key, known)
            frame = int(setting.default_for(known) if linked is None else linked)
        frame = min(max(frame, lo), hi)
        if timer:
            frame += max(1, -(-(hi - lo) // PLAY_TICKS))  # long runs: a stride, not 23 min
            if frame >= hi:
                frame, state[play_key] = hi, False  # the end: stop (next full run: no timer)
        elif playing and frame >= hi and state.get(play_key):
            frame = lo  # Play pressed at the end: from the start
        _set_frame(key, frame)  # also after a slider move: the page's values are a run old
        # The figure first, its controls under it, as a video's: the figure keeps its place
        # under the title (whole on a 720-px projector), and on a phone it is on the first
        # screen with the slider right below.
        draw(frame)
        left, right = st.columns([1, 4], vertical_alignment="bottom")
        with left:
            on = st.toggle("Play", key=play_key,
                           help="Advance one frame every "
                                f"{interval:g} s; the slider's arrow keys step by one.")
        with right:
            url.widget(key, label=label) if label else url.widget(key)
        if on != playing or (timer and not state.get(play_key)):
            st.rerun()  # the whole page: the fragment's timer starts or stops

    _body()
    return int(st.session_state.get(key, url._current.resolved[key]))


def _full_run_id() -> int:
    """A number that changes on every full run of the page (not on fragment reruns)."""
    counter = st.session_state.get("_dlviz_full_runs", 0) + 1
    st.session_state["_dlviz_full_runs"] = counter
    return counter


def _set_frame(key: str, frame: int) -> None:
    """Set the frame before its slider exists in this (fragment) run, in the session and in
    the values the page's widgets read."""
    st.session_state[key] = frame
    url._current.resolved[key] = frame
