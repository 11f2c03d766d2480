"""Snapshots of a playground network for its pictures: boundary, units, weights.

At up to FRAMES evenly spaced epochs (0 and the last included) a `Recorder` keeps, in eval
mode: P(class 1) on a GRID × GRID lattice of the square [−6, 6]² (the boundary heatmap),
every hidden unit's output on a UNIT_GRID × UNIT_GRID lattice (the units' small heatmaps, as
Playground's 10 × 10) and every weight and bias (the links' colour and width), as float32.

Sizes by measurement: plotly sends a float32 array as base64 inside JSON (≈ 7 bytes a value
with the escaping), so one 100 × 100 frame is 83 kB and the largest network's 48 unit maps
40 kB. As an animation of boundary + unit maps + weights for the largest network, 21 frames
are 2.63 MB at 100 × 100 but 1.36 MB at 50 × 50 (25 frames 1.61 MB, 30 frames 1.92 MB), which
leaves room under 2 MB for the data points and curves: GRID = 50, FRAMES = 21 (every 5th
epoch of the default 100).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlviz.playground_data import HALF

GRID = 50  # the boundary heatmap's points per side (Playground draws 100 × 100)
UNIT_GRID = 10  # each unit's heatmap (Playground's 10 × 10)
FRAMES = 21  # snapshots per run, at most (every 5th epoch of the default 100)


@dataclass(frozen=True)
class Frames:
    epoch: np.ndarray  # (F,) int, increasing: 0 first, the run's last recorded epoch last
    grid: np.ndarray  # (GRID,) float64 coordinates on [−HALF, HALF], for x1 and for x2
    prob: np.ndarray  # (F, GRID, GRID) float32 P(class 1); prob[f, i, j] at (grid[j], grid[i])
    unit_grid: np.ndarray  # (UNIT_GRID,) float64 coordinates of the units' heatmaps
    feature_maps: np.ndarray  # (k, UNIT_GRID, UNIT_GRID) float32, each input feature's value
    units: tuple[np.ndarray, ...]  # hidden layer l: (F, hidden[l], UNIT_GRID, UNIT_GRID)
    # float32, each unit's output after its activation (before dropout), laid out as prob
    weights: tuple[np.ndarray, ...]  # Linear layer l (the last is the output): (F, out, in)
    biases: tuple[np.ndarray, ...]  # Linear layer l: (F, out) float32


def schedule(epochs: int, frames: int = FRAMES) -> np.ndarray:
    """min(frames, epochs + 1) distinct epochs, evenly spaced over 0 … epochs. (F,) int."""
    if not 2 <= frames <= FRAMES:
        raise ValueError(f"frames must be an integer in [2, {FRAMES}], got {frames!r}")
    return np.unique(np.linspace(0, epochs, min(frames, epochs + 1)).round().astype(int))


def lattice(n: int) -> tuple[np.ndarray, torch.Tensor]:
    """n evenly spaced coordinates on [−HALF, HALF] (n,), and the (n·n, 2) float32 points,
    x1 varying fastest (row i of the picture is x2 = coords[i])."""
    coords = np.linspace(-HALF, HALF, n)
    xx, yy = np.meshgrid(coords, coords)
    return coords, torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=torch.float32)


def hidden_outputs(model: nn.Sequential, x: torch.Tensor) -> tuple[list[torch.Tensor],
                                                                     torch.Tensor]:
    """Walk the model on x (n, k): each hidden activation's output (n, units) and the logits
    (n,). Call in eval mode, under no_grad."""
    outputs, h = [], x
    for module in model:
        h = module(h)
        if not isinstance(module, (nn.Linear, nn.Dropout)):  # an activation (Identity too)
            outputs.append(h)
    return outputs, h.squeeze(1)


class Recorder:
    """Takes snapshots of `model` at the scheduled epochs; `result()` stacks them."""

    def __init__(self, features_of: Callable[[torch.Tensor], torch.Tensor], epochs: np.ndarray):
        """`features_of`: (n, 2) points → (n, k) the network's inputs; `epochs`: schedule."""
        self.grid, points = lattice(GRID)
        self.unit_grid, unit_points = lattice(UNIT_GRID)
        self.inputs = features_of(points)  # (GRID², k)
        self.unit_inputs = features_of(unit_points)  # (UNIT_GRID², k)
        self.wanted = set(int(e) for e in epochs)
        self.taken: list[tuple[int, np.ndarray, list, list]] = []

    @torch.no_grad()
    def take(self, model: nn.Sequential, epoch: int, *, force: bool = False) -> None:
        """Snapshot at `epoch` if it is scheduled (or `force`), once."""
        if not (force or epoch in self.wanted) or (self.taken and self.taken[-1][0] == epoch):
            return
        model.eval()
        prob = torch.sigmoid(model(self.inputs)).reshape(GRID, GRID).numpy()
        units, _ = hidden_outputs(model, self.unit_inputs)
        shape = (UNIT_GRID, UNIT_GRID)
        maps = [u.T.reshape(-1, *shape).numpy() for u in units]  # (units, 10, 10) each
        params = [p.detach().numpy().copy() for p in model.parameters()]
        self.taken.append((epoch, prob, maps, params))

    def result(self) -> Frames:
        epochs, probs, maps, params = zip(*self.taken, strict=True)
        shape = (-1, UNIT_GRID, UNIT_GRID)
        return Frames(
            epoch=np.array(epochs), grid=self.grid, prob=np.stack(probs),
            unit_grid=self.unit_grid,
            feature_maps=self.unit_inputs.T.reshape(shape).numpy().copy(),
            units=tuple(np.stack(layer) for layer in zip(*maps, strict=True)),
            weights=tuple(np.stack(layer) for layer in zip(*(p[0::2] for p in params),
                                                            strict=True)),
            biases=tuple(np.stack(layer) for layer in zip(*(p[1::2] for p in params),
                                                           strict=True)),
        )
