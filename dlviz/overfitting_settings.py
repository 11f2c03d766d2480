"""The Overfitting page's settings: the data, the model, the training and the two seeds (one
table for its widgets, its URL and the tests' domain sweeps; dlviz.settings). Bounds come
from `dlviz.overfitting.BOUNDS`, the one place they are set."""

from __future__ import annotations

from dlviz import overfitting as of
from dlviz import settings as cfg

# Setting key (short: it is a URL parameter) → `of.train` keyword.
TRAIN_ARGS = {"data": "dataset", "n": "n_train", "noise": "noise", "aug": "jitter",
              "width": "width", "depth": "depth", "p": "dropout", "wd": "weight_decay",
              "epochs": "epochs", "seed": "seed"}
SETUP = tuple(k for k in TRAIN_ARGS if k != "seed")  # what "Back to the setup" resets
DEMO_SEED = 15  # a seed whose four ReLU units are all active, so every mask shows


def _number(key: str, name: str, label: str, step: float | None = None, *,
            integer: bool = False, help: str | None = None) -> cfg.Number:
    lo, hi, default = of.BOUNDS[name]
    return cfg.Number(key, label, default, help, lo=lo, hi=hi, step=step, integer=integer)


SETTINGS = cfg.Table((
    cfg.Choice("data", "Data set", "moons", options=of.DATASETS, widget="segmented"),
    _number("n", "n_train", "Training points", 10, integer=True,
            help=f"Plus {of.N_VAL} validation points from the same distribution."),
    _number("noise", "noise", "Noise σ", 0.05),
    _number("aug", "jitter", "Augmentation jitter σ", 0.05,
            help="Each epoch the training points move by fresh Gaussian noise."),
    cfg.Choice("width", "Width (units per hidden layer)", 64, options=of.WIDTHS,
               widget="select_slider"),
    _number("depth", "depth", "Depth (hidden layers)", 1, integer=True),
    _number("p", "dropout", "Dropout p", 0.05, help="After every hidden ReLU."),
    cfg.Choice("wd", "Weight decay", 0.0, options=of.WEIGHT_DECAYS, widget="select_slider"),
    _number("epochs", "epochs", "Epochs", 10, integer=True,
            help=f"Full batch: one Adam step (lr {of.LR:g}) per epoch."),
    cfg.seed(),
    cfg.seed("dseed", DEMO_SEED, label="Demo seed",
             help="New weights, input and masks: step it to call the model again with fresh "
                  "masks."),
), name="OverfittingSettings")


def train_args(s) -> dict:
    """`of.train`'s keywords from the settings; slider floats rounded to their steps' digits
    (0.15000000000000002 → 0.15), so equal settings share one cached run."""
    args = {name: s[key] for key, name in TRAIN_ARGS.items()}
    for name in ("noise", "jitter", "dropout"):
        args[name] = round(float(args[name]), 4)
    return args | {"weight_decay": float(args["weight_decay"])}
