"""Grid search versus random search over lr and momentum, with the same budget of trials.

Every trial trains the same small MLP (same initial weights, same mini-batches, same data) with
SGD + momentum and is scored by its validation cross-entropy; only lr and momentum differ, so the
two methods differ only in *which* points of the lr × momentum plane they try.

- Grid: k values per axis (lr log-spaced), all k² combinations; a budget of n = k² trials tests
  only √n distinct values of each hyperparameter.
- Random: the course's draws, lr = 10 ** -U(2, 4) and momentum ~ U(0.85, 0.99); n trials test
  n distinct values of each hyperparameter.

All trials of both methods train at once: each weight is stacked along a leading trial axis and
one backward pass of the summed per-trial losses gives every trial its own gradient (trials share
no weights, so d(sum)/d(w_t) = d(loss_t)/d(w_t)). The update is torch.optim.SGD's rule (dampening
0, no weight decay, no Nesterov) with a per-trial lr and μ:
    v ← g on the first step, then v ← μ·v + g;    w ← w − lr·v
tests/test_hparam_search.py checks a batched trial against an ordinary nn.Module trained by
torch.optim.SGD, and the page's script trains every trial that ordinary way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlviz import data, rng

LR_EXPONENT = (2.0, 4.0)  # lr = 10 ** -U(2, 4): the course's draw
LR_RANGE = (10 ** -LR_EXPONENT[1], 10 ** -LR_EXPONENT[0])  # (1e-4, 1e-2)
MOMENTUM_RANGE = (0.85, 0.99)  # the course's momentum draw
BUDGETS = (4, 9, 16, 25, 36, 49, 64)  # squares, so a k × k grid spends exactly the budget
EPOCH_BOUNDS = (5, 50)
METHODS = ("grid", "random")

# The task: fixed, so that the page's knobs are the search itself.
N_POINTS = 200  # two-moons points, before the split
NOISE = 0.35  # moons noise: enough overlap that the validation loss cannot reach 0
VAL_FRACTION = 0.5
HIDDEN = 32  # Linear(2, 32) → ReLU → Linear(32, 2)
BATCH = 20  # mini-batch size: 100 training points → 5 steps per epoch

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Trials:
    """One method's trials."""

    method: str  # "grid" or "random"
    lr: np.ndarray  # (trials,)
    momentum: np.ndarray  # (trials,)
    val_loss: np.ndarray  # (trials,) validation cross-entropy after training; +inf if diverged
    best: int  # index of the lowest validation loss

    @property
    def distinct_lr(self) -> int:
        return int(np.unique(self.lr).size)

    @property
    def distinct_momentum(self) -> int:
        return int(np.unique(self.momentum).size)


@dataclass(frozen=True)
class SearchResult:
    grid: Trials
    random: Trials
    trials: int  # the budget, the same for both methods
    epochs: int
    seed: int

    def by_method(self) -> dict[str, Trials]:
        return {"grid": self.grid, "random": self.random}


def grid_points(*, trials: int) -> tuple[np.ndarray, np.ndarray]:
    """The k × k grid (k = √trials), lr log-spaced, both ranges' ends included.

    Returns lr and momentum, each (trials,), lr-major: lr[i·k + j] = lrs[i], momentum = moms[j].
    """
    k = math.isqrt(trials)
    if k * k != trials:
        raise ValueError(f"a grid needs a square budget, got {trials}")
    lrs = torch.logspace(-LR_EXPONENT[1], -LR_EXPONENT[0], k, dtype=torch.float64)
    moms = torch.linspace(*MOMENTUM_RANGE, k, dtype=torch.float64)
    return lrs.repeat_interleave(k).numpy(), moms.repeat(k).numpy()


def random_points(*, trials: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The course's draws: lr = 10 ** -U(2, 4), momentum ~ U(0.85, 0.99). Each (trials,)."""
    g = torch.Generator().manual_seed(seed + 2)
    factor = torch.empty(trials, dtype=torch.float64).uniform_(*LR_EXPONENT, generator=g)
    momentum = torch.empty(trials, dtype=torch.float64).uniform_(*MOMENTUM_RANGE, generator=g)
    return (10**-factor).numpy(), momentum.numpy()


def make_data(seed: int) -> data.Split:
    """The seeded noisy moons, half for validation, in float64."""
    x, y = data.moons(n=N_POINTS, noise=NOISE, seed=seed)
    s = data.split(x, y, val_fraction=VAL_FRACTION, seed=seed)
    return data.Split(s.x_train.double(), s.y_train, s.x_val.double(), s.y_val)


def make_model(seed: int) -> nn.Sequential:
    """The MLP every trial starts from: torch.manual_seed(seed), then default nn.Linear init."""
    with rng.seeded(seed):  # exclusive, and the caller's global RNG untouched
        return nn.Sequential(nn.Linear(2, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 2)).double()


def _forward(params: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Stacked Linear → ReLU → Linear. params: (T, out, in) and (T, out) pairs; x: (B, 2).

    Returns logits (T, B, 2); like nn.Linear, y = x·Wᵀ + b, for each trial's own W and b.
    """
    w1, b1, w2, b2 = params
    h = torch.relu(torch.baddbmm(b1.unsqueeze(1), x.expand(len(w1), -1, -1), w1.mT))
    return torch.baddbmm(b2.unsqueeze(1), h, w2.mT)


def _losses(params: list[torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each trial's mean cross-entropy on (x, y), as nn.CrossEntropyLoss would give: (T,)."""
    logits = _forward(params, x)  # (T, B, C)
    target = y.expand(len(logits), -1)  # (T, B)
    return nn.functional.cross_entropy(logits.transpose(1, 2), target, reduction="none").mean(1)


def _sgd_step(params, grads, buffers, lr: torch.Tensor, momentum: torch.Tensor) -> None:
    """torch.optim.SGD's update with a per-trial lr and μ (both (T,)), in place."""
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        shape = (-1,) + (1,) * (p.dim() - 1)  # broadcast (T,) over each trial's weights
        if buffers[i] is None:
            buffers[i] = g.clone()  # torch.optim.SGD: the first step's buffer is the gradient
        else:
            buffers[i].mul_(momentum.view(shape)).add_(g)
        p.sub_(lr.view(shape) * buffers[i])


def train_batched(*, lr: np.ndarray, momentum: np.ndarray, epochs: int, seed: int,
                  progress: Progress | None = None) -> np.ndarray:
    """Train one model per (lr[t], momentum[t]) at once; return validation losses (T,).

    Every trial starts from `make_model(seed)` and sees the same mini-batches: each epoch one
    `torch.randperm` from a generator seeded `seed + 1`, cut into batches of BATCH (a shuffling
    DataLoader, with the permutations spelled out so that the script can repeat them).
    """
    lr_t = torch.as_tensor(np.asarray(lr, dtype=np.float64))
    mom_t = torch.as_tensor(np.asarray(momentum, dtype=np.float64))
    split = make_data(seed)
    n = len(lr_t)
    params = [p.detach().expand(n, *p.shape).clone().requires_grad_()
              for p in make_model(seed).parameters()]
    buffers: list[torch.Tensor | None] = [None] * len(params)
    batches = torch.Generator().manual_seed(seed + 1)
    for epoch in range(epochs):
        for idx in torch.randperm(len(split.x_train), generator=batches).split(BATCH):
            total = _losses(params, split.x_train[idx], split.y_train[idx]).sum()
            grads = torch.autograd.grad(total, params)
            with torch.no_grad():
                _sgd_step(params, grads, buffers, lr_t, mom_t)
        if progress is not None:
            progress((epoch + 1) / epochs)
    with torch.no_grad():
        val = _losses(params, split.x_val, split.y_val).numpy()
    return np.where(np.isfinite(val), val, np.inf)  # a diverged trial loses, never NaN


def _trials(method: str, lr: np.ndarray, momentum: np.ndarray, val_loss: np.ndarray) -> Trials:
    return Trials(method=method, lr=lr, momentum=momentum, val_loss=val_loss,
                  best=int(np.argmin(val_loss)))


def check_settings(*, trials: int, epochs: int) -> None:
    if trials not in BUDGETS:
        raise ValueError(f"trials must be one of {BUDGETS}, got {trials}")
    if not EPOCH_BOUNDS[0] <= epochs <= EPOCH_BOUNDS[1]:
        raise ValueError(f"epochs must be in {EPOCH_BOUNDS}, got {epochs}")


def search(*, trials: int, epochs: int, seed: int,
           progress: Progress | None = None) -> SearchResult:
    """Grid and random search, `trials` each, trained together as one batch of 2·trials."""
    check_settings(trials=trials, epochs=epochs)
    grid_lr, grid_mom = grid_points(trials=trials)
    rand_lr, rand_mom = random_points(trials=trials, seed=seed)
    val = train_batched(lr=np.concatenate([grid_lr, rand_lr]),
                        momentum=np.concatenate([grid_mom, rand_mom]),
                        epochs=epochs, seed=seed, progress=progress)
    return SearchResult(
        grid=_trials("grid", grid_lr, grid_mom, val[:trials]),
        random=_trials("random", rand_lr, rand_mom, val[trials:]),
        trials=trials, epochs=epochs, seed=seed,
    )
