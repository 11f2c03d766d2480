"""Activations & their gradients: curves, saturation, vanishing gradients, output layers."""

import numpy as np
import streamlit as st

from dlviz import activations as act
from dlviz import activations_plots as plots
from dlviz import activations_script as code
from dlviz import activations_text as text
from dlviz import ui
from dlviz.activations_settings import BATCH, SETTINGS, WIDTH, names_of, params_of, scores_of

lecture = ui.page("activations", SETTINGS)


@st.cache_data(max_entries=256, show_spinner=False)
def _curve(name: str, xmax: float, negative_slope: float, alpha: float, beta: float):
    x = np.linspace(-xmax, xmax, 401)
    return act.evaluate(name, x, negative_slope=negative_slope, alpha=alpha, beta=beta)


@st.cache_data(max_entries=256, show_spinner=False)
def _depth(name: str, depth: int, init: str, seed: int, negative_slope: float, alpha: float,
           beta: float):
    return act.depth_gradients(name, depth=depth, width=WIDTH, batch=BATCH, init=init,
                               seed=seed, negative_slope=negative_slope, alpha=alpha, beta=beta)


@ui.figure_cache()
def _curves_figure(names: tuple[str, ...], xmax: float, negative_slope: float, alpha: float,
                   beta: float, lecture: bool):
    curves = [_curve(n, xmax, negative_slope, alpha, beta) for n in names]
    return plots.curves_figure(curves, lecture=lecture)


@ui.figure_cache()
def _depth_figure(names: tuple[str, ...], depth: int, init: str, seed: int,
                  negative_slope: float, alpha: float, beta: float, lecture: bool):
    grads = [_depth(n, depth, init, seed, negative_slope, alpha, beta) for n in names]
    return plots.depth_figure(grads, lecture=lecture)


@ui.figure_cache()
def _head_figure(task: str, scores: tuple[float, ...], temperature: float, lecture: bool):
    return plots.head_figure(act.output_head(task, scores, temperature=temperature),
                             lecture=lecture)


# --- the main figure, with its two main controls right above it; the rest in the sidebar ---
c_fns, c_range = ui.main_columns([3, 1])
ui.widget("fns", where=c_fns)
ui.widget("xmax", where=c_range)
with st.sidebar:
    st.subheader("Activations")
    for key in (*act.PARAM_BOUNDS, "x0", "seed"):
        ui.widget(key)
s = ui.values()
names, params = ui.used(names_of(s)), params_of(s)
curves = [_curve(n, float(s.xmax), **params) for n in names]
ui.chart(_curves_figure(names, float(s.xmax), lecture=lecture, **params), key="curves",
         summary=text.curves_summary(curves), data=plots.curves_data(curves))
ui.explain(*text.CURVES)
cols = st.columns(min(len(names), 4))
for i, name in enumerate(names):
    y0, dy0 = act.at_point(name, s.x0, **params)
    cols[i % len(cols)].metric(f"{act.ACTIVATIONS[name].label} at x₀ = {s.x0:g}",
                               f"f = {y0:.4g}", f"f′ = {dy0:.4g}", delta_color="off")

# --- vanishing gradients through depth --------------------------------------------------------
st.header("Vanishing gradients through depth")
left, right = st.columns([1, 1])
depth = ui.widget("depth", where=left)
init = ui.widget("init", where=right)
grads = [_depth(n, depth, init, s.seed, **params) for n in names]
ui.chart(_depth_figure(names, depth, init, s.seed, lecture=lecture, **params),
         key="depth_chart", summary=text.depth_summary(grads), data=plots.depth_data(grads))
ui.explain(*text.DEPTH)

# --- output layers -------------------------------------------------------------------------------
st.header("The last layer: which activation for which task")
left, right = st.columns([1, 1])
task = ui.widget("task", where=left)
ui.widget("scores", where=right)
ui.widget("temp", disabled=task != "multiclass")
s = ui.values()
scores = ui.used(scores_of(s))
head = act.output_head(task, scores, temperature=s.temp)
ui.chart(_head_figure(task, scores, float(s.temp), lecture), key="head",
         summary=text.head_summary(head), data=plots.head_data(head))
ui.explain(*text.head(task))

ui.code_panel(
    code.script(names=names, params=params, x0=float(s.x0), depth=depth, width=WIDTH,
                init=init, batch=BATCH, seed=s.seed, head=head),
    code.prints(names=names, params=params, x0=float(s.x0),
                depth=grads, head=head),
    filename="dlviz_activations.py",
)
