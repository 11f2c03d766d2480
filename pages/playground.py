"""Network playground: TensorFlow Playground's network in real torch, every setting in the URL."""

from dataclasses import astuple

import pandas as pd
import streamlit as st

from dlviz import playground as pg
from dlviz import playground_data as pdata
from dlviz import playground_plots as plots
from dlviz import playground_presets as presets
from dlviz import playground_script as code
from dlviz import playground_settings as ps
from dlviz import playground_text as text
from dlviz import ui
from dlviz.playground_net import NetSpec
from dlviz.playground_settings import SETTINGS

lecture = ui.page("playground", SETTINGS)


def _apply_preset() -> None:
    """A lesson sets what it fixes: each of those settings back to the lesson's value."""
    ui.set_values(SETTINGS, {}, reset=ps.PRESET_KEYS)


def _on_click() -> None:
    """A click on the boundary map adds a point of the chosen class (into the URL's text)."""
    point = plots.clicked_point(st.session_state.get("pick"))
    if point is not None:
        s = ui.values(SETTINGS)
        ui.set_values(SETTINGS, {"points": ps.add_point(s.points, *point, s.cls)})


# --- controls -------------------------------------------------------------------------------
with st.sidebar:
    for heading, keys in ps.SIDEBAR:
        if heading:
            st.subheader(heading)
        for key in keys:  # a setting inactive for these values (u3 of 2 layers) draws nothing
            ui.widget(key, on_change=_apply_preset if key == "preset" else None)
        if "points" in keys:
            st.button("Clear my points", key="clear", icon=":material/delete:",
                      on_click=lambda: ui.set_values(SETTINGS, {"points": ""}))
s = ui.values()
points = ps.parse_points(s.points)
feats, bad_feats = ps.features_of(s.feats, ps.preset_state(s.preset)["feats"], "The network")
spec = ps.spec_of(s, feats)
args = (s.data, s.noise / 100, s.train / 100, points.points, s.seed)  # the data, and the seed
for message in (points.problem, bad_feats):
    if message:
        ui.problem(message)


@st.cache_data(max_entries=32, show_spinner=False)
def _data(dataset: str, noise: float, train_share: float, extra: tuple,
          seed: int) -> pdata.PlaygroundData:
    return pdata.make(dataset=dataset, noise=noise, train_share=train_share, seed=seed,
                      extra=extra)


@st.cache_data(max_entries=32, show_spinner=False)
def _runs(args: tuple, first: tuple, second: tuple | None,
          baseline: tuple | None) -> pg.PageRuns:
    """The first network and its one-batch check, with the second network and a lesson's
    baseline where asked: one batched computation, shared with other sessions' seeds."""
    return ui.coalesced(pg.page_many, args[-1], label="Training the network", data=args[:-1],
                        first=NetSpec(*first), second=second and NetSpec(*second),
                        baseline=baseline and NetSpec(*baseline))


@st.cache_data(max_entries=32, show_spinner=False)
def _second(args: tuple, spec: tuple) -> pg.PlaygroundRun:
    """A side-by-side network that cannot step with the first (other shapes, lr, …)."""
    return ui.coalesced(pg.train_many, args[-1], label="Training the second network",
                        data=args[:-1], spec=NetSpec(*spec))


# Figures: (args, spec) fix the run (a seed's numbers do not depend on what it was trained
# beside), so the run itself is passed unhashed (leading underscore).
@ui.figure_cache(32)
def _boundary(args: tuple, spec: tuple, lecture: bool, title: str | None = None, *,
              _run: pg.PlaygroundRun):
    fig = plots.boundary_figure(_run, _data(*args), lecture=lecture, title=title)
    if title is not None:  # half width, side by side: colour bar and legend would cover the
        fig.update_traces(showscale=False, selector=dict(type="contour"))  # losses (the text
        fig.update_layout(showlegend=False)  # and the single view explain the marks)
    return fig


@ui.figure_cache(64)
def _network(args: tuple, spec: tuple, frame: int, lecture: bool, *, _run: pg.PlaygroundRun):
    return plots.network_figure(_run, frame, lecture=lecture)


@ui.figure_cache(32)
def _overfit_figure(args: tuple, spec: tuple, lecture: bool, *, _over: pg.OverfitRun):
    fig = plots.overfit_figure(_over, lecture=lecture)
    if lecture:  # plotly draws a log axis's 2 and 5 at ¾ size: 18 px on a projector
        fig.update_yaxes(tickfont_size=24)
    return fig


first = astuple(spec)
lesson = ps.matching(*args[:4], spec)
base = presets.baseline(lesson) if lesson is not None else None
if s.cmp:  # the same data and seed, the second network's differences
    feats2, bad2 = ps.features_of(s.feats2, ps.SECOND_FEATURES, "The second network")
    spec2 = ps.second_spec(spec, s, feats2)
together = s.cmp and pg.steps_together(spec, spec2)
runs = _runs(args, first, astuple(spec2) if together else None, base and astuple(base))
run, over = runs.run, runs.over
if s.cmp:
    second = astuple(spec2)
    run2 = runs.second if together else _second(args, second)
    titles, (left, right) = text.side_titles(spec, run2.spec), st.columns(2)
    with left:
        ui.chart(_boundary(args, first, lecture, titles[0], _run=run), key="pick",
                 on_select=_on_click, selection_mode="points")
    with right:
        ui.chart(_boundary(args, second, lecture, titles[1], _run=run2), key="second")
    for message in (bad2, text.diverged(run2, "The second network")):
        if message:
            ui.problem(message)
    st.dataframe(pd.DataFrame(text.comparison(run, run2)), hide_index=True, width="stretch")
else:
    ui.chart(_boundary(args, first, lecture, _run=run), key="pick", on_select=_on_click,
             selection_mode="points")
if (message := text.diverged(run)) is not None:
    ui.problem(message)
if lesson is not None:
    ui.explain(*text.lesson(lesson, presets.judge(lesson, run, runs.baseline)))
ui.explain(*text.BOUNDARY)

# --- the network ------------------------------------------------------------------------------
st.header("The network")
frame = ps.snapshot(ui.widget("frame"), run.frames.epoch)  # the figure's title: its epoch
ui.chart(_network(args, first, frame, lecture, _run=run), key="network")
ui.explain(*text.NETWORK)

# --- chapter 4 ----------------------------------------------------------------------------------
st.header("Chapter 4 · Evaluating the model")
st.subheader("Overfit one batch first")
ui.chart(_overfit_figure(args, first, lecture, _over=over), key="overfit")
ui.explain(text.overfit(over, spec), text.CHAPTER4)
st.subheader("Train, validation and test")
for col, (label, value, loss) in zip(st.columns(3), text.metrics(run), strict=True):
    col.metric(label, value, loss, delta_color="off", delta_arrow="off")
ui.explain(*text.SPLITS)
ui.code_panel(code.script(dataset=s.data, noise=args[1], train_share=args[2], seed=s.seed,
                          points=points.points, spec=spec),
              code.prints(run, over), filename="dlviz_playground.py")
