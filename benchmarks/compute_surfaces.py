"""Compute benchmarks of the loss-surface engine, at the page's default settings.

Discovered by `python -m benchmarks.compute`: each case is a zero-argument call.
Targets: the 40×40×100 SGD sweep ≤ 0.5 s; one 2000-step trace and the 41×41 Li et al.
landscape well under a second; a class of 30 new seeds' landscapes (one coalesced batch,
`landscape_many`) and their figures ≤ 1.5 s.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from dlviz import landscape, optim, surfaces, surfaces_plots, surfaces_view

torch.set_num_threads(1)  # as streamlit_app.py runs the server


def _sweep_40x40x100() -> optim.Sweep:
    return optim.sweep("rosenbrock", start=(-2.0, 2.0), lrs=np.geomspace(1e-5, 1e-2, 40),
                       momentums=np.linspace(0.0, 0.99, 40), steps=100)


def _trace_default() -> optim.Trace:
    s = surfaces.SURFACES["rosenbrock"]
    return optim.trace("rosenbrock", start=s.start, lr=1e-3, momentum=0.9, steps=2000)  # max


def _page_rosenbrock_cold() -> object:
    """What a cold page run computes at the Rosenbrock preset: trace, grid, both figures."""
    s = surfaces.SURFACES["rosenbrock"]
    p = s.preset
    t = optim.trace("rosenbrock", start=s.start, lr=p.lr, momentum=p.momentum, steps=p.steps)
    g = surfaces_view.grid(s, resolution=61)
    path = surfaces_view.path_view(s, t, g)
    return (surfaces_plots.contour_figure(s, g, path), surfaces_plots.surface_figure(s, g, path))


def _landscape_random_41() -> landscape.Landscape:
    return landscape.landscape(plane="random", resolution=41)


def _landscape_30_seeds() -> list[landscape.Landscape]:
    """What 30 students' own seeds cost as one coalesced batch: 30 MLPs trained stacked."""
    return landscape.landscape_many(list(range(101, 131)), plane="random", resolution=41)


def _landscape_30_seeds_and_figures() -> list:
    return [surfaces_plots.landscape_figure(r) for r in _landscape_30_seeds()]


def _landscape_grid_only_41() -> object:
    t = _TRAINED
    w = {k: v.detach() for k, v in t.model.named_parameters()}
    d1, d2 = landscape.random_direction(w, seed=1), landscape.random_direction(w, seed=2)
    grid = torch.linspace(-1, 1, 41, dtype=torch.float64)
    return landscape.grid_loss(t.model, t.x, t.y, d1, d2, grid, grid)


_TRAINED = landscape.train()

CASES: dict[str, Callable[[], object]] = {
    "surfaces.sweep_sgd_40x40x100": _sweep_40x40x100,
    "surfaces.trace_2000_steps": _trace_default,
    "surfaces.page_rosenbrock_trace_and_figures": _page_rosenbrock_cold,
    "surfaces.landscape_train_and_41x41": _landscape_random_41,
    "surfaces.landscape_41x41_grid_stacked": _landscape_grid_only_41,
    "surfaces.landscape_many_30_seeds_41x41": _landscape_30_seeds,
    "surfaces.landscape_many_30_seeds_and_figures": _landscape_30_seeds_and_figures,
}
