"""Overfitting & regularisation: train vs validation curves, the boundary, and the cures."""

import plotly.graph_objects as go
import streamlit as st

from dlviz import overfitting as of
from dlviz import overfitting_plots as plots
from dlviz import overfitting_script as code
from dlviz import overfitting_text as text
from dlviz import ui
from dlviz.overfitting_settings import SETTINGS, SETUP, train_args

lecture = ui.page("overfitting", SETTINGS)


def _cure(changes: dict) -> None:
    """Button callback: move the cure's knobs (and so the URL); {} = back to the setup."""
    ui.set_values(SETTINGS, changes, reset=() if changes else SETUP)


# The knobs of the overfitting story (and of most cures) above the main figure; the rest aside.
MAIN = ("n", "width", "p", "wd")
for column, key in zip(ui.main_columns(len(MAIN)), MAIN, strict=True):
    ui.widget(key, where=column)
with st.sidebar:
    for header, keys in (("Data", ("data", "noise", "aug")), ("Model", ("depth",)),
                         ("Training", ("epochs", "seed"))):
        st.subheader(header)
        for key in keys:
            ui.widget(key)
settings = train_args(ui.values())


@st.cache_data(max_entries=64, show_spinner=False)
def _train(dataset: str, n_train: int, noise: float, width: int, depth: int, dropout: float,
           weight_decay: float, epochs: int, jitter: float, seed: int) -> of.TrainResult:
    # one batch with the other sessions that ask for the same settings with their own seeds
    return ui.coalesced(of.train_many, seed, label="Training the MLP", dataset=dataset,
                        n_train=n_train, noise=noise, width=width, depth=depth,
                        dropout=dropout, weight_decay=weight_decay, epochs=epochs,
                        jitter=jitter)


@ui.figure_cache()
def _demo(seed: int, lecture: bool) -> tuple[of.DropoutDemo, go.Figure]:
    demo = of.dropout_demo(seed=seed)
    return demo, plots.dropout_figure(demo, lecture=lecture)


@ui.figure_cache()
def _figures(lecture: bool, **settings) -> tuple[go.Figure, go.Figure]:
    """The two training figures, built once per settings and lecture flag."""
    result = _train(**settings)
    return (plots.curves_figure(result, _diagnose(result), lecture=lecture),
            plots.boundary_figure(result, lecture=lecture))


def _diagnose(result: of.TrainResult) -> of.Diagnosis:
    return of.diagnose(train_loss=result.train_loss, val_loss=result.val_loss,
                       train_acc=result.train_acc, val_acc=result.val_acc)


result = _train(**settings)
diagnosis = _diagnose(result)
curves_fig, boundary_fig = _figures(lecture, **settings)

st.markdown(text.diagnosis(diagnosis))
ui.chart(curves_fig, key="curves", summary=text.curves_summary(result, diagnosis),
         data=text.curves_data(result))
ui.explain(*text.CURVES)
# side by side on a monitor; stacked on a projector, where a column is too narrow
left, right = ((st.container(), st.container()) if lecture
               else st.columns([3, 2], vertical_alignment="center"))
with left:
    ui.chart(boundary_fig, key="boundary", summary=text.boundary_summary(result),
             data=text.boundary_data(result))
with right:
    row1, row2 = (st.columns(4),) * 2 if lecture else (st.columns(2), st.columns(2))
    row1[0].metric("Train accuracy", f"{result.train_acc[-1]:.1%}")
    row1[1].metric("Val accuracy", f"{result.val_acc[-1]:.1%}")
    row2[-2].metric("Weight norm", f"{result.weight_norm[-1]:.3g}", help=text.WEIGHT_NORM_HELP)
    row2[-1].metric("Parameters", f"{result.n_params:,}")
    ui.explain(*text.BOUNDARY)

# --- causes and cures ----------------------------------------------------------------------
st.header("Causes and cures")
ui.explain(*text.CURES_INTRO)
for i, (cause, cure, knob, changes) in enumerate(text.CURES):
    left, mid, right = st.columns([2, 4, 1], vertical_alignment="center")
    left.markdown(f"**{cause}**")
    mid.markdown(f"{cure}: *{knob}*")
    right.button("Apply", key=f"cure{i}", on_click=_cure, args=(changes,), width="stretch",
                 help=f"{cure}: set {knob}.")
st.button("Back to the overfitting setup", key="cure_reset", on_click=_cure, args=({},),
          icon=":material/restart_alt:")

# --- dropout in train and eval mode --------------------------------------------------------
st.header("Dropout: model.train() versus model.eval()")
dropout_seed = ui.widget("dseed", where=st.columns([1, 2])[0])
demo, dropout_fig = _demo(dropout_seed, lecture)
ui.chart(dropout_fig, key="dropout", summary=text.dropout_summary(demo),
         data=text.dropout_data(demo))
ui.explain(*text.DROPOUT)

ui.code_panel(code.script(**settings, dropout_seed=dropout_seed),
              code.prints(result, diagnosis, demo), filename="dlviz_overfitting.py")
