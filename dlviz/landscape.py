"""A real network's loss landscape (Li et al., 2018, "Visualizing the Loss Landscape of Neural
Nets"): the loss of a trained MLP on a plane through its weights.

    L(a, b) = loss(θ* + a·d₁ + b·d₂)

Plane "random": d₁, d₂ are Gaussian directions, filter-normalised: every neuron's slice of a
direction (a row of a weight matrix) is rescaled to the norm of the same row of θ*; the bias
entries of the directions are zero. Plane "pca": d₁, d₂ are the first two principal directions
of the training trajectory (θ_t − θ*), orthonormal, and the trajectory is projected on them.

Batched, float64 throughout. `train_many` trains one MLP per seed as one computation: the S
models' weights stacked as [S, out, in] tensors, forward with `torch.baddbmm`, one
`torch.optim.SGD` over the stacked tensors (SGD with momentum is elementwise, so each model
steps exactly as with its own optimizer), and the loss is the sum over models of each model's
mean cross-entropy (so each model's gradient is its own). The grid is one stacked evaluation
too: the parameter sets θ* + a·d₁ + b·d₂ of GRID_CHUNK grid points at a time as [m, out, in]
tensors. `train` and `landscape` are `train_many([seed])[0]` and `landscape_many([seed])[0]`:
a session alone and one batched with others run the same code, and every model's numbers
depend on its own seed only (tests/test_surfaces_batched.py checks this bit for bit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlviz import data, rng, steps

PLANES = ("random", "pca")
GRID_CHUNK = 64  # grid points per stacked evaluation: (64, 200, 16) float64 ≈ 1.6 MB, in cache
Params = dict[str, torch.Tensor]
Progress = Callable[[float], None]


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


def _linears(model: nn.Module) -> list[nn.Linear]:
    """The Linear layers of an `mlp`-shaped model (Linear and ReLU only, ReLU between)."""
    layers = list(model)
    if not all(isinstance(m, nn.Linear) for m in layers[::2]) or not all(
            isinstance(m, nn.ReLU) for m in layers[1::2]) or len(layers) % 2 == 0:
        raise TypeError("expected an nn.Sequential of Linear layers with ReLU between them")
    return layers[::2]


def stacked_forward(params: Sequence[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The MLP for a batch of parameter sets: params [W₁, b₁, W₂, b₂, …] with W (B, out, in)
    and b (B, out); x (B, n, in) → logits (B, n, out). Layer: h ← relu(b + h·Wᵀ)."""
    h = x
    for i in range(0, len(params), 2):
        h = torch.baddbmm(params[i + 1].unsqueeze(1), h, params[i].transpose(1, 2))
        if i + 2 < len(params):
            h = h.relu_()
    return h


def _mean_ce(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(B, n, C) logits, (B, n) labels → (B,) each set's mean cross-entropy."""
    return nn.functional.cross_entropy(logits.transpose(1, 2), y, reduction="none").mean(1)


def train(*, hidden: int = 16, epochs: int = 200, lr: float = 0.1, momentum: float = 0.9,
          seed: int = 0, progress: Progress | None = None) -> Trained:
    """Full-batch SGD with momentum on `dlviz.data.moons(seed)`, cross-entropy; θ every epoch."""
    return train_many([seed], hidden=hidden, epochs=epochs, lr=lr, momentum=momentum,
                      progress=progress)[0]


def train_many(seeds: Sequence[int], *, hidden: int = 16, epochs: int = 200, lr: float = 0.1,
               momentum: float = 0.9, progress: Progress | None = None) -> list[Trained]:
    """`train(seed=s)` for every seed, as one stacked computation (see the module docstring).

    Each model's data and initial weights come from its own seed (drawn one seed at a time,
    then stacked), so a model never depends on the other seeds of its batch.
    """
    sets = [data.moons(n=200, noise=0.2, seed=s) for s in seeds]
    x = torch.stack([xs.double() for xs, _ in sets])  # (S, n, 2)
    y = torch.stack([ys for _, ys in sets])  # (S, n)
    models = [mlp(hidden, seed=s) for s in seeds]
    params = [torch.stack([p.detach() for p in ps]).requires_grad_(True)
              for ps in zip(*(m.parameters() for m in models), strict=True)]  # W (S, out, in)
    opt = torch.optim.SGD(params, lr=lr, momentum=momentum)
    thetas, losses = [], []
    for epoch in range(epochs + 1):
        steps.zero_grad(opt)  # the step without its Python wrappers (dlviz.steps)
        loss = _mean_ce(stacked_forward(params, x), y)  # (S,)
        thetas.append(torch.cat([p.detach().flatten(1) for p in params], 1))  # (S, P)
        losses.append(loss.detach())
        if epoch == epochs:
            break
        steps.backward(loss.sum())  # ∂(Σₛ Lₛ)/∂θₛ = ∇Lₛ: every model gets its own gradient
        steps.step(opt)
        if progress and epoch % 20 == 0:
            progress(0.7 * epoch / epochs)
    trajectory, loss_hist = torch.stack(thetas, 1), torch.stack(losses, 1)  # (S, E+1, P), (S, E+1)
    out = []
    for s, model in enumerate(models):
        with torch.no_grad():
            for p, stacked in zip(model.parameters(), params, strict=True):
                p.copy_(stacked[s])
        out.append(Trained(model, x[s], y[s], trajectory[s], loss_hist[s]))
    return out


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
    """Cross-entropy at θ* + a·d₁ + b·d₂ for every (b, a) of the grid: shape (len(b), len(a)).

    `model` is an `mlp`; GRID_CHUNK grid points at a time, their parameter sets stacked."""
    _linears(model)  # the parameters are then W₁, b₁, W₂, b₂, … in stacked_forward's order
    theta = [(p.detach(), d1[k], d2[k]) for k, p in model.named_parameters()]
    bb, aa = torch.meshgrid(betas, alphas, indexing="ij")  # (nb, na) each
    a, b = aa.reshape(-1), bb.reshape(-1)  # (m,)
    out = []
    with torch.no_grad():
        for i in range(0, len(a), GRID_CHUNK):
            ac, bc = a[i:i + GRID_CHUNK], b[i:i + GRID_CHUNK]
            m = len(ac)
            batch = [w + ac.view(-1, *[1] * w.ndim) * u + bc.view(-1, *[1] * w.ndim) * v
                     for w, u, v in theta]  # each (m, *shape)
            out.append(_mean_ce(stacked_forward(batch, x.expand(m, *x.shape)),
                                y.expand(m, *y.shape)))
    return torch.cat(out).view(len(betas), len(alphas))


def landscape(*, plane: str = "random", resolution: int = 41, span: float = 1.0,
              hidden: int = 16, epochs: int = 200, lr: float = 0.1, seed: int = 0,
              progress: Progress | None = None) -> Landscape:
    """Train the MLP, then evaluate the loss on a resolution² grid of the chosen plane.

    "random": a, b ∈ [−span, span]. "pca": the grid covers the projected trajectory with a
    margin (span is ignored).
    """
    return landscape_many([seed], plane=plane, resolution=resolution, span=span,
                          hidden=hidden, epochs=epochs, lr=lr, progress=progress)[0]


def landscape_many(seeds: Sequence[int], *, plane: str = "random", resolution: int = 41,
                   span: float = 1.0, hidden: int = 16, epochs: int = 200, lr: float = 0.1,
                   progress: Progress | None = None) -> list[Landscape]:
    """`landscape(seed=s, …)` for every seed: the models trained together (`train_many`),
    then each one's plane and grid."""
    if plane not in PLANES:
        raise ValueError(f"plane must be one of {PLANES}")
    if not 3 <= resolution <= 201:
        raise ValueError("resolution must lie in [3, 201]")
    progress = progress or (lambda _f: None)
    trained = train_many(seeds, hidden=hidden, epochs=epochs, lr=lr, progress=progress)
    progress(0.7)
    out = []
    for i, (seed, t) in enumerate(zip(seeds, trained, strict=True)):
        out.append(_on_plane(t, plane=plane, resolution=resolution, span=span, seed=seed))
        progress(0.7 + 0.3 * (i + 1) / len(seeds))
    return out


def _on_plane(t: Trained, *, plane: str, resolution: int, span: float,
              seed: int) -> Landscape:
    """One trained model's landscape on its plane."""
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
    loss = grid_loss(t.model, t.x, t.y, d1, d2, alphas, betas)
    with torch.no_grad():
        logits = t.model(t.x)
        center = float(nn.functional.cross_entropy(logits, t.y))
        accuracy = float((logits.argmax(1) == t.y).double().mean())
    return Landscape(plane, alphas.numpy(), betas.numpy(), loss.numpy(),
                     np.log10(loss.numpy()), center, accuracy, path, t.losses.numpy(),
                     np.log10(t.losses.numpy()), explained, int(t.trajectory.shape[1]))
