"""B MLPs of one shape as one computation: the Overfitting page's models stacked on a leading
axis, so that thirty sessions' seeds cost little more than one (`overfitting.train_many`).

Each model's parameters are one row of `theta` (B, P) (`pack`): every Linear weight as
nn.Linear holds it (out, in), row-major, then every bias; `Layout.unpack` gives the stacked
views [W₁ (B, out, in), b₁ (B, out), W₂, …]. One tensor keeps torch.optim.Adam's per-tensor
bookkeeping to one tensor a step (it was a third of a lone run's time with eight), and the
weights sit side by side for the weight norm. At the page's shapes the products are bit for
bit nn.Linear's (`addmm` and `baddbmm` call the same BLAS kernel per model); only where
torch's bmm takes a plain loop instead of BLAS (fewer than 400 multiply-adds per model, e.g.
20 points through 8 units) the last float32 bit may differ. No function mixes models: each
model's numbers depend on its own row only, whatever the other rows hold
(tests/test_overfitting_batched.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@dataclass(frozen=True)
class Layout:
    """Where each Linear layer's parameters sit in a row of theta."""

    shapes: tuple[tuple[int, int], ...]  # (out, in) of each Linear, input layer first

    @property
    def n_weights(self) -> int:
        return sum(o * i for o, i in self.shapes)

    def unpack(self, theta: torch.Tensor) -> list[torch.Tensor]:
        """theta (B, P) → views [W₁ (B, out, in), b₁ (B, out), W₂, b₂, …]; differentiable
        (one split), so gradients reach theta."""
        sizes = [o * i for o, i in self.shapes] + [o for o, _ in self.shapes]
        parts = theta.split(sizes, dim=1)
        layers = len(self.shapes)
        out = []
        for (o, i), w, b in zip(self.shapes, parts[:layers], parts[layers:], strict=True):
            out += [w.view(-1, o, i), b]
        return out


def pack(model: nn.Module) -> tuple[torch.Tensor, Layout]:
    """One model's Linear parameters as a flat row (P,), weights first, and their layout."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    theta = torch.cat([m.weight.detach().reshape(-1) for m in linears]
                      + [m.bias.detach() for m in linears])
    layout = Layout(tuple(tuple(m.weight.shape) for m in linears))
    assert theta.numel() == sum(math.prod(p.shape) for p in model.parameters())
    return theta, layout


def forward(params: list[torch.Tensor], x: torch.Tensor,
            masks: list[torch.Tensor] | None = None, *,
            out: list[torch.Tensor] | None = None) -> torch.Tensor:
    """x (B, n, 2) → logits (B, n, 2): per model, h·Wᵀ + b (as nn.Linear) → ReLU (→ the
    dropout mask, in train mode) per hidden layer, then the output layer. params as
    `Layout.unpack` gives them.

    Without grad, `out` may give three buffers (`buffers`) to write into: fresh multi-MB
    tensors every epoch cost more in page faults than the arithmetic."""
    h = x
    for i in range(0, len(params) - 2, 2):
        buffer = None if out is None else out[i // 2 % 2]
        # in place: baddbmm's backward does not need its output; ReLU's keeps it
        h = torch.baddbmm(params[i + 1].unsqueeze(1), h, params[i].mT, out=buffer).relu_()
        if masks is not None:
            h = h * masks[i // 2]
    return torch.baddbmm(params[-1].unsqueeze(1), h, params[-2].mT,
                         out=None if out is None else out[2])


def buffers(b: int, n: int, width: int) -> list[torch.Tensor]:
    """`forward`'s `out` for b models on n points: two (b, n, width), used in turn, and the
    logits (b, n, 2)."""
    return [torch.empty(b, n, width), torch.empty(b, n, width), torch.empty(b, n, 2)]


def draws(gens: list[torch.Generator], x: torch.Tensor, *, width: int, depth: int,
          dropout: float, jitter: float) -> tuple[torch.Tensor, list[torch.Tensor] | None]:
    """One epoch's randomness, each model's from its own generator in the order a single
    nn.Module run draws it from torch's: the jitter ε (n, 2) ~ N(0, 1), then a mask
    (n, width) per hidden layer, made as nn.functional.dropout makes it on the CPU:
    bernoulli(1 − p) / (1 − p). Returns x + jitter·ε (B, n, 2) and the masks stacked
    (B, n, width) per layer (None without dropout)."""
    n = x.shape[1]
    eps, masks = [], []
    for g in gens:
        if jitter > 0:
            eps.append(torch.randn(n, 2, generator=g))
        if dropout > 0:
            masks.append([torch.empty(n, width).bernoulli_(1 - dropout, generator=g)
                          .div_(1 - dropout) for _ in range(depth)])
    if jitter > 0:
        x = x + jitter * torch.stack(eps)
    if dropout <= 0:
        return x, None
    return x, [torch.stack(layer) for layer in zip(*masks, strict=True)]


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Each model's mean cross-entropy, for training: logits (B, n, 2), targets (B, n) →
    (B,). Its sum's gradient is each model's own: d(Σ_b L_b)/dθ_b = dL_b/dθ_b."""
    per_point = nn.functional.cross_entropy(logits.reshape(-1, 2), targets.reshape(-1),
                                            reduction="none")
    return per_point.view(targets.shape).mean(1)


def weight_norm(theta: torch.Tensor, layout: Layout) -> torch.Tensor:
    """(B,) ‖W‖₂ over every weight matrix of each model (biases excluded), the weights in
    nn.Linear's order: what weight decay pulls to 0."""
    return torch.linalg.vector_norm(theta.detach()[:, :layout.n_weights], dim=1)


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The fraction classified right, float64: the count over the set's size, divided in
    float64. float32's `.float().mean()` made 18 of 20 0.8999999762, which the diagnosis
    then read as "90.0 % is below 90 %"; as a float64 quotient it is 0.9 exactly.
    logits (…, n, 2), targets (…, n) → (…)."""
    correct = (logits.argmax(-1) == targets).sum(-1)
    return correct.double() / targets.shape[-1]


def evaluate(theta: torch.Tensor, layout: Layout, both: torch.Tensor, y_train: torch.Tensor,
             y_val: torch.Tensor, out: list[torch.Tensor],
             views: list[torch.Tensor] | None = None) -> torch.Tensor:
    """(B, 5) float64 [train loss, val loss, train acc, val acc, weight norm] in eval mode
    (no dropout), no grad; `both` (B, n + n_val, 2) is each model's training points, then
    its validation points. A loss is nn.functional.cross_entropy on one model's set (the
    log-softmax, then nll_loss's mean), so it sums exactly as a single model's call does.
    `views` may be `layout.unpack(theta.detach())`, made once: views of theta see its
    updates in place."""
    n = y_train.shape[1]
    with torch.no_grad():
        logits = forward(views or layout.unpack(theta), both, out=out)
        logp = torch.log_softmax(logits, dim=2)
        losses = torch.stack([loss for lp, yt, yv in zip(logp, y_train, y_val, strict=True)
                              for loss in (nn.functional.nll_loss(lp[:n], yt),
                                           nn.functional.nll_loss(lp[n:], yv))])
        tr, va = logits[:, :n], logits[:, n:]
        return torch.stack([*losses.double().view(-1, 2).T, accuracy(tr, y_train),
                            accuracy(va, y_val), weight_norm(theta, layout).double()], 1)


def grid(theta: torch.Tensor, layout: Layout, points: torch.Tensor, *, size: int,
         margin: float) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per model, P(class 1) = softmax(logits)[:, 1] on a size × size lattice reaching
    `margin` beyond its points (B, n, 2), ends on half units: (grid_x, grid_y, prob), prob
    (size, size) with prob[i, j] at (grid_x[j], grid_y[i]). One model at a time into the
    same buffers: thirty at once would be 30 × 0.9 MB per layer."""
    grids = []
    out = buffers(1, size * size, layout.shapes[0][0])
    for b, pts in enumerate(points.numpy()):
        lo = np.floor((pts.min(0) - margin) * 2) / 2
        hi = np.ceil((pts.max(0) + margin) * 2) / 2
        gx, gy = np.linspace(lo[0], hi[0], size), np.linspace(lo[1], hi[1], size)
        xx, yy = np.meshgrid(gx, gy)  # (size, size); rows follow y
        lattice = torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=torch.float32)
        with torch.no_grad():
            logits = forward(layout.unpack(theta[b:b + 1]), lattice[None], out=out)[0]
            prob = torch.softmax(logits, dim=1)[:, 1].reshape(size, size)
        grids.append((gx, gy, prob.double().numpy()))
    return grids
