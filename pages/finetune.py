"""Freezing & fine-tuning: pretrain on US salaries, freeze layers, fine-tune on EU salaries;
and what each weight initialisation does."""

import plotly.graph_objects as go
import streamlit as st

from dlviz import finetune as ft
from dlviz import finetune_plots as plots
from dlviz import finetune_script as code
from dlviz import init_schemes as ini
from dlviz import ui

LRS = (0.001, 0.003, 0.01, 0.03, 0.1)
MODES = ("first k", "per layer")
EPOCHS_MAX = 40  # a cold run at the caps (pretraining and every init included) stays ≤ 2 s
LABELS = ft.layer_labels()

lecture = ui.page("finetune")

# --- controls of the fine-tuning run: in the sidebar, so the main figure follows the title --
with st.sidebar:
    st.subheader("Fine-tuning")
    mode = st.segmented_control("Freeze by", MODES, default="first k", key="mode",
                                bind="query-params") or "first k"
    if mode == "first k":
        k = st.slider("Freeze the first k Linear layers", 0, ft.N_LAYERS,
                      ft.DEFAULTS["frozen_layers"], key="k", bind="query-params")
        frozen = ft.frozen_mask(int(k))
    else:
        frozen = tuple(
            st.toggle(f"Freeze {label}", value=i < ft.DEFAULTS["frozen_layers"], key=f"f{i + 1}",
                      bind="query-params")
            for i, label in enumerate(LABELS))
    lr = float(st.select_slider("Learning rate", LRS, value=ft.DEFAULTS["lr"], key="lr",
                                bind="query-params", format_func=lambda v: f"{v:g}"))
    epochs = int(st.slider("Epochs (same budget for every run)", 5, EPOCHS_MAX,
                           ft.DEFAULTS["epochs"], step=5, key="epochs", bind="query-params"))
    seed = ui.seed()


@st.cache_data(max_entries=8, show_spinner=False)
def _pretrained(seed: int) -> ft.Pretrained:
    with ui.heavy_slot("Pretraining on US salaries (task A)") as progress:
        return ft.pretrain(seed=seed, progress=progress)


@st.cache_data(max_entries=64, show_spinner=False)
def _compare(frozen: tuple[bool, ...], lr: float, epochs: int, seed: int) -> ft.Comparison:
    pretrained = _pretrained(seed)
    layers = [i for i, f in enumerate(frozen) if f]
    with ui.heavy_slot("Fine-tuning on EU salaries (task B)") as progress:
        return ft.compare(frozen_layers=layers, lr=lr, epochs=epochs, seed=seed,
                          pretrained=pretrained, progress=progress)


@st.cache_data(max_entries=64, show_spinner=False)
def _weights_pt(frozen: tuple[bool, ...], lr: float, epochs: int, seed: int) -> bytes:
    return ft.state_dict_bytes(_compare(frozen, lr, epochs, seed).runs["freeze"])


# Figures are cached as built objects: a warm rerun only serialises them.
@ui.figure_cache()
def _run_figures(frozen: tuple[bool, ...], lr: float, epochs: int, seed: int,
                 lecture: bool) -> tuple[go.Figure, go.Figure]:
    comparison = _compare(frozen, lr, epochs, seed)
    return (plots.loss_curves_figure(comparison, lecture=lecture),
            plots.weight_change_figure(comparison.runs["freeze"], lecture=lecture))


comparison = _compare(frozen, lr, epochs, seed)
run = comparison.runs["freeze"]
loss_fig, delta_fig = _run_figures(frozen, lr, epochs, seed, lecture)
ui.chart(loss_fig, key="losses")
ui.explain(
    "Start from the model trained on US salaries and it is already close on European ones; "
    "freeze the early layers (`requires_grad = False`) and fine-tune those near the output.",
    "All four runs get the same number of epochs of SGD with momentum 0.9 on the 150 EU "
    "training rows; the loss is MSE on the 50 held-out EU rows, epoch 0 being before any "
    "step. The course's rule of thumb: freeze early layers, which learned general features, "
    "fine-tune the ones near the output with a smaller learning rate — and compare, as here, "
    "because with a short budget a smaller rate can also mean slower progress.",
)
if not any(not f for f in frozen):
    ui.problem("Every layer is frozen: nothing is trainable, so the fine-tuned model is the "
               "pretrained one and its loss stays flat.")

c1, c2, c3, c4 = st.columns(4)
c1.metric("Trainable", f"{run.trainable:,}")
c2.metric("Frozen", f"{run.total - run.trainable:,}")
c3.metric("Total parameters", f"{run.total:,}")
c4.metric("Final val. MSE", f"{run.losses[-1]:.4g}",
          f"{run.losses[-1] - comparison.runs['scratch'].losses[-1]:+.3g} vs scratch",
          delta_color="inverse")

left, right = st.columns([2, 3])
with left:
    st.markdown(f"**The course's freezing code for this choice** ({ft.describe(frozen)}):")
    st.code(code.freeze_code(frozen), language="python")
    st.markdown("**Save and load the fine-tuned weights**")
    st.code('torch.save(model.state_dict(), "finetuned.pt")\n'
            'model.load_state_dict(torch.load("finetuned.pt", weights_only=True))',
            language="python")
    st.download_button("Download finetuned.pt", _weights_pt(frozen, lr, epochs, seed),
                       file_name="finetuned.pt", mime="application/octet-stream",
                       key="download_pt", on_click="ignore", icon=":material/download:")
with right:
    ui.chart(delta_fig, key="delta")
ui.explain(
    "Frozen layers did not move at all: their |Δweight| is exactly 0.",
    "Each cell is one unit (output neuron) of a layer: the largest change of its weights and "
    "bias from the pretrained value. The optimizer only receives parameters with "
    "`requires_grad=True`, so a frozen parameter is bit-identical after training.",
)

# --- initialisation -----------------------------------------------------------------------------
st.header("Layer initialisation")
a, b, c, d = st.columns(4)
scheme = a.selectbox("Scheme", list(ini.SCHEMES), key="init", bind="query-params",
                     help=" · ".join(f"{k}: {label}" for k, (label, _) in ini.SCHEMES.items()))
sigma = float(b.slider("σ of normal(0, σ)", 0.01, 1.0, ini.SIGMA_DEFAULT, step=0.01,
                       key="sigma", bind="query-params"))
constant = float(c.slider("c of constant", -0.5, 0.5, ini.CONSTANT_DEFAULT, step=0.05,
                          key="const", bind="query-params"))
depth = int(d.slider("Depth of the deep MLP", 2, 30, 10, key="depth", bind="query-params"))


@ui.figure_cache()
def _histogram_figure(scheme: str, sigma: float, constant: float, seed: int,
                      lecture: bool) -> go.Figure:
    hist = ini.weight_histograms(scheme, seed=seed, sigma=sigma, constant=constant)
    return plots.histograms_figure(hist, lecture=lecture)


@ui.figure_cache()
def _std_figure(scheme: str, depth: int, sigma: float, constant: float, seed: int,
                lecture: bool) -> go.Figure:
    stds = ini.activation_std(depth=depth, seed=seed, sigma=sigma, constant=constant)
    return plots.activation_std_figure(stds, selected=scheme, lecture=lecture)


@st.cache_data(max_entries=16, show_spinner=False)
def _curves(sigma: float, constant: float, seed: int) -> ini.TrainCurves:
    with ui.heavy_slot("Training from every initialisation") as progress:
        return ini.train_curves(seed=seed, sigma=sigma, constant=constant, progress=progress)


@ui.figure_cache()
def _curve_figures(scheme: str, sigma: float, constant: float, seed: int,
                   lecture: bool) -> tuple[go.Figure, go.Figure]:
    curves = _curves(sigma, constant, seed)
    other = scheme if scheme in ("zeros", "constant") else "zeros"
    return (plots.init_curves_figure(curves, selected=scheme, lecture=lecture),
            plots.symmetry_figure(curves, schemes=("default", other), lecture=lecture))


st.code(ini.init_code(scheme, sigma=sigma, constant=constant), language="python")
ui.chart(_histogram_figure(scheme, sigma, constant, seed, lecture), key="hist")
ui.explain(
    "By default `nn.Linear(64, 128)` starts within ±1/√64 = ±0.125 (dashed lines); "
    "`nn.init.uniform_` moves every weight into [0, 1).",
    "PyTorch's default is Kaiming-uniform with a = √5, which works out to "
    "U(−1/√fan_in, 1/√fan_in). Every other scheme here also zeroes the biases.",
)
ui.chart(_std_figure(scheme, depth, sigma, constant, seed, lecture), key="std")
ui.explain(
    "Through a deep ReLU MLP, all-positive uniform [0, 1) weights make activations explode, "
    "small ones make them vanish; Kaiming keeps them level.",
    f"One seeded batch of {ini.DEEP_BATCH} standard-normal inputs passes through "
    f"Linear({ini.DEEP_WIDTH}, {ini.DEEP_WIDTH}) + ReLU layers at initialisation; each point "
    "is the std of a layer's output. Points that overflow float32 are left out.",
)
_curves(sigma, constant, seed)  # the heavy run (with its progress bar), outside the figure cache
curves_fig, symmetry_fig = _curve_figures(scheme, sigma, constant, seed, lecture)
ui.chart(curves_fig, key="curves")
ui.chart(symmetry_fig, key="symmetry")
ui.explain(
    "Zeros (or any constant) make every hidden unit identical, and identical units get "
    "identical gradients: after training they are still all the same.",
    f"Same seed and budget for every scheme ({ini.TRAIN_EPOCHS} epochs, lr "
    f"{ini.TRAIN_LR:g}). With all-zero weights no gradient reaches the hidden layers at "
    "all, only the output bias learns; with a constant the units move, but in lockstep. "
    "Random initialisation breaks that symmetry. In the heatmaps each column is one hidden "
    "unit's weights w1…w4 and bias b (red < 0 < blue, each panel on its own scale).",
)

ui.code_panel(code.script(frozen=frozen, lr=lr, epochs=epochs, seed=seed),
              code.prints(comparison), filename="dlviz_finetune.py")
