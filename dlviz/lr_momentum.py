"""Learning rate & momentum: optimizer runs side by side, their outcomes, and the presets.

A run is one `dlviz.optim.trace` (real `torch.optim`) described by a `RunSpec`. `compare`
runs up to MAX_RUNS of them on one objective from one start and measures, per step, the gap
to the global minimum's loss and the distance to the nearest global minimum.
`compare_many` does it for many seeds at once (the sessions of a class, coalesced by the
page), each seed's numbers exactly those of `compare` alone.

SGD in PyTorch's form:  v ← μ·v + g;  w ← w − lr·v   (Nesterov: w ← w − lr·(g + μ·v)).
The lr × momentum map lives in `lr_momentum_map`, the theory in `lr_momentum_theory`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dlviz import optim, surfaces

OPTIMIZERS = ("sgd", "adam", "rmsprop", "adagrad")
# The page's objectives: SURFACES names with a closed-form formula (the model-based
# regression surface belongs to the Loss surfaces page).
OBJECTIVES = ("course", "bowl", "d2l_quadratic", "quadratic", "distill", "rosenbrock",
              "himmelblau", "rastrigin", "beale", "saddle")
CONDITIONS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)  # κ choices
LR_MIN, LR_MAX = 1e-5, 10.0
MOMENTUM_MAX = 0.999
STEPS_MAX = 1000
MAX_RUNS = 4
NOISE_MAX = 20.0
GAP_FLOOR = 1e-16  # gaps and distances are floored here so a log axis can show them
NEAR = 0.05  # "reached a minimum": within NEAR × the widest side of the plotting domain
MAX_FRAMES = 60  # the animation's frames at most (a frame every 0.7 s: 42 s for a long run)


def lr_choices() -> tuple[float, ...]:
    """The lr slider's stops: every 2-significant-digit number from LR_MIN to LR_MAX.

    Log-spaced in effect (90 stops a decade), and they contain every lr a preset or a map
    cell uses, so a click or a preset lands exactly on a stop.
    """
    stops = {round(m / 10 * 10.0**e, 12) for e in range(-5, 1) for m in range(10, 100)}
    return tuple(sorted(stops | {LR_MAX}))


def snap_lr(lr: float) -> float:
    """`lr` clipped to [LR_MIN, LR_MAX] and rounded to 2 significant digits (a slider stop)."""
    lr = min(max(float(lr), LR_MIN), LR_MAX)
    return round(lr, 1 - int(math.floor(math.log10(lr))))


@dataclass(frozen=True)
class RunSpec:
    """One optimizer run's settings (the start and objective are shared by all runs)."""

    optimizer: str = "sgd"  # one of OPTIMIZERS: the torch.optim class
    lr: float = 0.01  # learning rate, LR_MIN … LR_MAX
    momentum: float = 0.0  # sgd / rmsprop momentum μ, 0 … MOMENTUM_MAX
    nesterov: bool = False  # sgd only
    steps: int = 10  # optimizer steps, 1 … STEPS_MAX

    def label(self) -> str:
        """The legend entry: the settings that define the run."""
        parts = [self.optimizer, f"lr={self.lr:g}"]
        if self.optimizer in optim.HAS_MOMENTUM and self.momentum:
            parts.append(f"μ={self.momentum:g}")
        if self.nesterov and self.optimizer == "sgd" and self.momentum:
            parts.append("nesterov")
        parts.append(f"{self.steps} steps")
        return " ".join(parts)

    def problems(self) -> list[str]:
        """What is out of range, as messages fit for the page (empty when valid)."""
        out = []
        if self.optimizer not in OPTIMIZERS:
            out.append(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
        if not LR_MIN <= self.lr <= LR_MAX:
            out.append(f"lr must lie in [{LR_MIN:g}, {LR_MAX:g}]")
        if not 0.0 <= self.momentum <= MOMENTUM_MAX:
            out.append(f"momentum must lie in [0, {MOMENTUM_MAX}]")
        if not 1 <= self.steps <= STEPS_MAX:
            out.append(f"steps must lie in [1, {STEPS_MAX}]")
        return out

    def torch_kwargs(self) -> dict:
        """The arguments `dlviz.optim.trace` (and torch.optim) take for this optimizer."""
        kw: dict = {"optimizer": self.optimizer, "lr": self.lr}
        if self.optimizer in optim.HAS_MOMENTUM:
            kw["momentum"] = self.momentum
        if self.optimizer == "sgd":
            kw["nesterov"] = self.nesterov and self.momentum > 0  # torch needs μ > 0
        return kw


@dataclass(frozen=True)
class Run:
    spec: RunSpec
    points: np.ndarray  # (n, dim) iterates, n = steps + 1 unless diverged
    losses: np.ndarray  # (n,) f(points)
    gap: np.ndarray  # (n,) losses − f* ≥ GAP_FLOOR, f* the global minimum's loss (or losses)
    distance: np.ndarray  # (n,) ≥ GAP_FLOOR to the nearest global minimum (0 if none listed)
    diverged_at: int | None  # first step that left the engine's bounds
    outcome: str  # see OUTCOMES
    rate: float | None  # (distance_end / distance_0)^(1/steps): measured shrink per step


OUTCOMES = {
    "global": "reached the global minimum",
    "local": "stuck in a local minimum",
    "diverged": "diverged",
    "growing": "moving away (diverging)",
    "on the way": "still on the way",
}


@dataclass(frozen=True)
class Comparison:
    surface: str  # registry name
    condition: float | None  # κ of the `quadratic` bowl, else None
    start: tuple[float, ...]  # (dim,)
    noise_std: float  # σ of the Gaussian noise added to every gradient
    seed: int
    f_star: float | None  # the global minimum's loss (None: no minimum listed)
    runs: tuple[Run, ...]


def surface_for(name: str, condition: float | None = None) -> surfaces.Surface:
    return surfaces.get(name, condition=condition if name == "quadratic" else None)


def global_minima(surface: surfaces.Surface) -> np.ndarray:
    """(k, dim) the listed global minima (k may be 0)."""
    pts = [m.point for m in surface.minima if m.kind == "global"]
    return np.array(pts, dtype=np.float64).reshape(len(pts), surface.dim)


def outcome(surface: surfaces.Surface, points: np.ndarray, diverged_at: int | None) -> str:
    """Where a run ended: at a global or local minimum, diverged, moving away, or on the way."""
    if diverged_at is not None:
        return "diverged"
    if not surface.minima:
        return "on the way"
    near = NEAR * max(hi - lo for lo, hi in surface.domain)
    start, end = points[0], points[-1]
    d_end = [math.dist(m.point, end) for m in surface.minima]
    d_start = min(math.dist(m.point, start) for m in surface.minima)
    i = int(np.argmin(d_end))
    if d_end[i] <= near:
        return surface.minima[i].kind
    return "growing" if min(d_end) > max(d_start, near) else "on the way"


def run(surface: surfaces.Surface, spec: RunSpec, *, start: Sequence[float],
        noise_std: float = 0.0, seed: int = 0) -> Run:
    """One torch.optim run of `spec` from `start`, with its per-step gap and distance."""
    t = optim.trace(surface, start=tuple(start), steps=spec.steps, noise_std=noise_std,
                    seed=seed, **spec.torch_kwargs())
    return _measured(surface, spec, t)


def _measured(surface: surfaces.Surface, spec: RunSpec, t: optim.Trace) -> Run:
    minima = global_minima(surface)  # (k, dim)
    f_star = min((m.value for m in surface.minima if m.kind == "global"), default=None)
    gap = np.maximum(t.losses - f_star, GAP_FLOOR) if f_star is not None else t.losses.copy()
    if len(minima):
        distance = np.linalg.norm(t.points[:, None, :] - minima[None], axis=2).min(1)  # (n,)
        distance = np.maximum(distance, GAP_FLOOR)
    else:
        distance = np.zeros(len(t.points))
    rate = None
    if len(minima) and len(distance) > 1 and distance[0] > 0 and t.diverged_at is None:
        rate = float((distance[-1] / distance[0]) ** (1.0 / (len(distance) - 1)))
    return Run(spec, t.points, t.losses, gap, distance, t.diverged_at,
               outcome(surface, t.points, t.diverged_at), rate)


def compare(f: str, *, runs: Sequence[RunSpec], start: Sequence[float] | None = None,
            condition: float | None = None, noise_std: float = 0.0, seed: int = 0,
            progress: Callable[[float], None] | None = None) -> Comparison:
    """Every run in `runs` on SURFACES[f] from `start` (default: the surface's own start).

    With noise_std > 0 each run adds seeded N(0, σ²) noise to every gradient (the engine's
    `noise_std`); all runs share the seed, so they see the same noise sequence.
    """
    return compare_many([seed], f=f, runs=runs, start=start, condition=condition,
                        noise_std=noise_std, progress=progress)[0]


def compare_many(seeds: Sequence[int], *, f: str, runs: Sequence[RunSpec],
                 start: Sequence[float] | None = None, condition: float | None = None,
                 noise_std: float = 0.0,
                 progress: Callable[[float], None] | None = None) -> list[Comparison]:
    """`compare(f, runs=runs, …, seed=s)` for every seed, as one computation: every run of
    every seed is a row of `optim.traces_many` (the same numbers as the runs one by one)."""
    surface = surface_for(f, condition)
    start = tuple(float(s) for s in (surface.start if start is None else start))
    if len(start) != surface.dim:
        raise ValueError(f"{f} takes a start point with {surface.dim} coordinate(s)")
    if not 1 <= len(runs) <= MAX_RUNS:
        raise ValueError(f"compare 1 to {MAX_RUNS} runs")
    traced = optim.traces_many(surface, start=start, noise_std=noise_std, seeds=seeds,
                               runs=[{**spec.torch_kwargs(), "steps": spec.steps}
                                     for spec in runs], progress=progress)
    f_star = min((m.value for m in surface.minima if m.kind == "global"), default=None)
    return [Comparison(f, condition if f == "quadratic" else None, start, float(noise_std),
                       int(seed), f_star, tuple(_measured(surface, spec, t) for spec, t in
                                                zip(runs, traces, strict=True)))
            for seed, traces in zip(seeds, traced, strict=True)]


def frame_steps(steps: int) -> list[int]:
    """The optimizer steps the animation's frames show, for runs of up to `steps` steps: at
    most MAX_FRAMES, always 0 and `steps` (frame i shows step frame_steps(steps)[i])."""
    return sorted({int(round(v)) for v in np.linspace(0, steps, min(MAX_FRAMES, steps + 1))})


def add_run(runs: Sequence[RunSpec], new: RunSpec) -> tuple[RunSpec, ...]:
    """`runs` plus `new`; with MAX_RUNS already, `new` replaces the last one."""
    kept = tuple(runs)[: MAX_RUNS - 1] if len(runs) >= MAX_RUNS else tuple(runs)
    return kept + (new,)


@dataclass(frozen=True)
class Landscape:
    """The objective on a plotting grid over its domain."""

    xs: np.ndarray  # (nx,)
    ys: np.ndarray  # (ny,) for 2-D surfaces, (0,) for 1-D
    values: np.ndarray  # (nx,) for 1-D; (ny, nx) for 2-D: f on the grid
    shade: np.ndarray  # like values: the contour colour, log10(f − min + 1e-3) if log_color
    log_color: bool


def landscape(f: str, *, condition: float | None = None, n: int = 81) -> Landscape:
    """f evaluated by torch on an n (1-D: 4n) point grid over the surface's domain."""
    surface = surface_for(f, condition)
    (x_lo, x_hi), *rest = surface.domain
    if surface.dim == 1:
        xs = torch.linspace(x_lo, x_hi, 4 * n, dtype=torch.float64)
        vals = surface.fn(xs.unsqueeze(-1)).numpy()
        return Landscape(xs.numpy(), np.empty(0), vals, vals, False)
    xs = torch.linspace(x_lo, x_hi, n, dtype=torch.float64)
    ys = torch.linspace(rest[0][0], rest[0][1], n, dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(ys, xs, indexing="ij")[::-1], -1)  # (ny, nx, 2)
    vals = surface.fn(grid).numpy()
    shade = np.log10(vals - vals.min() + 1e-3) if surface.log_color else vals
    return Landscape(xs.numpy(), ys.numpy(), vals, shade, surface.log_color)
