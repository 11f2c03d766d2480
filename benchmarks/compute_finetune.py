"""Compute cases of the fine-tuning page at its defaults, for `python -m benchmarks.compute`.

"fine_tune" is one run at the defaults including the pretraining (what an outside caller
pays); the page pretrains once per process (the published model, the same for every seed), so
a new seed there costs "compare" and "init_train_curves". The "_30" cases are thirty sessions'
seeds arriving together: one stacked computation (`compare_many`, `train_curves_many`), against
"_30_one_by_one", the same thirty seeds one call after another.
"""

from __future__ import annotations

from collections.abc import Callable

from dlviz import finetune as ft
from dlviz import init_schemes as ini

_PRETRAINED: list[ft.Pretrained] = []
_SEEDS = list(range(1, 31))
_SETTINGS = {k: v for k, v in ft.DEFAULTS.items() if k != "seed"}


def _pretrained() -> ft.Pretrained:
    if not _PRETRAINED:
        _PRETRAINED.append(ft.pretrain())
    return _PRETRAINED[0]


CASES: dict[str, Callable[[], object]] = {
    "pretrain": lambda: ft.pretrain(),
    "fine_tune": lambda: ft.fine_tune(**ft.DEFAULTS),
    "fine_tune_pretrained": lambda: ft.fine_tune(**ft.DEFAULTS, pretrained=_pretrained()),
    "compare": lambda: ft.compare(**ft.DEFAULTS, pretrained=_pretrained()),
    "compare_30": lambda: ft.compare_many(_SEEDS, **_SETTINGS, pretrained=_pretrained()),
    "compare_30_one_by_one": lambda: [ft.compare(**_SETTINGS, seed=s, pretrained=_pretrained())
                                      for s in _SEEDS],
    "init_train_curves": lambda: ini.train_curves(seed=0),
    "init_train_curves_30": lambda: ini.train_curves_many(_SEEDS),
    "init_train_curves_30_one_by_one": lambda: [ini.train_curves(seed=s) for s in _SEEDS],
    "init_activation_std": lambda: ini.activation_std(depth=10, seed=0),
    "init_histograms": lambda: ini.weight_histograms("default", seed=0),
}
