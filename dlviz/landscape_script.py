"""The "Reproduce in PyTorch" script of the Loss-surfaces page's real-network section, and the
numbers it prints.

The script is plain torch, with `dlviz.data.moons`, `dlviz.landscape.train` and the plane's
directions written out. The grid is a readable loop over copies of θ (float64, like the page's
stacked evaluation), fast enough at the page's sizes.
"""

from __future__ import annotations

from dlviz import landscape
from dlviz.reproduce import Number, literal

# dlviz.landscape.landscape's fixed settings (the page sets plane, resolution and seed only)
FIXED = dict(span=1.0, hidden=16, epochs=200, lr=0.1)
MOMENTUM = 0.9  # dlviz.landscape.train's default
MOONS = dict(n=200, noise=0.2)  # as dlviz.landscape.train draws them

_TEMPLATE = '''\
# dlviz · Loss surfaces: a real network's loss landscape, reproduced with plain PyTorch.
import math

import torch
from torch import nn

torch.set_num_threads(1)  # tiny tensors: one thread is fastest
plane, resolution, seed = {plane}, {resolution}, {seed}
span, hidden, epochs, lr, momentum = {span}, {hidden}, {epochs}, {lr}, {momentum}
n, noise = {n}, {noise}


def fmt(values):
    return " ".join(f"{{v:.6g}}" for v in values)


# The data: two seeded noisy half-moons (float32, as nn.Linear's default), then float64
g = torch.Generator().manual_seed(seed)
n0 = n // 2
t = torch.rand(n, generator=g) * math.pi
upper = torch.stack([torch.cos(t[:n0]), torch.sin(t[:n0])], 1)
lower = torch.stack([1 - torch.cos(t[n0:]), 0.5 - torch.sin(t[n0:])], 1)
x = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=g)
x = (x - torch.tensor([0.5, 0.25])).double()  # (n, 2)
y = torch.cat([torch.zeros(n0, dtype=torch.int64), torch.ones(n - n0, dtype=torch.int64)])

# The model: PyTorch's default init under the seed, then float64 throughout
torch.manual_seed(seed)
model = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                      nn.Linear(hidden, 2)).double()
print("weights:", sum(p.numel() for p in model.parameters()))

# Full-batch SGD with momentum; θ_t (all weights as one vector) recorded every epoch
optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
trajectory, losses = [], []
for epoch in range(epochs + 1):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    trajectory.append(nn.utils.parameters_to_vector(model.parameters()).detach().clone())
    losses.append(loss.item())
    if epoch == epochs:
        break
    loss.backward()
    optimizer.step()
trajectory = torch.stack(trajectory)  # (epochs + 1, weights)
theta = trajectory[-1]  # θ*, the trained weights
with torch.no_grad():
    logits = model(x)
print("initial loss:", fmt([losses[0]]))
print("trained loss:", fmt([nn.functional.cross_entropy(logits, y).item()]))
print("accuracy:", fmt([(logits.argmax(1) == y).double().mean().item()]))


def random_direction(dseed):
    """Li et al.: a Gaussian direction, each neuron's row rescaled to the norm of that row of
    θ*; biases get no direction (zero)."""
    g = torch.Generator().manual_seed(dseed)
    parts = []
    for p in model.parameters():
        d = torch.randn(p.shape, generator=g, dtype=torch.float64)
        if p.ndim == 1:
            d = torch.zeros_like(p)
        else:
            d = d * (p.detach().norm(dim=1) / d.norm(dim=1).clamp_min(1e-12)).unsqueeze(1)
        parts.append(d.reshape(-1))
    return torch.cat(parts)


if plane == "random":
    d1, d2 = random_direction(seed + 1), random_direction(seed + 2)
    half = (resolution - 1) / 2  # symmetric steps: the middle point is θ* itself
    alphas = betas = (torch.arange(resolution, dtype=torch.float64) - half) * (span / half)
else:  # pca: the two directions along which training moved most
    diffs = trajectory - theta  # (epochs + 1, weights)
    _, s, vh = torch.linalg.svd(diffs, full_matrices=False)
    d1, d2 = vh[0], vh[1]
    share = s**2 / (s**2).sum()
    print("explained:", fmt(share[:2].tolist()))
    path = diffs @ vh[:2].T  # (epochs + 1, 2): the trajectory on the plane
    lo, hi = path.min(0).values, path.max(0).values
    pad = 0.15 * (hi - lo).clamp_min(1e-3)  # a margin around the path
    alphas = torch.linspace(float(lo[0] - pad[0]), float(hi[0] + pad[0]), resolution,
                            dtype=torch.float64)
    betas = torch.linspace(float(lo[1] - pad[1]), float(hi[1] + pad[1]), resolution,
                           dtype=torch.float64)

# L(a, b) = loss(θ* + a·d1 + b·d2) on the grid; row j is betas[j], column i is alphas[i]
grid = torch.empty(resolution, resolution, dtype=torch.float64)
with torch.no_grad():
    for j, b in enumerate(betas):
        for i, a in enumerate(alphas):
            nn.utils.vector_to_parameters(theta + a * d1 + b * d2, model.parameters())
            grid[j, i] = nn.functional.cross_entropy(model(x), y)
print("a range:", fmt([alphas[0].item(), alphas[-1].item()]))
print("b range:", fmt([betas[0].item(), betas[-1].item()]))
print("lowest loss on the plane:", fmt([grid.min().item()]))
print("highest loss on the plane:", fmt([grid.max().item()]))
print("loss at (a min, b min):", fmt([grid[0, 0].item()]))
print("loss at (a max, b max):", fmt([grid[-1, -1].item()]))
'''


def script(*, plane: str, resolution: int, seed: int) -> str:
    """A self-contained script reproducing `landscape.landscape(plane=…, resolution=…,
    seed=…)` with the page's fixed settings."""
    if plane not in landscape.PLANES:
        raise ValueError(f"plane must be one of {landscape.PLANES}")
    if not 3 <= resolution <= 201:
        raise ValueError("resolution must lie in [3, 201]")
    return _TEMPLATE.format(
        plane=literal(plane), resolution=literal(int(resolution)), seed=literal(int(seed)),
        span=literal(FIXED["span"]), hidden=literal(FIXED["hidden"]),
        epochs=literal(FIXED["epochs"]), lr=literal(FIXED["lr"]), momentum=literal(MOMENTUM),
        n=literal(MOONS["n"]), noise=literal(MOONS["noise"]),
    )


def prints(land: landscape.Landscape) -> dict[str, Number | list[Number]]:
    """The page's own numbers, labelled as the script prints them."""
    out: dict[str, Number | list[Number]] = {
        "weights": int(land.n_params),
        "initial loss": float(land.path_loss[0]),
        "trained loss": float(land.center_loss),
        "accuracy": float(land.accuracy),
    }
    if land.plane == "pca":
        out["explained"] = [float(v) for v in land.explained]
    out |= {
        "a range": [float(land.alphas[0]), float(land.alphas[-1])],
        "b range": [float(land.betas[0]), float(land.betas[-1])],
        "lowest loss on the plane": float(land.loss.min()),
        "highest loss on the plane": float(land.loss.max()),
        "loss at (a min, b min)": float(land.loss[0, 0]),
        "loss at (a max, b max)": float(land.loss[-1, -1]),
    }
    return out
