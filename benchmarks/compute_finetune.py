"""Compute cases of the fine-tuning page at its defaults, for `python -m benchmarks.compute`.

"fine_tune" is one run at the defaults including its own pretraining (what an outside caller
pays); the page caches the pretraining, so a settings change there costs "compare".
"""

from __future__ import annotations

from collections.abc import Callable

from dlviz import finetune as ft
from dlviz import init_schemes as ini

_PRETRAINED: list[ft.Pretrained] = []


def _pretrained() -> ft.Pretrained:
    if not _PRETRAINED:
        _PRETRAINED.append(ft.pretrain(seed=0))
    return _PRETRAINED[0]


CASES: dict[str, Callable[[], object]] = {
    "pretrain": lambda: ft.pretrain(seed=0),
    "fine_tune": lambda: ft.fine_tune(**ft.DEFAULTS),
    "fine_tune_pretrained": lambda: ft.fine_tune(**ft.DEFAULTS, pretrained=_pretrained()),
    "compare": lambda: ft.compare(**ft.DEFAULTS, pretrained=_pretrained()),
    "init_train_curves": lambda: ini.train_curves(seed=0),
    "init_activation_std": lambda: ini.activation_std(depth=10, seed=0),
    "init_histograms": lambda: ini.weight_histograms("default", seed=0),
}
