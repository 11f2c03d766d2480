"""Many playground networks of one shape, trained as one stacked torch computation.

These networks are tiny, so a step costs Python and kernel-launch overhead, not arithmetic:
one step of the default network costs ≈ 150 µs alone and 64 of them stacked ≈ 250 µs.
`Lockstep` trains R runs (epochs of shuffled batches, `dlviz.playground.train`) and O
one-batch checks (`overfit_one_batch`) of one shape, activation, optimizer and lr as the
stacked leaves of `playground_net.stack`, one step of all of them at a time, with real
autograd and one real torch.optim optimizer:
    loss = Σ_i Σ_r w_ir · BCE(logit_ir, y_ir),  w_ir = 1 / (network i's rows in this batch)
so each network's gradient is that of its own mean BCE (a run's short last batch is padded
with rows of weight 0, which add exactly 0). Every op is a batched matmul, whose slice i
the same kernel computes whatever the batch, or elementwise (activations, the optimizer's
update, L1's proximal step with each network's own threshold: 0 for a check), so a
network's numbers do not depend on its neighbours (tests/test_playground_batched.py).
Dropout's masks are drawn per network, from its own generator, in the shapes and order
nn.Dropout draws them. A network that is done (diverged, its check met, its run over) keeps
stepping with the others; its results were taken when it finished.

Why LANES: torch's elementwise CPU kernels run a vectorised body (16 float64 at a time with
AVX-512) and a scalar loop for the rest, and the two round some functions differently
(sigmoid, log-sigmoid, the FMA of fused SGD with momentum, measured), so a network's numbers
would depend on where its elements fall in the stacked tensor. With a multiple of LANES
networks (idle copies fill up) and evaluation points padded to a multiple of LANES, every
element falls in the vectorised body. A stack of one network is never evaluated either: a
batch of one matrix-vector product takes another kernel (measured: its last bits differ).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import nn
from torchmetrics.functional.classification import binary_accuracy

from dlviz import playground_net as net
from dlviz import steps
from dlviz.playground_frames import Recorder
from dlviz.playground_net import STACK_DTYPE, NetSpec

CHECK_EVERY = 25  # steps between looks at whether every network is done
LANES = 16  # networks stacked: a multiple of this (idle copies fill up); see the docstring


@dataclass(eq=False)
class Run:
    """A training run's inputs and, once trained, its outputs."""
    spec: NetSpec
    model: nn.Sequential  # the initial weights (PyTorch's default init from the seed)
    x: torch.Tensor  # (n_train, k) STACK_DTYPE features of the training points
    y: torch.Tensor  # (n_train,) 0/1
    x_all: torch.Tensor  # (n_all, k) train, val and test: one eval pass for the three
    y_all: torch.Tensor  # (n_all,)
    ends: tuple[int, int]  # n_train, n_train + n_val
    order: torch.Generator  # the batch order, seeded
    drops: torch.Generator | None  # dropout's draws: the seeded stream after the init
    schedule: np.ndarray  # the snapshot epochs
    losses: list = field(default_factory=list)  # (3,) per recorded epoch
    diverged_at: int | None = None
    logits: torch.Tensor | None = None  # (n_all,) eval logits of the last recorded epoch
    accuracy: tuple[float, float, float] = (0.0, 0.0, 0.0)
    frames: object = None  # playground_frames.Frames
    done: bool = False


@dataclass(eq=False)
class Check:
    """A one-batch check's inputs and, once run, the loss after 0, 1, … steps."""
    spec: NetSpec  # the bare spec: no dropout, no penalty
    model: nn.Sequential
    x: torch.Tensor  # (b, k) the batch
    y: torch.Tensor  # (b,)
    max_steps: int
    tol: float
    losses: np.ndarray | None = None


def signature(spec: NetSpec) -> tuple:
    """What networks must share to step together: shapes, activation and optimizer groups."""
    l2 = spec.reg_rate if spec.regularization == "l2" else 0.0
    return len(spec.features), spec.hidden, spec.activation, spec.optimizer, spec.lr, l2


def rows(run: Run) -> int:
    """Rows of a run's (full) batch."""
    return min(run.spec.batch_size, len(run.y))


def _bce(logits: torch.Tensor, y: torch.Tensor, w: torch.Tensor | None = None) -> torch.Tensor:
    return nn.functional.binary_cross_entropy_with_logits(logits, y, w, reduction="none")


class Lockstep:
    """R runs sharing (n_train, sets, batch size, epochs, schedule) and O checks sharing
    (rows, max_steps, tol), all of one `signature`, trained together; padded with idle
    copies to a multiple of LANES networks."""

    def __init__(self, runs: list[Run], checks: list[Check]):
        self.runs, self.checks = runs, checks
        lanes = [*runs, *checks]
        self.pad = -len(lanes) % LANES
        spec = lanes[0].spec
        self.activation, self.hidden = spec.activation, spec.hidden
        self.params = net.stack([lane.model for lane in lanes] + [lanes[0].model] * self.pad)
        l2 = signature(spec)[-1]
        self.opt = net.stacked_optimizer(self.params, replace(
            spec, regularization="l2" if l2 else "none", reg_rate=l2))
        t = [lane.spec.lr * lane.spec.reg_rate if lane.spec.regularization == "l1" else 0.0
             for lane in lanes] + [0.0] * self.pad
        self.l1 = torch.tensor(t, dtype=STACK_DTYPE)[:, None, None] if any(t) else None
        self.b = rows(runs[0]) if runs else len(checks[0].y)
        self.k = lanes[0].x.shape[1]
        self.ones = torch.ones(len(self.params[0]), dtype=STACK_DTYPE)
        self._setup_checks()
        self._setup_runs()

    def _zeros(self, *shape: int) -> torch.Tensor:
        return torch.zeros(*shape, dtype=STACK_DTYPE)

    # --- what each step feeds the stack: x (M, b, k), y (M, b), row weights w (M, b) ------

    def _setup_checks(self) -> None:
        """The lanes after the runs (checks, then padding) see one fixed batch each."""
        R, n_checks, b, idle = len(self.runs), len(self.checks), self.b, self.pad
        some = bool(self.checks)
        cx = torch.stack([c.x for c in self.checks]) if some else self._zeros(0, b, self.k)
        cy = torch.stack([c.y for c in self.checks]) if some else self._zeros(0, b)
        self.rest = (torch.cat([cx, self._zeros(idle, b, self.k)]),
                     torch.cat([cy, self._zeros(idle, b)]),
                     torch.cat([torch.full((n_checks, b), 1 / b, dtype=STACK_DTYPE),
                                self._zeros(idle, b)]))
        self.idle = tuple(torch.cat([self._zeros(R, *t.shape[1:]), t]) for t in self.rest)
        self.check_steps = max((c.max_steps + 1 for c in self.checks), default=0)
        self._tol = torch.tensor([c.tol for c in self.checks], dtype=STACK_DTYPE)
        self._stopped, self._seen = torch.zeros(n_checks, dtype=torch.bool), 0

    def _setup_runs(self) -> None:
        R, b = len(self.runs), self.b
        self.drop = any(r.spec.dropout > 0 for r in self.runs)
        M = len(self.params[0])
        self.masks = [torch.ones(M, self.b, u, dtype=STACK_DTYPE) for u in self.hidden
                      ] if self.drop else []
        if not R:
            self.steps = 0
            return
        spec, n = self.runs[0].spec, len(self.runs[0].y)
        self.n_batches = nb = math.ceil(n / spec.batch_size)
        self.steps = spec.epochs * nb
        self.real = [min(b, n - j * b) for j in range(nb)]  # rows per batch
        w = self._zeros(nb, R, b)
        for j, r in enumerate(self.real):
            w[j, :, :r] = 1 / r
        self.w = torch.cat([w, self.rest[2].expand(nb, *self.rest[2].shape)], 1)
        self.x = torch.stack([r.x for r in self.runs])  # (R, n, k)
        self.y = torch.stack([r.y for r in self.runs])
        self.n_all = n_all = len(self.runs[0].y_all)
        self.shown = shown = max(R, 2)  # lanes evaluated: see LANES
        self.x_all = nn.functional.pad(torch.stack([r.x_all for r in self.runs]), (
            0, 0, 0, -n_all % LANES, 0, shown - R))  # (shown, n_all padded, k)
        self.y_all = nn.functional.pad(torch.stack([r.y_all for r in self.runs]), (
            0, -n_all % LANES, 0, shown - R))  # (shown, n_all padded)
        features = [r.spec.features for r in self.runs]
        self.rec = Recorder(features + features[:1] * (shown - R), self.runs[0].schedule,
                            self.activation, pad_to=LANES)

    def _epoch_batches(self) -> tuple[torch.Tensor, torch.Tensor]:
        """This epoch's batches (n_batches, M, b, ·): each run's own fresh permutation,
        padded with zero rows to whole batches; the other lanes' fixed batch beside them."""
        R, b, nb = len(self.runs), self.b, self.n_batches
        perm = torch.stack([torch.randperm(len(r.y), generator=r.order) for r in self.runs])
        pad = nb * b - perm.shape[1]
        lane = torch.arange(R)[:, None]
        x = nn.functional.pad(self.x[lane, perm], (0, 0, 0, pad)).view(R, nb, b, -1)
        y = nn.functional.pad(self.y[lane, perm], (0, pad)).view(R, nb, b)
        rx, ry, _ = self.rest
        x = torch.cat([x.transpose(0, 1), rx.expand(nb, *rx.shape)], 1)
        y = torch.cat([y.transpose(0, 1), ry.expand(nb, *ry.shape)], 1)
        return x.contiguous(), y.contiguous()

    def _masks(self, j: int) -> list[torch.Tensor]:
        """Dropout for batch j: per run and hidden layer nn.Dropout's noise, drawn from the
        run's generator as (rows, units) and divided by 1 − p, into a kept (M, b, units)
        buffer of ones (padding rows, checks, idle copies). Autograd saves the mask for
        the backward of its step only, so the next step may overwrite it."""
        r = self.real[j]
        for buffer in self.masks:
            if r < self.b:
                buffer[:len(self.runs), r:] = 1.0
            for i, run in enumerate(self.runs):
                p = run.spec.dropout
                if p > 0:  # buffer[i, :r] is contiguous: the draws of a fresh (r, units)
                    buffer[i, :r].bernoulli_(1 - p, generator=run.drops).div_(1 - p)
        return self.masks

    # --- training ----------------------------------------------------------------------------

    def train(self, progress=None) -> None:
        """Step until every run and check is done; fill in their outputs."""
        R = len(self.runs)
        total = max(self.steps, self.check_steps)
        check_losses: list[torch.Tensor] = []
        if R:
            self._evaluate(0)
        batches = None
        for t in range(total):
            running = t < self.steps and not all(r.done for r in self.runs)
            if running:
                epoch, j = divmod(t, self.n_batches)
                if j == 0:
                    batches = self._epoch_batches()
                x, y, w = batches[0][j], batches[1][j], self.w[j]
                masks = self._masks(j) if self.drop else None
            else:
                (x, y, w), masks = self.idle, None
            steps.zero_grad(self.opt)  # the step without its Python wrappers (dlviz.steps)
            _, logits = net.stacked_forward(self.params, x, self.activation, masks)
            lane_loss = _bce(logits, y, w).sum(1)  # (M,) each network's mean BCE
            steps.backward(lane_loss, self.ones)  # = (Σ lane_loss).backward()
            steps.step(self.opt)
            if self.l1 is not None:
                net.soft_threshold_(self.params[0::2], self.l1)
            if self.checks:
                check_losses.append(lane_loss.detach()[R:R + len(self.checks)])
            if running and j == self.n_batches - 1:
                self._evaluate(epoch + 1)
            if t % CHECK_EVERY == CHECK_EVERY - 1:
                if progress is not None:
                    progress((t + 1) / total)
                if not running and self._checks_done(check_losses):
                    break
        self._finish_checks(check_losses)
        self._finish_runs()

    @torch.no_grad()
    def _evaluate(self, epoch: int) -> None:
        """After `epoch`: each run's eval-mode BCE on its three sets; a run whose train loss
        or weights broke the bounds stops at the epoch before (`diverged_at`)."""
        R = len(self.runs)
        params = [p.detach()[:self.shown] for p in self.params]
        _, logits = net.stacked_forward(params, self.x_all, self.activation)  # (shown, n_pad)
        a, b = self.runs[0].ends
        bce = _bce(logits, self.y_all)  # every row whole (see LANES), then each set's mean
        losses = torch.stack([bce[:, s].mean(1) for s in (
            slice(0, a), slice(a, b), slice(b, self.n_all))], 1)[:R]  # (R, 3)
        finite = torch.stack([torch.isfinite(p[:R]).flatten(1).all(1) for p in params])
        ok = torch.isfinite(losses[:, 0]) & (losses[:, 0] <= net.LOSS_BOUND) & finite.all(0)
        values, last, live = losses.numpy(), epoch == self.runs[0].spec.epochs, []
        for i, (run, fine) in enumerate(zip(self.runs, ok.tolist(), strict=True)):
            if run.done:
                continue
            if epoch and not fine:  # the last finite state is the one before
                run.diverged_at, run.done, run.logits = epoch, True, self.last_logits[i]
                if self.rec.due(i, epoch - 1, force=True):
                    self.rec.take([g[i:i + 1] for g in self.good], [i], epoch - 1)
                continue
            run.losses.append(values[i].copy())
            if self.rec.due(i, epoch, force=last):
                live.append(i)
            if last:
                run.done, run.logits = True, logits[i]
        if live:
            self.rec.take(params, live, epoch)
        self.good = [p.clone() for p in params]
        self.last_logits = logits

    def _checks_done(self, losses: list[torch.Tensor]) -> bool:
        """Whether every check has met its target, blown up or reached its cap (looks at
        the losses since the last call)."""
        if len(losses) >= self.check_steps:
            return True
        new = torch.stack(losses[self._seen:])  # (steps, O)
        self._seen = len(losses)
        stop = (new < self._tol) | ~torch.isfinite(new) | (new > net.LOSS_BOUND)
        self._stopped |= stop.any(0)
        return bool(self._stopped.all())

    def _finish_checks(self, losses: list[torch.Tensor]) -> None:
        """Each check's losses: up to the first not finite or above the bound (excluded),
        the first below tol or the one after max_steps (included)."""
        if not self.checks:
            return
        series = torch.stack(losses).numpy()
        for o, check in enumerate(self.checks):
            s = series[:check.max_steps + 1, o]
            bad = ~(np.isfinite(s) & (s <= net.LOSS_BOUND))
            end = int(np.argmax(bad)) if bad.any() else len(s)
            met = np.flatnonzero(s[:end] < check.tol)
            check.losses = s[:met[0] + 1 if len(met) else end].copy()

    @torch.no_grad()
    def _finish_runs(self) -> None:
        """Accuracies from each run's last recorded logits, and its frames."""
        if not self.runs:
            return
        prob = torch.sigmoid(torch.stack([r.logits for r in self.runs]))[:, :self.n_all]
        y = self.y_all[:len(self.runs), :self.n_all]
        for i, (run, acc) in enumerate(zip(self.runs, accuracies(
                prob, y, self.runs[0].ends), strict=True)):
            run.accuracy, run.frames = acc, self.rec.result(i)


def accuracies(prob: torch.Tensor, y: torch.Tensor,
               ends: tuple[int, int]) -> list[tuple[float, float, float]]:
    """Each network's train, val and test accuracy, torchmetrics' BinaryAccuracy on
    P = σ(logit) > 0.5 (prob, y: (R, n_all)). Probabilities, not logits: BinaryAccuracy
    applies σ only when some value falls outside [0, 1], and would threshold raw logits at
    0.5 otherwise. An empty set gives 0."""
    per_set = []
    for s in (slice(0, ends[0]), slice(*ends), slice(ends[1], None)):
        p, t = prob[:, s], y[:, s].long()
        per_set.append(binary_accuracy(p, t, multidim_average="samplewise").reshape(-1).tolist()
                       if p.shape[1] else [0.0] * len(prob))
    return [tuple(float(a[i]) for a in per_set) for i in range(len(prob))]
