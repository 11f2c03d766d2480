"""The layers the architecture parser accepts: their arguments, value rules and shape rules.

A plain registry (`LAYERS`: name → `LayerSpec`). Each argument has a kind that says which
literal values it takes; nothing outside this table ever reaches a torch constructor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dlviz.reproduce import literal

MAX_SIZE = 1_000_000  # per dimension: counted on the meta device, never allocated
MAX_FLOAT = 1e6


@dataclass(frozen=True)
class Arg:
    name: str
    kind: str  # "size" | "sizes" | "nonneg" | "int" | "float" | "prob" | "bool"


@dataclass(frozen=True)
class LayerSpec:
    args: tuple[Arg, ...]  # in the constructor's order
    required: int  # how many leading args have no default
    has_params: bool


def _spec(args: str, required: int = 0, has_params: bool = False) -> LayerSpec:
    """"in_features:size out_features:size bias:bool" → LayerSpec."""
    parsed = tuple(Arg(*a.split(":")) for a in args.split())
    return LayerSpec(parsed, required, has_params)


_CONV = ("in_channels:size out_channels:size kernel_size:sizes stride:sizes padding:nonneg "
         "dilation:sizes groups:size bias:bool")
_NORM = "num_features:size eps:float momentum:prob affine:bool track_running_stats:bool"
LAYERS: dict[str, LayerSpec] = {
    "Linear": _spec("in_features:size out_features:size bias:bool", 2, True),
    "Conv1d": _spec(_CONV, 3, True),
    "Conv2d": _spec(_CONV, 3, True),
    "BatchNorm1d": _spec(_NORM, 1, True),
    "BatchNorm2d": _spec(_NORM, 1, True),
    "LayerNorm": _spec("normalized_shape:sizes eps:float elementwise_affine:bool bias:bool",
                       1, True),
    "Embedding": _spec("num_embeddings:size embedding_dim:size padding_idx:int max_norm:float "
                       "norm_type:float scale_grad_by_freq:bool sparse:bool", 2, True),
    "ReLU": _spec("inplace:bool"),
    "LeakyReLU": _spec("negative_slope:float inplace:bool"),
    "Sigmoid": _spec(""),
    "Tanh": _spec(""),
    "GELU": _spec(""),
    "ELU": _spec("alpha:float inplace:bool"),
    "SiLU": _spec("inplace:bool"),
    "Softmax": _spec("dim:int"),
    "LogSoftmax": _spec("dim:int"),
    "Dropout": _spec("p:prob inplace:bool"),
    "Flatten": _spec("start_dim:int end_dim:int"),
    "Identity": _spec(""),
}
ACTIVATIONS = ("ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "ELU", "SiLU", "Softmax",
               "LogSoftmax")


def check_value(kind: str, name: str, value) -> object:
    """The value if `kind` allows it, else ValueError with a message for the learner."""
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, not {_show(value)}")
        return value
    if kind in ("sizes", "nonneg") and isinstance(value, tuple):
        if not 1 <= len(value) <= 3:
            raise ValueError(f"{name} takes 1 to 3 numbers, not {len(value)}")
        return tuple(check_value("size" if kind == "sizes" else "nonneg", name, v)
                     for v in value)
    if isinstance(value, tuple):
        raise ValueError(f"{name} takes a single number, not a tuple")
    if kind in ("size", "sizes", "nonneg", "int"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number, not {_show(value)}")
        low = 1 if kind in ("size", "sizes") else 0 if kind == "nonneg" else -MAX_SIZE
        if value < low:
            raise ValueError(f"{name} must be at least {low}, not {value}")
        if value > MAX_SIZE:
            raise ValueError(f"{name} = {value:,} is too large: sizes up to {MAX_SIZE:,} per "
                             "dimension are counted")
        return value
    # "float" / "prob": ints are fine (p=0), bools are not
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, not {_show(value)}")
    value = float(value)
    if not math.isfinite(value) or abs(value) > MAX_FLOAT:
        raise ValueError(f"{name} must be a finite number within ±{MAX_FLOAT:g}")
    if kind == "prob" and not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie between 0 and 1, not {value:g}")
    return value


def _show(value) -> str:
    return repr(value)[:30]


# --- shapes: what each layer expects from, and hands to, the next ---------------------------
# The running state is (what, size): "features" (last dim, after Linear/Embedding), "channels"
# (dim 1, after Conv) or None (unknown, e.g. after Flatten, or at the start).

def feed(kind: str, args: dict, state: tuple[str, int] | None) -> tuple[str, int] | None:
    """The state after layer `kind`; ValueError if the layer cannot take `state`."""
    if kind == "Linear":
        _expect(state, "features", args["in_features"], "in_features")
        return ("features", args["out_features"])
    if kind in ("Conv1d", "Conv2d"):
        _expect(state, "channels", args["in_channels"], "in_channels")
        return ("channels", args["out_channels"])
    if kind in ("BatchNorm1d", "BatchNorm2d"):
        if state is not None:
            _expect(state, state[0], args["num_features"], "num_features")
        return state
    if kind == "LayerNorm":
        shape = args["normalized_shape"]
        last = shape[-1] if isinstance(shape, tuple) else shape
        _expect(state, "features", last, "normalized_shape (last dimension)")
        return state
    if kind == "Embedding":
        return ("features", args["embedding_dim"])
    if kind == "Flatten":
        return None
    return state


def _expect(state, what: str, size: int, arg: str) -> None:
    if state is not None and state[0] == what and state[1] != size:
        raise ValueError(f"{arg} is {size}, but the previous layer gives {state[1]} {what}")


def call_code(kind: str, args: dict) -> str:
    """`nn.Linear(10, 18)`: required arguments positional, the others by keyword."""
    return f"nn.{kind}({args_code(kind, args)})"


def args_code(kind: str, args: dict) -> str:
    spec = LAYERS[kind]
    parts = []
    for i, arg in enumerate(spec.args):
        if arg.name in args:
            value = literal(args[arg.name])
            parts.append(value if i < spec.required else f"{arg.name}={value}")
    return ", ".join(parts)
