"""Compute cost of the Hyperparameter search page (discovered by `python -m benchmarks.compute`).

Each case is one cold page state: both methods' trials trained as one batch; the class cases
are thirty sessions' own seeds coalesced into one `search_many` (figures not included).
"""

from __future__ import annotations

from collections.abc import Callable

from dlviz import hparam_search as hs
from dlviz import hparam_search_plots as plots

CLASS = list(range(30))  # thirty students, each with their own seed


def _page_state(trials: int, epochs: int) -> Callable[[], object]:
    def run():
        result = hs.search(trials=trials, epochs=epochs, seed=0)
        return plots.plane_figure(result), plots.projections_figure(result)
    return run


CASES: dict[str, Callable[[], object]] = {
    "hparam_search default (2 × 16 trials, 40 epochs)": _page_state(16, 40),
    "hparam_search largest (2 × 64 trials, 50 epochs)": _page_state(64, 50),
    "hparam_search default, 30 seeds at once": lambda: hs.search_many(CLASS, trials=16,
                                                                       epochs=40),
}
