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
_PLAYS = "_dlviz_player_plays"  # {(page, key): the play's own record} (see `player`)


def player(key: str, *, draw: Callable[[int], None], interval: float = INTERVAL,
           label: str | None = None) -> int:
    """Draw `draw(frame)`, then a Play toggle and the frame slider (setting `key`); return the
    frame drawn. Playing from the last frame starts again at the first; at the last frame
    the play ends (the toggle stays on: off, then on, plays again). A play moves one frame a
    tick, or a stride of frames when there are more than PLAY_TICKS; the slider's keys always
    step by one. While Play is on, a read-only slider shows the frame in the slider's place.

    The browser's copy of a widget can lag behind the server's under load: a timer tick
    carries the slider's (and the toggle's) value as the browser last knew it, seconds old
    on a busy host. So only the user writes the toggle (a play that ends leaves it on, and a
    stale tick cannot restart or stop a play); while Play is on, the frame is the player's
    own record (`_PLAYS`), and the URL-bound slider is not drawn at all, so no tick (even one
    still on its way after a pause) carries an old frame of it. The slider returns on pause,
    at the frame the play reached, and from then on only the user moves it."""
    table = url.current_table()
    setting = table[key]
    play_key = key + PLAY_SUFFIX
    record = _record(table.name, key)
    if play_key not in st.session_state:  # a new visit of the page: no play is on
        record.update(on=False, ended=False)
    timing = bool(st.session_state.get(play_key, False)) and not record["ended"]
    run_id = _full_run_id()
    known = url._current.resolved  # the page's values; a fragment rerun has a fresh thread

    @st.fragment(run_every=interval if timing else None)
    def _body() -> None:
        state = st.session_state
        url._current.table, url._current.resolved = table, known
        lo, hi = (int(v) for v in setting.bounds(known))
        ticks = state.setdefault(_TICK, {})
        fragment_run = ticks.get(key) == run_id  # not the page's own run
        ticks[key] = run_id
        if state.pop(url.SETTINGS_CHANGED, False) and fragment_run:
            st.rerun()  # a callback in here (a click on the chart) set the page's settings
        on = bool(state.get(play_key, False))  # the user's toggle, as of this run
        if record["on"]:  # playing or just paused: the play's own frame (the echo may lag)
            frame = min(max(int(record["frame"]), lo), hi)
        else:  # paused, or Play just pressed: the slider's frame (the user's own)
            frame = min(max(_slider_frame(key, setting, known), lo), hi)
            if on and frame >= hi:
                frame = lo  # Play pressed at the end: from the start
        if not (on and record["on"]):
            record["ended"] = False
        elif timing and fragment_run and not record["ended"]:  # a tick: one frame on
            frame += max(1, -(-(hi - lo) // PLAY_TICKS))  # long runs: a stride, not 23 min
            if frame >= hi:
                frame, record["ended"] = hi, True  # the end: the timer stops (next run)
        record["on"], record["frame"] = on, frame
        _set_frame(key, frame)  # also after a slider move: the page's values are a run old
        # The figure first, its controls under it, as a video's: the figure keeps its place
        # under the title (whole on a 720-px projector), and on a phone it is on the first
        # screen with the slider right below.
        draw(frame)
        left, right = st.columns([1, 4], vertical_alignment="bottom")
        with left:
            st.toggle("Play", key=play_key,
                      help=f"Advance one frame every {interval:g} s (turn it off to step); "
                           "the slider's arrow keys step by one.")
        with right:
            if on:  # the frame as it plays: not the slider itself (see the docstring)
                st.slider(label or setting.label, min_value=lo, max_value=max(hi, lo + 1),
                          value=frame, disabled=True, help="Turn Play off to step.")
            else:
                url.widget(key, **({"label": label} if label else {}))
        if (on and not record["ended"]) != timing:
            st.rerun()  # the whole page: the fragment's timer starts or stops

    _body()
    return int(record["frame"])


def _record(page: str, key: str) -> dict:
    """The session's play of `key` on `page`: whether Play was on in the last run, whether
    the play reached the end, and the frame drawn."""
    plays = st.session_state.setdefault(_PLAYS, {})
    return plays.setdefault((page, key), {"on": False, "ended": False, "frame": None})


def _slider_frame(key: str, setting, known: dict) -> int:
    """The slider's frame: its state, else the link's frame, else the default given the
    values the page's widgets chose this run (`steps=150` in a link means the last of 150
    frames, not of the table's resolution before the widgets)."""
    if key in st.session_state:
        return int(st.session_state[key])
    linked = url.link_value(key, known)
    return int(setting.default_for(known) if linked is None else linked)


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
