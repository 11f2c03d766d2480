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
    "Each cure below moves its knob in the sidebar; the model retrains.",
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
