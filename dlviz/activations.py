"""Activation functions, their autograd derivatives, and gradients through depth.

Every value is computed by the real `torch.nn` module; derivatives come from autograd, so
the conventions at kinks are torch's own (ReLU′(0) = 0, LeakyReLU′(0) = negative_slope).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from dlviz import rng

SATURATION = 0.01  # |f′| below this counts as saturated (vanishing gradient)


@dataclass(frozen=True)
class ActivationSpec:
    label: str  # as torch spells the module
    make: Callable[..., nn.Module]  # keyword parameters (torch's names) → module
    params: tuple[str, ...]  # torch's parameter names this activation takes
    latex: str  # the formula
    kink: bool = False  # not differentiable at 0: show torch's convention there


ACTIVATIONS: dict[str, ActivationSpec] = {
    "sigmoid": ActivationSpec("Sigmoid", lambda: nn.Sigmoid(), (), r"\frac{1}{1+e^{-x}}"),
    "tanh": ActivationSpec("Tanh", lambda: nn.Tanh(), (), r"\tanh x"),
    "relu": ActivationSpec("ReLU", lambda: nn.ReLU(), (), r"\max(0, x)", kink=True),
    "leaky_relu": ActivationSpec(
        "LeakyReLU", lambda negative_slope=0.01: nn.LeakyReLU(negative_slope),
        ("negative_slope",), r"\max(0, x) + \text{negative\_slope}\cdot\min(0, x)", kink=True),
    "elu": ActivationSpec(
        "ELU", lambda alpha=1.0: nn.ELU(alpha), ("alpha",),
        r"x \text{ if } x>0 \text{ else } \alpha(e^{x}-1)", kink=True),
    "gelu": ActivationSpec("GELU", lambda: nn.GELU(), (), r"x\,\Phi(x)"),
    "silu": ActivationSpec("SiLU", lambda: nn.SiLU(), (), r"x\,\sigma(x)"),
    "softplus": ActivationSpec(
        "Softplus", lambda beta=1.0: nn.Softplus(beta), ("beta",),
        r"\tfrac{1}{\beta}\log(1+e^{\beta x})"),
}

# Widget bounds for the parameters (torch's defaults are the defaults here).
PARAM_BOUNDS: dict[str, tuple[float, float, float]] = {  # name → (min, max, default)
    "negative_slope": (0.0, 0.5, 0.01),
    "alpha": (0.1, 3.0, 1.0),
    "beta": (0.1, 10.0, 1.0),
}


@dataclass(frozen=True)
class ActivationCurve:
    name: str
    x: np.ndarray  # (n,) float64
    y: np.ndarray  # (n,) f(x)
    dy: np.ndarray  # (n,) f′(x) from autograd
    saturated: tuple[tuple[float, float], ...] = ()  # x-intervals where |f′| < SATURATION
    kink: tuple[float, float] | None = None  # (0, f′(0)) as torch defines it, if a kink


def _check(name: str) -> ActivationSpec:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def module(name: str, **params: float) -> nn.Module:
    """The torch module for `name`, taking only the parameters that activation has."""
    spec = _check(name)
    return spec.make(**{k: float(v) for k, v in params.items() if k in spec.params})


def derivative(name: str, x: torch.Tensor, **params: float) -> tuple[torch.Tensor, torch.Tensor]:
    """f(x) and f′(x) by autograd; the activation is elementwise, so ∂Σf/∂x = f′(x)."""
    x = x.detach().clone().requires_grad_(True)
    y = module(name, **params)(x)
    (dy,) = torch.autograd.grad(y.sum(), x)
    return y.detach(), dy


def at_point(name: str, x0: float, **params: float) -> tuple[float, float]:
    """(f(x0), f′(x0)) in float64."""
    y, dy = derivative(name, torch.tensor([float(x0)], dtype=torch.float64), **params)
    return y.item(), dy.item()


def evaluate(name: str, x, **params: float) -> ActivationCurve:
    """f and f′ on the points `x` (any array-like), in float64."""
    spec = _check(name)
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64))
    y, dy = derivative(name, xt, **params)
    xn, dyn = xt.numpy(), dy.numpy()
    kink = None
    if spec.kink:
        _, d0 = derivative(name, torch.zeros(1, dtype=torch.float64), **params)
        kink = (0.0, float(d0[0]))
    return ActivationCurve(name, xn, y.numpy(), dyn, saturated_intervals(xn, dyn), kink)


def saturated_intervals(x: np.ndarray, dy: np.ndarray,
                        threshold: float = SATURATION) -> tuple[tuple[float, float], ...]:
    """Maximal runs of grid points with |f′| < threshold, as (x_first, x_last) pairs."""
    flat = np.abs(dy) < threshold
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flat.astype(np.int8), [0]])))
    return tuple((float(x[a]), float(x[b - 1])) for a, b in zip(edges[::2], edges[1::2],
                                                                 strict=True))


# --- gradients through depth -----------------------------------------------------------------

INITS = ("default", "kaiming", "xavier")


@dataclass(frozen=True)
class DepthGradients:
    name: str
    init: str
    grad_norm: np.ndarray  # (depth,) ‖∂L/∂W_l‖ for hidden layers l = 1 … depth
    layers: np.ndarray = field(default=None)  # (depth,) 1 … depth

    def __post_init__(self):
        object.__setattr__(self, "layers", np.arange(1, len(self.grad_norm) + 1))


def deep_mlp(name: str, *, depth: int, width: int = 32, init: str = "default",
             seed: int = 0, **params: float) -> nn.Sequential:
    """`depth` × [Linear(width, width), activation], then Linear(width, 1); seeded."""
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; valid: {', '.join(INITS)}")
    with rng.seeded(seed):
        layers: list[nn.Module] = []
        for _ in range(depth):
            linear = nn.Linear(width, width, dtype=torch.float64)
            if init == "kaiming":  # He et al.: keeps ReLU activations' variance through depth
                nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
                nn.init.zeros_(linear.bias)
            elif init == "xavier":  # Glorot: keeps tanh/sigmoid-ish variance in both directions
                nn.init.xavier_normal_(linear.weight)
                nn.init.zeros_(linear.bias)
            layers += [linear, module(name, **params)]
        layers.append(nn.Linear(width, 1, dtype=torch.float64))
        return nn.Sequential(*layers)


def depth_gradients(name: str, *, depth: int, width: int = 32, init: str = "default",
                    batch: int = 64, seed: int = 0, **params: float) -> DepthGradients:
    """One backward pass of an MSE loss on a seeded batch; each hidden layer's ‖∂L/∂W‖₂."""
    model = deep_mlp(name, depth=depth, width=width, init=init, seed=seed, **params)
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(batch, width, generator=g, dtype=torch.float64)  # (batch, width)
    target = torch.randn(batch, 1, generator=g, dtype=torch.float64)  # (batch, 1)
    loss = nn.functional.mse_loss(model(x), target)
    loss.backward()
    norms = [model[2 * i].weight.grad.norm().item() for i in range(depth)]
    return DepthGradients(name, init, np.asarray(norms, dtype=np.float64))


# --- output layers ---------------------------------------------------------------------------

@dataclass(frozen=True)
class OutputHead:
    task: str  # "regression" | "binary" | "multiclass"
    scores: np.ndarray  # (k,) the last layer's raw outputs
    outputs: np.ndarray  # (k,) after the head: identity, sigmoid, or softmax(scores / T)
    temperature: float = 1.0


TASKS = ("regression", "binary", "multiclass")


def output_head(task: str, scores, *, temperature: float = 1.0) -> OutputHead:
    """What the last activation does: nothing, nn.Sigmoid, or nn.Softmax(dim=-1) on scores/T."""
    s = torch.as_tensor(np.asarray(scores, dtype=np.float64))
    if task == "regression":
        out = s
    elif task == "binary":
        out = nn.Sigmoid()(s)
    elif task == "multiclass":
        out = nn.Softmax(dim=-1)(s / temperature)
    else:
        raise ValueError(f"unknown task {task!r}; valid: {', '.join(TASKS)}")
    return OutputHead(task, s.numpy(), out.numpy(), float(temperature))
