"""Learning rate & momentum: runs side by side, presets, the lr × momentum map, theory."""

from functools import partial

import pandas as pd
import streamlit as st

from dlviz import lr_momentum as lm
from dlviz import lr_momentum_map as lmap
from dlviz import lr_momentum_plots as plots
from dlviz import lr_momentum_presets as presets
from dlviz import lr_momentum_script as code
from dlviz import lr_momentum_theory as theory
from dlviz import ui
from dlviz.inputs import InputError, parse_floats

# The widgets' defaults: the course's learning-rate preset, plus a momentum run in slot 4.
DEFAULT = presets.widget_state("course_lr") | presets.run_state(4, lm.RunSpec(
    "sgd", 0.01, 0.9, False, 10))
LR_STOPS = lm.lr_choices()
DECADES = tuple(range(-5, 2))

lecture = ui.page("lr_momentum")

# A deep link ?preset=… sets every widget the link does not set itself (once per session).
if "_lrm_linked" not in st.session_state:
    st.session_state["_lrm_linked"] = True
    st.session_state["_lrm_url_problems"] = presets.url_problems(
        {k: st.query_params.get_all(k) for k in st.query_params})
    linked = presets.by_title(str(st.query_params.get("preset", "")))
    if linked:
        st.session_state.update({k: v for k, v in presets.widget_state(linked).items()
                                 if k not in st.query_params})


def _apply_preset() -> None:
    key = presets.by_title(st.session_state.get("preset") or "")
    if key:
        st.session_state.update(presets.widget_state(key))


def _add_run(runs: tuple, spec: lm.RunSpec) -> None:
    new = lm.add_run(runs, spec)
    st.session_state["n"] = len(new)
    st.session_state.update(presets.run_state(len(new), new[-1]))


def _add_from_map(runs: tuple, the_map: lmap.LrMomentumMap) -> None:
    try:
        lr, momentum = lmap.cell_from_selection(st.session_state.get("map"), the_map)
    except LookupError:
        return
    _add_run(runs, lm.RunSpec("sgd", lr, momentum, False, the_map.steps))


# --- controls -----------------------------------------------------------------------------------
with st.sidebar:
    st.subheader("Learning rate & momentum")
    # options are the labels themselves, so the URL holds exactly the widget's value
    st.pills("Presets", [p.title for p in presets.PRESETS.values()],
             default=presets.PRESETS["course_lr"].title, key="preset", bind="query-params",
             on_change=_apply_preset, help="One click sets the objective and the runs.")
    f = st.selectbox("Objective", lm.OBJECTIVES, key="f", bind="query-params",
                     help="Names of dlviz.surfaces.SURFACES; the formula is shown below.")
    condition = None
    if f == "quadratic":
        condition = st.select_slider("Condition number κ", lm.CONDITIONS, value=10.0,
                                     key="kappa", bind="query-params")
    surface = lm.surface_for(f, condition)
    st.caption(f"${surface.latex}$")
    start_text = st.text_input("Start point", "", key="start", bind="query-params",
                               max_chars=60, placeholder=presets.format_start(surface.start),
                               help="Empty: the objective's usual start.")
    noise = st.slider("Gradient noise σ", 0.0, lm.NOISE_MAX, 0.0, step=0.1, key="noise",
                      bind="query-params", help="Seeded Gaussian noise added to every "
                      "gradient: a stand-in for minibatch noise.")
    seed = ui.seed()
    n = st.slider("Runs", 1, lm.MAX_RUNS, DEFAULT["n"], key="n", bind="query-params")
    specs = []
    for i in range(1, n + 1):
        d = DEFAULT
        with st.expander(f"Run {i}", expanded=not lecture and i == 1):
            opt = st.selectbox("Optimizer", lm.OPTIMIZERS, key=f"opt{i}",
                               index=lm.OPTIMIZERS.index(d[f"opt{i}"]), bind="query-params")
            lr = st.select_slider("Learning rate (log scale)", LR_STOPS, value=d[f"lr{i}"],
                                  key=f"lr{i}", bind="query-params",
                                  format_func=lambda v: f"{float(v):g}")
            mom = st.slider("Momentum μ", 0.0, lm.MOMENTUM_MAX, d[f"mom{i}"], step=0.001,
                            key=f"mom{i}", bind="query-params", format="%.3f",
                            disabled=opt not in ("sgd", "rmsprop"))
            nest = st.checkbox("Nesterov", d[f"nest{i}"], key=f"nest{i}", bind="query-params",
                               disabled=opt != "sgd")
            steps = st.number_input("Steps", 1, lm.STEPS_MAX, d[f"steps{i}"], key=f"steps{i}",
                                    bind="query-params")
        specs.append(lm.RunSpec(opt, float(lr), float(mom) if opt in ("sgd", "rmsprop") else 0.0,
                                bool(nest) and opt == "sgd", int(steps)))
runs = tuple(specs)

for message in st.session_state.pop("_lrm_url_problems", []):
    ui.problem(message)
try:
    start = parse_floats(start_text, min_count=surface.dim, max_count=surface.dim,
                         bound=1e3) if start_text.strip() else surface.start
except InputError as err:
    ui.problem(f"Start point: {err} {surface.title} takes {surface.dim} number(s); using "
               f"{presets.format_start(surface.start)} meanwhile.")
    start = surface.start
for i, spec in enumerate(runs, start=1):
    for message in spec.problems():
        ui.problem(f"Run {i}: {message}.")


@st.cache_data(max_entries=64, show_spinner=False)
def _compare(f: str, condition, start: tuple, runs: tuple, noise: float, seed: int):
    with ui.heavy_slot("Running the optimizers") as progress:
        return lm.compare(f, runs=[lm.RunSpec(*r) for r in runs], start=start,
                          condition=condition, noise_std=noise, seed=seed, progress=progress)


@st.cache_data(max_entries=32, show_spinner=False)
def _landscape(f: str, condition):
    return lm.landscape(f, condition=condition)


@st.cache_data(max_entries=32, show_spinner=False)
def _map(f: str, condition, start: tuple, steps: int, decades: tuple):
    with ui.heavy_slot("Sweeping the lr × momentum map") as progress:
        return lmap.lr_momentum_map(f, start=start, steps=steps, lr_decades=decades,
                                    condition=condition, progress=progress)


@st.cache_data(max_entries=32, show_spinner=False)
def _theory(f: str, condition, start: tuple):
    return theory.theory(f, condition=condition, start=start)


# Figures are cached objects too (plotly builds them slowly); nothing mutates them.
@ui.figure_cache(max_entries=32)
def _paths_figure(f: str, condition, start: tuple, runs: tuple, noise: float, seed: int,
                  lecture: bool):
    comp = _compare(f, condition, start, runs, noise, seed)
    return plots.paths_figure(comp, _landscape(f, condition),
                              minima=lm.surface_for(f, condition).minima, lecture=lecture)


@ui.figure_cache(max_entries=32)
def _curves_figure(f: str, condition, start: tuple, runs: tuple, noise: float, seed: int,
                   lecture: bool):
    return plots.curves_figure(_compare(f, condition, start, runs, noise, seed),
                               lecture=lecture)


@ui.figure_cache(max_entries=32)
def _map_figure(f: str, condition, start: tuple, runs: tuple, noise: float, seed: int,
                map_steps: int, decades: tuple, metric: str, lecture: bool):
    return plots.map_figure(_map(f, condition, start, map_steps, decades), metric=metric,
                            comp=_compare(f, condition, start, runs, noise, seed),
                            theory=_theory(f, condition, start), lecture=lecture)


raw_runs = tuple((s.optimizer, s.lr, s.momentum, s.nesterov, s.steps) for s in runs)
settings = (f, condition, tuple(start), raw_runs, float(noise), seed)
comp = _compare(*settings)
ui.chart(_paths_figure(*settings, lecture), key="paths")

for i, r in enumerate(comp.runs, start=1):
    if r.diverged_at is not None:
        ui.problem(f"Run {i} ({r.spec.label()}) diverged at step {r.diverged_at}: its path is "
                   f"drawn up to step {r.diverged_at - 1}. A smaller learning rate keeps it.")

matched = presets.matching(f, tuple(start), runs, float(noise))
if matched:
    p = presets.PRESETS[matched]
    held = [r.outcome for r in comp.runs] == list(p.expect)
    ui.explain(f"**{p.title}.** {p.claim} " + ("Reproduced here ✓" if held else
                                                  "Not reproduced with these settings."),
               f"**What to observe:** {p.observe}")
else:
    ui.explain("Each run is a real `torch.optim` optimizer from the same start; press ▶ to "
               "step through them together.",
               "Pick a preset in the sidebar to reproduce a claim from the course, d2l or "
               "Distill, or click a cell of the map below to add that setting as a run.")

rows = [{"run": plots.run_name(i, comp), "outcome": plots.outcome_text(comp, i),
         "final point": ", ".join(f"{v:.4g}" for v in r.points[-1]),
         "final loss": f"{r.losses[-1]:.5g}",
         "distance shrink / step": "—" if r.rate is None else f"{r.rate:.4f}"}
        for i, r in enumerate(comp.runs)]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
ui.chart(_curves_figure(*settings, lecture), key="curves")

# --- the lr × momentum map ----------------------------------------------------------------------
st.header("The lr × momentum map")
left, right = st.columns([1, 2])
shown = left.segmented_control("Colour", list(lmap.METRICS.values()), key="metric",
                               default=lmap.METRICS["final"], bind="query-params")
metric = next((k for k, v in lmap.METRICS.items() if v == shown), "final")
decades = right.select_slider("lr range (powers of 10)", DECADES, value=DEFAULT["mlr"],
                              key="mlr", bind="query-params")
if decades[1] - decades[0] < 2:
    ui.problem("The map's lr range must span at least two decades; showing 10⁻⁴ … 10 instead.")
    decades = (-4, 1)
map_steps = min(max(s.steps for s in runs), lmap.MAP_STEPS_MAX)
the_map = _map(f, condition, tuple(start), map_steps, tuple(decades))
th = _theory(f, condition, tuple(start))
ui.chart(_map_figure(*settings, map_steps, tuple(decades), metric, lecture), key="map",
         on_select=partial(_add_from_map, runs, the_map), selection_mode="points")
ui.explain(
    f"Each cell is plain SGD (heavy-ball momentum) for {map_steps} steps from the same start; "
    "grey cells diverged. Click a cell to add it as a run.",
    "The map is one batched `torch` sweep over all 40 × 40 settings, without gradient noise. "
    "Rings mark the current SGD runs. On a quadratic the dashed line is the stability bound "
    "lr = 2(1 + μ)/L: to its right every run diverges, and at μ = 0 it is GD's 2/L.",
)

# --- theory ---------------------------------------------------------------------------------------
st.header("Theory for quadratics")
if th is None:
    st.markdown("This objective has no single global minimum with positive curvature, so the "
                "quadratic theory does not apply.")
else:
    where = "exact: the objective is quadratic" if th.quadratic else (
        "local: the quadratic that matches the objective at its global minimum")
    cols = st.columns(4)
    cols[0].metric("L (top curvature)", f"{th.L:.4g}", f"κ = {th.kappa:.4g}", delta_color="off",
                   delta_arrow="off")
    cols[1].metric("GD stable for lr <", f"{th.lr_bound:.4g}", "2 / L", delta_color="off",
                   delta_arrow="off")
    cols[2].metric("Best α*, β*", f"{th.alpha_star:.3g}, {th.beta_star:.3g}", "Distill",
                   delta_color="off", delta_arrow="off")
    measured = "—" if th.measured_rate is None else f"measured {th.measured_rate:.4f}"
    cols[3].metric("Rate (√κ−1)/(√κ+1)", f"{th.rate:.4f}", measured, delta_color="off",
                   delta_arrow="off")
    st.caption(f"Theory {where}. Hessian eigenvalues from autograd: "
               f"{', '.join(f'{v:.4g}' for v in th.eigenvalues)}. Plain GD at its best lr "
               f"shrinks the error by (κ−1)/(κ+1) = {th.gd_rate:.4f} per step.")
    st.button("Add the optimal run (α*, β*)", key="add_optimal", icon=":material/add:",
              on_click=_add_run, args=(runs, lm.RunSpec("sgd", lm.snap_lr(th.alpha_star),
                                                        round(th.beta_star, 3), False,
                                                        max(s.steps for s in runs))))
ui.explain(
    "Why momentum helps: in a narrow valley the steep direction caps the learning rate, so "
    "plain GD crawls along the flat one; momentum adds up the small, consistent gradient "
    "along the valley while the zig-zag across it cancels out, and the velocity it builds "
    "can carry a run over the hump out of a shallow local minimum.",
    "With noisy gradients (σ > 0) the velocity is a running average of the noise as well, "
    "so a momentum run's path is smoother, but its effective step lr/(1 − μ) sets how far "
    "it jitters around the minimum.",
)

ui.code_panel(
    code.script(surface=f, start=comp.start, runs=runs, noise_std=float(noise), seed=seed,
                condition=condition),
    code.prints(comp), filename="dlviz_lr_momentum.py",
)
