"""Learning rate & momentum: runs side by side, presets, the lr × momentum map, theory."""

from dataclasses import astuple
from functools import partial

import streamlit as st

from dlviz import lr_momentum as lm
from dlviz import lr_momentum_map as lmap
from dlviz import lr_momentum_map_script as map_code
from dlviz import lr_momentum_plots as plots
from dlviz import lr_momentum_presets as presets
from dlviz import lr_momentum_script as code
from dlviz import lr_momentum_settings as lms
from dlviz import lr_momentum_text as text
from dlviz import lr_momentum_theory as theory
from dlviz import lr_momentum_theory_script as theory_code
from dlviz import ui
from dlviz.lr_momentum_settings import SETTINGS
from dlviz.ui.player import player

lecture = ui.page("lr_momentum", SETTINGS)


END = "_lr_momentum_end"  # the last frame of the runs drawn last


def _at_end() -> tuple:
    """("step",) if the animation shows the end of the runs (it then follows the end of new
    runs), else () (the frame stays). Only the end can be reset reliably: a slider whose
    bounds change is re-seeded from the URL, which holds any frame but the last."""
    return ("step",) if st.session_state.get("step") == st.session_state.get(END) else ()


def _apply_preset() -> None:
    """A preset sets what it fixes: each of those settings back to the preset's value."""
    ui.set_values(SETTINGS, {}, reset=(*lms.PRESET_KEYS, *_at_end()))


def _new_lengths() -> None:
    """Runs of new lengths: an animation at its end stays at the end of the new runs."""
    ui.set_values(SETTINGS, {}, reset=_at_end())


def _add_run(runs: tuple, spec: lm.RunSpec | None) -> None:
    if spec is not None:  # n and the whole lane: all of them reach the URL
        ui.set_values(SETTINGS, lms.new_run(runs, spec), reset=_at_end())


def _add_from_map(runs: tuple, the_map: lmap.LrMomentumMap) -> None:
    _add_run(runs, lms.clicked_run(st.session_state.get("map"), the_map))


# --- controls: the presets (and the player) above the runs' chart, the rest in the sidebar --
ui.widget("preset", on_change=_apply_preset, where=ui.main_columns(1)[0])
with st.sidebar:
    st.subheader("Objective and runs")
    ui.widget("f", on_change=lambda: ui.set_values(SETTINGS, {}, reset=("start",)))
    ui.widget("kappa")
    surface = lm.surface_for((v := ui.values()).f, lms.condition_of(v))
    st.caption(f"${surface.latex}$")
    ui.widget("start", placeholder=presets.format_start(surface.start))
    ui.widget("noise")
    ui.widget("seed")
    for i in range(1, ui.widget("n", on_change=_new_lengths) + 1):
        with st.expander(f"Run {i}", expanded=not lecture and i == 1):
            opt = ui.widget(f"opt{i}", label=lms.LANE["opt"])
            for part in ("lr", "mom", "nest"):  # greyed out where opt has no such arg
                ui.widget(f"{part}{i}", label=lms.LANE[part], disabled=lms.unused(part, opt))
            ui.widget(f"steps{i}", label=lms.LANE["steps"], on_change=_new_lengths)
s = ui.values()
runs, condition = lms.runs_of(s), lms.condition_of(s)
start, bad_start = lms.start_of(s)
if bad_start:
    ui.problem(bad_start)


@st.cache_data(max_entries=64, show_spinner=False)
def _compare(f: str, condition, start: tuple, runs: tuple, noise: float, seed: int):
    """Run with the other sessions' new seeds of this moment, in one batch."""
    return ui.coalesced(lm.compare_many, seed, label="Running the optimizers", f=f,
                        runs=tuple(lm.RunSpec(*r) for r in runs), start=start,
                        condition=condition, noise_std=noise)


@st.cache_data(max_entries=32, show_spinner=False)
def _map(f: str, condition, start: tuple, steps: int, decades: tuple):
    with ui.heavy_slot("Sweeping the lr × momentum map") as progress:
        return lmap.lr_momentum_map(f, start=start, steps=steps, lr_decades=decades,
                                    condition=condition, progress=progress)


@st.cache_data(max_entries=32, show_spinner=False)
def _theory(f: str, condition, start: tuple):
    return theory.theory(f, condition=condition, start=start)


@ui.figure_cache(max_entries=32)
def _run_figures(f: str, condition, start: tuple, runs: tuple, noise: float, seed: int,
                 lecture: bool):
    comp = _compare(f, condition, start, runs, noise, seed)
    return (plots.paths_figure(comp, lm.landscape(f, condition=condition),
                               minima=lm.surface_for(f, condition).minima, lecture=lecture),
            plots.curves_figure(comp, lecture=lecture))


@ui.figure_cache(max_entries=64)
def _paths_frame(f: str, condition, start: tuple, runs: tuple, noise: float, seed: int,
                 lecture: bool, frame: int):
    """One animation frame: the cached paths figure with the balls moved (a few ms)."""
    paths = _run_figures(f, condition, start, runs, noise, seed, lecture)[0]
    return plots.frame_figure(ui.figure_spec(paths), _compare(f, condition, start, runs,
                                                              noise, seed), frame)


@ui.figure_cache(max_entries=32)
def _map_figure(f: str, condition, start: tuple, runs: tuple, map_steps: int, decades: tuple,
                metric: str, lecture: bool):
    """The runs' settings, not their seed or noise, are what the map marks."""
    return plots.map_figure(_map(f, condition, start, map_steps, decades), metric=metric,
                            runs=[lm.RunSpec(*r) for r in runs],
                            theory=_theory(f, condition, start), lecture=lecture)


# The seed draws the gradient noise and nothing else: without noise every seed gives the same
# runs, so they share one cached result (a class's own seeds cost nothing then).
run = (s.f, condition, start, tuple(astuple(r) for r in runs), float(s.noise),
       s.seed if s.noise else 0)
comp = _compare(*run)
curves = _run_figures(*run, lecture)[1]


def _draw(frame: int) -> None:
    ui.chart(_paths_frame(*run, lecture, frame), summary=text.paths_summary(comp, frame),
             data=text.paths_data(comp), key="paths")


player("step", draw=_draw)
st.session_state[END] = len(lm.frame_steps(max(r.steps for r in runs))) - 1
for message in text.diverged(comp):
    ui.problem(message)
ui.explain(*text.runs(comp, presets.matching(s.f, start, runs, float(s.noise))))
ui.table(text.rows(comp), hide_index=True)  # one row per run, named first
ui.chart(curves, summary=text.curves_summary(comp), data=text.curves_data(comp), key="curves")
ui.code_panel(code.script(surface=s.f, start=comp.start, runs=runs, noise_std=float(s.noise),
                          seed=s.seed, condition=condition),
              code.prints(comp), filename="dlviz_lr_momentum.py")

# --- the lr × momentum map ----------------------------------------------------------------------
st.header("The lr × momentum map")
left, right = st.columns([1, 2])
ui.widget("metric", where=left)
ui.widget("mlr", where=right)
decades, narrow = lms.decades_of(ui.values())
if narrow:
    ui.problem(narrow)
map_steps = lms.map_steps(runs)
the_map = _map(s.f, condition, start, map_steps, decades)
metric = ui.values().metric
ui.chart(_map_figure(*run[:4], map_steps, decades, metric, lecture), key="map",
         summary=text.map_summary(the_map, metric), data=text.map_data(the_map),
         on_select=partial(_add_from_map, runs, the_map), selection_mode="points")
ui.explain(*text.map_explain(map_steps))
ui.code_panel(map_code.script(the_map, lr_decades=decades, condition=condition),
              map_code.prints(the_map), filename="dlviz_lr_momentum_map.py")

# --- theory ---------------------------------------------------------------------------------------
st.header("Theory for quadratics")
th = _theory(s.f, condition, start)
if th is None:
    st.markdown(text.NO_THEORY)
else:
    for col, (label, value, delta) in zip(st.columns(4), text.theory_metrics(th), strict=True):
        col.metric(label, value, delta, delta_color="off", delta_arrow="off")
    st.caption(text.theory_caption(th))
    st.button("Add the optimal run (α*, β*)", key="add_optimal", icon=":material/add:",
              on_click=_add_run, args=(runs, lms.optimal_run(th, runs)))
ui.explain(*text.WHY_MOMENTUM)
if th is not None:
    ui.code_panel(theory_code.script(surface=s.f, start=start, condition=condition),
                  theory_code.prints(th), filename="dlviz_lr_momentum_theory.py")
