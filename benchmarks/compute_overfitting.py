"""Compute benchmarks of the Overfitting page (discovered by `python -m benchmarks.compute`)."""

from __future__ import annotations

from collections.abc import Callable

from dlviz import overfitting as of

CLASS = list(range(30))  # thirty students, each with their own seed

CASES: dict[str, Callable[[], object]] = {
    # the page's default state: 60 + 200 points, 64 × 3 MLP, 200 full-batch Adam epochs
    "overfitting_train_default": lambda: of.train(),
    # the most expensive state the widgets allow
    "overfitting_train_max": lambda: of.train(n_train=300, width=64, depth=4, dropout=0.5,
                                              weight_decay=0.1, epochs=250, jitter=0.3),
    # thirty sessions' own seeds at the defaults, coalesced into one batch
    "overfitting_train_many_default_30_seeds": lambda: of.train_many(CLASS),
    "overfitting_train_many_max_30_seeds": lambda: of.train_many(
        CLASS, n_train=300, width=64, depth=4, dropout=0.5, weight_decay=0.1, epochs=250,
        jitter=0.3),
    "overfitting_dropout_demo": lambda: of.dropout_demo(seed=15),
}
