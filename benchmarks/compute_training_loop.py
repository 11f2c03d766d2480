"""Compute benchmarks of the training-loop page at default settings (and its worst case)."""

from __future__ import annotations

from collections.abc import Callable

from dlviz import training_loop as tl

CASES: dict[str, Callable[[], object]] = {
    "train_many, 1 seed (everything the page computes)": lambda: tl.train_many([0]),
    "train_many, 30 seeds (a class's own seeds, coalesced)": lambda: tl.train_many(range(30)),
    "train (batch 8, 20 epochs)": lambda: tl.train(),
    "train without zero_grad": lambda: tl.train(zero_grad=False),
    "accumulate (k = 3)": lambda: tl.accumulate(),
    "compare updates (100 steps)": lambda: tl.compare_updates(),
    "train_many worst case (batch 2, 30 epochs, 960 steps), 1 seed": lambda: tl.train_many(
        [0], batch_size=2, lr=0.01, epochs=tl.MAX_EPOCHS),
    "train_many worst case, 30 seeds": lambda: tl.train_many(
        range(30), batch_size=2, lr=0.01, epochs=tl.MAX_EPOCHS),
}
