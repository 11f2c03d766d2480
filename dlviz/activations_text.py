"""The Activations page's prose: what each section says."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlviz.activations import ACTIVATIONS, SATURATION, ActivationCurve, DepthGradients, OutputHead
from dlviz.activations_settings import BATCH

CURVES = (
    "Saturated regions (shaded) have |f′| < 0.01: a gradient passing through them almost "
    "vanishes. ReLU's derivative is 1 for every x > 0.",
    "The right panel is `torch.autograd` on the real `nn` modules, so kinks follow torch's "
    "convention: ReLU′(0) = 0 and LeakyReLU′(0) = negative_slope. Sigmoid's derivative never "
    "exceeds 0.25, and tanh's never exceeds 1.",
)

DEPTH = (
    "Backpropagation multiplies one factor of f′ per layer. Sigmoid's f′ ≤ 0.25, so its "
    "gradients shrink layer after layer towards the input; ReLU's f′ is exactly 1 where a "
    "unit is active, so its gradients do not fade.",
    f"Each line is one backward pass of an MSE loss on a seeded batch of {BATCH} through a "
    "fresh MLP. With PyTorch's default initialisation every activation's signal shrinks too; "
    "with Kaiming (He) initialisation ReLU keeps the gradient norm level across depth while "
    "sigmoid still loses orders of magnitude.",
)

HEADS = {
    "regression": "Regression: no activation after the last layer; the output is the score.",
    "binary": "Binary classification: `nn.Sigmoid()` turns each score into P(class 1).",
    "multiclass": "Multiclass: `nn.Softmax(dim=-1)` turns scores into probabilities that sum "
                  "to 1.",
}

TEMPERATURE = (
    "A higher temperature flattens the softmax towards uniform; a lower one sharpens it "
    "towards the arg-max.")


def head(task: str) -> tuple[str, str | None]:
    return HEADS[task], TEMPERATURE if task == "multiclass" else None


# --- the charts' text alternatives: one sentence each, with the result's numbers -----------

def _label(name: str) -> str:
    return ACTIVATIONS[name].label


def curves_summary(curves: Sequence[ActivationCurve]) -> str:
    """Each function's range of f and its largest |f′| on the plotted x, and where it
    saturates."""
    if not curves:
        return "No activation chosen."
    xmax = float(curves[0].x[-1])
    parts = []
    for c in curves:
        part = (f"{_label(c.name)} f from {float(c.y.min()):.3g} to {float(c.y.max()):.3g}, "
                f"max |f′| {float(np.abs(c.dy).max()):.3g}")
        if c.saturated:
            width = sum(hi - lo for lo, hi in c.saturated)
            part += f", saturated on {width:.3g} of the {2 * xmax:g} x-units"
        if c.kink is not None:
            part += f", f′(0) = {c.kink[1]:g} by torch"
        parts.append(part)
    return (f"f(x) and f′(x) on x from {-xmax:g} to {xmax:g} (saturated: |f′| < "
            f"{SATURATION:g}): " + "; ".join(parts) + ".")


def depth_summary(results: Sequence[DepthGradients]) -> str:
    """The gradient norm at the layer next to the input against the last hidden layer."""
    if not results:
        return "No activation chosen."
    depth = len(results[0].grad_norm)
    parts = [f"{_label(r.name)} {float(r.grad_norm[0]):.3g} at layer 1 vs "
             f"{float(r.grad_norm[-1]):.3g} at layer {depth} "
             f"(×{float(r.grad_norm[0] / r.grad_norm[-1]):.3g})" for r in results]
    return (f"Gradient norm ‖∂L/∂W‖ per hidden layer of a {depth}-layer MLP ({results[0].init} "
            "init): " + "; ".join(parts) + ".")


def head_summary(head: OutputHead) -> str:
    scores = ", ".join(f"{v:.4g}" for v in head.scores.tolist())
    outputs = ", ".join(f"{v:.4g}" for v in head.outputs.tolist())
    what = {"regression": "the identity keeps", "binary": "sigmoid turns",
            "multiclass": f"softmax at temperature {head.temperature:g} turns"}[head.task]
    return f"The {head.task} head: {what} the scores ({scores}) into ({outputs})."
