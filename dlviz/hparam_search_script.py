"""The Hyperparameter search page's "Reproduce in PyTorch" script and the numbers it prints.

The script trains every trial the ordinary way, one nn.Module and one torch.optim.SGD per
trial, so it is also an independent check of the page's batched training.
"""

from __future__ import annotations

from dlviz import hparam_search as hs
from dlviz.reproduce import Number, literal

_TEMPLATE = '''\
# dlviz · Hyperparameter search: grid versus random search over lr and momentum.
# Every trial trains the same small MLP (same initial weights, same mini-batches) and is
# scored by its validation loss; only lr and momentum differ.
import math

import torch
from torch import nn

torch.set_num_threads(1)  # tensors this small train fastest on one thread
TRIALS, EPOCHS, SEED = {trials}, {epochs}, {seed}  # the same budget for both methods
N_POINTS, NOISE, VAL_FRACTION = {n_points}, {noise}, {val_fraction}
HIDDEN, BATCH = {hidden}, {batch}


def moons(n, noise, seed):
    """Two interleaving half-circles with Gaussian noise (float32, as dlviz makes them)."""
    g = torch.Generator().manual_seed(seed)
    n0 = n // 2
    t = torch.rand(n, generator=g) * math.pi
    upper = torch.stack([torch.cos(t[:n0]), torch.sin(t[:n0])], 1)
    lower = torch.stack([1 - torch.cos(t[n0:]), 0.5 - torch.sin(t[n0:])], 1)
    x = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=g)
    y = torch.cat([torch.zeros(n0, dtype=torch.int64), torch.ones(n - n0, dtype=torch.int64)])
    return x - torch.tensor([0.5, 0.25]), y


# Data: a seeded shuffle, then the last VAL_FRACTION of the points for validation
x, y = moons(N_POINTS, NOISE, SEED)
order = torch.randperm(N_POINTS, generator=torch.Generator().manual_seed(SEED + 7919))
x, y = x[order].double(), y[order]
n_val = max(1, round(N_POINTS * VAL_FRACTION))
x_train, y_train, x_val, y_val = x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:]

torch.manual_seed(SEED)  # every trial starts from these same initial weights
initial = nn.Sequential(nn.Linear(2, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 2)).double()
loss_fn = nn.CrossEntropyLoss()


def validation_loss(lr, momentum):
    """Train a copy of the initial model with SGD + momentum; return its validation loss."""
    model = nn.Sequential(nn.Linear(2, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 2)).double()
    model.load_state_dict(initial.state_dict())
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    batches = torch.Generator().manual_seed(SEED + 1)  # the same mini-batches for every trial
    for epoch in range(EPOCHS):
        for idx in torch.randperm(len(x_train), generator=batches).split(BATCH):
            optimizer.zero_grad()
            loss_fn(model(x_train[idx]), y_train[idx]).backward()
            optimizer.step()
    with torch.no_grad():
        loss = loss_fn(model(x_val), y_val).item()
    return loss if math.isfinite(loss) else math.inf


# Grid search: k = sqrt(TRIALS) values per axis (lr log-spaced), every combination
k = math.isqrt(TRIALS)
grid_lrs = torch.logspace(-4, -2, k, dtype=torch.float64).tolist()
grid_moms = torch.linspace(0.85, 0.99, k, dtype=torch.float64).tolist()
grid = [(lr, momentum) for lr in grid_lrs for momentum in grid_moms]

# Random search: the course's draws, lr = 10 ** -uniform(2, 4), momentum = uniform(0.85, 0.99)
g = torch.Generator().manual_seed(SEED + 2)
factor = torch.empty(TRIALS, dtype=torch.float64).uniform_(2, 4, generator=g)
momenta = torch.empty(TRIALS, dtype=torch.float64).uniform_(0.85, 0.99, generator=g)
random = list(zip((10 ** -factor).tolist(), momenta.tolist()))


def fmt(values):
    return " ".join(f"{{v:.6g}}" for v in values)


for name, points in (("grid", grid), ("random", random)):
    losses = [validation_loss(lr, momentum) for lr, momentum in points]
    best = min(range(len(losses)), key=losses.__getitem__)
    print(f"{{name}} lr:", fmt(lr for lr, _ in points))
    print(f"{{name}} momentum:", fmt(m for _, m in points))
    print(f"{{name}} val loss:", fmt(losses))
    print(f"best {{name}} (lr, momentum, val loss):", fmt([*points[best], losses[best]]))
'''


def script(*, trials: int, epochs: int, seed: int) -> str:
    """A self-contained script that prints the same lines as `prints(result)`."""
    hs.check_settings(trials=trials, epochs=epochs)
    return _TEMPLATE.format(
        trials=literal(int(trials)), epochs=literal(int(epochs)), seed=literal(int(seed)),
        n_points=literal(hs.N_POINTS), noise=literal(hs.NOISE),
        val_fraction=literal(hs.VAL_FRACTION), hidden=literal(hs.HIDDEN),
        batch=literal(hs.BATCH),
    )


def prints(result: hs.SearchResult) -> dict[str, list[Number]]:
    """The page's numbers, labelled as the script prints them."""
    out: dict[str, list[Number]] = {}
    for name, t in result.by_method().items():
        out[f"{name} lr"] = t.lr.tolist()
        out[f"{name} momentum"] = t.momentum.tolist()
        out[f"{name} val loss"] = t.val_loss.tolist()
        out[f"best {name} (lr, momentum, val loss)"] = [
            float(t.lr[t.best]), float(t.momentum[t.best]), float(t.val_loss[t.best])]
    return out
