"""The Activations page's prose: what each section says."""

from __future__ import annotations

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
