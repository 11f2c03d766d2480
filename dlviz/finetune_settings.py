"""The Freezing & fine-tuning page's settings: one table, from which come its widgets, its URL
and the tests' domain sweeps (dlviz.settings). The frozen layers are chosen either as "the
first k" (one slider) or layer by layer (one toggle each): each mode's settings exist only in
that mode."""

from __future__ import annotations

from dlviz import finetune as ft
from dlviz import init_schemes as ini
from dlviz import settings as cfg

LRS = (0.001, 0.003, 0.01, 0.03, 0.1)
MODES = ("first k", "per layer")
EPOCHS_MAX = 40  # a cold run at the caps (pretraining and every init included) stays ≤ 2 s
DEPTH_MAX = 30


def frozen_of(s) -> tuple[bool, ...]:
    """Which Linear layers the settings freeze, in either mode."""
    if s.mode == "first k":
        return ft.frozen_mask(int(s.k))
    return tuple(bool(s[f"f{i + 1}"]) for i in range(ft.N_LAYERS))


SETTINGS = cfg.Table((
    cfg.Choice("mode", "Freeze by", "first k", options=MODES, widget="segmented"),
    cfg.Number("k", "Freeze the first k Linear layers", ft.DEFAULTS["frozen_layers"], lo=0,
               hi=ft.N_LAYERS, step=1, integer=True, when=lambda k: k["mode"] == "first k"),
    *(cfg.Flag(f"f{i + 1}", f"Freeze {label}", i < ft.DEFAULTS["frozen_layers"],
               when=lambda k: k["mode"] == "per layer")
      for i, label in enumerate(ft.layer_labels())),
    cfg.Choice("lr", "Learning rate", ft.DEFAULTS["lr"], options=LRS,
               labels=lambda v: f"{v:g}", widget="select_slider"),
    cfg.Number("epochs", "Epochs (same budget for every run)", ft.DEFAULTS["epochs"], lo=5,
               hi=EPOCHS_MAX, step=5, integer=True),
    cfg.seed(default=ft.DEFAULTS["seed"]),
    cfg.Choice("init", "Scheme", "default", " · ".join(
        f"{k}: {label}" for k, (label, _) in ini.SCHEMES.items()), options=tuple(ini.SCHEMES)),
    cfg.Number("sigma", "σ of normal(0, σ)", ini.SIGMA_DEFAULT, lo=0.01, hi=1.0, step=0.01),
    cfg.Number("const", "c of constant", ini.CONSTANT_DEFAULT, lo=-0.5, hi=0.5, step=0.05),
    cfg.Number("depth", "Depth of the deep MLP", 10, lo=2, hi=DEPTH_MAX, step=1, integer=True),
), name="FinetuneSettings")
