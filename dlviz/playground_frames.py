"""Snapshots of a playground network for its pictures: boundary, units, weights.

At up to FRAMES evenly spaced epochs (0 and the last included) a `Recorder` keeps, for each
of a stack of networks (`playground_net.stack`), in eval mode: P(class 1) on a GRID × GRID
lattice of the square [−6, 6]² (the boundary heatmap), every hidden unit's output on a
UNIT_GRID × UNIT_GRID lattice (the units' small heatmaps, as Playground's 10 × 10) and every
weight and bias (the links' colour and width), as float32.

Sizes by measurement: plotly sends a float32 array as base64 inside JSON (≈ 7 bytes a value
with the escaping), so one 100 × 100 frame is 83 kB and the largest network's 48 unit maps
40 kB. As an animation of boundary + unit maps + weights for the largest network, 21 frames
are 2.63 MB at 100 × 100 but 1.36 MB at 50 × 50 (25 frames 1.61 MB, 30 frames 1.92 MB), which
leaves room under 2 MB for the data points and curves: GRID = 50, FRAMES = 21 (every 5th
epoch of the default 100).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from dlviz import playground_net as net
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


def lattice(n: int, dtype: torch.dtype = torch.float32) -> tuple[np.ndarray, torch.Tensor]:
    """n evenly spaced coordinates on [−HALF, HALF] (n,), and the (n·n, 2) points, x1
    varying fastest (row i of the picture is x2 = coords[i])."""
    coords = np.linspace(-HALF, HALF, n)
    xx, yy = np.meshgrid(coords, coords)
    return coords, torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=dtype)


class Recorder:
    """Snapshots of R stacked networks (`playground_net.stack`) at the scheduled epochs, one
    record per network; `result(i)` stacks network i's into its Frames."""

    def __init__(self, features: list[tuple[str, ...]], epochs: np.ndarray, activation: str,
                 pad_to: int = 1):
        """`features`: each network's input names (the same count); `epochs`: schedule;
        the lattice's points padded (with zeros) to a multiple of `pad_to`."""
        self.grid, points = lattice(GRID, net.STACK_DTYPE)
        self.unit_grid, unit_points = lattice(UNIT_GRID, net.STACK_DTYPE)
        both = torch.cat([points, unit_points])  # one pass for both kinds of map
        both = torch.cat([both, both.new_zeros(-len(both) % pad_to, 2)])
        self.unit_inputs = [net.feature_columns(unit_points, f).float() for f in features]
        self.inputs = torch.stack([net.feature_columns(both, f) for f in features])
        self.activation, self.wanted = activation, set(int(e) for e in epochs)
        self.taken: list[list[tuple]] = [[] for _ in features]

    def due(self, i: int, epoch: int, force: bool = False) -> bool:
        """Whether network i takes a snapshot at `epoch` (scheduled, or `force`; once)."""
        taken = self.taken[i]
        return (force or epoch in self.wanted) and not (taken and taken[-1][0] == epoch)

    @torch.no_grad()
    def take(self, params: list[torch.Tensor], lanes: list[int], epoch: int) -> None:
        """Snapshot networks `lanes` at `epoch`; `params` stacks either every network or
        exactly those."""
        whole = len(params[0]) == len(self.inputs)
        inputs = self.inputs if whole else self.inputs[lanes]
        units, logits = net.stacked_forward(params, inputs, self.activation)
        n, shape = GRID * GRID, (len(inputs), -1, UNIT_GRID, UNIT_GRID)
        prob = torch.sigmoid(logits)[:, :n].reshape(-1, GRID, GRID).float().numpy()
        maps = [u[:, n:n + UNIT_GRID * UNIT_GRID].transpose(1, 2).reshape(shape).float().numpy()
                for u in units]  # (networks, units, 10, 10) each
        weights = [p.detach().transpose(1, 2).float().numpy() for p in params[0::2]]
        biases = [p.detach()[:, 0].float().numpy() for p in params[1::2]]
        for row, i in zip(lanes if whole else range(len(lanes)), lanes, strict=True):
            self.taken[i].append((epoch, prob[row], [m[row] for m in maps],
                                  [w[row] for w in weights], [b[row] for b in biases]))

    def result(self, i: int) -> Frames:
        epochs, probs, maps, weights, biases = zip(*self.taken[i], strict=True)
        return Frames(
            epoch=np.array(epochs), grid=self.grid, prob=np.stack(probs),
            unit_grid=self.unit_grid,
            feature_maps=self.unit_inputs[i].T.reshape(-1, UNIT_GRID, UNIT_GRID).numpy().copy(),
            units=tuple(np.stack(layer) for layer in zip(*maps, strict=True)),
            weights=tuple(np.stack(layer) for layer in zip(*weights, strict=True)),
            biases=tuple(np.stack(layer) for layer in zip(*biases, strict=True)))
