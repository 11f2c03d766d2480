"""The Tensors page's prose: what each section says, filled with its numbers."""

from __future__ import annotations

import numpy as np

from dlviz.tensors import LinearResult, StackResult
from dlviz.tensors_settings import WEIGHT_BOUND

LINEAR = (
    "`nn.Linear(3, 2)` holds a weight matrix W (2×3) and a bias b (2): each output is a "
    "weighted sum of the inputs plus its bias, y = x Wᵀ + b. Edit x, W and b above the chart.")

TENSOR = (
    "`torch.tensor` copies Python numbers: decimals become float32. `torch.from_numpy` shares "
    "numpy's array and keeps its dtype: decimals stay float64. Whole numbers give int64 "
    "either way.",
    "Layers expect float32 inputs, so a float64 tensor from numpy usually needs `.float()`.",
)

STACK_MORE = (
    "`nn.Linear(n_in, n_out)` holds n_in·n_out weights and n_out biases. Counted in code as "
    "`sum(p.numel() for p in model.parameters() if p.requires_grad)`. A stack of Linear "
    "layers without activations between them is still one linear map: the activations page "
    "shows what goes in between.")

HEAD_MORE = (
    "No activation for regression (one real output); `nn.Sigmoid()` on one unit for binary "
    "classification (a probability of class 1); `nn.Softmax(dim=-1)` on K units for K classes "
    "(probabilities that sum to 1 — here the course's 4 classes).")


def placeholders(weight: np.ndarray, bias: np.ndarray) -> tuple[str, str]:
    """The W and b fields' placeholders: the seeded values, as they would be typed."""
    return ("; ".join(", ".join(f"{v:.4f}" for v in row) for row in weight),
            ", ".join(f"{v:.4f}" for v in bias))


def linear_more(seed: int) -> str:
    return (
        f"With the W and b fields empty, W and b are the layer's default initialisation after "
        f"`torch.manual_seed({seed})`: uniform in ±1/√in_features = ±{3 ** -0.5:.4f}. Type your "
        f"own (each within ±{WEIGHT_BOUND:g}) to see how each number moves y.")


def stack(result: StackResult) -> tuple[str, str]:
    sizes = result.sizes
    counts = " + ".join(f"({a}·{b} + {b})" for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    return (f"Each layer's `out_features` must be the next layer's `in_features`; the tensor "
            f"keeps its batch dimension 1. Parameters: {counts} = **{result.total_params:,}**.",
            STACK_MORE)


def head(result: StackResult) -> tuple[str, str]:
    return ("The course's network: input `[[3, 4, 6, 7, 10, 12, 2, 3, 6, 8, 9]]` (11 features) "
            f"→ {' → '.join(result.modules)}. Shapes: "
            f"{' → '.join(str(s) for s in result.shapes)}.", HEAD_MORE)


# --- the charts' text alternatives: one sentence each, with the result's numbers -----------

def _vector(values) -> str:
    return "(" + ", ".join(f"{float(v):.4f}" for v in np.ravel(values)) + ")"


def linear_summary(r: LinearResult) -> str:
    n_out, n_in = r.weight.shape
    source = "seeded default initialisation" if r.seeded else "typed weights"
    return (f"nn.Linear({n_in}, {n_out}) maps x = {_vector(r.x)} to y = {_vector(r.y)}, with "
            f"bias b = {_vector(r.bias)} and W ({n_out}×{n_in}, {source}) from "
            f"{float(r.weight.min()):.4f} to {float(r.weight.max()):.4f}.")


def stack_summary(r: StackResult) -> str:
    shapes = " → ".join(str(tuple(s)) for s in r.shapes)
    per = ", ".join(f"{m} {int(p):,}" for m, p in zip(r.modules, r.params, strict=True))
    return (f"The tensor's shape after each of the {len(r.modules)} modules: {shapes}; "
            f"{r.total_params:,} trainable parameters ({per}).")


def head_summary(r: StackResult) -> str:
    what = {"none": "no activation: the output is the score",
            "sigmoid": "sigmoid turns the score into a probability",
            "softmax": "softmax turns the scores into probabilities that sum to "
                       f"{float(r.output[0].sum()):.4f}"}[r.head]
    return (f"Head {r.head}: {what}; scores {_vector(r.scores[0])} → outputs "
            f"{_vector(r.output[0])}.")
