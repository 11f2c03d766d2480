"""Activations & their gradients: curves, saturation, vanishing gradients, output layers."""

import streamlit as st

from dlviz import activations as act
from dlviz import activations_plots as plots
from dlviz import activations_script as code
from dlviz import ui
from dlviz.inputs import InputError, parse_floats

DEFAULT_FNS = ["sigmoid", "tanh", "relu"]
DEFAULT_SCORES = "2.0, 1.0, 0.1"

lecture = ui.page("activations")

# --- controls: the main figure's in the sidebar, so the figure sits right under the title ---
with st.sidebar:
    st.subheader("Activations")
    names = st.multiselect("Functions", list(act.ACTIVATIONS), default=DEFAULT_FNS, key="fns",
                           bind="query-params", format_func=lambda n: act.ACTIVATIONS[n].label)
    params = {}
    for p, (lo, hi, default) in act.PARAM_BOUNDS.items():
        owner = next(a.label for a in act.ACTIVATIONS.values() if p in a.params)
        step = 0.01 if p == "negative_slope" else 0.05
        params[p] = st.slider(f"{owner} {p}", lo, hi, default, step=step, key=p,
                              bind="query-params")
    xmax = st.slider("x range ±", 1.0, 10.0, 6.0, step=0.5, key="xmax", bind="query-params")
    x0 = st.slider("Probe x₀", -xmax, xmax, min(0.5, xmax), step=0.05, key="x0",
                   bind="query-params", help="The values at x₀ are what the script prints.")
    seed = ui.seed()

if not names:
    ui.problem("Pick at least one activation; showing the default ones meanwhile.")
    names = DEFAULT_FNS
params = {k: float(v) for k, v in params.items()}


@st.cache_data(max_entries=256, show_spinner=False)
def _curve(name: str, xmax: float, negative_slope: float, alpha: float, beta: float):
    import numpy as np

    x = np.linspace(-xmax, xmax, 401)
    return act.evaluate(name, x, negative_slope=negative_slope, alpha=alpha, beta=beta)


@st.cache_data(max_entries=256, show_spinner=False)
def _depth(name: str, depth: int, init: str, seed: int, negative_slope: float, alpha: float,
           beta: float):
    return act.depth_gradients(name, depth=depth, width=32, init=init, seed=seed,
                               negative_slope=negative_slope, alpha=alpha, beta=beta)


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


ui.chart(_curves_figure(tuple(names), float(xmax), lecture=lecture, **params), key="curves")
ui.explain(
    "Saturated regions (shaded) have |f′| < 0.01: a gradient passing through them almost "
    "vanishes. ReLU's derivative is 1 for every x > 0.",
    "The right panel is `torch.autograd` on the real `nn` modules, so kinks follow torch's "
    "convention: ReLU′(0) = 0 and LeakyReLU′(0) = negative_slope. Sigmoid's derivative never "
    "exceeds 0.25, and tanh's never exceeds 1.",
)
cols = st.columns(min(len(names), 4))
for i, name in enumerate(names):
    y0, dy0 = act.at_point(name, x0, **params)
    cols[i % len(cols)].metric(f"{act.ACTIVATIONS[name].label} at x₀ = {x0:g}",
                               f"f = {y0:.4g}", f"f′ = {dy0:.4g}",
                               delta_color="off")

# --- vanishing gradients through depth --------------------------------------------------------
st.header("Vanishing gradients through depth")
left, right = st.columns([1, 1])
depth = left.slider("Depth (hidden layers of width 32)", 2, 30, 10, key="depth",
                    bind="query-params")
init = right.segmented_control("Initialisation", act.INITS, default="kaiming", key="init",
                               bind="query-params") or "kaiming"
ui.chart(_depth_figure(tuple(names), depth, init, seed, lecture=lecture, **params),
         key="depth_chart")
ui.explain(
    "Backpropagation multiplies one factor of f′ per layer. Sigmoid's f′ ≤ 0.25, so its "
    "gradients shrink layer after layer towards the input; ReLU's f′ is exactly 1 where a "
    "unit is active, so its gradients do not fade.",
    "Each line is one backward pass of an MSE loss on a seeded batch of 64 through a fresh "
    "MLP. With PyTorch's default initialisation every activation's signal shrinks too; with "
    "Kaiming (He) initialisation ReLU keeps the gradient norm level across depth while "
    "sigmoid still loses orders of magnitude.",
)

# --- output layers -------------------------------------------------------------------------------
st.header("The last layer: which activation for which task")
left, right = st.columns([1, 1])
task = left.segmented_control("Task", act.TASKS, default="multiclass", key="task",
                              bind="query-params") or "multiclass"
scores_text = right.text_input("Scores of the last Linear layer", DEFAULT_SCORES, key="scores",
                               bind="query-params", max_chars=200)
temperature = st.slider("Softmax temperature", 0.1, 10.0, 1.0, step=0.1, key="temp",
                        bind="query-params", disabled=task != "multiclass")
try:
    scores = parse_floats(scores_text, min_count=1 if task == "regression" else 1,
                          max_count=10, bound=100.0)
except InputError as err:
    ui.problem(f"Scores: {err} Showing {DEFAULT_SCORES} meanwhile.")
    scores = parse_floats(DEFAULT_SCORES)
head = act.output_head(task, scores, temperature=temperature)
ui.chart(_head_figure(task, scores, float(temperature), lecture), key="head")
ui.explain(
    {"regression": "Regression: no activation after the last layer; the output is the score.",
     "binary": "Binary classification: `nn.Sigmoid()` turns each score into P(class 1).",
     "multiclass": "Multiclass: `nn.Softmax(dim=-1)` turns scores into probabilities that sum "
                   "to 1."}[task],
    "A higher temperature flattens the softmax towards uniform; a lower one sharpens it "
    "towards the arg-max." if task == "multiclass" else None,
)

ui.code_panel(
    code.script(names=names, params=params, x0=float(x0), depth=depth, width=32, init=init,
                batch=64, seed=seed, head=head),
    code.prints(names=names, params=params, x0=float(x0),
                depth=[_depth(n, depth, init, seed, **params) for n in names], head=head),
    filename="dlviz_activations.py",
)
