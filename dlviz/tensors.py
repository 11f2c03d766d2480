"""Tensors, one `nn.Linear`, and `nn.Sequential` stacks with their output heads.

A linear layer computes y = x Wᵀ + b: x (1, in), W (out, in), b (out,), y (1, out).
`nn.Linear(n_in, n_out)` holds n_in·n_out + n_out parameters.
Everything here runs in torch's default float32, as the course does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlviz import rng
from dlviz.inputs import InputError, parse_floats

COURSE_INPUT = (0.3471, 0.4547, -0.2356)  # the course's input_tensor for nn.Linear(3, 2)
COURSE_STACK = (10, 18, 20, 5)  # nn.Sequential(Linear(10,18), Linear(18,20), Linear(20,5))
COURSE_CLASSIFIER_INPUT = (3, 4, 6, 7, 10, 12, 2, 3, 6, 8, 9)  # 11 features
COURSE_HIDDEN = (11, 20, 12, 6)  # Linear(11,20) → Linear(20,12) → Linear(12,6) → head layer
MAKERS = {"tensor": "torch.tensor", "from_numpy": "torch.from_numpy"}  # key → label (URL)
# Output head → (the task it serves, units of the last Linear layer).
HEADS: dict[str, tuple[str, int]] = {
    "none": ("regression: one real value", 1),
    "sigmoid": ("binary classification: P(class 1)", 1),
    "softmax": ("4-class classification: class probabilities", 4),
}
MAX_ROWS, MAX_COLS, VALUE_BOUND = 6, 8, 1e6
_ROW_SPLIT = re.compile(r"\]\s*,?\s*\[|;|\n")
_INT = re.compile(r"^[-+]?\d+$")


# --- tensors ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TensorInfo:
    maker: str  # key of MAKERS
    rows: tuple[tuple[float | int, ...], ...]  # the Python values the tensor was made from
    values: np.ndarray  # (rows, cols) the tensor's values, as numpy
    shape: tuple[int, ...]  # tuple(t.shape)
    dtype: str  # str(t.dtype), e.g. "torch.float32"
    text: str  # repr(t), as print(t) shows it


def parse_rows(text: str) -> list[list[float]] | list[list[int]]:
    """ "1, 2, 3; 4, 5, 6" or "[[1, 2, 3], [4, 5, 6]]" → rows; ints if every entry is one."""
    body = text.strip()
    while body[:1] == "[" and body[-1:] == "]":
        body = body[1:-1].strip()
    pieces = [p for p in _ROW_SPLIT.split(body) if p.strip(" ,[]")]
    if not 1 <= len(pieces) <= MAX_ROWS:
        raise InputError(f"Give 1 to {MAX_ROWS} rows, separated by ';' (got {len(pieces)}).")
    rows = [parse_floats(p.strip(" ,[]"), max_count=MAX_COLS, bound=VALUE_BOUND)
            for p in pieces]
    if len({len(r) for r in rows}) > 1:
        raise InputError("Every row needs the same number of entries: a tensor is rectangular.")
    tokens = [t for p in pieces for t in re.split(r"[,\s]+", p.strip(" ,[]")) if t]
    if all(_INT.match(t) for t in tokens):
        return [[int(v) for v in r] for r in rows]
    return [list(r) for r in rows]


def parse_matrix(text: str, *, rows: int, cols: int,
                 bound: float) -> tuple[tuple[float, ...], ...]:
    """Exactly `rows` × `cols` numbers within ±bound, written as `parse_rows` reads them."""
    values = parse_rows(text)
    if len(values) != rows or len(values[0]) != cols:
        raise InputError(f"Give {rows} rows of {cols} numbers (got {len(values)} of "
                         f"{len(values[0])}).")
    if any(abs(v) > bound for r in values for v in r):
        raise InputError(f"Every number must lie within ±{bound:g}.")
    return tuple(tuple(float(v) for v in r) for r in values)


def make_tensor(*, rows: Sequence[Sequence[float]], maker: str) -> TensorInfo:
    """The tensor `torch.tensor(rows)` or `torch.from_numpy(np.array(rows))` makes.

    The two differ in dtype for decimals: torch.tensor picks float32, numpy float64.
    """
    if maker == "tensor":
        t = torch.tensor([list(r) for r in rows])
    elif maker == "from_numpy":
        t = torch.from_numpy(np.array([list(r) for r in rows]))
    else:
        raise ValueError(f"unknown maker {maker!r}; valid: {', '.join(MAKERS)}")
    return TensorInfo(maker=maker, rows=tuple(tuple(r) for r in rows), values=t.numpy().copy(),
                      shape=tuple(t.shape), dtype=str(t.dtype), text=repr(t))


# --- one linear layer ----------------------------------------------------------------------------

@dataclass(frozen=True)
class LinearResult:
    x: np.ndarray  # (1, in)
    weight: np.ndarray  # (out, in) layer.weight
    bias: np.ndarray  # (out,) layer.bias
    products: np.ndarray  # (out, in) x_i · W_ji, the terms of each output's sum
    y: np.ndarray  # (1, out) layer(x) = x Wᵀ + b
    seeded: bool  # weights from the seeded default init (not typed in)


def linear_layer(*, x: Sequence[float], seed: int, weight: Sequence[Sequence[float]] | None = None,
                 bias: Sequence[float] | None = None, out_features: int = 2) -> LinearResult:
    """`nn.Linear(len(x), out_features)` after `torch.manual_seed(seed)`, applied to [x].

    `weight` (out, in) and `bias` (out,) replace the seeded values when given.
    """
    with rng.seeded(seed):
        layer = nn.Linear(len(x), out_features)
    with torch.no_grad():
        if weight is not None:
            layer.weight.copy_(torch.tensor(weight, dtype=torch.float32))
        if bias is not None:
            layer.bias.copy_(torch.tensor(bias, dtype=torch.float32))
    xt = torch.tensor([list(x)], dtype=torch.float32)  # (1, in)
    with torch.no_grad():
        y = layer(xt)
        products = xt * layer.weight  # (out, in) by broadcasting
    return LinearResult(x=xt.numpy(), weight=layer.weight.detach().numpy().copy(),
                        bias=layer.bias.detach().numpy().copy(), products=products.numpy(),
                        y=y.numpy(), seeded=weight is None and bias is None)


def seeded_linear(*, in_features: int = 3, out_features: int = 2,
                  seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The default-initialised (weight, bias) of `nn.Linear` after `torch.manual_seed(seed)`."""
    r = linear_layer(x=[0.0] * in_features, seed=seed, out_features=out_features)
    return r.weight, r.bias


# --- a stack ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StackResult:
    sizes: tuple[int, ...]  # (layers + 1,) features in, then after each Linear
    head: str  # key of HEADS-style heads: "none", "sigmoid" or "softmax"
    modules: tuple[str, ...]  # (modules,) short label of each module, e.g. "Linear(10, 18)"
    shapes: tuple[tuple[int, ...], ...]  # (modules + 1,) the input's shape, then each output's
    params: np.ndarray  # (modules,) int64 trainable parameters per module
    total_params: int  # Σ p.numel() over model.parameters() with requires_grad
    x: np.ndarray  # (1, sizes[0]) the input
    scores: np.ndarray  # (1, sizes[-1]) the last Linear layer's output
    output: np.ndarray  # (1, sizes[-1]) model(x): scores after the head


def parse_sizes(text: str, *, max_layers: int = 8, max_width: int = 256) -> tuple[int, ...]:
    """ "10, 18, 20, 5" → (10, 18, 20, 5): whole numbers from 1 to max_width, 2 to 9 of them."""
    values = parse_floats(text, min_count=2, max_count=max_layers + 1, bound=max_width)
    if any(v != int(v) or v < 1 for v in values):
        raise InputError(f"Layer sizes are whole numbers from 1 to {max_width}.")
    return tuple(int(v) for v in values)


def _head_module(head: str) -> nn.Module | None:
    if head == "none":
        return None
    if head == "sigmoid":
        return nn.Sigmoid()
    if head == "softmax":
        return nn.Softmax(dim=-1)
    raise ValueError(f"unknown head {head!r}; valid: none, sigmoid, softmax")


def _label(m: nn.Module) -> str:
    if isinstance(m, nn.Linear):
        return f"Linear({m.in_features}, {m.out_features})"
    return repr(m)


def stack(*, sizes: Sequence[int], head: str = "none", seed: int,
          x: Sequence[float] | None = None) -> StackResult:
    """`nn.Sequential` of Linear(sizes[i], sizes[i+1]) plus the head, run on one row.

    Seeding: `torch.manual_seed(seed)`, build the model, then (if `x` is None) draw the
    input row with `torch.randn(1, sizes[0])`.
    """
    if len(sizes) < 2:
        raise ValueError("a stack needs at least an input size and one layer's output size")
    with rng.seeded(seed):
        layers: list[nn.Module] = [nn.Linear(a, b)
                                   for a, b in zip(sizes[:-1], sizes[1:], strict=False)]
        if (h := _head_module(head)) is not None:
            layers.append(h)
        model = nn.Sequential(*layers)
        xt = (torch.randn(1, sizes[0]) if x is None
              else torch.tensor([list(x)], dtype=torch.float32))
    if xt.shape[1] != sizes[0]:
        raise ValueError(f"the input has {xt.shape[1]} features, the first layer takes {sizes[0]}")
    shapes, h_ = [tuple(xt.shape)], xt
    with torch.no_grad():
        for i, m in enumerate(model):
            h_ = m(h_)
            shapes.append(tuple(h_.shape))
            if i == len(sizes) - 2:
                scores = h_
        output = model(xt)
    params = [sum(p.numel() for p in m.parameters() if p.requires_grad) for m in model]
    return StackResult(
        sizes=tuple(int(s) for s in sizes), head=head, modules=tuple(_label(m) for m in model),
        shapes=tuple(shapes), params=np.array(params, dtype=np.int64),
        total_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
        x=xt.numpy(), scores=scores.numpy(), output=output.numpy(),
    )


def course_head(*, head: str, seed: int) -> StackResult:
    """The course's 11-feature network, Linear(11,20) → (20,12) → (12,6) → (6,k) → head.

    k is 4 for softmax (the course's 4-class example) and 1 for none or sigmoid.
    """
    return stack(sizes=COURSE_HIDDEN + (HEADS[head][1],), head=head, seed=seed,
                 x=COURSE_CLASSIFIER_INPUT)
