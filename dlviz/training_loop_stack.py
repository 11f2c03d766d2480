"""The training-loop page's lock-step loop: many copies of `Linear(4, 2) → Linear(2, 1)`, for
many seeds, trained as one stacked computation (used by `dlviz.training_loop.train_many`).

Each *lane* is one copy of the model per seed, its parameters stacked as θ (S, 13) in
`named_parameters()` order (0.weight, 0.bias, 1.weight, 1.bias, flattened). Every step, the
running lanes are concatenated to θ (L, 13), L = lanes × S, and go through two
`torch.baddbmm` (h = x W1ᵀ + b1, pred = h W2ᵀ + b2) on their own batches; the loss is the SUM
over lanes of each lane's MSE, so `backward()` gives every lane exactly its own gradient, and
real `optim.SGD` updates the stacked leaves (SGD acts element by element, so on stacked
parameters it is exactly per model). Nothing mixes lanes: every op is per row or per matrix,
so a lane's numbers do not depend on which, or how many, others run beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn, optim

from dlviz import steps

UPDATES = ("optimizer", "add_", "formula")  # how a lane's θ is updated after backward()


@dataclass
class Lanes:
    """One copy of the model per seed, θ (S, 13), and what the loop does with it each step."""

    theta: torch.Tensor  # (S, 13) leaf
    end: int  # it runs steps 0 … end − 1
    zero_grad: bool  # .grad is set to None before each forward
    update: str | None  # one of UPDATES, or None: backward only, parameters held fixed
    stop: str | None = None  # lanes with the same stop rule halt together, seed by seed
    optimizer: optim.SGD | None = None  # for "optimizer"; lanes of one zero_grad kind share it


def make_lanes(theta0: torch.Tensor, *, lr: float,
               plan: dict[str, tuple[int, bool, str | None, str | None]]) -> dict[str, Lanes]:
    """{name: (end, zero_grad, update, stop)} → lanes starting from copies of θ0 (S, 13); one
    `optim.SGD(lr)` per zero_grad kind over its lanes (so zero_grad() clears only those)."""
    lanes, optimizers = {}, {}
    for name, (end, zero_grad, update, stop) in plan.items():
        lane = Lanes(theta0.clone().requires_grad_(), end, zero_grad, update, stop)
        if update == "optimizer":
            if zero_grad in optimizers:
                optimizers[zero_grad].add_param_group({"params": [lane.theta]})
            else:
                optimizers[zero_grad] = optim.SGD([lane.theta], lr=lr)
            lane.optimizer = optimizers[zero_grad]
        lanes[name] = lane
    return lanes


@dataclass
class Step:
    lanes: tuple[str, ...]  # the lanes that ran, in the order of the stacked rows
    theta: torch.Tensor  # (L, 13) before the update
    grads: torch.Tensor  # (L, 13) .grad after backward()
    pred: torch.Tensor  # (L, bs)
    loss: torch.Tensor  # (L,)
    grad_none: dict[str, bool] = field(default_factory=dict)  # right after the zero_grad line


def forward(theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """(L, bs, 1) predictions of L models at once: θ (L, 13), x (L, bs, 4)."""
    w1, b1, w2, b2 = theta.split([8, 2, 2, 1], dim=1)
    h = torch.baddbmm(b1.unsqueeze(1), x, w1.view(-1, 2, 4).mT)  # (L, bs, 2) = x W1ᵀ + b1
    return torch.baddbmm(b2.unsqueeze(1), h, w2.view(-1, 1, 2).mT)  # (L, bs, 1) = h W2ᵀ + b2


def run(lanes: dict[str, Lanes], features: torch.Tensor, targets: torch.Tensor, *, lr: float,
        diverged: float, progress: Callable[[float], None] | None = None
        ) -> tuple[list[Step], dict[str, np.ndarray]]:
    """Every lane's loop in lock-step on features (steps, S, bs, 4), targets (steps, S, bs, 1).

    Returns each step's record and, per stop rule, the step at which each seed's loss passed
    `diverged` or was not finite (−1: never). A halted seed's lanes are parked at θ = 0:
    finite, and no longer recorded by the caller.
    """
    seeds, total = features.shape[1], max(lane.end for lane in lanes.values())
    stopped = {lane.stop: np.full(seeds, -1) for lane in lanes.values() if lane.stop}
    criterion, records = nn.MSELoss(reduction="none"), []
    ends = sorted({lane.end for lane in lanes.values()})
    for start, stop in zip([0, *ends[:-1]], ends, strict=True):  # the same lanes run within
        names = tuple(name for name, lane in lanes.items() if stop <= lane.end)
        now = [lanes[name] for name in names]
        optimizers = list({id(lane.optimizer): lane.optimizer for lane in now
                           if lane.optimizer is not None}.values())
        zeroed = [opt for opt in optimizers
                  if any(lane.zero_grad for lane in now if lane.optimizer is opt)]
        x = features[start:stop].repeat(1, len(now), 1, 1)  # (steps, L, bs, 4)
        y = targets[start:stop].repeat(1, len(now), 1, 1)
        for t in range(start, stop):
            for opt in zeroed:
                opt.zero_grad()
            for lane in now:
                if lane.zero_grad and lane.optimizer is None:
                    lane.theta.grad = None  # what model.zero_grad() does
            grad_none = {name: lanes[name].theta.grad is None for name in names}
            theta = torch.cat([lane.theta for lane in now])  # (L, 13)
            pred = forward(theta, x[t - start])
            loss = criterion(pred, y[t - start]).mean(dim=(1, 2))  # (L,) each lane's MSE
            loss.sum().backward()  # Σ over lanes: each lane's θ gets its own loss's gradient
            records.append(Step(names, theta.detach(),
                                torch.cat([lane.theta.grad for lane in now]),
                                pred.detach()[..., 0], loss.detach(), grad_none))
            _halt(now, records[-1].loss, diverged, stopped, t)
            for opt in optimizers:
                steps.step(opt)  # SGD: w ← w − lr·w.grad
            with torch.no_grad():
                for lane in now:
                    _manual_update(lane, lr)
                    if lane.stop is not None and (halted := stopped[lane.stop] >= 0).any():
                        lane.theta.masked_fill_(torch.from_numpy(halted)[:, None], 0.0)
            if progress is not None and ((t + 1) % max(1, total // 20) == 0 or t + 1 == total):
                progress((t + 1) / total)
    return records, stopped


def _halt(now: list[Lanes], loss: torch.Tensor, diverged: float,
          stopped: dict[str, np.ndarray], t: int) -> None:
    """Record step t for each seed whose loss on a lane with a stop rule blew up."""
    bad = ~(loss <= diverged)  # above the bound, or not finite
    if bad.any():
        for lane, row in zip(now, bad.view(len(now), -1).numpy(), strict=True):
            if lane.stop is not None:
                stopped[lane.stop][(stopped[lane.stop] < 0) & row] = t


def _manual_update(lane: Lanes, lr: float) -> None:
    """SGD's update written out, in one of the two spellings the page compares."""
    w = lane.theta
    if lane.update == "add_":
        w.add_(w.grad, alpha=-lr)  # SGD's own line: one rounding
    elif lane.update == "formula":
        w.copy_(w - lr * w.grad)  # lr·grad rounded first, then the difference


def rows(records: list[Step], name: str, what: str, seeds: int) -> torch.Tensor:
    """(steps the lane ran, S, …): one recorded field ("theta", "grads", "pred", "loss") of
    one lane."""
    parts = []
    for step in records:
        if name not in step.lanes:
            break
        i = step.lanes.index(name) * seeds
        parts.append(getattr(step, what)[i:i + seeds])
    return torch.stack(parts)
