"""The Hyperparameter-search page's settings: the budget, the epochs per trial and the seed
(one table for its widgets, its URL and the tests' domain sweeps; dlviz.settings)."""

from __future__ import annotations

from dlviz import hparam_search as hs
from dlviz import settings as cfg

SETTINGS = cfg.Table((
    cfg.Choice("trials", "Trials per method (the budget)", 16, options=hs.BUDGETS,
               help="Both methods train this many models. Squares, so the grid is k × k.",
               widget="select_slider"),
    cfg.Number("epochs", "Epochs per trial", 40, lo=hs.EPOCH_BOUNDS[0], hi=hs.EPOCH_BOUNDS[1],
               step=5, integer=True,
               help="Each epoch is 5 mini-batches of 20 from 100 training points."),
    cfg.seed(),
), name="HparamSearchSettings")
