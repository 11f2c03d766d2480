"""The lr × momentum map: final loss and steps to converge for a whole grid of SGD settings.

One `dlviz.optim.sweep` call runs every cell at once (heavy-ball SGD in PyTorch's form,
v ← μ·v + g; w ← w − lr·v). The sweep keeps only final values; to also get the steps to
converge, the objective handed to it records the batch's loss at every evaluation (the sweep
evaluates the whole batch exactly once per step), so every number is still the sweep's own.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dlviz import optim
from dlviz.lr_momentum import LR_MAX, LR_MIN, snap_lr, surface_for

CELLS = 40  # the map is CELLS × CELLS
MOMENTUM_STEP = 0.025  # momentum rows 0, 0.025, …, 0.975
MAP_STEPS_MAX = 300  # the map stops here: a cold run at the caps stays ≤ 2 s (benchmarks.caps)
CONVERGED = 1e-4  # converged: loss − f* ≤ CONVERGED · (f(start) − f*) from then on
METRICS = {"final": "final loss", "steps": "steps to converge"}


@dataclass(frozen=True)
class LrMomentumMap:
    surface: str
    start: tuple[float, ...]  # (dim,)
    steps: int
    lrs: np.ndarray  # (n_lr,) log-spaced, each a 2-significant-digit lr slider stop
    momentums: np.ndarray  # (n_mom,)
    final_loss: np.ndarray  # (n_lr, n_mom) the sweep's loss after `steps` (last finite)
    gap: np.ndarray  # (n_lr, n_mom) final_loss − f* (f* = global minimum's loss, else 0)
    diverged: np.ndarray  # (n_lr, n_mom) bool
    steps_to_converge: np.ndarray  # (n_lr, n_mom) int, −1 where not converged by `steps`
    f_star: float | None  # the global minimum's loss


def map_lrs(lo_decade: int, hi_decade: int, cells: int = CELLS) -> np.ndarray:
    """`cells` log-spaced lrs from 10^lo to 10^hi, each snapped to a slider stop (distinct)."""
    if not hi_decade - lo_decade >= 2:
        raise ValueError("the map's lr range must span at least two decades")
    raw = np.logspace(lo_decade, hi_decade, cells)
    snapped = np.array([snap_lr(min(max(v, LR_MIN), LR_MAX)) for v in raw])
    if len(np.unique(snapped)) != cells:
        raise ValueError("lr range too narrow for the map's resolution")
    return snapped


def map_momentums(cells: int = CELLS) -> np.ndarray:
    return np.round(np.arange(cells) * MOMENTUM_STEP, 6)


def _recording(surface):
    """The surface with `fn` wrapped to keep every batch loss it returns: (calls, n)."""
    seen: list[torch.Tensor] = []

    def fn(p: torch.Tensor) -> torch.Tensor:
        loss = surface.fn(p)
        seen.append(loss.detach().clone())
        return loss

    return dataclasses.replace(surface, fn=fn), seen


def steps_to_converge(gaps: np.ndarray, scale: float) -> np.ndarray:
    """gaps: (steps + 1, n) loss − f* per step → (n,) first step from which every later gap
    is ≤ CONVERGED · scale, or −1 where the last one is not."""
    ok = gaps <= CONVERGED * scale  # (steps + 1, n)
    stays = np.flip(np.logical_and.accumulate(np.flip(ok, 0), 0), 0)  # ok from k to the end
    first = np.argmax(stays, 0)
    return np.where(stays[-1], first, -1)


def lr_momentum_map(f: str, *, start: Sequence[float], steps: int, lr_decades=(-4, 1),
                    condition: float | None = None, cells: int = CELLS,
                    progress: Callable[[float], None] | None = None) -> LrMomentumMap:
    """The sweep over map_lrs(*lr_decades) × map_momentums() for `steps` SGD steps."""
    if not 1 <= steps <= MAP_STEPS_MAX:
        raise ValueError(f"the map runs 1 to {MAP_STEPS_MAX} steps")
    surface = surface_for(f, condition)
    lrs, moms = map_lrs(*lr_decades, cells), map_momentums(cells)
    recorder, seen = _recording(surface)
    s = optim.sweep(recorder, start=tuple(start), lrs=lrs, momentums=moms, steps=steps,
                    optimizer="sgd", progress=progress)
    history = torch.stack(seen).numpy()  # (calls, n_lr · n_mom), row-major cells
    if len(history) < steps + 1:  # every run stopped early (all diverged): pad with the last
        history = np.concatenate([history, np.repeat(history[-1:], steps + 1 - len(history), 0)])
    f_star = min((m.value for m in surface.minima if m.kind == "global"), default=None)
    base = 0.0 if f_star is None else f_star
    scale = max(abs(surface.value(start) - base), 1e-12)
    conv = steps_to_converge(history[: steps + 1] - base, scale).reshape(len(lrs), len(moms))
    conv = np.where(s.diverged, -1, conv)
    if f_star is None:
        conv = np.full_like(conv, -1)
    return LrMomentumMap(f, tuple(float(v) for v in start), steps, lrs, moms, s.final_loss,
                         s.final_loss - base, s.diverged, conv, f_star)


def cell_from_selection(selection: Mapping | None, lmap: LrMomentumMap) -> tuple[float, float]:
    """A click on the map (Streamlit's `on_select` state) → (lr, momentum) of that cell.

    The map's clickable layer is a scatter of cell centres at (log10 lr, momentum); the
    event is {"selection": {"points": [{"x": …, "y": …}, …]}}. The nearest cell to the first
    point wins. Raises LookupError when the event holds no usable point.
    """
    try:
        point = (selection or {}).get("selection", {}).get("points", [])[0]
        x, y = float(point["x"]), float(point["y"])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        raise LookupError("no cell selected") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise LookupError("no cell selected")
    i = int(np.argmin(np.abs(np.log10(lmap.lrs) - x)))
    j = int(np.argmin(np.abs(lmap.momentums - y)))
    return float(lmap.lrs[i]), float(lmap.momentums[j])
