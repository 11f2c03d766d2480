"""Seeded synthetic data sets shared by the pages. Nothing is downloaded.

Every generator takes `seed` and returns float32 tensors (the dtype of `nn.Linear`), made with
a private `torch.Generator` so the global RNG is untouched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

SALARY_FEATURES = ("experience_years", "seniority", "remote_share", "company_size")


@dataclass(frozen=True)
class Split:
    x_train: torch.Tensor  # (n_train, features)
    y_train: torch.Tensor  # (n_train,) or (n_train, 1) for regression; int64 labels for classes
    x_val: torch.Tensor  # (n_val, features)
    y_val: torch.Tensor  # (n_val, …)


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(int(seed))


def split(x: torch.Tensor, y: torch.Tensor, *, val_fraction: float, seed: int) -> Split:
    """A seeded shuffle, then the last `val_fraction` of rows for validation."""
    order = torch.randperm(len(x), generator=_gen(seed + 7919))
    x, y = x[order], y[order]
    n_val = max(1, round(len(x) * val_fraction))
    return Split(x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:])


def linear_regression(*, n: int = 50, w: float = 2.0, b: float = -1.0, noise: float = 0.5,
                      seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """y = w·x + b + noise, x ~ U(-2, 2). Shapes (n, 1) and (n, 1)."""
    g = _gen(seed)
    x = torch.rand(n, 1, generator=g) * 4 - 2
    y = w * x + b + noise * torch.randn(n, 1, generator=g)
    return x, y


def salaries(*, region: str = "us", n: int = 400,
             seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Data-scientist salaries (k$/k€, standardised features), for transfer learning.

    "us" is task A. "eu" is task B: the same features, a shifted and rescaled relationship
    (lower level, flatter experience curve, a remote-work premium), so a model pretrained on
    A starts close but not right. Shapes (n, 4) and (n, 1).
    """
    if region not in ("us", "eu"):
        raise ValueError("region must be 'us' or 'eu'")
    g = _gen(seed + (0 if region == "us" else 1))
    x = torch.randn(n, len(SALARY_FEATURES), generator=g)
    exp, senior, remote, size = x.unbind(1)
    us = 120 + 25 * torch.tanh(exp) + 15 * senior + 8 * torch.relu(size) - 4 * remote
    if region == "us":
        y = us
    else:
        y = 0.6 * us + 10 + 6 * remote - 5 * torch.relu(-exp)
    y = y + 4.0 * torch.randn(n, generator=g)
    return x, (y / 100.0).unsqueeze(1)  # in units of 100k, so MSE is O(0.01)


def moons(*, n: int = 200, noise: float = 0.2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half-circles with Gaussian noise. Shapes (n, 2) float32 and (n,) int64."""
    g = _gen(seed)
    n0 = n // 2
    t = torch.rand(n, generator=g) * math.pi
    upper = torch.stack([torch.cos(t[:n0]), torch.sin(t[:n0])], 1)
    lower = torch.stack([1 - torch.cos(t[n0:]), 0.5 - torch.sin(t[n0:])], 1)
    x = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=g)
    y = torch.cat([torch.zeros(n0, dtype=torch.int64), torch.ones(n - n0, dtype=torch.int64)])
    return x - torch.tensor([0.5, 0.25]), y


def spirals(*, n: int = 200, noise: float = 0.2, turns: float = 1.5,
            seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved spirals (TensorFlow Playground's hardest set). (n, 2) and (n,) int64."""
    g = _gen(seed)
    n0 = n // 2
    r = torch.rand(n, generator=g).sqrt()
    theta = r * turns * 2 * math.pi
    labels = torch.cat([torch.zeros(n0), torch.ones(n - n0)])
    theta = theta + labels * math.pi
    x = torch.stack([r * torch.cos(theta), r * torch.sin(theta)], 1) * 2
    x = x + noise * torch.randn(n, 2, generator=g)
    return x, labels.to(torch.int64)
