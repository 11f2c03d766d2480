"""The Tensors page's settings: one table, from which come its widgets, its URL and the
tests' domain sweeps (dlviz.settings). Its text settings are data: the readers below parse
them, and a text that cannot be used falls back to the course's values with a problem line
(plain text: it may quote what was typed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dlviz import settings as cfg
from dlviz import tensors
from dlviz.inputs import InputError, parse_floats

DEFAULT_ROWS = "[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]"
DEFAULT_X = ", ".join(f"{v:g}" for v in tensors.COURSE_INPUT)
DEFAULT_SIZES = ", ".join(str(s) for s in tensors.COURSE_STACK)
X_BOUND = 1e3  # each input number within ±X_BOUND
WEIGHT_BOUND = 10.0  # each typed weight and bias within ±WEIGHT_BOUND
SEEDED = "Using the seeded values meanwhile."

SETTINGS = cfg.Table((
    cfg.Text("x", "Input x (3 numbers)", DEFAULT_X, max_chars=100),
    cfg.seed(),
    cfg.Text("w", "Weights W (2 rows of 3, ';' between rows; empty = seeded)", "",
             max_chars=200),
    cfg.Text("b", "Bias b (2 numbers; empty = seeded init)", "", max_chars=100),
    cfg.Text("rows", "Values (rows in [[…], […]] or separated by ';')", DEFAULT_ROWS,
             max_chars=300),
    cfg.Choice("maker", "Made with", "tensor", options=tuple(tensors.MAKERS),
               labels=tensors.MAKERS, widget="segmented"),
    cfg.Text("sizes", "Layer sizes: input features, then each Linear layer's outputs "
             "(2 to 9 whole numbers, each 1 to 256)", DEFAULT_SIZES, max_chars=100),
    cfg.Choice("head", "Head after the last Linear layer", "softmax",
               options=tuple(tensors.HEADS), labels=str.capitalize, widget="segmented"),
), name="TensorsSettings")

Read = tuple[Any, list[str]]  # (the value to use, a problem line for each text refused)


def _read(parse: Callable[[str], Any], text: str, fallback, what: str, instead: str) -> Read:
    try:
        return parse(text), []
    except InputError as err:
        return fallback, [f"{what}: {err} {instead}"]


def linear_inputs(s) -> Read:
    """(x, W, b) the sidebar's texts stand for; W or b None (an empty text, or one that
    cannot be used) means the layer's seeded initialisation."""
    x, bad_x = _read(lambda t: parse_floats(t, min_count=3, max_count=3, bound=X_BOUND), s.x,
                     tensors.COURSE_INPUT, "Input x",
                     f"Showing the course's input {DEFAULT_X} meanwhile.")
    weight, bad_w = _read(
        lambda t: tensors.parse_matrix(t, rows=2, cols=3, bound=WEIGHT_BOUND), s.w, None,
        "Weights W", SEEDED) if s.w.strip() else (None, [])
    bias, bad_b = _read(
        lambda t: parse_floats(t, min_count=2, max_count=2, bound=WEIGHT_BOUND), s.b, None,
        "Bias b", SEEDED) if s.b.strip() else (None, [])
    return (tuple(x), weight, bias), bad_x + bad_w + bad_b


def _rows(text: str) -> tuple[tuple[float | int, ...], ...]:
    return tuple(tuple(r) for r in tensors.parse_rows(text))


def rows_of(text: str) -> Read:
    """The tensor's rows (ints if every entry is one), or the default rows."""
    return _read(_rows, text, _rows(DEFAULT_ROWS), "Values", f"Showing {DEFAULT_ROWS} meanwhile.")


def sizes_of(text: str) -> Read:
    """The stack's layer sizes, or the course's stack."""
    return _read(tensors.parse_sizes, text, tensors.COURSE_STACK, "Layer sizes",
                 f"Showing the course's stack {DEFAULT_SIZES} meanwhile.")
