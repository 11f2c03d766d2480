"""Layer initialisation: what each `nn.init` scheme puts into the weights, and what follows.

Three views per scheme, all real torch:
- `weight_histograms`: the weights of the fine-tuning MLP (`dlviz.finetune.build_model`) right
  after the scheme is applied; the default lies within ±1/√fan_in (Linear(64, 128): ±0.125).
- `activation_std`: the std of the activations after each layer of a deep ReLU MLP at init,
  for a seeded standard-normal batch: it explodes, vanishes or stays level.
- `train_curves`: the same budget of SGD on task A from each scheme, and how many distinct
  hidden units remain after training: zeros (or any constant) init leaves every unit of a
  layer identical, because identical units receive identical gradients. The seven runs (of
  one seed, or of many sessions' seeds at once: `train_curves_many`) train as one stacked
  computation (`dlviz.finetune_stack`).
Every scheme except "default" also sets the biases to zero, so symmetry is not broken there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlviz import finetune as ft
from dlviz import finetune_stack as stack
from dlviz import rng

# name → (label, the course-style call shown on the page)
SCHEMES: dict[str, tuple[str, str]] = {
    "default": ("PyTorch default", "# nothing: nn.Linear draws U(−1/√fan_in, 1/√fan_in)"),
    "uniform": ("uniform_ [0, 1)", "nn.init.uniform_(layer.weight)"),
    "normal": ("normal(0, σ)", "nn.init.normal_(layer.weight, mean=0.0, std=sigma)"),
    "xavier": ("Xavier (Glorot)", "nn.init.xavier_uniform_(layer.weight)"),
    "kaiming": ("Kaiming (He)", "nn.init.kaiming_normal_(layer.weight, nonlinearity='relu')"),
    "zeros": ("zeros", "nn.init.zeros_(layer.weight)"),
    "constant": ("constant c", "nn.init.constant_(layer.weight, c)"),
}
SIGMA_DEFAULT, CONSTANT_DEFAULT = 0.1, 0.1
DEEP_WIDTH, DEEP_BATCH = 64, 256
TRAIN_EPOCHS, TRAIN_LR = 10, 0.01
N_BINS = 40


def apply(model: nn.Module, scheme: str, *, sigma: float = SIGMA_DEFAULT,
          constant: float = CONSTANT_DEFAULT) -> nn.Module:
    """Re-initialise every Linear layer of `model` in place (seed the global RNG first)."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}")
    if scheme == "default":
        return model
    calls: dict[str, Callable[[torch.Tensor], object]] = {
        "uniform": nn.init.uniform_,
        "normal": lambda w: nn.init.normal_(w, mean=0.0, std=sigma),
        "xavier": nn.init.xavier_uniform_,
        "kaiming": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
        "zeros": nn.init.zeros_,
        "constant": lambda w: nn.init.constant_(w, constant),
    }
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            calls[scheme](layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def init_code(scheme: str, *, sigma: float = SIGMA_DEFAULT,
              constant: float = CONSTANT_DEFAULT) -> str:
    """The course-style lines that apply `scheme` to one `layer`, settings filled in."""
    line = SCHEMES[scheme][1].replace("std=sigma", f"std={sigma:g}")
    line = line.replace("weight, c)", f"weight, {constant:g})")
    return line if scheme == "default" else line + "\nnn.init.zeros_(layer.bias)"


def initialised(scheme: str, *, seed: int, sigma: float = SIGMA_DEFAULT,
                constant: float = CONSTANT_DEFAULT) -> nn.Sequential:
    """The fine-tuning MLP, seeded, with `scheme` applied (global RNG untouched)."""
    with rng.seeded(seed):
        return apply(ft.build_model(), scheme, sigma=sigma, constant=constant)


@dataclass(frozen=True)
class Histograms:
    scheme: str
    edges: tuple[np.ndarray, ...]  # per Linear layer (N_BINS + 1,)
    counts: tuple[np.ndarray, ...]  # per Linear layer (N_BINS,)
    low: np.ndarray  # (layers,) smallest weight of each layer
    high: np.ndarray  # (layers,) largest weight
    bound: np.ndarray  # (layers,) 1/√fan_in, PyTorch's default bound


def weight_histograms(scheme: str, *, seed: int, sigma: float = SIGMA_DEFAULT,
                      constant: float = CONSTANT_DEFAULT) -> Histograms:
    """Histogram of each Linear layer's weights right after initialisation."""
    model = initialised(scheme, seed=seed, sigma=sigma, constant=constant)
    edges, counts, low, high, bound = [], [], [], [], []
    for layer in (m for m in model if isinstance(m, nn.Linear)):
        w = layer.weight.detach().double().flatten().numpy()
        lo, hi = float(w.min()), float(w.max())
        span = (lo - 0.5, hi + 0.5) if hi - lo < 1e-12 else (lo, hi)  # a spike: one bin
        c, e = np.histogram(w, bins=N_BINS, range=span)
        edges.append(e)
        counts.append(c)
        low.append(lo)
        high.append(hi)
        bound.append(1 / math.sqrt(layer.in_features))
    return Histograms(scheme, tuple(edges), tuple(counts), np.array(low), np.array(high),
                      np.array(bound))


@dataclass(frozen=True)
class ActivationStd:
    schemes: tuple[str, ...]
    std: np.ndarray  # (schemes, depth) std after each Linear+ReLU; nan once it overflowed
    input_std: float  # std of the input batch


def activation_std(*, depth: int, seed: int, sigma: float = SIGMA_DEFAULT,
                   constant: float = CONSTANT_DEFAULT) -> ActivationStd:
    """Push one seeded N(0, 1) batch (DEEP_BATCH, 64) through `depth` Linear(64, 64)+ReLU
    layers initialised with each scheme; record the std of every layer's output."""
    if not 1 <= depth <= 50:
        raise ValueError("depth must be between 1 and 50")
    x = torch.randn(DEEP_BATCH, DEEP_WIDTH, generator=torch.Generator().manual_seed(seed))
    rows = []
    for scheme in SCHEMES:
        with rng.seeded(seed):
            layers = [nn.Linear(DEEP_WIDTH, DEEP_WIDTH) for _ in range(depth)]
            for layer in layers:
                apply(layer, scheme, sigma=sigma, constant=constant)
        h, row = x, []
        with torch.no_grad():
            for layer in layers:
                h = torch.relu(layer(h))
                s = h.std().item()
                row.append(s if math.isfinite(s) else math.nan)
        rows.append(row)
    return ActivationStd(tuple(SCHEMES), np.array(rows), float(x.std()))


def layers_many(seeds: Sequence[int], *, scheme: str, depth: int,
                sigma: float = SIGMA_DEFAULT, constant: float = CONSTANT_DEFAULT,
                progress: Callable[[float], None] | None = None
                ) -> list[tuple[Histograms, ActivationStd]]:
    """(`weight_histograms`, `activation_std`) for each seed: the section's cheap part
    (12 ms a seed, 70 `nn.Linear` built and initialised), coalesced across sessions so a
    class's seeds compute as one call, half of it in the worker process (dlviz.workers).
    Each seed's result is that of the two functions alone."""
    out = []
    for i, seed in enumerate(seeds):
        out.append((weight_histograms(scheme, seed=seed, sigma=sigma, constant=constant),
                    activation_std(depth=depth, seed=seed, sigma=sigma, constant=constant)))
        if progress is not None:
            progress((i + 1) / len(seeds))
    return out


@dataclass(frozen=True)
class TrainCurves:
    schemes: tuple[str, ...]
    losses: np.ndarray  # (schemes, epochs) validation MSE on task A; nan after divergence
    initial: np.ndarray  # (schemes,) validation MSE before training; nan if not finite
    distinct_units: np.ndarray  # (schemes, hidden layers) distinct rows of (W | b) at the end
    hidden_sizes: tuple[int, ...]  # units per hidden layer
    first_layer: dict[str, np.ndarray]  # scheme → (64, 5) [W | b] of layer 1 after training


def distinct_units(model: nn.Sequential) -> list[int]:
    """For each hidden Linear layer, how many different units (rows of [W | b]) it has."""
    linears = [m for m in model if isinstance(m, nn.Linear)][:-1]
    return [_distinct(m.weight, m.bias) for m in linears]


def _distinct(weight: torch.Tensor, bias: torch.Tensor) -> int:
    """The number of distinct rows of [W | b] as `np.unique(rows, axis=0)` counts them
    (0.0 equals -0.0, a row holding nan equals no other), ten times faster: by their bytes."""
    rows = _rows(weight, bias) + 0.0  # -0.0 + 0.0 is 0.0
    nan = np.isnan(rows).any(axis=1)
    rest = np.ascontiguousarray(rows[~nan])
    as_bytes = rest.view(np.dtype((np.void, rest.itemsize * rest.shape[1]))).ravel()
    return len(np.unique(as_bytes)) + int(nan.sum())


def _rows(weight: torch.Tensor, bias: torch.Tensor) -> np.ndarray:
    return torch.cat([weight, bias[:, None]], 1).detach().numpy()


def train_curves_many(seeds: Sequence[int], *, epochs: int = TRAIN_EPOCHS, lr: float = TRAIN_LR,
                      sigma: float = SIGMA_DEFAULT, constant: float = CONSTANT_DEFAULT,
                      progress: Callable[[float], None] | None = None) -> list[TrainCurves]:
    """`train_curves` for every seed: its 7 × len(seeds) runs train as one stacked
    computation (`dlviz.finetune_stack`), each from its own seeded init, data and order."""
    runs = []
    for seed in seeds:
        split = ft.task("us", seed)
        for scheme in SCHEMES:
            model = initialised(scheme, seed=seed, sigma=sigma, constant=constant)
            start = {k: v.detach() for k, v in model.named_parameters()}
            runs.append(stack.Run(start, split, lr, seed))
    trained = stack.train_many(runs, epochs=epochs, batch_size=ft.BATCH_SIZE,
                               momentum=ft.MOMENTUM, progress=progress)
    out, k = [], len(SCHEMES)
    for i in range(len(seeds)):
        losses, initial, distinct, first = [], [], [], {}
        for scheme, run in zip(SCHEMES, trained[i * k:(i + 1) * k], strict=True):
            losses.append(_finite_prefix(run.losses))
            initial.append(run.initial_loss if math.isfinite(run.initial_loss) else math.nan)
            names = ft.linear_names()[:-1]
            distinct.append([_distinct(run.state[f"{n}.weight"], run.state[f"{n}.bias"])
                             for n in names])
            first[scheme] = _rows(run.state["0.weight"], run.state["0.bias"])
        out.append(TrainCurves(tuple(SCHEMES), np.array(losses), np.array(initial),
                               np.array(distinct), ft.LAYER_SIZES[1:-1], first))
    return out


def train_curves(*, seed: int, epochs: int = TRAIN_EPOCHS, lr: float = TRAIN_LR,
                 sigma: float = SIGMA_DEFAULT, constant: float = CONSTANT_DEFAULT,
                 progress: Callable[[float], None] | None = None) -> TrainCurves:
    """Train the fine-tuning MLP on task A from every scheme, same seed and budget:
    `train_curves_many([seed], …)[0]`."""
    return train_curves_many([seed], epochs=epochs, lr=lr, sigma=sigma, constant=constant,
                             progress=progress)[0]


def _finite_prefix(curve: np.ndarray) -> np.ndarray:
    """Once training has diverged (inf or nan), mark the rest as nan."""
    bad = ~np.isfinite(curve)
    out = curve.astype(float).copy()
    if bad.any():
        out[int(np.argmax(bad)):] = math.nan
    return out
