"""The Loss-functions page's prose: what each section says, filled with its numbers."""

from __future__ import annotations

from dlviz.losses import CrossEntropyWalk, LossCurves, MseCurve

WALK_MORE = (
    "`nn.CrossEntropyLoss` takes the raw scores (it applies log-softmax itself, in a "
    "numerically stable way) and either the class index or, as in the course, the one-hot "
    "vector as a float target; both give the same number. Don't put `nn.Softmax` before it.")

CURVES = (
    "CE = −log p: near 0 when the true class gets p ≈ 1, but it grows without limit as p → 0. "
    "A model that is *confident and wrong* pays far more than one that is unsure.",
    "The dashed curve is the squared error of the probability vector against the one-hot "
    "target: it never exceeds 2, so it barely separates 'wrong' from 'very confidently wrong'. "
    "CE's gradient with respect to the true class's score is p − 1, so it stays strong "
    "exactly when the model is most wrong (the other classes spread 1 − p evenly in this plot).",
)

MSE_MORE = (
    "Squaring makes the loss grow fast with large misses and gives the gradient "
    "2·(prediction − target), which shrinks as the prediction closes in.")

# A list, not a 4-column table: the table scrolled the whole page sideways on a phone.
WHICH = (
    "- **Classification (K classes)**: the last layer gives raw scores (no softmax); loss "
    "`nn.CrossEntropyLoss()`; target: the class index, or `F.one_hot(y, K)` as floats.\n"
    "- **Regression**: no activation after the last layer; loss `nn.MSELoss()`; target: the "
    "true value (a float).")


def walk(w: CrossEntropyWalk) -> tuple[str, str]:
    return (f"Softmax turns the scores into probabilities that sum to 1; the one-hot target "
            f"`F.one_hot({w.label}, {len(w.scores)})` picks out the true class, and the loss "
            f"is −log of the probability given to it: −log {w.p_true:.4g} = "
            f"**{w.loss:.4f}**.", WALK_MORE)


def mse(curve: MseCurve) -> tuple[str, str]:
    pred, target = curve.pred, curve.target
    return (f"`nn.MSELoss()` of prediction {pred:g} against target {target:g}: "
            f"({pred:g} − {target:g})² = **{curve.pred_loss:.6g}**.", MSE_MORE)


# --- the charts' text alternatives: one sentence each, with the result's numbers -----------

def walk_summary(w: CrossEntropyWalk) -> str:
    scores = ", ".join(f"{v:.4g}" for v in w.scores.tolist())
    probs = ", ".join(f"{v:.4g}" for v in w.probabilities.tolist())
    return (f"Scores ({scores}) of {len(w.scores)} classes become softmax probabilities "
            f"({probs}); the one-hot target picks class {w.label}, with p = {w.p_true:.4g}, "
            f"so the loss is −log p = {w.loss:.4f}.")


def curves_summary(curves: LossCurves, p_true: float, loss: float) -> str:
    return (f"With {curves.classes} classes, cross-entropy −log p falls from "
            f"{float(curves.cross_entropy[0]):.2f} at p = {float(curves.p_true[0]):g} to 0 at "
            f"p = 1, while the squared error of the probabilities never exceeds "
            f"{float(curves.squared_error.max()):.2f}; your scores give p = {p_true:.4g} and "
            f"CE = {loss:.4f}.")


def mse_summary(curve: MseCurve) -> str:
    return (f"MSELoss is the parabola (prediction − {curve.target:g})², zero at the target "
            f"{curve.target:g}; the prediction {curve.pred:g} costs {curve.pred_loss:.6g}.")
