"""The Loss-functions page's prose: what each section says, filled with its numbers."""

from __future__ import annotations

from dlviz.losses import CrossEntropyWalk, MseCurve

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

WHICH = (
    "| Task | Last layer | Loss | Target |\n|---|---|---|---|\n"
    "| Classification (K classes) | raw scores (no softmax) | `nn.CrossEntropyLoss()` | "
    "class index, or `F.one_hot(y, K)` as floats |\n"
    "| Regression | no activation | `nn.MSELoss()` | the true value (float) |")


def walk(w: CrossEntropyWalk) -> tuple[str, str]:
    return (f"Softmax turns the scores into probabilities that sum to 1; the one-hot target "
            f"`F.one_hot({w.label}, {len(w.scores)})` picks out the true class, and the loss "
            f"is −log of the probability given to it: −log {w.p_true:.4g} = "
            f"**{w.loss:.4f}**.", WALK_MORE)


def mse(curve: MseCurve) -> tuple[str, str]:
    pred, target = curve.pred, curve.target
    return (f"`nn.MSELoss()` of prediction {pred:g} against target {target:g}: "
            f"({pred:g} − {target:g})² = **{curve.pred_loss:.6g}**.", MSE_MORE)
