"""What the Loss-surfaces figures show, computed once: the surface on a grid, the path with
its tangent line at every step, and the result summary. The figure builders in
`dlviz.surfaces_plots` only draw these arrays.

Log colour: where a surface spans many decades, colours (and 3-D heights) are
c = log₁₀(f − f_min + δ), with f_min the lowest value on the grid or at a listed minimum and
δ = 10⁻⁵·(f_max − f_min), so the valley floor is ≈ 5 decades below the rim instead of one
flat colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from dlviz.optim import Trace
from dlviz.surfaces import Minimum, Surface, nearest_minimum

CLICK_GRID = 41  # the invisible click targets: CLICK_GRID² points over the contour
CURVE_POINTS = 401  # samples of a 1-D objective


@dataclass(frozen=True)
class Grid:
    xs: np.ndarray  # (nx,) first coordinate
    ys: np.ndarray  # (ny,) second coordinate (a single 0 for 1-D surfaces)
    z: np.ndarray  # (ny, nx) f, or (nx,) for 1-D
    color: np.ndarray  # same shape as z: f, or log₁₀(f − f_min + δ) when `log`
    log: bool
    f_min: float
    delta: float
    ticks: tuple[tuple[float, str], ...]  # colour-bar ticks (colour value, label in f units)

    def to_color(self, values: np.ndarray) -> np.ndarray:
        """f values → the colour/height scale of this grid (clamped below at f_min)."""
        values = np.asarray(values, dtype=np.float64)
        if not self.log:
            return values
        return np.log10(np.maximum(values - self.f_min, 0.0) + self.delta)


def grid(surface: Surface, *, resolution: int = 81) -> Grid:
    """f on resolution points per coordinate over the surface's domain (1-D: CURVE_POINTS)."""
    if not 3 <= resolution <= 201:
        raise ValueError("grid resolution must lie in [3, 201]")
    (x_lo, x_hi) = surface.domain[0]
    if surface.dim == 1:
        xs = np.linspace(x_lo, x_hi, CURVE_POINTS)
        z = surface.fn(torch.tensor(xs).unsqueeze(1)).numpy()  # (n,)
        return Grid(xs, np.zeros(1), z, z, False, float(z.min()), 0.0, ())
    y_lo, y_hi = surface.domain[1]
    xs, ys = np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution)
    mesh = torch.tensor(np.stack(np.meshgrid(xs, ys), -1))  # (ny, nx, 2)
    z = surface.fn(mesh).numpy()  # (ny, nx)
    f_min = min([float(z.min())] + [m.value for m in surface.minima])
    if not surface.log_color:
        return Grid(xs, ys, z, z, False, f_min, 0.0, ())
    delta = max(1e-5 * (float(z.max()) - f_min), 1e-12)
    color = np.log10(z - f_min + delta)
    lo, hi = math.ceil(color.min()), math.floor(color.max())
    ticks = tuple((float(k), f"{10.0**k + f_min - delta:.2g}") for k in range(lo, hi + 1))
    return Grid(xs, ys, z, color, True, f_min, delta, ticks)


@dataclass(frozen=True)
class PathView:
    points: np.ndarray  # (n, dim) the trace's points
    losses: np.ndarray  # (n,)
    heights: np.ndarray  # (n,) losses on the grid's colour scale (3-D heights)
    inside: np.ndarray  # (n,) bool: the point lies in the domain (the 3-D path skips others)
    tangents: np.ndarray  # (n, 2, 2) 1-D: tangent segment [[x0, y0], [x1, y1]] at each step

    def shown(self, step: int) -> int:
        """The step a figure draws for setting `step`: a diverged run's path ends early."""
        return max(min(int(step), len(self.points) - 1), 0)


def path_view(surface: Surface, trace: Trace, grid_: Grid) -> PathView:
    """Everything the figures draw about one run."""
    n = len(trace.points)
    lo = np.array([d[0] for d in surface.domain])
    hi = np.array([d[1] for d in surface.domain])
    inside = ((trace.points >= lo) & (trace.points <= hi)).all(1)
    tangents = np.zeros((n, 2, 2))
    if surface.dim == 1 and n:
        half = 0.12 * (hi[0] - lo[0])
        x, f, g = trace.points[:, 0], trace.losses, trace.grads[:, 0]
        tangents[:, 0, 0], tangents[:, 1, 0] = x - half, x + half
        tangents[:, 0, 1], tangents[:, 1, 1] = f - g * half, f + g * half
    return PathView(trace.points, trace.losses, grid_.to_color(trace.losses), inside, tangents)


@dataclass(frozen=True)
class Summary:
    final_point: tuple[float, ...]
    final_loss: float
    steps_run: int  # updates applied (up to the last finite step)
    nearest: Minimum | None  # the listed minimum closest to the final point
    distance: float  # to it (inf if none)
    status: str  # "converged at step k", "diverged at step k", or "still moving after N steps"
    verdict: str  # "converged", "diverged" or "still moving"
    when: str  # "at step k" or "after N steps"


def summary(surface: Surface, trace: Trace) -> Summary:
    n = len(trace.points)
    final = tuple(float(v) for v in trace.points[-1]) if n else surface.start
    loss = float(trace.losses[-1]) if n else surface.value(surface.start)
    near = nearest_minimum(surface, final)
    if trace.diverged_at is not None:
        verdict, when = "diverged", f"at step {trace.diverged_at}"
    elif trace.converged_at is not None:
        verdict, when = "converged", f"at step {trace.converged_at}"
    else:
        verdict, when = "still moving", f"after {n - 1} steps"
    return Summary(final, loss, max(n - 1, 0), near[0] if near else None,
                   near[1] if near else math.inf, f"{verdict} {when}", verdict, when)


def click_targets(surface: Surface, y_range: tuple[float, float] | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The invisible scatter grid that makes a chart clickable: xs, ys of shape (m,).

    Over a contour: CLICK_GRID² points. Over a 1-D curve: 3·CLICK_GRID columns of
    CLICK_GRID // 2 points spanning `y_range` (the plotted f range), so that a click anywhere
    in the plot lands near a target; only its x is used. (Targets on the curve alone lost
    most clicks to the curve's own line trace.)"""
    if surface.dim == 1:
        lo, hi = y_range if y_range is not None else (0.0, 1.0)
        gx = np.linspace(*surface.domain[0], 3 * CLICK_GRID)
        gy = np.linspace(lo, hi, CLICK_GRID // 2)
        mx, my = np.meshgrid(gx, gy)
        return mx.ravel(), my.ravel()
    gx = np.linspace(*surface.domain[0], CLICK_GRID)
    gy = np.linspace(*surface.domain[1], CLICK_GRID)
    mx, my = np.meshgrid(gx, gy)
    return mx.ravel(), my.ravel()


def path_data(surface: Surface, trace: Trace) -> dict[str, np.ndarray]:
    """The run as a table (the charts' data): step, the point, f and the gradient."""
    names = (("w", "b") if surface.name == "regression" else ("x", "y"))[:surface.dim]
    n = len(trace.points)
    columns = {"step": np.arange(n)}
    columns |= {name: trace.points[:, i] for i, name in enumerate(names)}
    columns["f"] = trace.losses
    columns |= {f"∂f/∂{name}": trace.grads[:n, i] for i, name in enumerate(names)}
    return columns


def landscape_data(land) -> dict[str, np.ndarray]:
    """The landscape's grid as a table: a, b (the plane's coordinates) and the loss."""
    a, b = np.meshgrid(land.alphas, land.betas)  # loss[j, i] is at (alphas[i], betas[j])
    return {"a": a.ravel(), "b": b.ravel(), "loss": land.loss.ravel()}
