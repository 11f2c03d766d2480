"""Grid search versus random search over lr and momentum, with the same budget of trials.

Every trial trains the same small MLP (same initial weights, same mini-batches, same data) with
SGD + momentum and is scored by its validation cross-entropy; only lr and momentum differ, so the
two methods differ only in *which* points of the lr × momentum plane they try.

- Grid: k values per axis (lr log-spaced), all k² combinations; a budget of n = k² trials tests
  only √n distinct values of each hyperparameter.
- Random: the course's draws, lr = 10 ** -U(2, 4) and momentum ~ U(0.85, 0.99); n trials test
  n distinct values of each hyperparameter.

All trials of both methods train at once, and with them the trials of every other session that
asks for the same budget and epochs with its own seed (`search_many`; `search` is its batch of
one): each weight is stacked along a leading trial axis and one backward pass of the summed
per-trial losses gives every trial its own gradient (trials share no weights, so
d(sum)/d(w_t) = d(loss_t)/d(w_t)). The update is torch.optim.SGD's rule (dampening 0, no
weight decay, no Nesterov) with a per-trial lr and μ:
    v ← g on the first step, then v ← μ·v + g;    w ← w − lr·v
written with the very ops torch.optim.SGD runs for a tensor lr (`buf.mul_(μ).add_(g)`,
`w.addcmul_(v, lr, value=-1)`), so it rounds as SGD does. One torch.optim.SGD per trial
would be the same numbers at 0.66 ms a step for one session's 32 trials and 23 ms for a
class's 960 (measured), where the stacked rule costs a few ops whatever the count.
tests/test_hparam_search_batched.py checks batched trials, bit for bit, against ordinary
nn.Modules trained by torch.optim.SGD, and the page's script trains every trial that way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
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
CHUNK_TRIALS = 1024  # the most trials trained as one stack (sessions × 2 · budget)

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
    """Stacked Linear → ReLU → Linear. params: (T, out, in) and (T, out) pairs; x: (T, B, 2),
    each trial's own batch.

    Returns logits (T, B, 2); like nn.Linear, y = x·Wᵀ + b, for each trial's own W and b.
    """
    w1, b1, w2, b2 = params
    h = torch.baddbmm(b1.unsqueeze(1), x, w1.mT).relu_()  # in place: baddbmm keeps no output
    return torch.baddbmm(b2.unsqueeze(1), h, w2.mT)


def _losses(params: list[torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each trial's mean cross-entropy on its (x, y), x (T, B, 2), y (T, B): (T,). Over rows
    of (T·B, C) logits, as nn.CrossEntropyLoss takes one model's (B, C): the same softmax
    kernel, so the same gradient bits."""
    logits = _forward(params, x)  # (T, B, C)
    per_point = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), y.reshape(-1),
                                            reduction="none")
    return per_point.view(y.shape).mean(1)


def _sgd_step(params, grads, buffers, lr: torch.Tensor, momentum: torch.Tensor) -> None:
    """torch.optim.SGD's update with a per-trial lr and μ (both (T,)), in place, by the ops
    its single-tensor step runs for a tensor lr."""
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        shape = (-1,) + (1,) * (p.dim() - 1)  # broadcast (T,) over each trial's weights
        if buffers[i] is None:
            buffers[i] = g.clone()  # torch.optim.SGD: the first step's buffer is the gradient
        else:
            buffers[i].mul_(momentum.view(shape)).add_(g)
        p.addcmul_(buffers[i], lr.view(shape), value=-1)  # w + (−1)·v·lr, rounded once


def _per_trial(t: torch.Tensor, trials: int) -> torch.Tensor:
    """A session's tensor (S, …) repeated for each of its trials: (S·trials, …)."""
    return t.repeat_interleave(trials, dim=0)


def train_sessions(*, seeds: Sequence[int], lr: np.ndarray, momentum: np.ndarray, epochs: int,
                   progress: Progress | None = None) -> np.ndarray:
    """Train one model per (session s, trial t) at once; return validation losses (S, T).

    lr and momentum are (S, T): session s = seeds[s] has its own data, start and batches.
    Every trial of a session starts from `make_model(seed)` and sees the same mini-batches:
    each epoch one `torch.randperm` from a generator seeded `seed + 1`, cut into batches of
    BATCH (a shuffling DataLoader, with the permutations spelled out so that the script can
    repeat them). Nothing a trial computes involves another trial's numbers, so its loss is
    the same bits whatever else trains beside it. Sessions go in chunks of at most
    CHUNK_TRIALS trials: a step costs ~5 µs a trial from 512 trials on, and more again
    beyond ~2,000, whose activations outgrow the caches (measured).
    """
    lr, momentum = np.asarray(lr, dtype=np.float64), np.asarray(momentum, dtype=np.float64)
    per = max(1, CHUNK_TRIALS // lr.shape[1])  # sessions per chunk
    starts = range(0, len(seeds), per)
    val = []
    for i, a in enumerate(starts):
        report = None if progress is None else (
            lambda f, i=i: progress((i + f) / len(starts)))
        val.append(_train_chunk(seeds[a:a + per], lr[a:a + per], momentum[a:a + per],
                                epochs=epochs, progress=report))
    return np.concatenate(val)


def _train_chunk(seeds: Sequence[int], lr: np.ndarray, momentum: np.ndarray, *, epochs: int,
                 progress: Progress | None) -> np.ndarray:
    """`train_sessions` for one chunk of sessions, all its trials stacked: (S, T)."""
    sessions, trials = lr.shape
    lr_t, mom_t = torch.from_numpy(lr.reshape(-1)), torch.from_numpy(momentum.reshape(-1))
    splits = [make_data(seed) for seed in seeds]
    models = [list(make_model(seed).parameters()) for seed in seeds]
    params = [_per_trial(torch.stack([m[i].detach() for m in models]), trials).requires_grad_()
              for i in range(len(models[0]))]
    buffers: list[torch.Tensor | None] = [None] * len(params)
    x_train = torch.stack([s.x_train for s in splits])  # (S, n, 2)
    y_train = torch.stack([s.y_train for s in splits])  # (S, n)
    rows = torch.arange(sessions)[:, None]
    gens = [torch.Generator().manual_seed(seed + 1) for seed in seeds]
    for epoch in range(epochs):
        order = torch.stack([torch.randperm(x_train.shape[1], generator=g) for g in gens])
        for idx in order.split(BATCH, dim=1):  # (S, BATCH): each session's own batch
            total = _losses(params, _per_trial(x_train[rows, idx], trials),
                            _per_trial(y_train[rows, idx], trials)).sum()
            grads = torch.autograd.grad(total, params)
            with torch.no_grad():
                _sgd_step(params, grads, buffers, lr_t, mom_t)
        if progress is not None:
            progress((epoch + 1) / epochs)
    with torch.no_grad():
        x_val = _per_trial(torch.stack([s.x_val for s in splits]), trials)
        y_val = _per_trial(torch.stack([s.y_val for s in splits]), trials)
        logits = _forward(params, x_val)
        # nn.CrossEntropyLoss per trial, summed as one model's call sums
        val = torch.stack([nn.functional.cross_entropy(z, y)
                           for z, y in zip(logits, y_val, strict=True)]).numpy()
    val = np.where(np.isfinite(val), val, np.inf)  # a diverged trial loses, never NaN
    return val.reshape(sessions, trials)


def train_batched(*, lr: np.ndarray, momentum: np.ndarray, epochs: int, seed: int,
                  progress: Progress | None = None) -> np.ndarray:
    """One session's trials, lr[t] and momentum[t] each (T,): validation losses (T,)."""
    return train_sessions(seeds=[seed], lr=np.asarray(lr)[None],
                          momentum=np.asarray(momentum)[None], epochs=epochs,
                          progress=progress)[0]


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
    return search_many([seed], trials=trials, epochs=epochs, progress=progress)[0]


def search_many(seeds: Sequence[int], *, trials: int, epochs: int,
                progress: Progress | None = None) -> list[SearchResult]:
    """`search` for each seed, all sessions' 2·trials trials trained as one batch."""
    check_settings(trials=trials, epochs=epochs)
    grid_lr, grid_mom = grid_points(trials=trials)
    points = [random_points(trials=trials, seed=seed) for seed in seeds]
    val = train_sessions(seeds=seeds, epochs=epochs, progress=progress,
                         lr=np.stack([np.concatenate([grid_lr, lr]) for lr, _ in points]),
                         momentum=np.stack([np.concatenate([grid_mom, m]) for _, m in points]))
    return [SearchResult(
        grid=_trials("grid", grid_lr, grid_mom, v[:trials].copy()),
        random=_trials("random", lr, mom, v[trials:].copy()),
        trials=trials, epochs=epochs, seed=seed,
    ) for seed, (lr, mom), v in zip(seeds, points, val, strict=True)]
