"""Theory for quadratics, checked against real torch.optim.SGD runs.

On f(w) = ½ (w − w*)ᵀ H (w − w*) with Hessian eigenvalues λ1 ≤ … ≤ λn (L = λn, κ = λn/λ1):
- plain GD (w ← w − lr·g) is stable only for lr < 2/L; heavy-ball SGD in PyTorch's form
  (v ← μv + g; w ← w − lr·v) only for lr < 2(1 + μ)/L;
- the best heavy-ball settings (Goh, "Why Momentum Really Works", Distill 2017) are
  α* = (2 / (√λ1 + √λn))² and β* = ((√κ − 1)/(√κ + 1))², and the error then shrinks by
  about (√κ − 1)/(√κ + 1) per step; plain GD at its best lr 2/(λ1 + λn) by (κ − 1)/(κ + 1).
The eigenvalues come from `torch.autograd.functional.hessian`; a surface counts as quadratic
when its Hessian is the same at the start, the minimum and a corner of its domain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dlviz import optim, surfaces
from dlviz.lr_momentum import surface_for

RATE_FLOOR = 1e-140  # the measured rate uses the steps until distance/distance₀ < RATE_FLOOR
# (deeper, the squares inside a norm would underflow float64)
PRECISION = 1e-13  # …or until distance < PRECISION·‖w*‖, where w* itself is rounded
RATE_STEPS = 300  # steps of the run that measures the rate (window: its second half)


@dataclass(frozen=True)
class Theory:
    eigenvalues: np.ndarray  # (dim,) of the Hessian at the global minimum, ascending
    quadratic: bool  # the Hessian is constant: the formulas are exact, not local
    L: float  # largest eigenvalue (curvature)
    kappa: float  # condition number λn / λ1
    lr_bound: float  # 2 / L: plain GD is stable below it
    alpha_star: float  # best heavy-ball step size
    beta_star: float  # best momentum
    rate: float  # (√κ − 1)/(√κ + 1): error factor per step at (α*, β*)
    gd_rate: float  # (κ − 1)/(κ + 1): at plain GD's best lr
    measured_rate: float | None  # from a torch.optim.SGD run at (α*, β*); quadratics only


def stability_bound(L: float, momentum: float | np.ndarray = 0.0):
    """Largest stable lr of heavy-ball SGD on a quadratic of top curvature L: 2(1 + μ)/L."""
    return 2.0 * (1.0 + np.asarray(momentum, dtype=np.float64)) / L


def optimal_momentum(eigenvalues: Sequence[float]) -> tuple[float, float, float, float]:
    """(α*, β*, rate, plain-GD rate) for a positive-definite spectrum."""
    lo, hi = float(min(eigenvalues)), float(max(eigenvalues))
    if not lo > 0:
        raise ValueError("the Hessian must be positive definite")
    sk = math.sqrt(hi / lo)
    alpha = (2.0 / (math.sqrt(lo) + math.sqrt(hi))) ** 2
    rate = (sk - 1.0) / (sk + 1.0)
    return alpha, rate**2, rate, (sk * sk - 1.0) / (sk * sk + 1.0)


def hessian_eigenvalues(surface: surfaces.Surface, point: Sequence[float]) -> np.ndarray:
    """(dim,) ascending eigenvalues of the autograd Hessian of `surface` at `point`."""
    x = torch.tensor([float(v) for v in point], dtype=torch.float64)
    h = torch.autograd.functional.hessian(lambda w: surface.fn(w), x)  # (dim, dim)
    return torch.linalg.eigvalsh(h).numpy()


def _is_quadratic(surface: surfaces.Surface, minimum: Sequence[float]) -> bool:
    corner = [lo for lo, _ in surface.domain]
    ref = hessian_eigenvalues(surface, minimum)
    return all(np.allclose(hessian_eigenvalues(surface, p), ref, rtol=1e-9, atol=1e-12)
               for p in (surface.start, corner))


def measured_rate(distances: np.ndarray, *, floor: float = 0.0) -> float:
    """Per-step shrink of the distance to the minimum over the second half of a run.

    distances: (n,). Only the steps with distance > floor count (below it float64 rounding
    of the minimum's position dominates); the second half of them skips the start-up
    transient. At (α*, β*) both extreme modes are critically damped (double roots), so the
    error behaves like t·rateᵗ and this estimate approaches the rate from above as the
    window grows. 0 when the run lands on the minimum within a step or two.
    """
    d = np.asarray(distances, dtype=np.float64)
    floor = max(float(floor), RATE_FLOOR * d[0])
    below = np.flatnonzero(d <= floor)
    end = int(below[0]) - 1 if len(below) else len(d) - 1  # last step above the floor
    if end < 4:  # converged almost at once: the average shrink up to the floor
        k = end + 1 if end + 1 < len(d) else end
        return float((d[k] / d[0]) ** (1.0 / k)) if k > 0 else 1.0
    mid = end // 2
    return float((d[end] / d[mid]) ** (1.0 / (end - mid)))


def theory(f: str, *, condition: float | None = None, start: Sequence[float] | None = None
           ) -> Theory | None:
    """The theory at the surface's global minimum; None without a unique global minimum
    or with a Hessian there that is not positive definite."""
    surface = surface_for(f, condition)
    glob = [m for m in surface.minima if m.kind == "global"]
    if len(glob) != 1:
        return None
    lam = hessian_eigenvalues(surface, glob[0].point)
    if not lam[0] > 0:
        return None
    alpha, beta, rate, gd_rate = optimal_momentum(lam)
    quad = _is_quadratic(surface, glob[0].point)
    measured = None
    if quad:
        start = tuple(surface.start if start is None else start)
        w_star = np.array(glob[0].point)
        floor = PRECISION * float(np.linalg.norm(w_star))
        steps = RATE_STEPS if rate > 0.05 else 40
        t = optim.trace(surface, start=start, lr=alpha, momentum=beta, steps=steps)
        dist = np.linalg.norm(t.points - w_star, axis=1)  # (steps + 1,)
        measured = measured_rate(dist, floor=floor) if dist[0] > 0 else None
    return Theory(lam, quad, float(lam[-1]), float(lam[-1] / lam[0]),
                  float(stability_bound(lam[-1])), alpha, beta, rate, gd_rate, measured)


def bound_curve(th: Theory, momentums: np.ndarray) -> np.ndarray:
    """(n_mom,) the stability bound 2(1 + μ)/L at each momentum of the map."""
    return stability_bound(th.L, momentums)
