"""Counting a model's parameters layer by layer, its network picture, and the course's
capacity challenge. Works on any `nn.Module` (parsed, or built by hand with frozen layers).

    nn.Linear(n_in, n_out) has n_in·n_out weights + n_out biases
    total = sum(p.numel() for p in model.parameters())
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn
from torch.nn.modules.conv import _ConvNd


@dataclass(frozen=True)
class ParamRow:
    """One layer that owns parameters."""

    name: str  # the module's name in the model, "0", "1", … for nn.Sequential
    layer: str  # "Linear(in_features=10, out_features=18, bias=True)"
    weight_shape: tuple[int, ...] | None
    bias_shape: tuple[int, ...] | None
    count: int  # numel of the layer's own parameters
    formula: str  # "10×18 + 18": in × out weights + out biases
    trainable: bool  # every own parameter has requires_grad
    trainable_count: int  # numel of the own parameters with requires_grad


@dataclass(frozen=True)
class ParamReport:
    total: int  # sum(p.numel() for p in model.parameters())
    trainable: int  # the same over parameters with requires_grad
    rows: tuple[ParamRow, ...]  # one per module that owns parameters, in model order
    buffers: int  # numel of buffers (BatchNorm running stats): stored, never trained


def count_parameters(model: nn.Module) -> ParamReport:
    """Per-layer counts and formulas; `total` and `trainable` from `model.parameters()`."""
    rows = []
    for name, module in model.named_modules():
        own = list(module.parameters(recurse=False))
        if not own:
            continue
        weight, bias = _own(module, "weight"), _own(module, "bias")
        rows.append(ParamRow(
            name=name or type(module).__name__,
            layer=_layer_text(module),
            weight_shape=tuple(weight.shape) if weight is not None else None,
            bias_shape=tuple(bias.shape) if bias is not None else None,
            count=sum(p.numel() for p in own),
            formula=formula(module),
            trainable=all(p.requires_grad for p in own),
            trainable_count=sum(p.numel() for p in own if p.requires_grad),
        ))
    return ParamReport(
        total=sum(p.numel() for p in model.parameters()),
        trainable=sum(p.numel() for p in model.parameters() if p.requires_grad),
        rows=tuple(rows),
        buffers=sum(b.numel() for b in model.buffers()),
    )


def _own(module: nn.Module, name: str):
    value = module._parameters.get(name)
    return value if isinstance(value, nn.Parameter) else None


def _layer_text(module: nn.Module) -> str:
    return f"{type(module).__name__}({module.extra_repr()})"


def formula(module: nn.Module) -> str:
    """The count as arithmetic: "10×18 + 18" for Linear(10, 18) (in × out, then biases)."""
    terms = []
    for name, p in module.named_parameters(recurse=False):
        dims = list(p.shape)
        if name == "weight" and isinstance(module, (nn.Linear, _ConvNd)):
            dims = dims[1:] + dims[:1]  # torch stores (out, in, …): read it as in × … × out
        terms.append("×".join(str(d) for d in dims) or "1")
    return " + ".join(terms)


# --- the network picture --------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    kind: str  # "dense" (every unit to every unit), "one-to-one" (norms) or "reshape"
    label: str  # "Linear", "Conv2d 3×3", "Flatten", …
    params: int  # parameters of this link


@dataclass(frozen=True)
class Network:
    widths: tuple[int, ...]  # units (features or channels) per column; len(links) + 1
    links: tuple[Link, ...]  # between column i and i + 1
    notes: tuple[str, ...]  # parameter-free layers applied at each column ("ReLU")


def network(model: nn.Module) -> Network:
    """The model as columns of units: features after Linear, channels after Conv."""
    widths: list[int] = []
    links: list[Link] = []
    notes: list[list[str]] = []
    pending: list[str] = []  # parameter-free layers seen before the first column
    for module in model.modules():
        if list(module.children()):
            continue
        step = _step(module)
        if step is None:
            (notes[-1] if notes else pending).append(type(module).__name__)
            continue
        n_in, n_out, kind, label = step
        if not widths or widths[-1] != n_in:
            if widths:  # a shape change the picture cannot draw unit by unit (Flatten)
                links.append(Link("reshape", "Flatten" if "Flatten" in notes[-1]
                                  else "reshape", 0))
            widths.append(n_in)
            notes.append(pending if not notes else [])
        links.append(Link(kind, label, sum(p.numel() for p in module.parameters())))
        widths.append(n_out)
        notes.append([])
    return Network(tuple(widths), tuple(links), tuple(", ".join(n) for n in notes))


def _step(module: nn.Module) -> tuple[int, int, str, str] | None:
    if isinstance(module, nn.Linear):
        return module.in_features, module.out_features, "dense", "Linear"
    if isinstance(module, _ConvNd):
        kernel = "×".join(str(k) for k in module.kernel_size)
        return (module.in_channels, module.out_channels, "dense",
                f"{type(module).__name__} {kernel}")
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        return module.num_features, module.num_features, "one-to-one", type(module).__name__
    if isinstance(module, nn.LayerNorm):
        n = module.normalized_shape[-1]
        return n, n, "one-to-one", "LayerNorm"
    if isinstance(module, nn.Embedding):
        return module.num_embeddings, module.embedding_dim, "dense", "Embedding"
    return None


# --- the course's capacity exercise -------------------------------------------------------------

CHALLENGE = dict(n_in=8, n_out=2, linear_layers=4, max_params=119)


@dataclass(frozen=True)
class Challenge:
    passed: bool
    checks: tuple[tuple[str, bool], ...]  # (what was checked, with the model's value; ok)
    total: int
    linear_layers: int
    n_in: int | None  # the first Linear's in_features (None without a Linear)
    n_out: int | None  # the last Linear's out_features


def capacity_challenge(model: nn.Module) -> Challenge:
    """"8 features in, 2 classes out, 4 linear layers, fewer than 120 parameters"."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    total = count_parameters(model).total
    first = linears[0].in_features if linears else None
    last = linears[-1].out_features if linears else None
    checks = (
        (f"8 features in (yours: {first})", first == CHALLENGE["n_in"]),
        (f"2 classes out (yours: {last})", last == CHALLENGE["n_out"]),
        (f"4 linear layers (yours: {len(linears)})", len(linears) == CHALLENGE["linear_layers"]),
        (f"fewer than 120 parameters (yours: {total:,})", total <= CHALLENGE["max_params"]),
    )
    return Challenge(all(ok for _, ok in checks), checks, total, len(linears), first, last)
