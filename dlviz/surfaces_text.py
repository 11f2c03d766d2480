"""The Loss-surfaces page's prose: what each section says, filled with its numbers."""

from __future__ import annotations

from dlviz import optim

CONVEXITY = (
    "**Convex** (one minimum, like the bowls and the regression MSE): a small enough "
    "learning rate reaches the minimum from any start. **Non-convex** (several minima, like "
    "the course's x⁴ + x³ − 5x²): where the run ends depends on the start, the learning rate "
    "and the momentum.")

HOW = (
    "Every point of the path is a real `torch.optim` step on a float64 tensor; the gradient "
    "is `loss.backward()`. ★ marks a global minimum, ○ a local one. A run *diverges* when a "
    f"coordinate exceeds {optim.COORD_BOUND:g} in size, the loss exceeds {optim.LOSS_BOUND:g}, "
    "or either stops being finite; the path stops at the last finite step. Play the animation "
    "under the chart, or drag its slider, to step through the run.")


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
