"""Network playground: TensorFlow Playground's network in real torch, every setting in the URL."""

from dataclasses import astuple

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
from dlviz.ui.player import player

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


# --- controls: a lecturer's few above the boundary, the rest in the sidebar -----------------
for col, key in zip(st.columns(len(ps.MAIN)), ps.MAIN, strict=True):
    with col:
        ui.widget(key, on_change=_apply_preset if key == "preset" else None)
with st.sidebar:
    for heading, keys in ps.SIDEBAR:
        st.subheader(heading)
        for key in keys:  # a setting inactive for these values (u3 of 2 layers) draws nothing
            ui.widget(key)
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
# beside), so the run itself is passed unhashed (leading underscore). One figure per snapshot.
@ui.figure_cache(64)
def _boundary(args: tuple, spec: tuple, frame: int, lecture: bool, title: str | None = None,
              *, _run: pg.PlaygroundRun):
    return plots.boundary_figure(_run, _data(*args), frame, lecture=lecture, title=title,
                                 half=title is not None)


@ui.figure_cache(64)
def _loss(args: tuple, spec: tuple, frame: int, lecture: bool, half: bool, *,
          _run: pg.PlaygroundRun):
    return plots.loss_figure(_run, frame, lecture=lecture, half=half)


@ui.figure_cache(64)
def _network(args: tuple, spec: tuple, frame: int, lecture: bool, *, _run: pg.PlaygroundRun):
    return plots.network_figure(_run, frame, lecture=lecture)


@ui.figure_cache(32)
def _overfit_figure(args: tuple, spec: tuple, lecture: bool, *, _over: pg.OverfitRun):
    return plots.overfit_figure(_over, lecture=lecture)


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
last = ps.last_snapshot(s)  # the `frame` slider's top: every scheduled snapshot


def _map_and_loss(r: pg.PlaygroundRun, net: tuple, i: int, places, *, key: str,
                  loss_key: str, title: str | None = None, which: str = "The network") -> None:
    """Run `r` at snapshot index `i`, in the two containers `places`: its boundary map (the
    first one takes clicks) and its loss curves with the marker at that epoch."""
    click = dict(on_select=_on_click, selection_mode="points") if key == "pick" else {}
    with places[0]:
        ui.chart(_boundary(args, net, i, lecture, title, _run=r), key=key,
                 summary=text.boundary_summary(r, i, which),
                 data=plots.points_data(_data(*args)) if click else None, **click)
    with places[1]:
        ui.chart(_loss(args, net, i, lecture, title is not None, _run=r), key=loss_key,
                 summary=text.loss_summary(r, i), data=plots.loss_data(r))


def _side_by_side(frame: int) -> int:
    """Both networks at snapshot `frame` (each map over its loss), the second's problems,
    the table; the first's snapshot index."""
    titles, (left, right) = text.side_titles(spec, run2.spec), st.columns(2)
    i, j = (ps.snapshot(frame, r.frames.epoch, last) for r in (run, run2))
    _map_and_loss(run, first, i, (left, left), key="pick", loss_key="loss", title=titles[0],
                  which="The first network")
    _map_and_loss(run2, second, j, (right, right), key="second", loss_key="loss2",
                  title=titles[1], which="The second network")
    for message in (bad2, text.diverged(run2, "The second network")):
        if message:
            ui.problem(message)
    ui.table(text.comparison(run, run2), hide_index=True)
    return i


def _draw(frame: int) -> None:
    """Snapshot `frame` of the run: the boundary (the main figure), the loss and the network
    all show the same epoch; the player reruns only this while it plays. One network: the
    map and the loss side by side (columns stack on a phone: the map takes the full width)."""
    if s.cmp:
        i = _side_by_side(frame)
    else:
        i = ps.snapshot(frame, run.frames.epoch, last)
        _map_and_loss(run, first, i, st.columns(2), key="pick", loss_key="loss")
    if (message := text.diverged(run)) is not None:
        ui.problem(message)
    if lesson is not None:
        ui.explain(*text.lesson(lesson, presets.judge(lesson, run, runs.baseline)))
    ui.explain(*text.BOUNDARY)
    st.header("The network")
    ui.chart(_network(args, first, i, lecture, _run=run), key="network",
             summary=text.network_summary(run, i), data=plots.weights_data(run, i))
    ui.explain(*text.NETWORK)


player("frame", draw=_draw)

# --- chapter 4 ----------------------------------------------------------------------------------
st.header("Chapter 4 · Evaluating the model")
st.subheader("Overfit one batch first")
ui.chart(_overfit_figure(args, first, lecture, _over=over), key="overfit",
         summary=text.overfit_summary(over), data=plots.overfit_data(over))
ui.explain(text.overfit(over, spec), text.CHAPTER4)
st.subheader("Train, validation and test")
for col, (label, value, loss) in zip(st.columns(3), text.metrics(run), strict=True):
    col.metric(label, value, loss, delta_color="off", delta_arrow="off")
ui.explain(*text.SPLITS)
ui.code_panel(code.script(dataset=s.data, noise=args[1], train_share=args[2], seed=s.seed,
                          points=points.points, spec=spec),
              code.prints(run, over), filename="dlviz_playground.py")
