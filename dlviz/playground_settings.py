"""The Network playground's settings: one table, from which come its widgets, its URL and the
tests' domain sweeps (dlviz.settings), as TensorFlow Playground's `state.ts`.

The preset comes first, and every setting a lesson fixes takes its default from it (the
"none" preset holds Playground's defaults): `?preset=<title>` is that lesson, and whatever
else a link sets wins over it. Noise and the training share are percents, as Playground's
URL has them. The student's own points are text ("x1,x2,class; …"), so a click on the
boundary puts them in the URL too.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, replace

from dlviz import playground_data as pdata
from dlviz import playground_net as net
from dlviz import playground_presets as presets
from dlviz import settings as cfg
from dlviz.playground_frames import FRAMES
from dlviz.playground_net import NetSpec

DATASETS = {"circle": "Circle", "xor": "XOR", "gauss": "Two Gaussians", "spiral": "Spiral",
            "moons": "Moons"}
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1_sq": "x₁²", "x2_sq": "x₂²", "x1x2": "x₁x₂",
                  "sin_x1": "sin x₁", "sin_x2": "sin x₂"}
ACTIVATIONS = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "linear"}
OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam"}
REGULARIZATIONS = {"none": "none", "l1": "L1", "l2": "L2"}
CLASSES = {0: "class 0 (orange)", 1: "class 1 (blue)"}
PRESET_TITLES = {"none": "None", **{k: p.title for k, p in presets.PRESETS.items()}}
UNIT_DEFAULTS = (4, 2, 4, 4, 4, 4)  # Playground's [4, 2], then 4 per added layer
SECOND_FEATURES = ("x1", "x2", "x1x2")  # side by side: with and without the x₁x₂ cross
RATE_DEFAULT = 0.01  # L1/L2 picked by hand (Playground starts at 0, which does nothing)
POINT_DECIMALS = 2  # a student point's coordinates, as the URL keeps them
POINTS_CHARS = 800  # MAX_EXTRA points of "-5.55,-5.55,1; " fit
PRESET_KEYS = ("data", "noise", "train", "points", "feats", "layers",
               *(f"u{i}" for i in range(1, net.MAX_LAYERS + 1)), "act", "drop", "opt", "lr",
               "bs", "epochs", "reg", "rate", "frame")  # what picking a preset sets
MAIN = ("preset", "data", "layers")  # above the boundary, in the main area (a lecturer's)
SIDEBAR = (  # (heading, settings) in the sidebar's order; "frame" is the boundary's player
    ("Data", ("noise", "train", "seed", "cls", "points")),
    ("Network", ("feats", *(f"u{i}" for i in range(1, net.MAX_LAYERS + 1)), "act", "drop")),
    ("Training", ("opt", "lr", "bs", "epochs", "reg", "rate")),
    ("Compare", ("cmp", "feats2", "act2", "lr2")))
LR_LABELS = {v: f"{v:g}" for v in net.LEARNING_RATES}
RATE_LABELS = {v: f"{v:g}" for v in net.REG_RATES}


@functools.cache
def preset_state(key: str) -> dict:
    """The settings (by key) that make preset `key`; "none" is Playground's defaults."""
    p = presets.PRESETS.get(key)
    spec, dataset, noise = (p.spec, p.dataset, p.noise) if p else (NetSpec(), "circle", 0.0)
    units = {f"u{i}": spec.hidden[i - 1] if i <= len(spec.hidden) else UNIT_DEFAULTS[i - 1]
             for i in range(1, net.MAX_LAYERS + 1)}
    return {"data": dataset, "noise": round(100 * noise), "train": 50, "points": "",
            "feats": tuple(spec.features), "layers": len(spec.hidden), **units,
            "act": spec.activation, "drop": spec.dropout, "opt": spec.optimizer, "lr": spec.lr,
            "bs": spec.batch_size, "epochs": spec.epochs, "reg": spec.regularization,
            "rate": spec.reg_rate or RATE_DEFAULT}


def _preset(key: str):
    return lambda known: preset_state(known["preset"])[key]


# --- the student's points: "x1,x2,class; …" ------------------------------------------------

_SEPARATOR = re.compile(r"[;\n]+")
_FIELDS = re.compile(r"[,\s]+")


@dataclass(frozen=True)
class Points:
    points: tuple[tuple[float, float, int], ...]  # what could be read, at most MAX_EXTRA
    problem: str | None  # what could not, for the page; None if all of it was read


def _point(part: str) -> tuple[float, float, int] | str:
    """One "x1,x2,class" → the triple, or what is wrong with it."""
    fields = [f for f in _FIELDS.split(part.strip().strip("()[]")) if f]
    if len(fields) != 3:
        return "needs x₁, x₂ and a class"
    try:
        x1, x2, c = (float(f) for f in fields)
    except ValueError:
        return "holds something that is not a number"
    if not all(math.isfinite(v) for v in (x1, x2, c)):
        return "holds a number that is not finite"
    if not (abs(x1) <= pdata.HALF and abs(x2) <= pdata.HALF):
        return f"lies outside the square −{pdata.HALF:g} … {pdata.HALF:g}"
    if c not in (0, 1):
        return "has a class other than 0 or 1"
    return (round(x1, POINT_DECIMALS), round(x2, POINT_DECIMALS), int(c))


@functools.lru_cache(maxsize=64)
def parse_points(text: str) -> Points:
    """The student's points text → the points it names and one message about the rest."""
    read, bad = [], []
    for i, part in enumerate((p for p in _SEPARATOR.split(text) if p.strip()), start=1):
        got = _point(part)
        if isinstance(got, str):
            bad.append(f"point {i} “{part.strip()[:30]}” {got}")
        else:
            read.append(got)
    notes = bad[:3] + ([f"{len(bad) - 3} more could not be read"] if len(bad) > 3 else [])
    if len(read) > pdata.MAX_EXTRA:
        notes.append(f"only the first {pdata.MAX_EXTRA} of {len(read)} points are used")
        read = read[:pdata.MAX_EXTRA]
    if not notes:
        return Points(tuple(read), None)
    using = ("none of them is used" if not read else
             f"using the {len(read)} point{'s' * (len(read) > 1)} that could be read")
    return Points(tuple(read), "Your points: " + "; ".join(notes) + f". Meanwhile {using}; "
                  "write each point as x₁, x₂, class (e.g. 1.5, -2, 1).")


def format_points(points) -> str:
    """Points as the text box (and the URL) holds them: "1.5,-2,1; 0.3,4.1,0"."""
    return "; ".join(f"{x1:g},{x2:g},{int(c)}" for x1, x2, c in points)


def add_point(text: str, x1: float, x2: float, cls: int) -> str:
    """The points text with (x1, x2, cls) added; when MAX_EXTRA are there, the oldest goes."""
    old = parse_points(text).points
    new = (*old, (round(x1, POINT_DECIMALS), round(x2, POINT_DECIMALS), int(cls)))
    return format_points(new[-pdata.MAX_EXTRA:])


@functools.lru_cache(maxsize=16)
def _own_train(train_pct: int) -> int:
    """The generated points that train at this training share (the split of pdata.make)."""
    return len(pdata.make(dataset="xor", train_share=train_pct / 100, n=pdata.N_POINTS).x_train)


def n_train(known) -> int:
    """Training points: the generated share and the student's points."""
    return _own_train(int(known["train"])) + len(parse_points(known["points"]).points)


def epoch_cap(known) -> int:
    """The most epochs these settings may train (playground_net's step budget)."""
    return net.max_epochs(n_train=n_train(known), batch_size=int(known["bs"]))


def last_snapshot(known) -> int:
    """The last snapshot's index for these settings' epochs (`frame`'s default and top):
    playground_frames.schedule takes min(FRAMES, epochs + 1) snapshots."""
    return min(FRAMES, int(known["epochs"]) + 1) - 1


def _units(i: int) -> cfg.Number:
    return cfg.Number(f"u{i}", f"Layer {i} units", _preset(f"u{i}"), lo=1, hi=net.MAX_UNITS,
                      integer=True, when=lambda k, i=i: k["layers"] >= i)


SETTINGS = cfg.Table((
    cfg.Choice("preset", "Lesson", "none", "A classic TensorFlow Playground lesson: it sets "
               "the data and the network, and the page checks its claim.",
               options=tuple(PRESET_TITLES), labels=PRESET_TITLES),
    cfg.Choice("data", "Data set", _preset("data"), options=tuple(DATASETS), labels=DATASETS),
    cfg.Number("noise", "Noise (%)", _preset("noise"), "Circle and XOR: labels flip near the "
               "border; Gaussians and spiral: points spread.", lo=0, hi=50, step=5,
               integer=True),
    cfg.Number("train", "Training share (%)", _preset("train"), "The rest is the test set; "
               "the last 20 % of the training share is held out for validation.", lo=10,
               hi=90, step=10, integer=True),
    cfg.seed(help="Data, initial weights, dropout and batch order: the seed is in the URL."),
    cfg.Text("points", "Your points", _preset("points"), "x₁, x₂, class; … (class 0 or 1, "
             f"at most {pdata.MAX_EXTRA}), or click the boundary chart. They join the "
             "training set.", max_chars=POINTS_CHARS, widget="area",
             placeholder="1.5, -2, 1; 0.3, 4.1, 0", height=90),
    cfg.Choice("cls", "A click adds", 1, options=tuple(CLASSES), labels=CLASSES,
               widget="segmented"),
    cfg.Multi("feats", "Inputs", _preset("feats"), "At least one.",
              options=tuple(FEATURE_LABELS), labels=FEATURE_LABELS),
    cfg.Number("layers", "Hidden layers", _preset("layers"), "0: a linear model.", lo=0,
               hi=net.MAX_LAYERS, integer=True),
    *(_units(i) for i in range(1, net.MAX_LAYERS + 1)),
    cfg.Choice("act", "Activation", _preset("act"), options=tuple(ACTIVATIONS),
               labels=ACTIVATIONS),
    cfg.Number("drop", "Dropout p", _preset("drop"), "nn.Dropout after each hidden layer "
               "(training only).", lo=0.0, hi=net.MAX_DROPOUT, step=0.05),
    cfg.Choice("opt", "Optimizer", _preset("opt"), "torch.optim; momentum 0.9.",
               options=tuple(OPTIMIZERS), labels=OPTIMIZERS),
    cfg.Choice("lr", "Learning rate", _preset("lr"), options=net.LEARNING_RATES,
               labels=LR_LABELS, widget="select_slider"),
    cfg.Number("bs", "Batch size", _preset("bs"), lo=1, hi=net.MAX_BATCH, integer=True),
    cfg.Number("epochs", "Epochs", lambda k: min(preset_state(k["preset"])["epochs"],
                                                  epoch_cap(k)),
               f"At most {net.MAX_STEPS} optimizer steps: fewer epochs for small batches.",
               lo=1, hi=epoch_cap, integer=True),
    cfg.Choice("reg", "Regularization", _preset("reg"), "L1: a proximal step after each "
               "update (exact zeros); L2: weight_decay.", options=tuple(REGULARIZATIONS),
               labels=REGULARIZATIONS, widget="segmented"),
    cfg.Choice("rate", "Regularization rate", _preset("rate"), options=net.REG_RATES,
               labels=RATE_LABELS, widget="select_slider", when=lambda k: k["reg"] != "none"),
    cfg.Number("frame", "Snapshot (0: initial weights)", last_snapshot, "Snapshots evenly "
               f"spaced over the epochs (at most {FRAMES}); the chart's title names the "
               "epoch. Arrow keys step, ▶ Play animates.", lo=0, hi=last_snapshot,
               integer=True),
    cfg.Flag("cmp", "Side by side", False, "A second network on the same data and seed, "
             "differing in what you set below."),
    cfg.Multi("feats2", "Second network's inputs", SECOND_FEATURES, "At least one.",
              options=tuple(FEATURE_LABELS), labels=FEATURE_LABELS, when=lambda k: k["cmp"]),
    cfg.Choice("act2", "Second network's activation", lambda k: k["act"],
               options=tuple(ACTIVATIONS), labels=ACTIVATIONS, when=lambda k: k["cmp"]),
    cfg.Choice("lr2", "Second network's learning rate", lambda k: k["lr"],
               options=net.LEARNING_RATES, labels=LR_LABELS, widget="select_slider",
               when=lambda k: k["cmp"]),
), name="PlaygroundSettings")


def features_of(chosen: tuple, default: tuple, what: str) -> tuple[tuple, str | None]:
    """The inputs chosen, or (none chosen) the default and a message naming it."""
    if chosen:
        return tuple(chosen), None
    names = ", ".join(FEATURE_LABELS[f] for f in default)
    return tuple(default), f"{what} needs at least one input: using {names} meanwhile."


def spec_of(s, features: tuple) -> NetSpec:
    """The first network's NetSpec from the frozen settings `s`."""
    return NetSpec(features=features, hidden=tuple(s[f"u{i}"] for i in range(1, s.layers + 1)),
                   activation=s.act, dropout=round(float(s.drop), 2), optimizer=s.opt,
                   lr=float(s.lr), batch_size=int(s.bs), epochs=int(s.epochs),
                   regularization=s.reg, reg_rate=float(s.rate) if s.reg != "none" else 0.0)


def second_spec(first: NetSpec, s, features: tuple) -> NetSpec:
    """The side-by-side network: the first, with its own inputs, activation and lr."""
    return replace(first, features=features, activation=s.act2, lr=float(s.lr2))


def snapshot(index: int, epochs, last: int) -> int:
    """The `frame` setting (0 … `last`, the scheduled snapshots) → an index into a run's
    `epochs` (its snapshots: as many, or fewer when it diverged, spread evenly)."""
    return round(min(max(index, 0), last) * (len(epochs) - 1) / max(last, 1))


def matching(dataset: str, noise: float, train_share: float, points: tuple,
             spec: NetSpec) -> str | None:
    """The lesson these settings are exactly (its claim then applies), if any."""
    if train_share != 0.5 or points:
        return None
    for key, p in presets.PRESETS.items():
        if (p.dataset, p.noise, p.spec) == (dataset, noise, spec):
            return key
    return None
