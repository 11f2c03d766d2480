"""Loss surfaces & gradient descent: real torch.optim runs on classic objectives."""

import streamlit as st

from dlviz import landscape, landscape_script, optim, surfaces, ui
from dlviz import surfaces_plots as plots
from dlviz import surfaces_script as code
from dlviz import surfaces_text as text
from dlviz import surfaces_view as view
from dlviz.surfaces_settings import SETTINGS, surface_of
from dlviz.ui.player import player

lecture = ui.page("surfaces", SETTINGS)


def _load_preset() -> None:
    """A new objective brings its own start and the settings that tell its story."""
    ui.set_values(SETTINGS, {}, reset=("x0", "y0", "lr", "mom", "steps", "opt", "nest", "step"))


def _whole_run() -> None:
    """A new run length shows the whole new run."""
    ui.set_values(SETTINGS, {}, reset=("step",))


def _on_click() -> None:
    """A click on the contour (or curve) becomes the start point; the new run is shown whole
    (the player reruns the whole page after a callback in its fragment set the settings)."""
    start = surfaces.start_from_selection(surface_of(ui.values(SETTINGS)),
                                          st.session_state.get("pick"))
    if start is not None:
        ui.set_values(SETTINGS, dict(zip(("x0", "y0"), start, strict=False)), reset=("step",))


# --- controls: the main ones above the chart, the rest in the sidebar --------------------------
main = ui.main_columns(3)
with main[0]:
    ui.widget("f", on_change=_load_preset)
with main[1]:
    opt = ui.widget("opt")
with main[2]:
    ui.widget("lr")
with st.sidebar:
    st.subheader("Objective")
    ui.widget("kappa")
    surface = surface_of(ui.values())
    ui.widget("x0", label="Start x" if surface.dim == 2 else "Start x₀")
    ui.widget("y0")
    st.subheader("Optimizer")
    has_momentum = opt in optim.HAS_MOMENTUM
    ui.widget("mom", disabled=not has_momentum,
              help=None if has_momentum else f"{opt} has no momentum argument.")
    ui.widget("nest", disabled=opt != "sgd")
    ui.widget("steps", on_change=_whole_run)
    ui.widget("grid")
s = ui.values()
start = (s.x0, s.y0)[:surface.dim]
mom = s.mom if has_momentum else 0.0
nesterov = s.nest and opt == "sgd"
if nesterov and mom == 0.0:
    ui.problem("Nesterov needs a momentum above 0; running plain SGD meanwhile.")
    nesterov = False


@st.cache_data(max_entries=64, show_spinner=False)
def _trace(name: str, kappa: float, start: tuple, opt: str, lr: float, mom: float,
           nesterov: bool, steps: int) -> optim.Trace:
    with ui.heavy_slot("Running torch.optim"):
        return optim.trace(surfaces.get(name, condition=kappa), start=start, optimizer=opt,
                           lr=lr, momentum=mom, nesterov=nesterov, steps=steps)


@ui.result_cache(32)
def _view(name: str, kappa: float, start: tuple, opt: str, lr: float, mom: float,
          nesterov: bool, steps: int, grid_res: int) -> tuple:
    """(grid, path view): what every step's figures draw."""
    surface = surfaces.get(name, condition=kappa)
    g = view.grid(surface, resolution=grid_res)
    return g, view.path_view(surface, _trace(name, kappa, start, opt, lr, mom, nesterov, steps),
                             g)


@ui.figure_cache(64)
def _figures(name: str, kappa: float, start: tuple, opt: str, lr: float, mom: float,
             nesterov: bool, steps: int, grid_res: int, step: int, lecture: bool) -> tuple:
    """The run up to `step`: one figure per frame the player shows, shared, never mutated."""
    surface = surfaces.get(name, condition=kappa)
    g, path = _view(name, kappa, start, opt, lr, mom, nesterov, steps, grid_res)
    if surface.dim == 1:
        return (plots.curve_figure(surface, g, path, step=step, lecture=lecture),)
    return (plots.contour_figure(surface, g, path, step=step, lecture=lecture),
            plots.surface_figure(surface, g, path, step=step, lecture=lecture))


run = (s.f, float(s.kappa), start, opt, float(s.lr), mom, nesterov, s.steps)
trace = _trace(*run)
grid, path = _view(*run, s.grid)
opt_name = optim.OPTIMIZERS[opt].__name__
path_table = view.path_data(surface, trace)


def _draw(step: int) -> None:
    """The charts of the run up to `step` (the player's frame)."""
    k = path.shown(step)
    figures = _figures(*run, s.grid, k, lecture)
    left, right = (st.container(), st.container()) if lecture or len(figures) == 1 else (
        st.columns([1.1, 1]))
    with left:
        summary = (text.curve_summary(surface, path, k, opt_name, trace.diverged_at)
                   if surface.dim == 1 else
                   text.contour_summary(surface, grid, path, k, opt_name, trace.diverged_at))
        ui.chart(figures[0], summary=summary, data=path_table, key="pick",
                 on_select=_on_click, selection_mode="points")
    with right:
        for fig in figures[1:]:
            ui.chart(fig, summary=text.surface_summary(surface, grid, path, k), key="surface3d")


player("step", draw=_draw)

# --- the result -------------------------------------------------------------------------------
result = view.summary(surface, trace)
cols = st.columns(4)
cols[0].metric("Final point", ", ".join(f"{v:.4g}" for v in result.final_point))
cols[1].metric("Final loss", f"{result.final_loss:.5g}")
cols[2].metric("Nearest minimum", *text.nearest(result), delta_color="off", delta_arrow="off")
cols[3].metric("Run", result.verdict, result.when, delta_color="off", delta_arrow="off")
if trace.diverged_at is not None:
    ui.problem(f"The run diverged at step {trace.diverged_at}: the path is drawn up to step "
               f"{trace.diverged_at - 1}. Try a smaller learning rate.")
st.latex(surface.latex)
ui.explain(f"{surface.description}\n\n{text.CONVEXITY}", text.HOW)

# --- a real network ---------------------------------------------------------------------------
st.header("A real network's loss landscape")
left, mid, right = st.columns(3)
with left:
    plane = ui.widget("plane")
with mid:
    lres = ui.widget("lres")
with right:
    seed = ui.widget("seed")


@st.cache_data(max_entries=16, show_spinner=False)
def _landscape(plane: str, lres: int, seed: int) -> landscape.Landscape:
    """Trained with the other sessions' new seeds of this moment, in one batch."""
    return ui.coalesced(landscape.landscape_many, seed, label="Training the MLP",
                        plane=plane, resolution=lres)


@ui.figure_cache(16)
def _landscape_figures(plane: str, lres: int, seed: int, lecture: bool) -> tuple:
    return plots.landscape_figure(_landscape(plane, lres, seed), lecture=lecture)


land = _landscape(plane, lres, seed)
contour, surface3d = _landscape_figures(plane, lres, seed, lecture)
left, right = (st.container(), st.container()) if lecture else st.columns(2)
with left:
    ui.chart(contour, summary=text.landscape_summary(land, plane),
             data=view.landscape_data(land), key="landscape")
with right:
    ui.chart(surface3d, summary=text.landscape_surface_summary(land), key="landscape3d")
ui.explain(*text.landscape(land, plane))
ui.code_panel(landscape_script.script(plane=plane, resolution=lres, seed=seed),
              landscape_script.prints(land), filename="dlviz_landscape.py")

ui.code_panel(
    code.script(name=s.f, start=start, optimizer=opt, lr=float(s.lr), momentum=mom,
                nesterov=nesterov, steps=s.steps, kappa=float(s.kappa), title=surface.title),
    code.prints(trace),
    filename="dlviz_surfaces.py",
)
