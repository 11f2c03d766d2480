"""The Loss-surfaces page's settings: one table, from which come its widgets, its URL and
the tests' domain sweeps (dlviz.settings). An objective brings its own start and preset, so
those defaults depend on the objective (and, for the quadratic, on its condition number)."""

from __future__ import annotations

from dlviz import landscape, optim, surfaces
from dlviz import settings as cfg

KAPPAS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)  # condition numbers offered


def surface_of(known) -> surfaces.Surface:
    """The objective the earlier settings name."""
    return surfaces.get(known["f"], condition=float(known.get("kappa", 10)))


def _domain(i: int, end: int):
    return lambda k: surface_of(k).domain[min(i, surface_of(k).dim - 1)][end]


SETTINGS = cfg.Table((
    cfg.Choice("f", "Objective", "course", options=tuple(surfaces.SURFACES),
               labels={n: s.title for n, s in surfaces.SURFACES.items()}),
    cfg.Choice("kappa", "Condition number κ", 10, options=KAPPAS, widget="select_slider",
               when=lambda k: k["f"] == "quadratic"),
    cfg.Number("x0", "Start x", lambda k: surface_of(k).start[0], "Or click on the chart.",
               lo=_domain(0, 0), hi=_domain(0, 1), step=0.05, widget="number",
               format="%.3f"),
    cfg.Number("y0", "Start y", lambda k: surface_of(k).start[-1], "Or click on the chart.",
               when=lambda k: surface_of(k).dim == 2, lo=_domain(1, 0), hi=_domain(1, 1),
               step=0.05, widget="number", format="%.3f"),
    cfg.Choice("opt", "torch.optim", lambda k: surface_of(k).preset.optimizer,
               options=tuple(optim.OPTIMIZERS),
               labels={k: c.__name__ for k, c in optim.OPTIMIZERS.items()}),
    cfg.Number("lr", "Learning rate", lambda k: surface_of(k).preset.lr, lo=1e-5, hi=10.0,
               step=0.001, widget="number", format="%.5g"),
    cfg.Number("mom", "Momentum", lambda k: surface_of(k).preset.momentum, lo=0.0, hi=0.999,
               step=0.001),
    cfg.Flag("nest", "Nesterov", False, widget="checkbox"),
    cfg.Number("steps", "Steps", lambda k: surface_of(k).preset.steps, lo=1, hi=2000,
               step=10, integer=True, widget="number"),
    # a 1-D curve has its own fixed sampling: no (disabled, grey 2.9:1) widget for it there
    cfg.Number("grid", "Grid points per axis", 61, lo=21, hi=201, step=10, integer=True,
               when=lambda k: surface_of(k).dim == 2),
    # the player's frame: the charts show the run up to this step (all of it by default)
    cfg.Number("step", "Step", lambda k: k["steps"], "The charts show the run up to this step.",
               lo=0, hi=lambda k: k["steps"], integer=True),
    cfg.Choice("plane", "Plane", "random", options=tuple(landscape.PLANES), widget="segmented"),
    cfg.Number("lres", "Grid points per axis", 41, "Of the loss landscape.", lo=11, hi=51,
               step=2, integer=True),
    cfg.seed(),
), name="SurfacesSettings")
