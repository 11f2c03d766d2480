"""Freezing & fine-tuning: pretrain on US salaries, freeze layers, fine-tune on EU salaries;
and what each weight initialisation does."""

import plotly.graph_objects as go
import streamlit as st

from dlviz import finetune as ft
from dlviz import finetune_plots as plots
from dlviz import finetune_script as code
from dlviz import finetune_text as text
from dlviz import init_schemes as ini
from dlviz import init_schemes_script as init_code
from dlviz import ui
from dlviz.finetune_settings import SETTINGS, frozen_of

lecture = ui.page("finetune", SETTINGS)

# --- the fine-tuning run: what to freeze and the rate above the main figure, the rest aside --
mode_column, freeze_column, lr_column = ui.main_columns(3)
ui.widget("mode", where=mode_column)
for key in ("k", "f1", "f2", "f3", "f4"):
    ui.widget(key, where=freeze_column)  # k in mode "first k", f1…f4 in mode "per layer"
ui.widget("lr", where=lr_column)
with st.sidebar:
    st.subheader("Fine-tuning")
    ui.widget("epochs")
    ui.widget("seed")
s = ui.values()
frozen, lr, epochs, seed = frozen_of(s), float(s.lr), int(s.epochs), int(s.seed)


@st.cache_data(max_entries=1, show_spinner=False)
def _pretrained() -> ft.Pretrained:
    """The published model: trained once per process, the same for every seed."""
    with ui.heavy_slot("Pretraining on US salaries (task A), once for every session") as progress:
        return ft.pretrain(progress=progress)


@st.cache_data(max_entries=64, show_spinner=False)
def _compare(frozen: tuple[bool, ...], lr: float, epochs: int, seed: int) -> ft.Comparison:
    layers = tuple(i for i, f in enumerate(frozen) if f)
    # Other sessions' seeds asking at the same moment train in the same stacked computation.
    return ui.coalesced(ft.compare_many, seed, label="Fine-tuning on EU salaries (task B)",
                        frozen_layers=layers, lr=lr, epochs=epochs, pretrained=_pretrained())


# Figures are cached as built objects: a warm rerun only serialises them.
@ui.figure_cache()
def _run_figures(frozen: tuple[bool, ...], lr: float, epochs: int, seed: int,
                 lecture: bool) -> tuple[go.Figure, go.Figure]:
    comparison = _compare(frozen, lr, epochs, seed)
    return (plots.loss_curves_figure(comparison, lecture=lecture),
            plots.weight_change_figure(comparison.runs["freeze"], lecture=lecture))


comparison = _compare(frozen, lr, epochs, seed)
loss_fig, delta_fig = _run_figures(frozen, lr, epochs, seed, lecture)
ui.chart(loss_fig, key="losses", summary=text.losses_summary(comparison),
         data=text.losses_data(comparison))
ui.explain(*text.LOSSES)
if all(frozen):
    ui.problem(text.ALL_FROZEN)
for column, (label, value, delta) in zip(st.columns(4), text.metrics(comparison), strict=True):
    column.metric(label, value, delta, delta_color="inverse")

left, right = st.columns([2, 3])
with left:
    st.markdown(f"**The course's freezing code for this choice** ({ft.describe(frozen)}):")
    st.code(code.freeze_code(frozen), language="python", wrap_lines=True)
    st.markdown("**Save and load the fine-tuned weights**")
    st.code(text.SAVE_LOAD, language="python", wrap_lines=True)
    # made on the click (deferred): torch.save and storing the file cost every run
    freeze = comparison.runs["freeze"]
    st.download_button("Download finetuned.pt", lambda: ft.state_dict_bytes(freeze),
                       file_name="finetuned.pt", mime="application/octet-stream",
                       key="download_pt", on_click="ignore", icon=":material/download:")
with right:
    ui.chart(delta_fig, key="delta", summary=text.delta_summary(comparison.runs["freeze"]),
             data=text.delta_data(comparison.runs["freeze"]))
ui.explain(*text.DELTA)
ui.code_panel(code.script(frozen=frozen, lr=lr, epochs=epochs, seed=seed),
              code.prints(comparison), filename="dlviz_finetune.py")

# --- initialisation -----------------------------------------------------------------------------
st.header("Layer initialisation")
for column, key in zip(st.columns(4), ("init", "sigma", "const", "depth"), strict=True):
    ui.widget(key, where=column)
s = ui.values()
scheme, sigma, constant, depth = s.init, float(s.sigma), float(s.const), int(s.depth)


@st.cache_data(max_entries=32, show_spinner=False)
def _init(scheme: str, sigma: float, constant: float, depth: int,
          seed: int) -> tuple[ini.Histograms, ini.ActivationStd]:
    return ui.coalesced(ini.layers_many, seed, label="Initialising the layers", scheme=scheme,
                        depth=depth, sigma=sigma, constant=constant)


@ui.figure_cache()
def _init_figures(scheme: str, sigma: float, constant: float, depth: int, seed: int,
                  lecture: bool) -> tuple[go.Figure, go.Figure]:
    hist, stds = _init(scheme, sigma, constant, depth, seed)
    return (plots.histograms_figure(hist, lecture=lecture),
            plots.activation_std_figure(stds, selected=scheme, lecture=lecture))


@st.cache_data(max_entries=16, show_spinner=False)
def _curves(sigma: float, constant: float, seed: int) -> ini.TrainCurves:
    return ui.coalesced(ini.train_curves_many, seed, label="Training from every initialisation",
                        sigma=sigma, constant=constant)


@ui.figure_cache()
def _curve_figures(scheme: str, sigma: float, constant: float, seed: int,
                   lecture: bool) -> tuple[go.Figure, go.Figure]:
    curves = _curves(sigma, constant, seed)
    return (plots.init_curves_figure(curves, selected=scheme, lecture=lecture),
            plots.symmetry_figure(curves, schemes=plots.symmetry_pair(scheme), lecture=lecture))


hist, stds = _init(scheme, sigma, constant, depth, seed)
hist_fig, std_fig = _init_figures(scheme, sigma, constant, depth, seed, lecture)
st.code(ini.init_code(scheme, sigma=sigma, constant=constant), language="python",
        wrap_lines=True)
ui.chart(hist_fig, key="hist", summary=text.histograms_summary(hist))
ui.explain(*text.HISTOGRAMS)
ui.chart(std_fig, key="std", summary=text.std_summary(stds, selected=scheme),
         data=text.std_data(stds))
ui.explain(*text.DEPTH)
curves = _curves(sigma, constant, seed)  # the heavy run and its bar, outside the figure cache
curves_fig, symmetry_fig = _curve_figures(scheme, sigma, constant, seed, lecture)
ui.chart(curves_fig, key="curves", summary=text.curves_summary(curves, selected=scheme),
         data=text.curves_data(curves))
ui.chart(symmetry_fig, key="symmetry",
         summary=text.symmetry_summary(curves, schemes=plots.symmetry_pair(scheme)))
ui.explain(*text.SYMMETRY)

ui.code_panel(init_code.script(scheme=scheme, sigma=sigma, constant=constant, depth=depth,
                               seed=seed), init_code.prints(hist, stds), filename="dlviz_init.py")
