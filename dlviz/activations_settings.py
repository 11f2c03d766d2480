"""The Activations page's settings: one table, from which come its widgets, its URL and the
tests' domain sweeps (dlviz.settings). The probe x₀ lives inside the plotted range ±xmax,
so its bounds depend on xmax. The scores are text, read by `scores_of`."""

from __future__ import annotations

from dlviz import activations as act
from dlviz import settings as cfg
from dlviz.inputs import InputError, parse_floats

DEFAULT_FNS = ("sigmoid", "tanh", "relu")
DEFAULT_SCORES = "2.0, 1.0, 0.1"
MAX_SHOWN = 6  # functions drawn at once (dlviz.activations_plots.MAX_SHOWN)
WIDTH, BATCH = 32, 64  # the deep MLP's hidden width and the batch of its backward pass


def _parameter(name: str, lo: float, hi: float, default: float) -> cfg.Number:
    owner = next(a.label for a in act.ACTIVATIONS.values() if name in a.params)
    return cfg.Number(name, f"{owner} {name}", default, lo=lo, hi=hi,
                      step=0.01 if name == "negative_slope" else 0.05)


SETTINGS = cfg.Table((
    # At most MAX_SHOWN at once: beyond 6, no colours stay apart for colour-blind students.
    cfg.Multi("fns", "Functions", DEFAULT_FNS, f"Up to {MAX_SHOWN} at once.",
              options=tuple(act.ACTIVATIONS),
              labels={name: a.label for name, a in act.ACTIVATIONS.items()},
              max_count=MAX_SHOWN),
    *(_parameter(name, *bounds) for name, bounds in act.PARAM_BOUNDS.items()),
    cfg.Number("xmax", "x range ±", 6.0, lo=1.0, hi=10.0, step=0.5),
    cfg.Number("x0", "Probe x₀", lambda k: min(0.5, k["xmax"]),
               "The values at x₀ are what the script prints.", lo=lambda k: -k["xmax"],
               hi=lambda k: k["xmax"], step=0.05),
    cfg.seed(),
    cfg.Number("depth", f"Depth (hidden layers of width {WIDTH})", 10, lo=2, hi=30, step=1,
               integer=True),
    cfg.Choice("init", "Initialisation", "kaiming", options=act.INITS, widget="segmented"),
    cfg.Choice("task", "Task", "multiclass", options=act.TASKS, widget="segmented"),
    cfg.Text("scores", "Scores of the last Linear layer", DEFAULT_SCORES, max_chars=200),
    cfg.Number("temp", "Softmax temperature", 1.0, lo=0.1, hi=10.0, step=0.1),
), name="ActivationsSettings")


def params_of(s) -> dict[str, float]:
    """The activations' parameters (torch's names → values)."""
    return {name: float(s[name]) for name in act.PARAM_BOUNDS}


def names_of(s) -> tuple[tuple[str, ...], list[str]]:
    """The chosen activations, or the default ones (with a problem line) if none is."""
    if s.fns:
        return tuple(s.fns), []
    return DEFAULT_FNS, ["Pick at least one activation; showing the default ones meanwhile."]


def scores_of(s) -> tuple[tuple[float, ...], list[str]]:
    """The output layer's scores, or the default ones with a plain-text problem line."""
    try:
        return parse_floats(s.scores, min_count=1, max_count=10, bound=100.0), []
    except InputError as err:
        return (parse_floats(DEFAULT_SCORES),
                [f"Scores: {err} Showing {DEFAULT_SCORES} meanwhile."])
