"""The Counting-parameters page's "Reproduce in PyTorch" script and the numbers it prints."""

from __future__ import annotations

from collections.abc import Sequence

from dlviz.params import LayerCall, ParamReport, sequential_code
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
