"""Loss surfaces & gradient descent: real torch.optim runs on classic objectives."""

import streamlit as st

from dlviz import landscape, optim, surfaces, ui
from dlviz import surfaces_plots as plots
from dlviz import surfaces_script as code
from dlviz import surfaces_view as view
from dlviz.surfaces_settings import BOUNDS, KAPPAS, query_problems

DEFAULT = "course"
TITLES = {name: s.title for name, s in surfaces.SURFACES.items()}

lecture = ui.page("surfaces")
# Streamlit drops out-of-range URL values silently; say so before the widgets read them.
for message in query_problems(st.query_params.to_dict(), titles=TITLES):
    ui.problem(message)


def _surface(name: str, kappa: float) -> surfaces.Surface:
    return surfaces.get(name, condition=float(kappa))


def _load_preset() -> None:
    """A new objective brings its own start and the settings that tell its story."""
    s = surfaces.SURFACES[st.session_state["f"]]
    p = s.preset
    st.session_state.update(x0=s.start[0], lr=p.lr, mom=p.momentum, steps=p.steps,
                            opt=p.optimizer, nest=False)
    if s.dim == 2:
        st.session_state["y0"] = s.start[1]


def _on_click() -> None:
    """A click on the contour (or curve) becomes the start point."""
    s = surfaces.SURFACES[st.session_state.get("f", DEFAULT)]
    start = surfaces.start_from_selection(s, st.session_state.get("pick"))
    if start is not None:
        st.session_state["x0"] = start[0]
        if s.dim == 2:
            st.session_state["y0"] = start[1]


# --- controls ---------------------------------------------------------------------------------
with st.sidebar:
    st.subheader("Objective")
    name = st.selectbox("Objective", list(surfaces.SURFACES), index=0, key="f",
                        format_func=TITLES.get, bind="query-params", on_change=_load_preset)
    kappa = 10
    if name == "quadratic":
        kappa = st.select_slider("Condition number κ", KAPPAS, value=10, key="kappa",
                                 bind="query-params")
    surface = _surface(name, kappa)
    preset = surface.preset
    (x_lo, x_hi) = surface.domain[0]
    x0 = st.number_input("Start x" if surface.dim == 2 else "Start x₀", x_lo, x_hi,
                         surface.start[0], step=0.05, format="%.3f", key="x0",
                         bind="query-params", help="Or click on the chart.")
    start = (float(x0),)
    if surface.dim == 2:
        (y_lo, y_hi) = surface.domain[1]
        y0 = st.number_input("Start y", y_lo, y_hi, surface.start[1], step=0.05,
                             format="%.3f", key="y0", bind="query-params")
        start = (float(x0), float(y0))
    st.subheader("Optimizer")
    opt = st.selectbox("torch.optim", list(optim.OPTIMIZERS), key="opt", bind="query-params",
                       index=list(optim.OPTIMIZERS).index(preset.optimizer),
                       format_func=lambda k: optim.OPTIMIZERS[k].__name__)
    lr = st.number_input("Learning rate", *BOUNDS["lr"], preset.lr, step=0.001, format="%.5g",
                         key="lr", bind="query-params")
    has_momentum = opt in optim.HAS_MOMENTUM
    mom = st.slider("Momentum", *BOUNDS["mom"], preset.momentum, step=0.001, key="mom",
                    bind="query-params", disabled=not has_momentum,
                    help=None if has_momentum else f"{opt} has no momentum argument.")
    nesterov = st.checkbox("Nesterov", False, key="nest", bind="query-params",
                           disabled=opt != "sgd")
    steps = int(st.number_input("Steps", *BOUNDS["steps"], preset.steps, step=10, key="steps",
                                bind="query-params"))
    grid_res = int(st.slider("Grid points per axis", *BOUNDS["grid"], 61, step=10, key="grid",
                             bind="query-params", disabled=surface.dim == 1))

mom = float(mom) if has_momentum else 0.0
nesterov = bool(nesterov) and opt == "sgd"
if nesterov and mom == 0.0:
    ui.problem("Nesterov needs a momentum above 0; running plain SGD meanwhile.")
    nesterov = False


@st.cache_data(max_entries=64, show_spinner=False)
def _trace(name: str, kappa: float, start: tuple, opt: str, lr: float, mom: float,
           nesterov: bool, steps: int) -> optim.Trace:
    with ui.heavy_slot("Running torch.optim"):
        return optim.trace(_surface(name, kappa), start=start, optimizer=opt, lr=lr,
                           momentum=mom, nesterov=nesterov, steps=steps)


@ui.figure_cache(32)
def _figures(name: str, kappa: float, start: tuple, opt: str, lr: float, mom: float,
             nesterov: bool, steps: int, grid_res: int, lecture: bool) -> tuple:
    """Figures are shared, never mutated: building the animation frames is the slow part."""
    s = _surface(name, kappa)
    t = _trace(name, kappa, start, opt, lr, mom, nesterov, steps)
    g = view.grid(s, resolution=grid_res)
    path = view.path_view(s, t, g)
    if s.dim == 1:
        return (plots.curve_figure(s, g, path, lecture=lecture),)
    return (plots.contour_figure(s, g, path, lecture=lecture),
            plots.surface_figure(s, g, path, lecture=lecture))


settings = (name, float(kappa), start, opt, float(lr), mom, nesterov, steps)
trace = _trace(*settings)
figures = _figures(*settings, grid_res, lecture)
if lecture or len(figures) == 1:
    ui.chart(figures[0], key="pick", on_select=_on_click, selection_mode="points")
    for fig in figures[1:]:
        ui.chart(fig, key="surface3d")
else:
    left, right = st.columns([1.1, 1])
    with left:
        ui.chart(figures[0], key="pick", on_select=_on_click, selection_mode="points")
    with right:
        ui.chart(figures[1], key="surface3d")

# --- the result -------------------------------------------------------------------------------
result = view.summary(surface, trace)
cols = st.columns(4)
cols[0].metric("Final point", ", ".join(f"{v:.4g}" for v in result.final_point))
cols[1].metric("Final loss", f"{result.final_loss:.5g}")
if result.nearest is None:
    cols[2].metric("Nearest minimum", "none (unbounded below)")
else:
    where = ", ".join(f"{v:.3g}" for v in result.nearest.point)
    cols[2].metric("Nearest minimum", f"{result.nearest.kind} at ({where})",
                   f"distance {result.distance:.3g}", delta_color="off", delta_arrow="off")
cols[3].metric("Run", result.verdict, result.when, delta_color="off", delta_arrow="off")
if trace.diverged_at is not None:
    ui.problem(f"The run diverged at step {trace.diverged_at}: the path is drawn up to step "
               f"{trace.diverged_at - 1}. Try a smaller learning rate.")

st.latex(surface.latex)
ui.explain(
    f"{surface.description}\n\n"
    "**Convex** (one minimum, like the bowls and the regression MSE): a small enough "
    "learning rate reaches the minimum from any start. **Non-convex** (several minima, like "
    "the course's x⁴ + x³ − 5x²): where the run ends depends on the start, the learning rate "
    "and the momentum.",
    "Every point of the path is a real `torch.optim` step on a float64 tensor; the gradient "
    "is `loss.backward()`. ★ marks a global minimum, ○ a local one. A run *diverges* when a "
    f"coordinate exceeds {optim.COORD_BOUND:g} in size, the loss exceeds {optim.LOSS_BOUND:g}, "
    "or either stops being finite; the path stops at the last finite step. Play the animation "
    "under the chart, or drag its slider, to step through the run.",
)

# --- a real network ---------------------------------------------------------------------------
st.header("A real network's loss landscape")
left, mid, right = st.columns(3)
plane = left.segmented_control("Plane", landscape.PLANES, default="random", key="plane",
                               bind="query-params") or "random"
lres = int(mid.slider("Grid points per axis", *BOUNDS["lres"], 41, step=2, key="lres",
                      bind="query-params"))
with right:
    seed = ui.seed()


@st.cache_data(max_entries=16, show_spinner=False)
def _landscape(plane: str, lres: int, seed: int) -> landscape.Landscape:
    with ui.heavy_slot("Training the MLP") as progress:
        return landscape.landscape(plane=plane, resolution=lres, seed=seed, progress=progress)


@ui.figure_cache(16)
def _landscape_figure(plane: str, lres: int, seed: int, lecture: bool):
    return plots.landscape_figure(_landscape(plane, lres, seed), lecture=lecture)


land = _landscape(plane, lres, seed)
ui.chart(_landscape_figure(plane, lres, seed, lecture), key="landscape")
ui.explain(
    f"An MLP (2 → 16 → 16 → 2, {land.n_params} weights) trained on the moons data: its "
    f"cross-entropy is {land.center_loss:.3g} at the trained weights θ* (★, accuracy "
    f"{land.accuracy:.0%}). The picture is that loss on a 2-D plane through θ*.",
    "Li et al. (2018): plane *random* uses two Gaussian directions, each neuron's slice "
    "rescaled to the norm of that neuron's weights (biases left out), so the picture does not "
    "depend on how the weights happen to be scaled. Plane *pca* uses the two directions along "
    "which training moved most"
    + (f" ({land.explained[0]:.0%} and {land.explained[1]:.0%} of the movement)"
       if plane == "pca" else "")
    + ", and draws the training path on it. Colours are log₁₀ of the loss.",
)

ui.code_panel(
    code.script(name=name, start=start, optimizer=opt, lr=float(lr), momentum=mom,
                nesterov=nesterov, steps=steps, kappa=float(kappa), title=surface.title),
    code.prints(trace),
    filename="dlviz_surfaces.py",
)
