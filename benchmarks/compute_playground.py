"""Compute benchmarks of the Network playground (discovered by `python -m benchmarks.compute`)."""

from __future__ import annotations

from collections.abc import Callable

from dlviz import playground as pg
from dlviz import playground_net as net

DATA = ("circle", 0.0, 0.5, ())  # the page's default data: (dataset, noise, train share, points)
LARGEST = net.NetSpec(features=tuple(net.FEATURES), hidden=(net.MAX_UNITS,) * net.MAX_LAYERS,
                      dropout=0.5, optimizer="adam", lr=0.01, batch_size=8, epochs=76,
                      regularization="l1", reg_rate=0.01)  # 76 epochs × 52 batches ≈ MAX_STEPS
POINTS = tuple((i / 10 - 2.5, i % 7 - 3.0, i % 2) for i in range(50))

CASES: dict[str, Callable[[], object]] = {
    # everything a default page computes: the run (2000 steps) and its one-batch check
    "page_many, 1 seed (defaults)": lambda: pg.page_many([0], data=DATA, first=pg.DEFAULT),
    "page_many, 30 seeds (a class's own seeds, coalesced)": lambda: pg.page_many(
        range(30), data=DATA, first=pg.DEFAULT),
    "page_many, largest network at the caps, 1 seed": lambda: pg.page_many(
        [0], data=("circle", 0.0, 0.9, POINTS), first=LARGEST),
}
CASES["train_many, second network (x1, x2, x1x2), 1 seed"] = lambda: pg.train_many(
    [0], data=DATA, spec=net.NetSpec(features=("x1", "x2", "x1x2")))
