"""Overfitting & regularisation: train vs validation curves, the boundary, and the cures."""

import plotly.graph_objects as go
import streamlit as st

from dlviz import overfitting as of
from dlviz import overfitting_plots as plots
from dlviz import overfitting_script as code
from dlviz import ui

DEFAULTS = {"data": "moons", "n": 60, "noise": 0.25, "aug": 0.0, "width": 64, "depth": 3,
            "p": 0.0, "wd": 0.0, "epochs": 200}
# Widget key (short: it is a URL parameter) → `of.train` keyword.
KNOBS = {"data": "dataset", "n": "n_train", "noise": "noise", "aug": "jitter", "width": "width",
         "depth": "depth", "p": "dropout", "wd": "weight_decay", "epochs": "epochs"}
DEMO_SEED = 15  # a seed whose four ReLU units are all active, so every mask shows
# The course's causes and cures; each cure names the widget (by label) it moves, and where.
CURES = (
    ("Too little data", "More data", "Training points → 300", {"n": 300}),
    ("Too little data", "Data augmentation", "Augmentation jitter σ → 0.2", {"aug": 0.2}),
    ("Too much capacity", "A smaller model", "Width → 16, Depth → 2", {"width": 16, "depth": 2}),
    ("Too much capacity", "Dropout", "Dropout p → 0.5", {"p": 0.5}),
    ("Weights too large", "Weight decay", "Weight decay → 0.01", {"wd": 0.01}),
)
VERDICT_BADGE = {"underfitting": ":blue-badge[Underfitting]", "good fit": ":green-badge[Good fit]",
                 "overfitting": ":orange-badge[Overfitting]"}


def _initial(key: str):
    """The widget's default, unless its value is already in the session (a cure button may
    have just set it; passing a default as well would make Streamlit warn)."""
    return None if key in st.session_state else DEFAULTS[key]


def _set(changes: dict) -> None:
    """Button callback: move the named widgets (and so the URL) to the cure's values."""
    for key, value in changes.items():
        st.session_state[key] = value


lecture = ui.page("overfitting")
lo = {k: v[0] for k, v in of.BOUNDS.items()}
hi = {k: v[1] for k, v in of.BOUNDS.items()}

with st.sidebar:
    st.subheader("Data")
    dataset = st.segmented_control("Data set", of.DATASETS, default=_initial("data"), key="data",
                                   bind="query-params") or DEFAULTS["data"]
    n_train = st.slider("Training points", lo["n_train"], hi["n_train"], _initial("n"), step=10,
                        key="n", bind="query-params",
                        help=f"Plus {of.N_VAL} validation points from the same distribution.")
    noise = st.slider("Noise σ", lo["noise"], hi["noise"], _initial("noise"), step=0.05,
                      key="noise", bind="query-params")
    jitter = st.slider("Augmentation jitter σ", lo["jitter"], hi["jitter"], _initial("aug"),
                       step=0.05, key="aug", bind="query-params",
                       help="Each epoch the training points move by fresh Gaussian noise.")
    st.subheader("Model")
    width = st.select_slider("Width (units per hidden layer)", of.WIDTHS, _initial("width"),
                             key="width", bind="query-params")
    depth = st.slider("Depth (hidden layers)", lo["depth"], hi["depth"], _initial("depth"),
                      key="depth", bind="query-params")
    dropout = st.slider("Dropout p", lo["dropout"], hi["dropout"], _initial("p"), step=0.05,
                        key="p", bind="query-params", help="After every hidden ReLU.")
    st.subheader("Training")
    weight_decay = st.select_slider("Weight decay", of.WEIGHT_DECAYS, _initial("wd"), key="wd",
                                    bind="query-params")
    epochs = st.slider("Epochs", lo["epochs"], hi["epochs"], _initial("epochs"), step=10,
                       key="epochs", bind="query-params",
                       help=f"Full batch: one Adam step (lr {of.LR:g}) per epoch.")
    seed = ui.seed()

settings = dict(dataset=dataset, n_train=int(n_train), noise=round(float(noise), 4),
                width=int(width), depth=int(depth), dropout=round(float(dropout), 4),
                weight_decay=float(weight_decay), epochs=int(epochs),
                jitter=round(float(jitter), 4), seed=seed)
try:
    of.validate(**{k: v for k, v in settings.items() if k != "seed"})
except ValueError as err:
    ui.problem(f"{err}. Showing the default settings meanwhile.")
    settings = {KNOBS[k]: v for k, v in DEFAULTS.items()} | {"seed": seed}


@st.cache_data(max_entries=64, show_spinner=False)
def _train(dataset: str, n_train: int, noise: float, width: int, depth: int, dropout: float,
           weight_decay: float, epochs: int, jitter: float, seed: int) -> of.TrainResult:
    with ui.heavy_slot("Training the MLP") as progress:
        return of.train(dataset=dataset, n_train=n_train, noise=noise, width=width, depth=depth,
                        dropout=dropout, weight_decay=weight_decay, epochs=epochs,
                        jitter=jitter, seed=seed, progress=progress)


@ui.figure_cache()
def _demo(seed: int, lecture: bool) -> tuple[of.DropoutDemo, go.Figure]:
    demo = of.dropout_demo(seed=seed)
    return demo, plots.dropout_figure(demo, lecture=lecture)


@ui.figure_cache()
def _figures(lecture: bool, **settings) -> tuple[go.Figure, go.Figure]:
    """The two training figures, built once per settings and lecture flag."""
    result = _train(**settings)
    diagnosis = _diagnose(result)
    return (plots.curves_figure(result, diagnosis, lecture=lecture),
            plots.boundary_figure(result, lecture=lecture))


def _diagnose(result: of.TrainResult) -> of.Diagnosis:
    return of.diagnose(train_loss=result.train_loss, val_loss=result.val_loss,
                       train_acc=result.train_acc, val_acc=result.val_acc)


result = _train(**settings)
diagnosis = _diagnose(result)
curves_fig, boundary_fig = _figures(lecture, **settings)

st.markdown(f"**Diagnosis:** {VERDICT_BADGE[diagnosis.verdict]} — {diagnosis.reason}")
ui.chart(curves_fig, key="curves")
ui.explain(
    "Overfitting: the training loss keeps falling while the validation loss turns up — the "
    "model learns the noise of its few training points.",
    f"The rule: **underfitting** if the training accuracy ends below "
    f"{of.UNDERFIT_ACC:.0%}; else **overfitting** if the validation loss ends at ≥ "
    f"{of.OVERFIT_RISE:g}× its minimum (and above the training loss), or the training accuracy "
    f"beats the validation accuracy by ≥ {of.OVERFIT_GAP:.0%} points; else a **good fit**. Both "
    "curves are measured after each epoch's step in `model.eval()` mode, so dropout does not "
    "handicap the training curve. The rule sees only the curves: on very noisy data even the "
    "best model stays below 90 %.",
)
# side by side on a monitor; stacked on a projector, where a column is too narrow
left, right = ((st.container(), st.container()) if lecture
               else st.columns([3, 2], vertical_alignment="center"))
with left:
    ui.chart(boundary_fig, key="boundary")
with right:
    row1, row2 = (st.columns(4),) * 2 if lecture else (st.columns(2), st.columns(2))
    row1[0].metric("Train accuracy", f"{result.train_acc[-1]:.1%}")
    row1[1].metric("Val accuracy", f"{result.val_acc[-1]:.1%}")
    row2[-2].metric("Weight norm", f"{result.weight_norm[-1]:.3g}",
                   help="√(sum of squared weights of every Linear layer), biases excluded.")
    row2[-1].metric("Parameters", f"{result.n_params:,}")
    ui.explain(
        "An overfitted boundary bends around single noisy training points (filled); the "
        "validation points (hollow) then land on the wrong side.",
        "The shading is the model's P(class 1) = softmax(logits)[1] on a grid; the black "
        "line is P = 0.5.",
    )

# --- causes and cures ----------------------------------------------------------------------
st.header("Causes and cures")
ui.explain("Each cure below moves its knob in the sidebar; the model retrains.",
           "Cures combine: apply two and compare the validation loss with each alone. "
           "Stopping training early, near the dotted line, is yet another cure.")
for i, (cause, cure, knob, changes) in enumerate(CURES):
    left, mid, right = st.columns([2, 4, 1], vertical_alignment="center")
    left.markdown(f"**{cause}**")
    mid.markdown(f"{cure}: *{knob}*")
    right.button("Apply", key=f"cure{i}", on_click=_set, args=(changes,), width="stretch",
                 help=f"{cure}: set {knob}.")
st.button("Back to the overfitting setup", key="cure_reset", on_click=_set, args=(DEFAULTS,),
          icon=":material/restart_alt:")

# --- dropout in train and eval mode --------------------------------------------------------
st.header("Dropout: model.train() versus model.eval()")
dropout_seed = int(st.columns([1, 2])[0].number_input(
    "Demo seed", 0, ui.SEED_MAX, DEMO_SEED, step=1, key="dseed", bind="query-params",
    help="New weights, input and masks: step it to call the model again with fresh masks."))
demo, dropout_fig = _demo(dropout_seed, lecture)
ui.chart(dropout_fig, key="dropout")
ui.explain(
    "In `model.train()` mode each call zeroes every unit with probability 0.5 and doubles the "
    "survivors, so the output changes from call to call; in `model.eval()` mode dropout "
    "passes its input through, so the output is the same every call.",
    "Doubling (1 / (1 − p)) keeps each unit's expected value equal to its eval-mode value. "
    "Always call `model.eval()` before validating or predicting, and `model.train()` before "
    "training again.",
)

ui.code_panel(code.script(**settings, dropout_seed=dropout_seed),
              code.prints(result, diagnosis, demo), filename="dlviz_overfitting.py")
