"""A real network's loss landscape (Li et al., 2018, "Visualizing the Loss Landscape of Neural
Nets"): the loss of a trained MLP on a plane through its weights.

    L(a, b) = loss(θ* + a·d₁ + b·d₂)

Plane "random": d₁, d₂ are Gaussian directions, filter-normalised: every neuron's slice of a
direction (a row of a weight matrix) is rescaled to the norm of the same row of θ*; the bias
entries of the directions are zero. Plane "pca": d₁, d₂ are the first two principal directions
of the training trajectory (θ_t − θ*), orthonormal, and the trajectory is projected on them.

The whole grid is one vectorised evaluation: `torch.func.functional_call` under `vmap` over a
batch of parameter sets, float64 throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, vmap

from dlviz import data, rng

PLANES = ("random", "pca")
Params = dict[str, torch.Tensor]


@dataclass(frozen=True)
class Landscape:
    plane: str  # "random" or "pca"
    alphas: np.ndarray  # (res,) coordinate along d₁
    betas: np.ndarray  # (res,) coordinate along d₂
    loss: np.ndarray  # (res, res) loss[j, i] at (alphas[i], betas[j]), as plotly's z
    log_loss: np.ndarray  # (res, res) log₁₀ loss: the colours and 3-D heights
    center_loss: float  # loss of the trained model, = L(0, 0)
    accuracy: float  # training accuracy of the trained model
    path: np.ndarray  # (epochs + 1, 2) trajectory projected on the plane ("pca"), else (0, 2)
    path_loss: np.ndarray  # (epochs + 1,) the real training loss at each recorded θ_t
    path_log_loss: np.ndarray  # (epochs + 1,) log₁₀ of it
    explained: tuple[float, float]  # share of the trajectory's variance along d₁, d₂ ("pca")
    n_params: int


@dataclass(frozen=True)
class Trained:
    model: nn.Module  # float64 MLP at θ*
    x: torch.Tensor  # (n, 2) float64
    y: torch.Tensor  # (n,) int64
    trajectory: torch.Tensor  # (epochs + 1, n_params) flattened θ_t
    losses: torch.Tensor  # (epochs + 1,)


def mlp(hidden: int = 16, *, seed: int = 0) -> nn.Sequential:
    """2 → hidden → hidden → 2 with ReLU, PyTorch's default init under `seed`, float64."""
    with rng.seeded(seed):
        return nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                             nn.ReLU(), nn.Linear(hidden, 2)).double()


def train(*, hidden: int = 16, epochs: int = 200, lr: float = 0.1, momentum: float = 0.9,
          seed: int = 0, progress: Callable[[float], None] | None = None) -> Trained:
    """Full-batch SGD with momentum on `dlviz.data.moons(seed)`, cross-entropy; θ every epoch."""
    x32, y = data.moons(n=200, noise=0.2, seed=seed)
    x = x32.double()
    model = mlp(hidden, seed=seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_fn = nn.CrossEntropyLoss()
    thetas, losses = [], []
    for epoch in range(epochs + 1):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        thetas.append(nn.utils.parameters_to_vector(model.parameters()).detach().clone())
        losses.append(loss.detach())
        if epoch == epochs:
            break
        loss.backward()
        opt.step()
        if progress and epoch % 20 == 0:
            progress(0.7 * epoch / epochs)
    return Trained(model, x, y, torch.stack(thetas), torch.stack(losses))


def filter_normalized(direction: Params, weights: Params) -> Params:
    """Each row (neuron) of each weight matrix scaled to that row's norm in `weights`;
    biases (1-D tensors) set to zero, as Li et al. do."""
    out = {}
    for name, d in direction.items():
        w = weights[name]
        if w.ndim <= 1:
            out[name] = torch.zeros_like(w)
        else:
            d_norm = d.flatten(1).norm(dim=1).clamp_min(1e-12)  # (rows,)
            scale = w.flatten(1).norm(dim=1) / d_norm
            out[name] = d * scale.view(-1, *([1] * (d.ndim - 1)))
    return out


def random_direction(weights: Params, *, seed: int) -> Params:
    g = torch.Generator().manual_seed(seed)
    raw = {k: torch.randn(v.shape, generator=g, dtype=v.dtype) for k, v in weights.items()}
    return filter_normalized(raw, weights)


def _unflatten(vec: torch.Tensor, like: Params) -> Params:
    out, i = {}, 0
    for k, v in like.items():
        out[k] = vec[i:i + v.numel()].view_as(v)
        i += v.numel()
    return out


def grid_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, d1: Params, d2: Params,
              alphas: torch.Tensor, betas: torch.Tensor) -> torch.Tensor:
    """Cross-entropy at θ* + a·d₁ + b·d₂ for every (b, a) of the grid: shape (len(b), len(a))."""
    theta = {k: v.detach() for k, v in model.named_parameters()}
    bb, aa = torch.meshgrid(betas, alphas, indexing="ij")  # (nb, na) each
    a, b = aa.reshape(-1), bb.reshape(-1)  # (m,)
    batch = {k: theta[k] + a.view(-1, *[1] * v.ndim) * d1[k] + b.view(-1, *[1] * v.ndim) * d2[k]
             for k, v in theta.items()}  # each (m, *shape)

    def loss_at(params: Params) -> torch.Tensor:
        return nn.functional.cross_entropy(functional_call(model, params, (x,)), y)

    with torch.no_grad():
        return vmap(loss_at)(batch).view(len(betas), len(alphas))


def landscape(*, plane: str = "random", resolution: int = 41, span: float = 1.0,
              hidden: int = 16, epochs: int = 200, lr: float = 0.1, seed: int = 0,
              progress: Callable[[float], None] | None = None) -> Landscape:
    """Train the MLP, then evaluate the loss on a resolution² grid of the chosen plane.

    "random": a, b ∈ [−span, span]. "pca": the grid covers the projected trajectory with a
    margin (span is ignored).
    """
    if plane not in PLANES:
        raise ValueError(f"plane must be one of {PLANES}")
    if not 3 <= resolution <= 201:
        raise ValueError("resolution must lie in [3, 201]")
    progress = progress or (lambda _f: None)
    t = train(hidden=hidden, epochs=epochs, lr=lr, seed=seed, progress=progress)
    weights = {k: v.detach() for k, v in t.model.named_parameters()}
    path = np.zeros((0, 2))
    explained = (0.0, 0.0)
    if plane == "random":
        d1 = random_direction(weights, seed=seed + 1)
        d2 = random_direction(weights, seed=seed + 2)
        # symmetric steps, so an odd resolution puts θ* itself (exactly 0) in the middle
        half = (resolution - 1) / 2
        alphas = betas = (torch.arange(resolution, dtype=torch.float64) - half) * (span / half)
    else:
        diffs = t.trajectory - t.trajectory[-1]  # (epochs + 1, P)
        _, s, vh = torch.linalg.svd(diffs, full_matrices=False)
        d1, d2 = _unflatten(vh[0], weights), _unflatten(vh[1], weights)
        coords = diffs @ vh[:2].T  # (epochs + 1, 2): orthonormal directions, so a projection
        var = s**2 / (s**2).sum()
        explained = (float(var[0]), float(var[1]))
        path = coords.numpy()
        lo, hi = coords.min(0).values, coords.max(0).values
        pad = 0.15 * (hi - lo).clamp_min(1e-3)
        alphas = torch.linspace(float(lo[0] - pad[0]), float(hi[0] + pad[0]), resolution,
                                dtype=torch.float64)
        betas = torch.linspace(float(lo[1] - pad[1]), float(hi[1] + pad[1]), resolution,
                               dtype=torch.float64)
    progress(0.8)
    loss = grid_loss(t.model, t.x, t.y, d1, d2, alphas, betas)
    progress(1.0)
    with torch.no_grad():
        logits = t.model(t.x)
        center = float(nn.functional.cross_entropy(logits, t.y))
        accuracy = float((logits.argmax(1) == t.y).double().mean())
    return Landscape(plane, alphas.numpy(), betas.numpy(), loss.numpy(),
                     np.log10(loss.numpy()), center, accuracy, path, t.losses.numpy(),
                     np.log10(t.losses.numpy()), explained, int(t.trajectory.shape[1]))
