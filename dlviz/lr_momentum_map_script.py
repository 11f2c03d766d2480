"""The lr × momentum map's "Reproduce in PyTorch" script: one torch.optim.SGD run per cell.

The page sweeps all cells as one batched tensor (`lr_momentum_map`); the script runs them one
by one, each a plain single-parameter torch.optim.SGD loop with the engine's divergence
bounds, and prints the numbers the page shows: how many cells diverged or converged, the
fastest cell, and the final loss and steps to converge of a few named cells.
"""

from __future__ import annotations

import numpy as np

from dlviz.lr_momentum_map import CONVERGED, MOMENTUM_STEP, LrMomentumMap
from dlviz.lr_momentum_script import FORMULAS
from dlviz.reproduce import literal


def shown_cells(the_map: LrMomentumMap) -> list[tuple[int, int]]:
    """The (lr index, momentum index) of the cells whose numbers are printed: the smallest
    lr without momentum, the middle lr without and with μ = 0.9, the largest lr and μ."""
    n_lr, n_mom = len(the_map.lrs), len(the_map.momentums)
    mid, heavy = n_lr // 2, int(np.argmin(np.abs(the_map.momentums - 0.9)))
    return list(dict.fromkeys([(0, 0), (mid, 0), (mid, heavy), (n_lr - 1, n_mom - 1)]))


def _label(lr: float, momentum: float) -> str:
    return f"lr {lr:g}, momentum {momentum:g}"


_TEMPLATE = '''\
# dlviz · Learning rate & momentum: the lr × momentum map, one torch.optim.SGD run per cell.
import torch

torch.set_default_dtype(torch.float64)
KAPPA = {kappa}  # condition number (the "quadratic" bowl only)


def f(w):
    x, y = w[0], w[-1]  # a 1-D objective uses x only
    return {formula}


START, STEPS = {start}, {steps}
# {n_lr} learning rates, log-spaced from 10^{lo} to 10^{hi}, each rounded to 2 significant digits
LRS = {lrs}
MOMENTUMS = [round({mom_step} * j, 6) for j in range({n_mom})]
F_STAR = {f_star}  # the global minimum's loss (None: the objective lists none)
CONVERGED = {converged}  # converged: loss - f* <= CONVERGED * (f(start) - f*) to the end
SHOWN = {shown}  # (lr, momentum) of the cells printed below


def sgd_run(lr, momentum):
    """STEPS steps of SGD (v <- momentum*v + g; w <- w - lr*v): the losses up to the last
    finite step, and whether the run diverged."""
    w = torch.tensor(START, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
    losses = []
    for step in range(STEPS + 1):
        opt.zero_grad()
        loss = f(w)
        # diverged: a coordinate beyond 1e6 or |loss| beyond 1e12 (NaN fails every <=)
        if not (w.detach().abs().max().item() <= 1e6 and abs(loss.item()) <= 1e12):
            return losses, True
        losses.append(loss.item())
        if step == STEPS:
            break
        loss.backward()
        opt.step()
    return losses, False


def steps_to_converge(losses):
    """The first step from which every loss is within the tolerance of f*; -1 if none."""
    if F_STAR is None:
        return -1
    tolerance = CONVERGED * max(abs(f(torch.tensor(START)).item() - F_STAR), 1e-12)
    k = len(losses)
    while k > 0 and losses[k - 1] - F_STAR <= tolerance:
        k -= 1
    return k if k < len(losses) else -1


cells = {{}}  # (lr, momentum) -> (final loss, diverged, steps to converge)
for lr in LRS:  # {cells} short runs: seconds at 10 steps, about a minute at 300
    for momentum in MOMENTUMS:
        losses, diverged = sgd_run(lr, momentum)
        cells[lr, momentum] = (losses[-1], diverged, -1 if diverged else steps_to_converge(losses))

print("cells:", len(cells))
print("diverged cells:", sum(diverged for _, diverged, _ in cells.values()))
print("converged cells:", sum(steps >= 0 for _, _, steps in cells.values()))
converged = [(steps, lr, momentum) for (lr, momentum), (_, _, steps) in cells.items()
             if steps >= 0]
if converged:
    steps, lr, momentum = min(converged)  # ties: the smallest lr, then the smallest momentum
    print("fastest to converge (lr, momentum, steps):", f"{{lr:g}} {{momentum:g}} {{steps}}")
for lr, momentum in SHOWN:
    loss, diverged, steps = cells[lr, momentum]
    print(f"lr {{lr:g}}, momentum {{momentum:g}} final loss:", f"{{loss:.6g}}")
    print(f"lr {{lr:g}}, momentum {{momentum:g}} steps to converge:", steps)
'''


def script(the_map: LrMomentumMap, *, lr_decades: tuple[int, int],
           condition: float | None = None) -> str:
    """A self-contained script printing the same lines as `prints(the_map)`."""
    if the_map.surface not in FORMULAS:
        raise ValueError(f"no script formula for {the_map.surface!r}")
    shown = [(float(the_map.lrs[i]), float(the_map.momentums[j]))
             for i, j in shown_cells(the_map)]
    return _TEMPLATE.format(
        kappa=literal(float(condition if condition is not None else 10.0)),
        formula=FORMULAS[the_map.surface], start=literal([float(v) for v in the_map.start]),
        steps=literal(int(the_map.steps)), n_lr=len(the_map.lrs), lo=int(lr_decades[0]),
        hi=int(lr_decades[1]), lrs=literal([float(v) for v in the_map.lrs]),
        mom_step=literal(MOMENTUM_STEP), n_mom=len(the_map.momentums),
        f_star=literal(None if the_map.f_star is None else float(the_map.f_star)),
        converged=literal(CONVERGED), shown=literal(shown),
        cells=len(the_map.lrs) * len(the_map.momentums))


def prints(the_map: LrMomentumMap) -> dict[str, int | list[float]]:
    """What the script prints, from the page's own map."""
    out: dict[str, int | list[float]] = {
        "cells": int(the_map.diverged.size),
        "diverged cells": int(the_map.diverged.sum()),
        "converged cells": int((the_map.steps_to_converge >= 0).sum()),
    }
    conv = the_map.steps_to_converge  # (n_lr, n_mom), −1: not converged
    if (conv >= 0).any():  # the first fewest-steps cell in (lr, momentum) order
        i, j = np.unravel_index(np.argmin(np.where(conv >= 0, conv, conv.max() + 1)), conv.shape)
        out["fastest to converge (lr, momentum, steps)"] = [
            float(the_map.lrs[i]), float(the_map.momentums[j]), int(conv[i, j])]
    for i, j in shown_cells(the_map):
        label = _label(float(the_map.lrs[i]), float(the_map.momentums[j]))
        out[f"{label} final loss"] = [float(the_map.final_loss[i, j])]
        out[f"{label} steps to converge"] = int(the_map.steps_to_converge[i, j])
    return out
