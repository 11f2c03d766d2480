"""Counting parameters: a safe parser for architectures and a per-layer parameter count.

The text a user types is data: it is parsed with `ast.parse(mode="eval")` (after a length
cap) and walked with an allow-list; nothing is ever evaluated. Models are built on the meta
device, so `Linear(1_000_000, 1_000_000)` costs shapes, not 4 TB.

    parse_layers("10, 18, 20, 5")          → (LayerCall("Linear", {10, 18}), …)
    parse_architecture("nn.Linear(16, 4)") → nn.Sequential(Linear(16, 4)) on "meta"
    count_parameters(model).total          == sum(p.numel() for p in model.parameters())
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from dlviz.params_count import (  # noqa: F401
    Challenge,
    Network,
    ParamReport,
    ParamRow,
    capacity_challenge,
    count_parameters,
    network,
)
from dlviz.params_layers import LAYERS, args_code
from dlviz.params_parse import ArchitectureError, LayerCall, parse_layers  # noqa: F401

META = torch.device("meta")  # shapes without storage


def sequential_code(calls) -> str:
    """The canonical code text of a layer list."""
    body = "".join(f"    {c.code()},\n" for c in calls)
    return f"nn.Sequential(\n{body})"


def shorthand(calls) -> str | None:
    """"10, 18, 20, 5" if the layers with parameters are a chain of plain Linear layers."""
    linears = [c for c in calls if c.kind == "Linear"]
    if not linears or any(not c.kwargs.get("bias", True) for c in linears) or any(
            LAYERS[c.kind].has_params for c in calls if c.kind != "Linear"):
        return None
    sizes = [linears[0].kwargs["in_features"]] + [c.kwargs["out_features"] for c in linears]
    return ", ".join(str(s) for s in sizes)


def with_sizes(calls, sizes) -> tuple[LayerCall, ...]:
    """Linear layers through `sizes`, keeping what `calls` puts between and after its Linears.

    (Linear, ReLU, Linear) with sizes 8, 4, 4, 2 → Linear(8, 4), ReLU, Linear(4, 4), ReLU,
    Linear(4, 2): the shorthand edits sizes and keeps the activations.
    """
    between, tail = (), ()
    at = [i for i, c in enumerate(calls) if c.kind == "Linear"]
    gaps = [tuple(calls[a + 1:b]) for a, b in zip(at, at[1:], strict=False)]
    if at and at[0] == 0 and len(set(gaps)) <= 1 and all(
            not LAYERS[c.kind].has_params for c in calls if c.kind != "Linear"):
        between, tail = (gaps[0] if gaps else ()), tuple(calls[at[-1] + 1:])
    out: list[LayerCall] = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        if out:
            out += between
        out.append(LayerCall("Linear", (("in_features", a), ("out_features", b))))
    return tuple(out) + tail


def table_rows(calls) -> list[dict]:
    """The layer table: one row per layer, {"layer": "Linear", "arguments": "10, 18"}."""
    return [{"layer": c.kind, "arguments": args_code(c.kind, c.kwargs)} for c in calls]


def rows_code(rows) -> str:
    """The layer table back to code text (which is then parsed like any other text)."""
    lines = [f"    nn.{r['layer']}({r.get('arguments') or ''}),\n" for r in rows
             if r.get("layer")]
    return f"nn.Sequential(\n{''.join(lines)})"


def pointer(text: str, err: ArchitectureError) -> str | None:
    """The offending line with carets under the part the error is about."""
    if err.col is None:
        return None
    lines = text.split("\n")
    line = lines[(err.line or 1) - 1] if 0 < (err.line or 1) <= len(lines) else ""
    width = max(1, (err.end_col or err.col + 1) - err.col)
    start = max(0, err.col - 1 - 60)  # long lines: show the part around the column
    return line[start:start + 120] + "\n" + " " * (err.col - 1 - start) + "^" * min(width, 80)


# --- building and counting ---------------------------------------------------------------

def build(calls) -> nn.Sequential:
    """Layer calls → nn.Sequential on the meta device (shapes only, no memory)."""
    layers = []
    for i, call in enumerate(calls, start=1):
        if call.kind not in LAYERS:  # only registry names ever reach getattr(nn, …)
            raise ArchitectureError(f"Layer {i}: unknown layer {call.kind[:40]!r}.")
        # device= per layer, not a `torch.device` context: no global mode, whatever thread
        meta = {"device": META} if LAYERS[call.kind].has_params else {}
        try:
            layers.append(getattr(nn, call.kind)(**call.kwargs, **meta))
        except Exception as err:  # torch's own argument checks (groups, padding_idx, …)
            reason = ("one of its tensors has too many elements to count"
                      if "overflow" in str(err) else f"torch refuses it: {str(err)[:120]}")
            raise ArchitectureError(f"Layer {i}, {call.kind}: {reason}.", line=call.line,
                                    col=call.col, end_col=call.end_col,
                                    multiline=any(c.line > 1 for c in calls)) from None
    return nn.Sequential(*layers)


def parse_architecture(text: str) -> nn.Sequential:
    """Code, a single layer or the shorthand "10, 18, 20, 5" → nn.Sequential on "meta"."""
    return build(parse_layers(text))


@dataclass(frozen=True)
class Analysis:
    """Everything the page shows about one architecture text."""

    calls: tuple[LayerCall, ...]  # the layers as parsed
    code: str  # the canonical code text of `calls`
    report: ParamReport
    network: Network
    challenge: Challenge


def analyse(text: str, *, frozen=()) -> Analysis:
    """Parse, build on "meta", freeze the layers named in `frozen` ("0", "2"), count.

    ArchitectureError if the text is not an architecture.
    """
    return analyse_calls(parse_layers(text), frozen=frozen)


def analyse_calls(calls, *, frozen=()) -> Analysis:
    """`analyse` of layers already parsed (the page parses first: a refusal is cheap)."""
    model = build(calls)
    for name, param in model.named_parameters():
        if name.split(".")[0] in frozen:
            param.requires_grad_(False)
    return Analysis(calls, sequential_code(calls), count_parameters(model), network(model),
                    capacity_challenge(model))


def layer_names(calls) -> tuple[str, ...]:
    """The names of the layers that own parameters ("0", "2", …): what can be frozen."""
    return tuple(r.name for r in count_parameters(build(calls)).rows)
