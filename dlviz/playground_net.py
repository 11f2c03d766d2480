"""The Network playground's network: inputs, layers, optimizer and one training step.

A `NetSpec` is the whole network and training setting, inside TensorFlow Playground's caps
(REFERENCE.md): the input features, up to 6 hidden layers of up to 8 units with one activation,
dropout, the optimizer (real `torch.optim`, `fused`), learning rate, batch size, epochs and
L1/L2. `check` says, naming the setting, what is out of bounds.

One logit and `BCEWithLogitsLoss`, not Playground's tanh output with ½(out − target)²: that is
how torch classifies two classes (the course's sigmoid head, its sigmoid fused into the loss
for numerical safety), so the boundary the pictures show is P(class 1) = σ(logit) = 0.5.

One step on a batch B (x_B: features, y_B: 0/1):
    g = ∇ mean BCE(model(x_B), y_B)   (+ rate·w for L2: weights only, biases not)
    the optimizer's step (SGD: w ← w − lr·g; momentum 0.9: v ← 0.9·v + g, w ← w − lr·v; Adam)
    L1, after the step, each weight (not bias): w ← sign(w)·max(|w| − lr·rate, 0)  (proximal)
so L1 sets small weights to exactly 0 (unlike Playground's "dead" weights they may come back
when the data's gradient outweighs the penalty). L2 is the optimizer's `weight_decay=rate` on
the weights' parameter group (biases: 0), i.e. Playground's g ← g + rate·w; with Adam that is
L2 inside the adaptive step (`torch.optim.Adam`), not AdamW's decoupled decay.

`stack`, `stacked_forward` and `stacked_optimizer` are the same networks, M of one shape at
once as batched tensors (dlviz.playground_lockstep trains them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlviz import steps

FEATURES: dict[str, str] = {  # key (the URL's) → label; `feature_columns` computes them
    "x1": "X₁", "x2": "X₂", "x1_sq": "X₁²", "x2_sq": "X₂²", "x1x2": "X₁X₂",
    "sin_x1": "sin(X₁)", "sin_x2": "sin(X₂)",
}
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity,
}
OPTIMIZERS: dict[str, tuple[type[torch.optim.Optimizer], dict]] = {
    "sgd": (torch.optim.SGD, {}),
    "momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "adam": (torch.optim.Adam, {}),
}
LEARNING_RATES = (1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # Playground's
REG_RATES = (0.0, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # Playground's
REGULARIZATIONS = ("none", "l1", "l2")
MAX_LAYERS, MAX_UNITS = 6, 8  # Playground's caps
MAX_BATCH = 30  # Playground's 1 … 30
MAX_DROPOUT = 0.7
EPOCHS, MAX_EPOCHS = 100, 200  # default and cap (timings: dlviz.playground's docstring)
MAX_STEPS = 4000  # optimizer steps a run may take: the largest network at the caps ≤ 2 s
LOSS_BOUND = 1e3  # a mean BCE beyond this is a blow-up (a wrong logit of ~1000)


@dataclass(frozen=True)
class NetSpec:
    features: tuple[str, ...] = ("x1", "x2")  # FEATURES keys, at least one, no repeats
    hidden: tuple[int, ...] = (4, 2)  # units per hidden layer; () is a linear model
    activation: str = "tanh"  # ACTIVATIONS key, every hidden layer
    dropout: float = 0.0  # p of nn.Dropout after each hidden activation, 0 … MAX_DROPOUT
    optimizer: str = "sgd"  # OPTIMIZERS key
    lr: float = 0.03  # one of LEARNING_RATES
    batch_size: int = 10  # 1 … MAX_BATCH
    epochs: int = EPOCHS  # 1 … MAX_EPOCHS, and epochs × batches per epoch ≤ MAX_STEPS
    regularization: str = "none"  # REGULARIZATIONS
    reg_rate: float = 0.0  # one of REG_RATES; used only by "l1" and "l2"


def is_int(v: object) -> bool:
    """An integer (numpy's too), not a bool."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _member(name: str, value: object, options) -> None:
    if isinstance(value, bool) or value not in options:  # True == 1.0 would pass otherwise
        raise ValueError(f"{name} must be one of {', '.join(map(str, options))}, got {value!r}")


def check(spec: NetSpec) -> None:
    """Raise ValueError, naming the setting, for anything outside the caps."""
    feats = tuple(spec.features)
    if not feats or len(set(feats)) != len(feats) or not set(feats) <= set(FEATURES):
        raise ValueError(f"features must be distinct names from {', '.join(FEATURES)}, at "
                         f"least one; got {feats!r}")
    if len(spec.hidden) > MAX_LAYERS or not all(
            is_int(u) and 1 <= u <= MAX_UNITS for u in spec.hidden):
        raise ValueError(f"hidden must be at most {MAX_LAYERS} layers of 1 … {MAX_UNITS} "
                         f"units, got {tuple(spec.hidden)!r}")
    _member("activation", spec.activation, ACTIVATIONS)
    _member("optimizer", spec.optimizer, OPTIMIZERS)
    _member("lr", spec.lr, LEARNING_RATES)
    _member("regularization", spec.regularization, REGULARIZATIONS)
    _member("reg_rate", spec.reg_rate, REG_RATES)
    p = spec.dropout
    if isinstance(p, bool) or not (isinstance(p, (int, float)) and 0 <= p <= MAX_DROPOUT):
        raise ValueError(f"dropout must lie in [0, {MAX_DROPOUT}], got {spec.dropout!r}")
    for name, hi in (("batch_size", MAX_BATCH), ("epochs", MAX_EPOCHS)):
        value = getattr(spec, name)
        if not (is_int(value) and 1 <= value <= hi):
            raise ValueError(f"{name} must be an integer in [1, {hi}], got {value!r}")


def max_epochs(*, n_train: int, batch_size: int) -> int:
    """The most epochs a run may take: MAX_EPOCHS, or fewer where small batches make each
    epoch long (epochs × ⌈n_train / batch_size⌉ ≤ MAX_STEPS)."""
    return max(1, min(MAX_EPOCHS, MAX_STEPS // math.ceil(n_train / batch_size)))


def feature_columns(x: torch.Tensor, names: tuple[str, ...]) -> torch.Tensor:
    """(n, 2) points → (n, len(names)) input features, in the order of `names`."""
    x1, x2 = x[:, 0], x[:, 1]
    table = {"x1": x1, "x2": x2, "x1_sq": x1 * x1, "x2_sq": x2 * x2, "x1x2": x1 * x2,
             "sin_x1": torch.sin(x1), "sin_x2": torch.sin(x2)}
    return torch.stack([table[n] for n in names], 1)


def build(spec: NetSpec) -> nn.Sequential:
    """len(features) → [Linear → activation (→ Dropout(p))] per hidden layer → Linear(·, 1),
    with PyTorch's default init (draws from torch's global RNG: call inside rng.seeded)."""
    layers: list[nn.Module] = []
    fan_in = len(spec.features)
    for units in spec.hidden:
        layers += [nn.Linear(fan_in, units), ACTIVATIONS[spec.activation]()]
        if spec.dropout > 0:
            layers.append(nn.Dropout(p=spec.dropout))
        fan_in = units
    return nn.Sequential(*layers, nn.Linear(fan_in, 1))


def weights(model: nn.Sequential) -> list[torch.Tensor]:
    """The Linear layers' weight matrices, in order: what L1 and L2 act on."""
    return [m.weight for m in model if isinstance(m, nn.Linear)]


def make_optimizer(model: nn.Sequential, spec: NetSpec) -> torch.optim.Optimizer:
    """The real torch.optim class; L2 as `weight_decay` on the weights' group only. `fused`:
    one kernel per step, measured 1.5× (SGD) and 3–5× (Adam) faster than the default here."""
    return _optimizer(weights(model), [m.bias for m in model if isinstance(m, nn.Linear)],
                      spec)


def _optimizer(weight_list: list[torch.Tensor], bias_list: list[torch.Tensor],
               spec: NetSpec) -> torch.optim.Optimizer:
    cls, options = OPTIMIZERS[spec.optimizer]
    if spec.regularization != "l2" or spec.reg_rate == 0:  # one group: one kernel per step
        params = [p for pair in zip(weight_list, bias_list, strict=True) for p in pair]
        return cls(params, lr=spec.lr, fused=True, **options)
    groups = [{"params": weight_list, "weight_decay": spec.reg_rate},
              {"params": bias_list, "weight_decay": 0.0}]
    return cls(groups, lr=spec.lr, fused=True, **options)


@torch.no_grad()
def soft_threshold_(tensors: list[torch.Tensor], threshold: float) -> None:
    """In place: w ← sign(w)·max(|w| − threshold, 0), the proximal step of threshold·|w|,
    computed as w − clamp(w, −t, t): two ops, the same bits, and exactly 0 where |w| ≤ t."""
    low = -threshold  # a float, or per stacked network a (M, 1, 1) tensor
    for w in tensors:
        w.sub_(w.clamp(low, threshold))


def step(model: nn.Sequential, opt: torch.optim.Optimizer, spec: NetSpec, x: torch.Tensor,
         y: torch.Tensor) -> torch.Tensor:
    """One optimizer step on the batch (x: (b, k) features, y: (b,) float 0/1), then the L1
    proximal step; returns the batch's loss before the step (0-d)."""
    opt.zero_grad()
    loss = nn.functional.binary_cross_entropy_with_logits(model(x).squeeze(1), y)
    loss.backward()
    steps.step(opt)
    if spec.regularization == "l1" and spec.reg_rate > 0:
        soft_threshold_(weights(model), spec.lr * spec.reg_rate)
    return loss.detach()


# --- M networks of one shape, stacked: what dlviz.playground trains in lockstep ---------------

STACK_DTYPE = torch.float64  # the stacked engine's precision (dlviz.playground's docstring)
_ACTIVATION_FNS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
                   "linear": None}  # the functions nn.ReLU, nn.Tanh, … call; Identity: none


def stack(models: list[nn.Sequential]) -> list[torch.Tensor]:
    """M networks of the same shape → leaves [W₁ (M, in, out), b₁ (M, 1, out), W₂, …] in
    STACK_DTYPE: layer l of network i is h ↦ h @ W_l[i] + b_l[i], nn.Linear's x Wᵀ + b."""
    layers = [[m for m in model if isinstance(m, nn.Linear)] for model in models]
    params = []
    for same in zip(*layers, strict=True):
        params.append(torch.stack([m.weight.detach().T for m in same]))
        params.append(torch.stack([m.bias.detach()[None] for m in same]))
    return [p.to(STACK_DTYPE).contiguous().requires_grad_() for p in params]


def stacked_optimizer(params: list[torch.Tensor], spec: NetSpec) -> torch.optim.Optimizer:
    """`make_optimizer` on stacked leaves: the same class, lr and groups. Every update rule
    here is elementwise, so network i's slice moves exactly as its own optimizer would."""
    return _optimizer(params[0::2], params[1::2], spec)


def stacked_forward(params: list[torch.Tensor], x: torch.Tensor, activation: str,
                    masks: list[torch.Tensor | None] | None = None,
                    ) -> tuple[list[torch.Tensor], torch.Tensor]:
    """x (M, n, k) → each hidden activation's output (M, n, units), before dropout, and the
    logits (M, n). `masks[l]` (M, n, units): dropout's kept/(1 − p) for hidden layer l,
    multiplied in as nn.Dropout does (None: eval mode)."""
    act, hidden, h = _ACTIVATION_FNS[activation], [], x
    last = len(params) // 2 - 1
    for layer in range(last + 1):
        h = torch.baddbmm(params[2 * layer + 1], h, params[2 * layer])
        if layer < last:
            h = act(h) if act is not None else h
            hidden.append(h)
            if masks is not None and masks[layer] is not None:
                h = h * masks[layer]
    return hidden, h.squeeze(2)
