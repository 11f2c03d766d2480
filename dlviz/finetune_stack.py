"""Many runs of the fine-tuning MLP trained as ONE stacked torch computation.

The runs of a batch (a page's four fine-tunes or seven initialisations, for one session or for
thirty at once) have the same shapes, so each Linear layer's parameters are stacked over the B
runs, Wᵀ: (B, in, out) and b: (B, out), and a step is one `baddbmm` per layer for all of them:

    h ← relu(b + h Wᵀ)                 h: (B, batch, features), per layer
    loss = Σ_runs MSE_run              so each run gets exactly its own gradient
    v ← μv + g;  w ← w − lr·v          torch.optim.SGD on the stacked tensors: per element

A run's frozen layer is its own stacked tensor with `requires_grad=False`, which the optimizer
never receives (so it stays bit-identical); runs with another learning rate are another
parameter group. Every run has its own data and its own batch-order generator.

A run's numbers do not depend on its neighbours, bit for bit (tests/test_finetune_batched.py):
torch's batched kernels compute every batch element alike, except that a batch of ONE goes to
other kernels (`bmm` → `mm`), so a run alone in its group trains next to a copy of itself.
The validation losses are exactly those of `finetune.load(state)` on the validation rows (the
batched hidden layers give `F.linear`'s numbers; the 32 → 1 layer runs per run). The batched
training rounds differently from one `nn.Sequential` (the reproduce script): measured ≤ 5e-6
relative on the printed numbers at the caps, inside their 6 digits (`dlviz.reproduce.close`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from dlviz import data, steps

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Run:
    start: dict[str, torch.Tensor]  # "0.weight", "0.bias", … the parameters before training
    split: data.Split  # this run's training and validation rows
    lr: float
    order_seed: int  # seed of this run's batch-order generator
    frozen: tuple[bool, ...] = field(default=())  # per Linear layer; () freezes nothing


@dataclass(frozen=True)
class Trained:
    initial_loss: float  # validation MSE before the first step
    losses: np.ndarray  # (epochs,) validation MSE after each epoch
    state: dict[str, torch.Tensor]  # the parameters after training, same names as `start`
    trainable: int  # parameters of this run with requires_grad


class _Stack:
    """The runs that share their freezing and learning rate, each layer stacked over them."""

    def __init__(self, runs: list[Run], frozen: tuple[bool, ...]):
        self.runs, self.frozen = runs, frozen
        # Stored transposed, Wᵀ: (B, in, out), so that the gradient bmm writes W's gradient
        # contiguously (a transposed one costs a strided copy per step).
        self.weights = [torch.stack([r.start[f"{2 * i}.weight"].T for r in runs]).requires_grad_(
            not f) for i, f in enumerate(frozen)]  # per layer (B, in, out)
        self.biases = [torch.stack([r.start[f"{2 * i}.bias"] for r in runs]).requires_grad_(
            not f) for i, f in enumerate(frozen)]  # per layer (B, out)
        self.x_train = torch.stack([r.split.x_train for r in runs])  # (B, n, features)
        self.y_train = torch.stack([r.split.y_train for r in runs])  # (B, n, 1)
        self.x_val = torch.stack([r.split.x_val for r in runs])  # (B, n_val, features)
        self.trainable = [p for p in self.weights + self.biases if p.requires_grad]

    def forward(self, x: torch.Tensor, layers: slice = slice(None)) -> torch.Tensor:
        """x: (B, rows, in) through `layers`; ReLU after every layer but the last."""
        h = x
        for i in range(len(self.frozen))[layers]:
            h = torch.baddbmm(self.biases[i].unsqueeze(1), h, self.weights[i])
            if i < len(self.frozen) - 1:
                h = torch.relu_(h)
        return h

    def loss(self, perm: torch.Tensor) -> torch.Tensor:
        """Σ over the runs of each run's MSE on its mini-batch `perm`: (B, batch) row indices."""
        xb = torch.gather(self.x_train, 1, perm.unsqueeze(2).expand(-1, -1,
                                                                    self.x_train.shape[2]))
        yb = torch.gather(self.y_train, 1, perm.unsqueeze(2))
        return F.mse_loss(self.forward(xb), yb, reduction="none").mean(dim=(1, 2)).sum()

    def val_losses(self) -> list[torch.Tensor]:
        """Each run's validation MSE. The hidden layers are batched (the same numbers as
        `F.linear` per run); the 32 → 1 layer is not, as batched it would round otherwise."""
        with torch.no_grad():
            h = self.forward(self.x_val, slice(-1))
            w, b = self.weights[-1].transpose(1, 2).contiguous(), self.biases[-1]  # W: (B, 1, 32)
            return [F.mse_loss(F.linear(h[m], w[m], b[m]), r.split.y_val)
                    for m, r in enumerate(self.runs)]

    def trained(self, m: int, initial: float, losses: np.ndarray) -> Trained:
        state = {}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            state[f"{2 * i}.weight"] = w[m].detach().T.contiguous()
            state[f"{2 * i}.bias"] = b[m].detach().clone()
        return Trained(initial, losses, state, sum(
            p[m].numel() for p in self.weights + self.biases if p.requires_grad))


def train_many(runs: Sequence[Run], *, epochs: int, batch_size: int, momentum: float,
               progress: Progress | None = None) -> list[Trained]:
    """Train every run for `epochs` of shuffled mini-batches, all at once; one result per run.

    The runs are grouped by (frozen layers, lr); each group is one `_Stack`, and a step is
    one backward of the sum of every group's loss and one SGD step of every group."""
    n = len(runs[0].split.x_train)
    if any(len(r.split.x_train) != n for r in runs):
        raise ValueError("the runs of one batch need the same number of training rows")
    n_layers = len(runs[0].start) // 2
    groups: dict[tuple, list[int]] = {}
    for k, r in enumerate(runs):
        groups.setdefault((r.frozen or (False,) * n_layers, float(r.lr)), []).append(k)
    # A group of one would take other kernels (bmm → mm) than the same run among others:
    # it trains next to a copy of itself.
    stacks = {key: _Stack([runs[k] for k in (idx * 2 if len(idx) == 1 else idx)], key[0])
              for key, idx in groups.items()}
    by_lr: dict[float, list[torch.Tensor]] = {}
    for (_, lr), st in stacks.items():
        by_lr.setdefault(lr, []).extend(st.trainable)
    by_lr = {lr: p for lr, p in by_lr.items() if p}
    optimizer = torch.optim.SGD([{"params": p, "lr": lr} for lr, p in by_lr.items()],
                                lr=0.0, momentum=momentum) if by_lr else None
    training = [st for st in stacks.values() if st.trainable]
    orders = {s: torch.Generator().manual_seed(int(s)) for s in dict.fromkeys(
        r.order_seed for r in runs)}

    def val_losses() -> torch.Tensor:  # (stacked runs,) in the order of `stacks`
        return torch.stack([v for st in stacks.values() for v in st.val_losses()])

    curves = [val_losses()]
    for epoch in range(epochs):
        perms = {s: torch.randperm(n, generator=g) for s, g in orders.items()}
        order = [torch.stack([perms[r.order_seed] for r in st.runs]) for st in training]
        for start in range(0, n, batch_size) if optimizer is not None else ():
            steps.zero_grad(optimizer)  # the step without its Python wrappers (dlviz.steps)
            steps.backward(sum(st.loss(perm[:, start:start + batch_size])
                               for st, perm in zip(training, order, strict=True)))
            steps.step(optimizer)
        curves.append(val_losses())
        if progress is not None:
            progress((epoch + 1) / epochs)
    table = torch.stack(curves, dim=1).double().numpy()  # (stacked runs, 1 + epochs)
    out: list[Trained] = [None] * len(runs)  # type: ignore[list-item]
    row = 0
    for idx, st in zip(groups.values(), stacks.values(), strict=True):
        for m, k in enumerate(idx):
            out[k] = st.trained(m, float(table[row + m, 0]), table[row + m, 1:].copy())
        row += len(st.runs)
    return out
