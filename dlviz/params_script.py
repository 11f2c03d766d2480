"""The Counting-parameters page's "Reproduce in PyTorch" scripts (the model on the page, and
the learner's answer to the capacity challenge) and the numbers each prints."""

from __future__ import annotations

from collections.abc import Sequence

from dlviz.params import LayerCall, ParamReport, sequential_code
from dlviz.params_count import CHALLENGE, Challenge
from dlviz.reproduce import literal

META_ABOVE = 10_000_000  # bigger models are built on the meta device: shapes, no memory

_TEMPLATE = '''\
# dlviz · Counting parameters: build the model on this page and count its parameters.
import torch
from torch import nn
{meta}
model = {model}
{freeze}
# nn.Linear(n_in, n_out) holds n_in*n_out weights + n_out biases
per_layer = [sum(p.numel() for p in m.parameters(recurse=False)) for m in model.modules()]
print("parameters per layer:", " ".join(str(n) for n in per_layer if n > 0))
print("total:", sum(p.numel() for p in model.parameters()))
print("trainable:", sum(p.numel() for p in model.parameters() if p.requires_grad))
# BatchNorm's running mean and variance are buffers: saved with the model, never trained
print("buffers:", sum(b.numel() for b in model.buffers()))
'''

_META = '''
# {total:,} parameters would need {gb:.1f} GB: the meta device keeps shapes only
torch.set_default_device("meta")
'''

_FREEZE = '''
# Freeze layers {names}: their parameters get no gradient and are not trained
frozen = {frozen}
for name, param in model.named_parameters():
    if name.split(".")[0] in frozen:
        param.requires_grad = False
'''


def script(*, calls: Sequence[LayerCall], frozen: Sequence[str], total: int) -> str:
    """A self-contained script that builds the model and prints the same lines as `prints`."""
    meta = _META.format(total=total, gb=total * 4 / 1e9) if total > META_ABOVE else ""
    freeze = _FREEZE.format(names=", ".join(frozen), frozen=literal(tuple(frozen))) \
        if frozen else ""
    return _TEMPLATE.format(meta=meta, model=sequential_code(calls), freeze=freeze)


def prints(report: ParamReport) -> dict[str, int | list[int]]:
    """The page's numbers, labelled as the script prints them."""
    return {
        "parameters per layer": [r.count for r in report.rows],
        "total": report.total,
        "trainable": report.trainable,
        "buffers": report.buffers,
    }


# --- the capacity challenge: the learner's answer, built and checked --------------------------

_CHALLENGE = '''\
# dlviz · Counting parameters: check an answer to the capacity challenge
# (8 features in, 2 classes out, 4 linear layers, fewer than 120 parameters).
import torch
from torch import nn
{meta}
model = {model}

linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
per_layer = [sum(p.numel() for p in m.parameters(recurse=False)) for m in model.modules()]
total = sum(p.numel() for p in model.parameters())
print("parameters per layer:", " ".join(str(n) for n in per_layer if n > 0))
print("total:", total)
print("linear layers:", len(linears))
if linears:
    print("features in, classes out:", linears[0].in_features, linears[-1].out_features)
checks = [
    bool(linears) and linears[0].in_features == {n_in},
    bool(linears) and linears[-1].out_features == {n_out},
    len(linears) == {layers},
    total <= {max_params},  # fewer than {budget}
]
print("checks in, out, layers, budget:", " ".join(str(int(ok)) for ok in checks))
print("solved:", int(all(checks)))
'''


def challenge_script(*, calls: Sequence[LayerCall], total: int) -> str:
    """A self-contained script that builds the answer and prints `challenge_prints`."""
    meta = _META.format(total=total, gb=total * 4 / 1e9) if total > META_ABOVE else ""
    return _CHALLENGE.format(meta=meta, model=sequential_code(calls), n_in=CHALLENGE["n_in"],
                             n_out=CHALLENGE["n_out"], layers=CHALLENGE["linear_layers"],
                             max_params=CHALLENGE["max_params"],
                             budget=CHALLENGE["max_params"] + 1)


def challenge_prints(result: Challenge, report: ParamReport) -> dict[str, int | list[int]]:
    """The challenge's numbers on the page, labelled as the script prints them."""
    numbers: dict[str, int | list[int]] = {
        "parameters per layer": [r.count for r in report.rows],
        "total": result.total,
        "linear layers": result.linear_layers,
    }
    if result.linear_layers:
        numbers["features in, classes out"] = [result.n_in, result.n_out]
    numbers["checks in, out, layers, budget"] = [int(ok) for _, ok in result.checks]
    numbers["solved"] = int(result.passed)
    return numbers
