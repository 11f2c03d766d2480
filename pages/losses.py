"""Loss functions: scores → softmax → one-hot → cross-entropy, and MSE (the course's numbers)."""

import streamlit as st

from dlviz import losses, ui
from dlviz import losses_plots as plots
from dlviz import losses_script as code
from dlviz.inputs import InputError, parse_floats

DEFAULT_SCORES = ", ".join(f"{s:g}" for s in losses.COURSE_SCORES)  # "0.1, 6, -2, 3.2"
SCORE_BOUND = 100.0
MAX_CLASSES = 10

lecture = ui.page("losses")


@st.cache_data(max_entries=64, show_spinner=False)
def _walk(scores: tuple[float, ...], label: int):
    return losses.cross_entropy_walk(scores=scores, label=label)


@st.cache_data(max_entries=16, show_spinner=False)
def _curves(classes: int):
    return losses.ce_curve(classes=classes)


@st.cache_data(max_entries=64, show_spinner=False)
def _mse(pred: float, target: float):
    return losses.mse_curve(pred=pred, target=target)


# Figures are cached as objects (not pickled): building one costs far more than a warm rerun
# may, and ui.chart only reads them.
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


# --- cross-entropy ---------------------------------------------------------------------------
with st.sidebar:  # the main figure's controls, so the figure sits right under the title
    st.subheader("Cross-entropy")
    scores_text = st.text_input(
        f"Scores of the last layer (2 to {MAX_CLASSES} numbers, each within ±{SCORE_BOUND:g})",
        DEFAULT_SCORES, key="scores", bind="query-params", max_chars=200)
    label = int(st.number_input("True class (label y)", min_value=0, max_value=MAX_CLASSES - 1,
                                value=losses.COURSE_LABEL, step=1, key="label",
                                bind="query-params"))
if not lecture:
    st.header("Cross-entropy: scores → probabilities → one-hot → loss")
try:
    scores = parse_floats(scores_text, min_count=2, max_count=MAX_CLASSES, bound=SCORE_BOUND)
except InputError as err:
    ui.problem(f"Scores: {err} Showing the course's scores {DEFAULT_SCORES} meanwhile.")
    scores = losses.COURSE_SCORES
if label >= len(scores):
    ui.problem(f"Label {label} is not a class of {len(scores)} scores (classes 0 to "
               f"{len(scores) - 1}); using class {len(scores) - 1}.")
    label = len(scores) - 1

walk = _walk(tuple(scores), label)
ui.chart(_walk_figure(tuple(scores), label, lecture), key="walk")
c1, c2, c3 = st.columns(3)
c1.metric("p(true class)", f"{walk.p_true:.4g}")
c2.metric("nn.CrossEntropyLoss", f"{walk.loss:.4f}")
c3.metric("−log p(true class)", f"{-walk.log_probabilities[walk.label]:.4f}")
ui.explain(
    f"Softmax turns the scores into probabilities that sum to 1; the one-hot target "
    f"`F.one_hot({walk.label}, {len(scores)})` picks out the true class, and the loss is "
    f"−log of the probability given to it: −log {walk.p_true:.4g} = **{walk.loss:.4f}**.",
    "`nn.CrossEntropyLoss` takes the raw scores (it applies log-softmax itself, in a "
    "numerically stable way) and either the class index or, as in the course, the one-hot "
    "vector as a float target; both give the same number. Don't put `nn.Softmax` before it.",
)

# --- CE as a function of the true class's probability -----------------------------------------
st.header("Why cross-entropy punishes confident mistakes")
ui.chart(_curves_figure(tuple(scores), label, lecture), key="curves")
ui.explain(
    "CE = −log p: near 0 when the true class gets p ≈ 1, but it grows without limit as p → 0. "
    "A model that is *confident and wrong* pays far more than one that is unsure.",
    "The dashed curve is the squared error of the probability vector against the one-hot "
    "target: it never exceeds 2, so it barely separates 'wrong' from 'very confidently wrong'. "
    "CE's gradient with respect to the true class's score is p − 1, so it stays strong "
    "exactly when the model is most wrong (the other classes spread 1 − p evenly in this plot).",
)

# --- MSE ----------------------------------------------------------------------------------------
st.header("Mean squared error for regression")
left, right = st.columns(2)
pred = float(left.number_input("Prediction", -1000.0, 1000.0, losses.COURSE_PRED, step=0.5,
                               key="pred", bind="query-params"))
target = float(right.number_input("Target", -1000.0, 1000.0, losses.COURSE_TARGET, step=0.5,
                                  key="target", bind="query-params"))
curve = _mse(pred, target)
ui.chart(_mse_figure(pred, target, lecture), key="mse")
ui.explain(
    f"`nn.MSELoss()` of prediction {pred:g} against target {target:g}: "
    f"({pred:g} − {target:g})² = **{curve.pred_loss:.6g}**.",
    "Squaring makes the loss grow fast with large misses and gives the gradient "
    "2·(prediction − target), which shrinks as the prediction closes in.",
)

# --- when to use which -------------------------------------------------------------------------
st.header("When to use which")
st.markdown(
    "| Task | Last layer | Loss | Target |\n|---|---|---|---|\n"
    "| Classification (K classes) | raw scores (no softmax) | `nn.CrossEntropyLoss()` | "
    "class index, or `F.one_hot(y, K)` as floats |\n"
    "| Regression | no activation | `nn.MSELoss()` | the true value (float) |"
)

ui.code_panel(code.script(walk=walk, mse=curve), code.prints(walk=walk, mse=curve),
              filename="dlviz_losses.py")
