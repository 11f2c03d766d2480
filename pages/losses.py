"""Loss functions: scores → softmax → one-hot → cross-entropy, and MSE (the course's numbers)."""

import streamlit as st

from dlviz import losses, ui
from dlviz import losses_plots as plots
from dlviz import losses_script as code
from dlviz import losses_text as text
from dlviz.losses_settings import SETTINGS, scores_and_label

lecture = ui.page("losses", SETTINGS)


@st.cache_data(max_entries=64, show_spinner=False)
def _walk(scores: tuple[float, ...], label: int):
    return losses.cross_entropy_walk(scores=scores, label=label)


@st.cache_data(max_entries=16, show_spinner=False)
def _curves(classes: int):
    return losses.ce_curve(classes=classes)


@st.cache_data(max_entries=64, show_spinner=False)
def _mse(pred: float, target: float):
    return losses.mse_curve(pred=pred, target=target)


@ui.figure_cache()
def _walk_figure(scores: tuple[float, ...], label: int, lecture: bool):
    return plots.walk_figure(_walk(scores, label), lecture=lecture)


@ui.figure_cache()
def _curves_figure(scores: tuple[float, ...], label: int, lecture: bool):
    walk = _walk(scores, label)
    return plots.curves_figure(_curves(len(scores)), walk.p_true, walk.loss, lecture=lecture)


@ui.figure_cache()
def _mse_figure(pred: float, target: float, lecture: bool):
    return plots.mse_figure(_mse(pred, target), lecture=lecture)


# --- cross-entropy: the main figure, with its two controls right above it ---------------------
if not lecture:
    st.header("Cross-entropy: scores → probabilities → one-hot → loss")
c_scores, c_label = ui.main_columns([3, 1])
ui.widget("scores", where=c_scores)
ui.widget("label", where=c_label)
(scores, label), problems = scores_and_label(ui.values())
for line in problems:
    ui.problem(line)
walk = _walk(scores, label)
ui.chart(_walk_figure(scores, label, lecture), key="walk", summary=text.walk_summary(walk),
         data=plots.walk_data(walk))
c1, c2, c3 = st.columns(3)
c1.metric("p(true class)", f"{walk.p_true:.4g}")
c2.metric("nn.CrossEntropyLoss", f"{walk.loss:.4f}")
c3.metric("−log p(true class)", f"{-walk.log_probabilities[walk.label]:.4f}")
ui.explain(*text.walk(walk))

# --- CE as a function of the true class's probability -----------------------------------------
st.header("Why cross-entropy punishes confident mistakes")
ui.chart(_curves_figure(scores, label, lecture), key="curves",
         summary=text.curves_summary(_curves(len(scores)), walk.p_true, walk.loss))
ui.explain(*text.CURVES)

# --- MSE ----------------------------------------------------------------------------------------
st.header("Mean squared error for regression")
left, right = st.columns(2)
pred = float(ui.widget("pred", where=left))
target = float(ui.widget("target", where=right))
curve = _mse(pred, target)
ui.chart(_mse_figure(pred, target, lecture), key="mse", summary=text.mse_summary(curve))
ui.explain(*text.mse(curve))

# --- when to use which -------------------------------------------------------------------------
st.header("When to use which")
st.markdown(text.WHICH)

ui.code_panel(code.script(walk=walk, mse=curve), code.prints(walk=walk, mse=curve),
              filename="dlviz_losses.py")
