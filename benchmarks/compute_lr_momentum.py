"""Compute benchmarks of the Learning rate & momentum page, at its default settings.

Discovered by `python -m benchmarks.compute`: each case is a zero-argument call.
Targets: the 40×40 map at its default size ≤ 0.5 s; the runs and the theory well under it;
30 students' own seeds with gradient noise (one coalesced batch, `compare_many`) and their
figures ≤ 1.5 s.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from dlviz import lr_momentum, lr_momentum_map, lr_momentum_plots, lr_momentum_theory
from dlviz.lr_momentum_presets import PRESETS

torch.set_num_threads(1)  # as streamlit_app.py runs the server

_DEFAULT = PRESETS["course_lr"]


def _runs_default() -> lr_momentum.Comparison:
    return lr_momentum.compare(_DEFAULT.surface, runs=_DEFAULT.runs, start=_DEFAULT.start)


def _runs_30_seeds_noisy() -> list[lr_momentum.Comparison]:
    """30 students' own seeds at the default preset with noise σ = 0.5, as one batch."""
    return lr_momentum.compare_many(list(range(101, 131)), f=_DEFAULT.surface,
                                    runs=_DEFAULT.runs, start=_DEFAULT.start, noise_std=0.5)


def _runs_30_seeds_noisy_and_figures() -> list:
    land = lr_momentum.landscape(_DEFAULT.surface)
    minima = lr_momentum.surface_for(_DEFAULT.surface).minima
    return [(lr_momentum_plots.paths_figure(c, land, minima=minima),
             lr_momentum_plots.curves_figure(c)) for c in _runs_30_seeds_noisy()]


def _map_default() -> lr_momentum_map.LrMomentumMap:
    return lr_momentum_map.lr_momentum_map(_DEFAULT.surface, start=_DEFAULT.start, steps=10,
                                           lr_decades=_DEFAULT.map_decades)


def _map_40x40x100() -> lr_momentum_map.LrMomentumMap:
    """The same map at the engine's reference size: 100 steps, with steps-to-converge."""
    return lr_momentum_map.lr_momentum_map("d2l_quadratic", start=(-5.0, -2.0), steps=100)


def _theory_quadratic() -> lr_momentum_theory.Theory | None:
    return lr_momentum_theory.theory("quadratic", condition=100.0)


CASES: dict[str, Callable[[], object]] = {
    "lr_momentum runs (course, 3 runs)": _runs_default,
    "lr_momentum runs, 30 seeds σ=0.5 (one batch)": _runs_30_seeds_noisy,
    "lr_momentum runs and figures, 30 seeds σ=0.5": _runs_30_seeds_noisy_and_figures,
    "lr_momentum map 40×40 default (10 steps)": _map_default,
    "lr_momentum map 40×40×100": _map_40x40x100,
    "lr_momentum theory κ=100 (300-step measured rate)": _theory_quadratic,
}
