"""The Overfitting page's prose, its cures and its verdict badges."""

from __future__ import annotations

from dlviz import overfitting as of

# The course's causes and cures: (cause, cure, the knob it moves by its label, the settings).
CURES = (
    ("Too little data", "More data", "Training points → 300", {"n": 300}),
    ("Too little data", "Data augmentation", "Augmentation jitter σ → 0.2", {"aug": 0.2}),
    ("Too much capacity", "A smaller model", "Width → 16, Depth → 2", {"width": 16, "depth": 2}),
    ("Too much capacity", "Dropout", "Dropout p → 0.5", {"p": 0.5}),
    ("Weights too large", "Weight decay", "Weight decay → 0.01", {"wd": 0.01}),
)
VERDICT_BADGE = {"underfitting": ":blue-badge[Underfitting]", "good fit": ":green-badge[Good fit]",
                 "overfitting": ":orange-badge[Overfitting]"}


def diagnosis(d: of.Diagnosis) -> str:
    """The verdict line above the curves (its reason holds only numbers)."""
    return f"**Diagnosis:** {VERDICT_BADGE[d.verdict]} — {d.reason}"


CURVES = (
    "Overfitting: the training loss keeps falling while the validation loss turns up — the "
    "model learns the noise of its few training points.",
    f"The rule: **underfitting** if the training accuracy ends below {of.UNDERFIT_ACC:.0%}; "
    f"else **overfitting** if the validation loss ends at ≥ {of.OVERFIT_RISE:g}× its minimum "
    "(and above the training loss), or the training accuracy beats the validation accuracy "
    f"by ≥ {of.OVERFIT_GAP:.0%} points; else a **good fit**. Both curves are measured after "
    "each epoch's step in `model.eval()` mode, so dropout does not handicap the training "
    "curve. The rule sees only the curves: on very noisy data even the best model stays "
    "below 90 %.",
)
BOUNDARY = (
    "An overfitted boundary bends around single noisy training points (filled); the "
    "validation points (hollow) then land on the wrong side.",
    "The shading is the model's P(class 1) = softmax(logits)[1] on a grid; the black line "
    "is P = 0.5.",
)
CURES_INTRO = (
    "Each cure below moves its knobs (above the curves, or in the sidebar); the model "
    "retrains.",
    "Cures combine: apply two and compare the validation loss with each alone. Stopping "
    "training early, near the dotted line, is yet another cure.",
)
DROPOUT = (
    "In `model.train()` mode each call zeroes every unit with probability 0.5 and doubles "
    "the survivors, so the output changes from call to call; in `model.eval()` mode dropout "
    "passes its input through, so the output is the same every call.",
    "Doubling (1 / (1 − p)) keeps each unit's expected value equal to its eval-mode value. "
    "Always call `model.eval()` before validating or predicting, and `model.train()` before "
    "training again.",
)
WEIGHT_NORM_HELP = "√(sum of squared weights of every Linear layer), biases excluded."


# --- the charts' text alternatives: one sentence each, with the result's numbers -------------

def curves_summary(result: of.TrainResult, d: of.Diagnosis) -> str:
    """The loss and accuracy curves: where each ends, and the epoch of the lowest val loss."""
    best = d.best_epoch
    return (f"After {len(result.epoch)} epochs the training loss is "
            f"{result.train_loss[-1]:.3g} and the validation loss {result.val_loss[-1]:.3g} "
            f"(lowest {result.val_loss[best - 1]:.3g}, at epoch {best}); accuracy "
            f"{result.train_acc[-1]:.1%} on training, {result.val_acc[-1]:.1%} on "
            f"validation: {d.verdict}.")


def curves_data(result: of.TrainResult) -> dict[str, list]:
    """The curves' points, one row per epoch."""
    return {"epoch": [int(e) for e in result.epoch],
            "training loss": [float(v) for v in result.train_loss],
            "validation loss": [float(v) for v in result.val_loss],
            "training accuracy": [float(v) for v in result.train_acc],
            "validation accuracy": [float(v) for v in result.val_acc]}


def boundary_summary(result: of.TrainResult) -> str:
    """The decision boundary: the points, how many each side gets right, the undecided area."""
    wrong_train, wrong_val = misclassified(result)
    return (f"The model's P(class 1) over the plane with its 0.5 boundary, "
            f"{len(result.y_train)} training points (filled) and {len(result.y_val)} "
            f"validation points (hollow): {wrong_train} training and {wrong_val} validation "
            "points lie on the wrong side.")


def misclassified(result: of.TrainResult) -> tuple[int, int]:
    """(training, validation) points on the wrong side, from the final accuracies."""
    return (round((1 - float(result.train_acc[-1])) * len(result.y_train)),
            round((1 - float(result.val_acc[-1])) * len(result.y_val)))


def boundary_data(result: of.TrainResult) -> dict[str, list]:
    """The boundary chart's points: every training and validation point with its class."""
    xs = [*result.x_train, *result.x_val]
    return {"set": ["training"] * len(result.y_train) + ["validation"] * len(result.y_val),
            "x₁": [float(p[0]) for p in xs], "x₂": [float(p[1]) for p in xs],
            "class": [int(c) for c in (*result.y_train, *result.y_val)]}


def dropout_summary(demo: of.DropoutDemo) -> str:
    """The dropout heatmap: how many units each train-mode call zeroed; eval mode unchanged."""
    zeroed = [int(((row == 0) & (demo.hidden != 0)).sum()) for row in demo.train_out]
    same = all((row == demo.hidden).all() for row in demo.eval_out)
    return (f"Dropout's input is ({', '.join(f'{v:.3f}' for v in demo.hidden)}); the "
            f"{len(demo.train_out)} train-mode calls zero {', '.join(map(str, zeroed))} of its "
            f"{len(demo.hidden)} units and double the rest; the {len(demo.eval_out)} eval-mode "
            f"calls return the input {'unchanged' if same else 'changed'}.")


def dropout_data(demo: of.DropoutDemo) -> dict[str, list]:
    """The dropout heatmap's cells: one row per call, one column per unit."""
    rows = [("dropout's input", demo.hidden)]
    rows += [(f"train mode {i + 1}", r) for i, r in enumerate(demo.train_out)]
    rows += [(f"eval mode {i + 1}", r) for i, r in enumerate(demo.eval_out)]
    out: dict[str, list] = {"call": [name for name, _ in rows]}
    for j in range(len(demo.hidden)):
        out[f"unit {j + 1}"] = [float(r[j]) for _, r in rows]
    return out
