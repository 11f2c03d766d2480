"""Compute benchmarks of the loss-surface engine, at the page's default settings.

Discovered by `python -m benchmarks.compute`: each case is a zero-argument call.
Targets: the 40×40×100 SGD sweep ≤ 0.5 s; one 2000-step trace and the 41×41 Li et al.
landscape well under a second.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dlviz import optim, surfaces


def _sweep_40x40x100() -> optim.Sweep:
    return optim.sweep("rosenbrock", start=(-2.0, 2.0), lrs=np.geomspace(1e-5, 1e-2, 40),
                       momentums=np.linspace(0.0, 0.99, 40), steps=100)


def _trace_default() -> optim.Trace:
    s = surfaces.SURFACES["rosenbrock"]
    return optim.trace("rosenbrock", start=s.start, lr=1e-3, momentum=0.9, steps=2000)  # max


CASES: dict[str, Callable[[], object]] = {
    "surfaces.sweep_sgd_40x40x100": _sweep_40x40x100,
    "surfaces.trace_2000_steps": _trace_default,
}
