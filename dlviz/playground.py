"""The Network playground's engine: train `NetSpec`s and keep what the pictures need.

`train` fits a `playground_net.NetSpec` on a `playground_data.PlaygroundData` and returns the
loss curves (train, validation, test; eval mode, after every epoch), the final accuracies and
the snapshots (`playground_frames`). `overfit_one_batch` is chapter 4's debugging recipe and
`compare` trains two settings on the same data and seed (the side-by-side mode). The update
rules are in `playground_net`'s docstring.

All of them are `run_jobs`: a list of `Job`s (a run or a check, each with its data, spec and
seed) trained as few stacked computations (`playground_lockstep`): every job of one shape,
activation, optimizer and lr steps in one batched torch step, so the page's run and its
one-batch check, and thirty students' seeds (`page_many`, `train_many`, with
`dlviz.batching`), cost about one run. A job's numbers are the same alone or in any batch.

Each epoch takes a fresh permutation of the training set from a private generator seeded
with `seed` (so the batches do not depend on dropout's draws) and steps on `batch_size` rows
at a time, the last batch possibly smaller. A run stops at the first epoch whose loss is not
finite or exceeds LOSS_BOUND, or whose weights are not finite: its curves and snapshots then
end at the epoch before (`diverged_at`), whose weights the final accuracies use. No NaN
reaches a result. The initial weights are PyTorch's default init (float32, from `seed`);
training runs in float64 (`playground_net.STACK_DTYPE`). The stacked kernels round in the
last bits differently from nn.Linear's single-network ones (in float32 the reproduce script
drifted past the printed digits: 11.2175 vs 11.3892 for a linear model at lr 1), so the
script trains the same init in float64 too; it then prints the page's numbers (the presets
at seeds 0 and 3 and 12 random settings, measured) except where training is chaotic: lr 10
(`lr_too_large`), Adam at lr 0.3 on one batch, spiral_deep at seed 0 (200 Adam epochs),
where the last bits grow into different numbers, as they would on another CPU.

Caps, measured (CPU seconds of a cold call on one thread, torch warmed up, 2-core VM; the
single-network loop this replaced in brackets):
- the default (circle, (4, 2) tanh, SGD lr 0.03, batch 10, 100 epochs = 2000 steps) with its
  one-batch check beside it: 0.40 s [0.90 s]; 30 seeds at once 0.75 s [26 s]. A step costs
  ≈ 170 µs of autograd and optimizer overhead, so 2000 of them are the floor (2026-12-02,
  a faster VM: 0.385 → 0.30 s and 30 seeds 0.71 → 0.61 s once the step skipped its Python
  wrappers, `dlviz.steps`: 145 → 110 µs a step). SGD at lr 0.03
  gets the test loss below 0.3 only after 53–113 epochs (7 of 8 seeds), so 100 epochs.
- MAX_STEPS = 4000 optimizer steps: the largest network (6 × 8, all 7 inputs, dropout 0.5)
  at 0.9 train share with 50 extra points, Adam + L1, batch 8 (3952 steps) with its check:
  2.2 s [2.1 s]; 30 seeds 7.4 s [63 s]. MAX_EPOCHS = 200: the default network's batches of
  10 fill those steps.
- overfit_one_batch: at most OVERFIT_STEPS = 2000 steps. At the defaults its loss still
  falls at step 2000 (0.009–0.28 over seeds 0–5), so it does not stop earlier: beside the
  run it costs almost nothing.
Accuracy is torchmetrics' BinaryAccuracy (the course's metric).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from dlviz import playground_data as pdata
from dlviz import playground_lockstep as ls
from dlviz import playground_net as net
from dlviz import rng
from dlviz.overfitting import one_thread
from dlviz.playground_data import PlaygroundData
from dlviz.playground_frames import FRAMES, Frames, schedule
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
class Job:
    data: PlaygroundData
    spec: NetSpec
    seed: int  # init, dropout and batch order
    overfit: bool = False  # chapter 4's one-batch check instead of a training run
    n_frames: int = FRAMES  # a run's snapshots
    max_steps: int = OVERFIT_STEPS  # a check's step cap
    tol: float = OVERFIT_TOL  # a check's target loss


@dataclass(frozen=True)
class _Sets:
    x: torch.Tensor  # (n_train, k) features of the training points
    y: torch.Tensor  # (n_train,) 0/1
    x_all: torch.Tensor  # (n_train + n_val + n_test, k): one eval pass for all three sets
    y_all: torch.Tensor  # (n_all,)
    ends: tuple[int, int]  # n_train, n_train + n_val


def _sets(data: PlaygroundData, features: tuple[str, ...],
          dtype: torch.dtype = torch.float32) -> _Sets:
    def cols(x: np.ndarray) -> torch.Tensor:
        return net.feature_columns(torch.tensor(x, dtype=dtype), features)

    x_all = np.concatenate([data.x_train, data.x_val, data.x_test])
    y_all = np.concatenate([data.y_train, data.y_val, data.y_test])
    n_train, n_val = len(data.x_train), len(data.x_val)
    return _Sets(cols(data.x_train), torch.tensor(data.y_train, dtype=dtype),
                 cols(x_all), torch.tensor(y_all, dtype=dtype), (n_train, n_train + n_val))


@torch.no_grad()
def accuracies(model: nn.Sequential, sets: _Sets) -> tuple[float, float, float]:
    """Train, val and test accuracy of one model (`playground_lockstep.accuracies`)."""
    model.eval()
    prob = torch.sigmoid(model(sets.x_all).squeeze(1))
    return ls.accuracies(prob[None], sets.y_all[None], sets.ends)[0]


def _check(job: Job) -> None:
    """Raise ValueError, naming the setting, for a job outside the caps."""
    net.check(job.spec)
    if job.overfit:
        if not (net.is_int(job.max_steps) and 1 <= job.max_steps <= OVERFIT_STEPS):
            raise ValueError(f"max_steps must be an integer in [1, {OVERFIT_STEPS}], got "
                             f"{job.max_steps!r}")
        return
    n_train, bs = len(job.data.x_train), job.spec.batch_size
    cap = net.max_epochs(n_train=n_train, batch_size=bs)
    if job.spec.epochs > cap:
        raise ValueError(f"epochs must be at most {cap} with batch size {bs} and {n_train} "
                         f"training points ({net.MAX_STEPS} steps)")
    schedule(job.spec.epochs, job.n_frames)


def _lane(job: Job) -> ls.Run | ls.Check:
    """The job's network at PyTorch's default init from its seed, and its inputs. Dropout
    draws on where the init left the seeded stream, as nn.Dropout would after build()."""
    spec = replace(job.spec, dropout=0.0, regularization="none") if job.overfit else job.spec
    with rng.seeded(job.seed):
        model = net.build(spec)
        drops = None
        if spec.dropout > 0:
            drops = torch.Generator()
            drops.set_state(torch.random.get_rng_state())
    sets = _sets(job.data, spec.features, net.STACK_DTYPE)
    if job.overfit:
        b = spec.batch_size
        return ls.Check(spec, model, sets.x[:b], sets.y[:b], job.max_steps, job.tol)
    return ls.Run(spec, model, sets.x, sets.y, sets.x_all, sets.y_all, sets.ends,
                  torch.Generator().manual_seed(job.seed), drops,
                  schedule(spec.epochs, job.n_frames))


def _groups(lanes: list) -> list[tuple[list[ls.Run], list[ls.Check]]]:
    """Lanes that can step together: runs of one signature and data shape, with the checks
    of that signature whose batch has the runs' rows (so nobody's shapes change)."""
    runs: dict[tuple, list] = {}
    checks: dict[tuple, list] = {}
    for lane in lanes:
        sig = ls.signature(lane.spec)
        if isinstance(lane, ls.Check):
            checks.setdefault((sig, len(lane.y), lane.max_steps, lane.tol), []).append(lane)
        else:
            s = lane.spec
            key = (sig, ls.rows(lane), len(lane.y), len(lane.y_all), lane.ends,
                   s.batch_size, s.epochs, tuple(lane.schedule))
            runs.setdefault(key, []).append(lane)
    groups = []
    for key, members in runs.items():
        partner = next((c for c in checks if c[:2] == key[:2]), None)
        groups.append((members, checks.pop(partner) if partner else []))
    return groups + [([], members) for members in checks.values()]


def run_jobs(jobs: Sequence[Job], progress: Callable[[float], None] | None = None) -> list:
    """Each job's PlaygroundRun (a run) or OverfitRun (a check), in order."""
    for job in jobs:
        _check(job)
    with one_thread():
        lanes = [_lane(job) for job in jobs]
        groups = _groups(lanes)
        for g, (runs, checks) in enumerate(groups):
            part = None if progress is None else (
                lambda f, g=g: progress((g + f) / len(groups)))
            ls.Lockstep(runs, checks).train(part)
    return [_result(job, lane) for job, lane in zip(jobs, lanes, strict=True)]


def _result(job: Job, lane) -> PlaygroundRun | OverfitRun:
    if isinstance(lane, ls.Check):
        loss, tol = lane.losses, job.tol
        reached = len(loss) - 1 if len(loss) and loss[-1] < tol else None
        b = job.spec.batch_size
        return OverfitRun(loss=loss, reached_at=reached, x=job.data.x_train[:b].copy(),
                          y=job.data.y_train[:b].copy())
    curves = np.stack(lane.losses)
    return PlaygroundRun(
        spec=job.spec, epoch=np.arange(len(curves)), train_loss=curves[:, 0],
        val_loss=curves[:, 1], test_loss=curves[:, 2], train_acc=lane.accuracy[0],
        val_acc=lane.accuracy[1], test_acc=lane.accuracy[2], diverged_at=lane.diverged_at,
        frames=lane.frames,
        n_params=sum(p.numel() for p in lane.model.parameters() if p.requires_grad))


def train(data: PlaygroundData, spec: NetSpec = DEFAULT, *, seed: int = 0,
          n_frames: int = FRAMES) -> PlaygroundRun:
    """Fit `spec` on `data`'s training set (module docstring); init, dropout and batch order
    from `seed`. Curves over epochs 0 … E, accuracies after E, `n_frames` snapshots."""
    return run_jobs([Job(data, spec, seed, n_frames=n_frames)])[0]


def overfit_one_batch(data: PlaygroundData, spec: NetSpec = DEFAULT, *, seed: int = 0,
                      max_steps: int = OVERFIT_STEPS, tol: float = OVERFIT_TOL) -> OverfitRun:
    """Chapter 4's check: the same network, init, optimizer and lr, with dropout and the
    penalty off, stepping on one batch (the training set's first `batch_size` rows) until its
    loss is below `tol`, for at most `max_steps` steps. A model that cannot drive the loss of
    a handful of points to 0 has a bug, too little capacity or the wrong inputs."""
    return run_jobs([Job(data, spec, seed, overfit=True, max_steps=max_steps, tol=tol)])[0]


def compare(data: PlaygroundData, first: NetSpec, second: NetSpec, *,
            seed: int = 0) -> tuple[PlaygroundRun, PlaygroundRun]:
    """Side by side: both settings trained on the same data with the same seed."""
    a, b = run_jobs([Job(data, first, seed), Job(data, second, seed)])
    return a, b


# --- thirty students' seeds at once (dlviz.batching, via ui.coalesced) -------------------------

@dataclass(frozen=True)
class PageRuns:
    run: PlaygroundRun  # the first network
    over: OverfitRun  # its one-batch check
    second: PlaygroundRun | None  # the side-by-side network, when asked for here
    baseline: PlaygroundRun | None  # a lesson's unpenalised network, when asked for


def steps_together(a: NetSpec, b: NetSpec) -> bool:
    """Whether runs of `a` and `b` on the same data share one stacked computation."""
    return (ls.signature(a), a.batch_size, a.epochs) == (ls.signature(b), b.batch_size,
                                                         b.epochs)


def _data(data: tuple, seed: int) -> PlaygroundData:
    dataset, noise, train_share, extra = data
    return pdata.make(dataset=dataset, noise=noise, train_share=train_share, seed=seed,
                      extra=extra)


def page_many(seeds: Sequence[int], *, progress=None, data: tuple, first: NetSpec,
              second: NetSpec | None = None,
              baseline: NetSpec | None = None) -> list[PageRuns]:
    """Per seed, the page's networks on `data` = (dataset, noise, train_share, extra) drawn
    with that seed: `first`, its check, and `second` / `baseline` if given; one run_jobs."""
    jobs = []
    for seed in seeds:
        d = _data(data, seed)
        jobs += [Job(d, first, seed), Job(d, first, seed, overfit=True)]
        jobs += [Job(d, spec, seed) for spec in (second, baseline) if spec is not None]
    done = iter(run_jobs(jobs, progress))
    return [PageRuns(next(done), next(done), next(done) if second is not None else None,
                     next(done) if baseline is not None else None) for _ in seeds]


def train_many(seeds: Sequence[int], *, progress=None, data: tuple,
               spec: NetSpec) -> list[PlaygroundRun]:
    """Per seed, `train` of `spec` on `data` drawn with that seed; one run_jobs."""
    return run_jobs([Job(_data(data, seed), spec, seed) for seed in seeds], progress)
