"""The Network playground's engine: train a `NetSpec` and keep what the pictures need.

`train` fits a `playground_net.NetSpec` on a `playground_data.PlaygroundData` and returns the
loss curves (train, validation, test; eval mode, after every epoch), the final accuracies and
the snapshots (`playground_frames`). `overfit_one_batch` is chapter 4's debugging recipe and
`compare` trains two settings on the same data and seed (the side-by-side mode). The update
rules are in `playground_net`'s docstring.

Each epoch takes a fresh permutation of the training set from a private generator seeded
with `seed` (so the batches do not depend on dropout's draws) and steps on `batch_size` rows
at a time, the last batch possibly smaller: tensor slicing rather than a DataLoader, the
same batches at 166 µs instead of 226 µs a step (measured, default network, batch 10).
A run stops at the first epoch whose loss is not finite or exceeds LOSS_BOUND, or whose
weights are not finite: its curves and snapshots then end at the epoch before
(`diverged_at`), whose weights the final accuracies use. No NaN reaches a result.

Caps, measured (CPU seconds of a cold call on one thread, torch warmed up, 2-core VM):
- the default (circle, (4, 2) tanh, SGD lr 0.03, batch 10, 100 epochs = 2000 steps): 0.39 s,
  plus 0.07 s to build and serialise its figures; 80 epochs would take 0.32 s, but SGD at
  lr 0.03 gets the test loss below 0.3 only after 53–113 epochs (7 of 8 seeds), so 100.
- MAX_STEPS = 4000 optimizer steps (166 µs a step for the default network, ≈ 450 µs for the
  largest with dropout and L1 under Adam): the largest network (6 × 8, all 7 inputs,
  dropout 0.5) at 0.9 train share with 50 extra points takes 1.90 s with Adam + L1, batch
  8 (3952 steps), 1.66 s at batch 1, 1.50 s at batch 30 over 200 epochs; SGD 1.27–1.70 s.
  MAX_EPOCHS = 200: the default network's batches of 10 fill those steps (0.81 s).
- overfit_one_batch: at most OVERFIT_STEPS = 2000 steps, 0.42 s for the default network.
Accuracy is torchmetrics' BinaryAccuracy (the course's metric). Measured: `pip install
torchmetrics==1.9.0` 5.2 s (wheel 0.98 MB + lightning-utilities 32 kB; 9.2 MB installed),
`import torchmetrics` after torch 0.20–0.28 s (median of 7: 0.23 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn
from torchmetrics.classification import BinaryAccuracy

from dlviz import playground_net as net
from dlviz import rng
from dlviz.overfitting import one_thread
from dlviz.playground_data import PlaygroundData
from dlviz.playground_frames import FRAMES, Frames, Recorder, schedule
from dlviz.playground_net import NetSpec

DEFAULT = NetSpec()  # TensorFlow Playground's defaults, 100 epochs
OVERFIT_TOL, OVERFIT_STEPS = 1e-3, 2000  # overfit_one_batch: target loss and step cap


@dataclass(frozen=True)
class PlaygroundRun:
    spec: NetSpec  # the settings trained
    epoch: np.ndarray  # (E + 1,) int 0 … E, the epochs recorded (E < spec.epochs if diverged)
    train_loss: np.ndarray  # (E + 1,) float64 mean BCE after each epoch (0: at init), eval mode
    val_loss: np.ndarray  # (E + 1,) float64
    test_loss: np.ndarray  # (E + 1,) float64
    train_acc: float  # after epoch E: BinaryAccuracy, P > 0.5 (a float32 value)
    val_acc: float  # 0.0 for an empty set
    test_acc: float
    diverged_at: int | None  # the first epoch that broke the bounds (not recorded), or None
    frames: Frames  # the snapshots, playground_frames.Frames
    n_params: int  # trainable parameters


@dataclass(frozen=True)
class OverfitRun:
    loss: np.ndarray  # (k + 1,) float64 BCE on the batch after 0 … k steps
    reached_at: int | None  # steps after which the loss was first < tol (then k), or None
    x: np.ndarray  # (b, 2) float64 the batch: the training set's first batch_size rows
    y: np.ndarray  # (b,) int64


@dataclass(frozen=True)
class _Sets:
    x: torch.Tensor  # (n_train, k) float32 features of the training points
    y: torch.Tensor  # (n_train,) float32 0/1
    x_all: torch.Tensor  # (n_train + n_val + n_test, k): one eval pass for all three sets
    y_all: torch.Tensor  # (n_all,) float32
    ends: tuple[int, int]  # n_train, n_train + n_val


def _sets(data: PlaygroundData, features: tuple[str, ...]) -> _Sets:
    def cols(x: np.ndarray) -> torch.Tensor:
        return net.feature_columns(torch.tensor(x, dtype=torch.float32), features)

    x_all = np.concatenate([data.x_train, data.x_val, data.x_test])
    y_all = np.concatenate([data.y_train, data.y_val, data.y_test])
    n_train, n_val = len(data.x_train), len(data.x_val)
    return _Sets(cols(data.x_train), torch.tensor(data.y_train, dtype=torch.float32),
                 cols(x_all), torch.tensor(y_all, dtype=torch.float32),
                 (n_train, n_train + n_val))


def _split3(t: torch.Tensor, ends: tuple[int, int]) -> tuple[torch.Tensor, ...]:
    return t[:ends[0]], t[ends[0]:ends[1]], t[ends[1]:]


def _bce(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.binary_cross_entropy_with_logits(logits, y)


@torch.no_grad()
def evaluate(model: nn.Sequential, sets: _Sets) -> torch.Tensor:
    """(3,) float64 mean BCE on the train, val and test sets, eval mode (NaN if empty)."""
    model.eval()
    logits = model(sets.x_all).squeeze(1)
    return torch.stack([_bce(z, y).double() for z, y in zip(
        _split3(logits, sets.ends), _split3(sets.y_all, sets.ends), strict=True)])


@torch.no_grad()
def accuracies(model: nn.Sequential, sets: _Sets) -> tuple[float, float, float]:
    """Train, val and test accuracy with torchmetrics' BinaryAccuracy on P = σ(logit) > 0.5.
    Probabilities, not logits: BinaryAccuracy applies σ only when some value falls outside
    [0, 1], and would threshold raw logits at 0.5 otherwise. An empty set gives 0."""
    model.eval()
    prob = torch.sigmoid(model(sets.x_all).squeeze(1))
    metric = BinaryAccuracy()
    return tuple(float(metric(p, y.long())) if len(y) else 0.0 for p, y in zip(
        _split3(prob, sets.ends), _split3(sets.y_all, sets.ends), strict=True))


def _flat(model: nn.Sequential) -> torch.Tensor:
    """(n_params,) a copy of every parameter: the last finite state, and one finiteness check."""
    return nn.utils.parameters_to_vector(model.parameters()).detach()


def _in_bounds(loss: torch.Tensor, flat: torch.Tensor) -> bool:
    train_loss = loss[0]  # val or test may be empty (NaN); their logits come from the same net
    return bool(torch.isfinite(train_loss) & (train_loss <= net.LOSS_BOUND)
                & torch.isfinite(flat).all())


def _epoch(model: nn.Sequential, opt: torch.optim.Optimizer, spec: NetSpec, sets: _Sets,
           order: torch.Generator) -> None:
    """One pass over the training set in a fresh seeded order, `batch_size` rows at a time."""
    model.train()
    perm = torch.randperm(len(sets.y), generator=order)
    for xb, yb in zip(sets.x[perm].split(spec.batch_size),
                      sets.y[perm].split(spec.batch_size), strict=True):
        net.step(model, opt, spec, xb, yb)


def _fit(model: nn.Sequential, spec: NetSpec, sets: _Sets, rec: Recorder,
         seed: int) -> tuple[list[torch.Tensor], int | None]:
    """Train for spec.epochs, snapshotting into `rec`; the model ends at the last finite
    epoch. Returns each recorded epoch's (3,) losses and the epoch that diverged, or None."""
    opt = net.make_optimizer(model, spec)
    order = torch.Generator().manual_seed(seed)
    losses, good = [evaluate(model, sets)], _flat(model)
    rec.take(model, 0)
    for epoch in range(1, spec.epochs + 1):
        _epoch(model, opt, spec, sets, order)
        loss, flat = evaluate(model, sets), _flat(model)
        if not _in_bounds(loss, flat):
            nn.utils.vector_to_parameters(good, model.parameters())
            rec.take(model, epoch - 1, force=True)
            return losses, epoch
        losses.append(loss)
        good = flat
        rec.take(model, epoch, force=epoch == spec.epochs)
    return losses, None


def train(data: PlaygroundData, spec: NetSpec = DEFAULT, *, seed: int = 0,
          n_frames: int = FRAMES) -> PlaygroundRun:
    """Fit `spec` on `data`'s training set (module docstring); init, dropout and batch order
    from `seed`. Curves over epochs 0 … E, accuracies after E, `n_frames` snapshots."""
    net.check(spec)
    cap = net.max_epochs(n_train=len(data.x_train), batch_size=spec.batch_size)
    if spec.epochs > cap:
        raise ValueError(f"epochs must be at most {cap} with batch size {spec.batch_size} "
                         f"and {len(data.x_train)} training points ({net.MAX_STEPS} steps)")
    sets = _sets(data, spec.features)
    with one_thread(), rng.seeded(seed):
        model = net.build(spec)
        rec = Recorder(lambda p: net.feature_columns(p, spec.features),
                       schedule(spec.epochs, n_frames))
        losses, diverged_at = _fit(model, spec, sets, rec, seed)
        accs = accuracies(model, sets)
    curves = torch.stack(losses).numpy()
    return PlaygroundRun(
        spec=spec, epoch=np.arange(len(curves)), train_loss=curves[:, 0],
        val_loss=curves[:, 1], test_loss=curves[:, 2], train_acc=accs[0], val_acc=accs[1],
        test_acc=accs[2], diverged_at=diverged_at, frames=rec.result(),
        n_params=sum(p.numel() for p in model.parameters() if p.requires_grad))


def overfit_one_batch(data: PlaygroundData, spec: NetSpec = DEFAULT, *, seed: int = 0,
                      max_steps: int = OVERFIT_STEPS, tol: float = OVERFIT_TOL) -> OverfitRun:
    """Chapter 4's check: the same network, init, optimizer and lr, with dropout and the
    penalty off, stepping on one batch (the training set's first `batch_size` rows) until its
    loss is below `tol`, for at most `max_steps` steps. A model that cannot drive the loss of
    a handful of points to 0 has a bug, too little capacity or the wrong inputs."""
    net.check(spec)
    if not (net.is_int(max_steps) and 1 <= max_steps <= OVERFIT_STEPS):
        raise ValueError(f"max_steps must be an integer in [1, {OVERFIT_STEPS}], got "
                         f"{max_steps!r}")
    bare = replace(spec, dropout=0.0, regularization="none")
    x = torch.tensor(data.x_train[:spec.batch_size], dtype=torch.float32)
    xb = net.feature_columns(x, spec.features)
    yb = torch.tensor(data.y_train[:spec.batch_size], dtype=torch.float32)
    losses: list[float] = []
    with one_thread(), rng.seeded(seed):
        model = net.build(bare)
        opt = net.make_optimizer(model, bare)
        for k in range(max_steps + 1):  # loss k is the loss after k steps
            with torch.no_grad():
                loss = float(_bce(model(xb).squeeze(1), yb))
            if not (math.isfinite(loss) and loss <= net.LOSS_BOUND):
                break
            losses.append(loss)
            if loss < tol or k == max_steps:
                break
            net.step(model, opt, bare, xb, yb)
    reached = len(losses) - 1 if losses and losses[-1] < tol else None
    return OverfitRun(loss=np.array(losses), reached_at=reached,
                      x=data.x_train[:spec.batch_size].copy(),
                      y=data.y_train[:spec.batch_size].copy())


def compare(data: PlaygroundData, first: NetSpec, second: NetSpec, *,
            seed: int = 0) -> tuple[PlaygroundRun, PlaygroundRun]:
    """Side by side: both settings trained on the same data with the same seed."""
    return train(data, first, seed=seed), train(data, second, seed=seed)
