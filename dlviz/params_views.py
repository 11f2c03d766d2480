"""The Counting-parameters page's three views of one model, kept in step (no Streamlit here).

The code text is the model. The shorthand ("10, 18, 20, 5") and the layer table are views of
it: editing a view rewrites the code, and a new code rewrites the shorthand. In a link the
shorthand alone stands for its code (the code's default is the shorthand's model); given both,
the code wins and the shorthand follows it. Each `after_*` returns the settings to change.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from dlviz import params
from dlviz.params_parse import MAX_LAYERS, ArchitectureError

DEFAULT_CODE = params.sequential_code(params.parse_layers(
    "nn.Sequential(nn.Linear(10, 18), nn.ReLU(), nn.Linear(18, 20), nn.ReLU(), "
    "nn.Linear(20, 5))"))
DEFAULT_SHORT = "10, 18, 20, 5"
DEFAULT_OTHER = "10, 64, 5"
ANY_LAYER = tuple(str(i) for i in range(MAX_LAYERS))  # while the code does not parse


def calls_of(text: str) -> tuple[params.LayerCall, ...] | None:
    """The layers `text` describes, or None if it describes none."""
    try:
        return params.parse_layers(text)
    except ArchitectureError:
        return None


def view(code: str) -> str | None:
    """The shorthand of `code`: "8, 4, 2", "" if it is not a stack of Linear layers, None if
    the code does not parse (the shorthand then stays as it is)."""
    calls = calls_of(code)
    return None if calls is None else params.shorthand(calls) or ""


def tidy(short: str) -> str:
    """A shorthand as the page writes it ("8,4,2" → "8, 4, 2"); anything else unchanged."""
    calls = calls_of(short)
    return (params.shorthand(calls) if calls else None) or short


def code_from_short(short: str, like: str) -> str | None:
    """Shorthand → code, keeping the activations of the model `like` between the layers;
    code typed into the shorthand box is taken as it is. None if `short` does not parse."""
    calls = calls_of(short)
    if calls is None:
        return None
    sizes = params.shorthand(calls)
    if sizes is None:
        return params.sequential_code(calls)
    base = calls_of(like) or ()
    return params.sequential_code(params.with_sizes(base, [int(s) for s in sizes.split(",")]))


def default_code(short: str) -> str:
    """The code a link's shorthand stands for (the default model's activations kept)."""
    return code_from_short(short, DEFAULT_CODE) or DEFAULT_CODE


@lru_cache(maxsize=32)  # the settings table asks for this domain several times a run
def freezable(code: str) -> tuple[str, ...]:
    """The layers of `code` that own parameters, by name; any name while it does not parse
    (the page then keeps the last valid model, and the selection with it)."""
    calls = calls_of(code)
    return ANY_LAYER if calls is None else params.layer_names(calls)


def _kept(freeze, code: str) -> tuple[str, ...]:
    names = freezable(code)
    return tuple(f for f in freeze or () if f in names)


def after_code(code: str, freeze=()) -> dict:
    """A new code: the shorthand follows it, frozen layers it no longer has are dropped."""
    short = view(code)
    changes = {"freeze": _kept(freeze, code)}
    return changes if short is None else {"short": short, **changes}


def after_short(short: str, code: str, freeze=()) -> dict:
    """A new shorthand rewrites the code (nothing changes while it does not parse)."""
    new = code_from_short(short, code)
    return {} if new is None else {"code": new, **after_code(new, freeze)}


def after_edit(view_: str, short: str, code: str, freeze=()) -> dict:
    """The shorthand (`view_` "short") or the code ("code") was edited."""
    return after_short(short, code, freeze) if view_ == "short" else after_code(code, freeze)


def table_key(code: str) -> str:
    """The layer table's widget key: a new code brings a new table (and drops the edits)."""
    return "table_" + hashlib.sha1(code.encode()).hexdigest()[:12]


def clean_rows(rows) -> list[dict]:
    """The layer table as the data editor returns it, in the form `table_rows` gives."""
    return [{"layer": r.get("layer"), "arguments": (r.get("arguments") or "").strip()}
            for r in rows]


def after_table(rows, freeze=()) -> dict:
    """An edited layer table rewrites the code (which is then parsed like any other text)."""
    code = params.rows_code(rows)
    return {"code": code, **after_code(code, freeze)}


def link_fix(short: str, code: str) -> dict:
    """On a link's first run: the shorthand that follows its code, if it does not already."""
    wanted = view(code)
    if wanted is None or tidy(short) == wanted:
        return {}
    return {"short": wanted}


def kept(freeze, report: params.ParamReport) -> tuple[str, ...]:
    """The chosen frozen layers that the model on screen has."""
    names = {r.name for r in report.rows}
    return tuple(f for f in freeze if f in names)


def layer_table(report: params.ParamReport) -> list[dict]:
    """The "Layer by layer" table: one row per layer that owns parameters."""
    return [{"layer": r.name, "module": r.layer,
             "weight": "×".join(map(str, r.weight_shape or ())),
             "bias": "×".join(map(str, r.bias_shape or ())), "formula": r.formula,
             "parameters": r.count, "trainable": r.trainable} for r in report.rows]
