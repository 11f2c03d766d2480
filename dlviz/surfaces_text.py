"""The Loss-surfaces page's prose: what each section says, filled with its numbers."""

from __future__ import annotations

import numpy as np

from dlviz import optim
from dlviz.surfaces import nearest_minimum

CONVEXITY = (
    "**Convex** (one minimum, like the bowls and the regression MSE): a small enough "
    "learning rate reaches the minimum from any start. **Non-convex** (several minima, like "
    "the course's x⁴ + x³ − 5x²): where the run ends depends on the start, the learning rate "
    "and the momentum.")

HOW = (
    "Every point of the path is a real `torch.optim` step on a float64 tensor; the gradient "
    "is `loss.backward()`. ★ marks a global minimum, ◆ a local one, ● the run at the chosen "
    "step. A run *diverges* when a "
    f"coordinate exceeds {optim.COORD_BOUND:g} in size, the loss exceeds {optim.LOSS_BOUND:g}, "
    "or either stops being finite; the path stops at the last finite step. Step through the "
    "run with the Step slider above the chart (its arrow keys move one step), or press Play.")


def nearest(result) -> tuple[str, str | None]:
    """The "Nearest minimum" metric: its value and its delta line."""
    if result.nearest is None:
        return "none (unbounded below)", None
    where = ", ".join(f"{v:.3g}" for v in result.nearest.point)
    return f"{result.nearest.kind} at ({where})", f"distance {result.distance:.3g}"


def landscape(land, plane: str) -> tuple[str, str]:
    """The landscape section's explanation: essential, then more."""
    essential = (
        f"An MLP (2 → 16 → 16 → 2, {land.n_params} weights) trained on the moons data: its "
        f"cross-entropy is {land.center_loss:.3g} at the trained weights θ* (★, accuracy "
        f"{land.accuracy:.0%}). The picture is that loss on a 2-D plane through θ*.")
    share = (f" ({land.explained[0]:.0%} and {land.explained[1]:.0%} of the movement)"
             if plane == "pca" else "")
    more = (
        "Li et al. (2018): plane *random* uses two Gaussian directions, each neuron's slice "
        "rescaled to the norm of that neuron's weights (biases left out), so the picture does "
        "not depend on how the weights happen to be scaled. Plane *pca* uses the two directions "
        f"along which training moved most{share}, and draws the training path on it. Colours "
        "are log₁₀ of the loss.")
    return essential, more


def _point(values) -> str:
    return ", ".join(f"{float(v):.3g}" for v in values)


def _where(surface, values) -> str:
    """A point as the page writes it: "x = 1.26" in 1-D, "(0.98, 0.96)" in 2-D."""
    return f"x = {float(values[0]):.3g}" if surface.dim == 1 else f"({_point(values)})"


def _run(surface, path, step: int, optimizer: str) -> str:
    """ "SGD from x = 2.5 is at x = 1.26 with f = −2.41 at step 20 of 20" (+ divergence)."""
    k, last = path.shown(step), len(path.points) - 1
    return (f"{optimizer} from {_where(surface, path.points[0])} is at "
            f"{_where(surface, path.points[k])} with f = {float(path.losses[k]):.4g} at step "
            f"{k} of {last}")


def _nearest(surface, point) -> str:
    near = nearest_minimum(surface, tuple(float(v) for v in point))
    if near is None:
        return "f has no minimum (it is unbounded below)"
    m, _ = near
    return (f"the nearest minimum is the {m.kind} one at {_where(surface, m.point)} "
            f"(f = {m.value:.4g})")


def _diverged(path, diverged_at: int | None) -> str:
    if diverged_at is None:
        return ""
    return f" The run diverged at step {diverged_at}; its path ends at step {len(path.points) - 1}."


def contour_summary(surface, grid, path, step: int, optimizer: str,
                    diverged_at: int | None = None) -> str:
    """The contour's text alternative: the box, where the run is at `step`, the minimum."""
    (x_lo, x_hi), (y_lo, y_hi) = surface.domain
    k = path.shown(step)
    return (f"Contour of f{' (log colours)' if grid.log else ''} over "
            f"{x_lo:g} ≤ x ≤ {x_hi:g}, {y_lo:g} ≤ y ≤ {y_hi:g}: "
            f"{_run(surface, path, step, optimizer)}; {_nearest(surface, path.points[k])}."
            + _diverged(path, diverged_at))


def curve_summary(surface, path, step: int, optimizer: str,
                  diverged_at: int | None = None) -> str:
    """The 1-D chart's text alternative, with the tangent's slope (the gradient) at `step`."""
    k = path.shown(step)
    (x0, y0), (x1, y1) = path.tangents[k]
    slope = (y1 - y0) / (x1 - x0)
    return (f"The curve f(x): {_run(surface, path, step, optimizer)}, where the gradient "
            f"(the tangent's slope) is {slope:.4g}; {_nearest(surface, path.points[k])}."
            + _diverged(path, diverged_at))


def surface_summary(surface, grid, path, step: int) -> str:
    """The 3-D chart's text alternative: the range of f and the height at `step`."""
    k = path.shown(step)
    where = ("inside the box" if path.inside[k] else "outside the box (not drawn)")
    return (f"The same f as a 3-D surface{' with log heights' if grid.log else ''}: f ranges "
            f"from {float(np.min(grid.z)):.4g} to {float(np.max(grid.z)):.4g} on the "
            f"{len(grid.xs)}×{len(grid.ys)} grid; at step {k} the run is {where} at "
            f"f = {float(path.losses[k]):.4g}.")


def landscape_summary(land, plane: str) -> str:
    """The landscape contour's text alternative: the loss at θ* and over the plane."""
    a, b = land.alphas, land.betas
    text = (f"Loss of the trained MLP on the {plane} plane through θ* (★), "
            f"{float(a.min()):g} ≤ a ≤ {float(a.max()):g}, {float(b.min()):g} ≤ b ≤ "
            f"{float(b.max()):g}, as a contour of log₁₀ loss: "
            f"{land.center_loss:.3g} at θ*, from {float(land.loss.min()):.3g} to "
            f"{float(land.loss.max()):.3g} over the {len(a)}×{len(b)} grid")
    if len(land.path):
        text += (f"; the training path starts at loss {float(land.path_loss[0]):.3g} and ends "
                 f"at {float(land.path_loss[-1]):.3g}")
    return text + "."


def landscape_surface_summary(land) -> str:
    """The landscape's 3-D chart's text alternative: where the loss is lowest and highest."""
    low = np.unravel_index(np.argmin(land.loss), land.loss.shape)  # (j, i): (b, a)
    return (f"The same log₁₀ loss as a 3-D surface: lowest {float(land.loss[low]):.3g} at "
            f"a = {float(land.alphas[low[1]]):.3g}, b = {float(land.betas[low[0]]):.3g}; "
            f"highest {float(land.loss.max()):.3g}.")
