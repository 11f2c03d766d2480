"""The Tensors & linear layers page's "Reproduce in PyTorch" script and what it prints."""

from __future__ import annotations

import numpy as np

from dlviz.reproduce import literal
from dlviz.tensors import LinearResult, StackResult, TensorInfo

_TEMPLATE = '''\
# dlviz · Tensors & linear layers: reproduce this page's numbers with plain PyTorch.
import numpy as np
import torch
from torch import nn


def fmt(values):
    return " ".join(str(v) if isinstance(v, int) else f"{{v:.6g}}" for v in values)


# A tensor and its shape and dtype
rows = {rows}
t = {maker}
print(f"tensor shape, {{t.dtype}}:", fmt(list(t.shape)))
print("tensor values:", fmt(t.flatten().tolist()))

# One linear layer: y = x W^T + b
torch.manual_seed({seed})
input_tensor = torch.tensor([{x}])
linear_layer = nn.Linear(in_features={n_in}, out_features={n_out})
{edits}output = linear_layer(input_tensor)
print("linear weight:", fmt(linear_layer.weight.flatten().tolist()))
print("linear bias:", fmt(linear_layer.bias.tolist()))
print("linear y:", fmt(output.flatten().tolist()))


def run(sizes, head, x=None):
    """nn.Sequential of Linear layers plus a head; shapes, parameters and output."""
    torch.manual_seed({seed})
    layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    layers += {{"none": [], "sigmoid": [nn.Sigmoid()], "softmax": [nn.Softmax(dim=-1)]}}[head]
    model = nn.Sequential(*layers)
    x = torch.randn(1, sizes[0]) if x is None else torch.tensor([x], dtype=torch.float32)
    features, h = [x.shape[-1]], x
    for module in model:
        h = module(h)
        features.append(h.shape[-1])
    params = [sum(p.numel() for p in m.parameters() if p.requires_grad) for m in model]
    return features, params, model[:len(sizes) - 1](x), model(x)


# A stack of Linear layers with sizes {stack_sizes}
features, params, scores, output = run({stack_sizes}, {stack_head})
print("stack features:", fmt(features))
print("stack params:", fmt(params))
print("stack total params:", sum(params))
print("stack output:", fmt(output.flatten().tolist()))

# The course's 11-feature network with the output head {head}
features, params, scores, output = run({head_sizes}, {head}, {head_x})
print("head features:", fmt(features))
print("head total params:", sum(params))
print("head scores:", fmt(scores.flatten().tolist()))
print("head output:", fmt(output.flatten().tolist()))
'''


def _short(values) -> list:
    """float32 values as their shortest decimals (0.3471, not 0.3471000075340271)."""
    if isinstance(values, list):
        return [_short(v) for v in values]
    return float(str(np.float32(values)))


def _edits(linear: LinearResult) -> str:
    if linear.seeded:
        return ""
    weight, bias = literal(_short(linear.weight.tolist())), literal(_short(linear.bias.tolist()))
    return ("with torch.no_grad():  # the weights typed on the page\n"
            f"    linear_layer.weight.copy_(torch.tensor({weight}))\n"
            f"    linear_layer.bias.copy_(torch.tensor({bias}))\n")


def script(*, tensor: TensorInfo, linear: LinearResult, seed: int, stack: StackResult,
           head: StackResult) -> str:
    """A self-contained script that prints the same lines as `prints(...)`."""
    rows = [list(r) for r in tensor.rows]
    maker = ("torch.tensor(rows)" if tensor.maker == "tensor"
             else "torch.from_numpy(np.array(rows))")
    return _TEMPLATE.format(
        rows=literal(rows), maker=maker, seed=literal(int(seed)),
        x=literal(_short(linear.x[0].tolist())), n_in=linear.weight.shape[1],
        n_out=linear.weight.shape[0], edits=_edits(linear),
        stack_sizes=literal(stack.sizes), stack_head=literal(stack.head),
        head_sizes=literal(head.sizes), head=literal(head.head),
        head_x=literal([int(v) if v.is_integer() else v for v in _short(head.x[0].tolist())]),
    )


def prints(*, tensor: TensorInfo, linear: LinearResult, stack: StackResult,
           head: StackResult) -> dict[str, list]:
    """The page's numbers, labelled as the script prints them."""
    return {
        f"tensor shape, {tensor.dtype}": list(tensor.shape),
        "tensor values": tensor.values.flatten().tolist(),
        "linear weight": linear.weight.flatten().tolist(),
        "linear bias": linear.bias.tolist(),
        "linear y": linear.y.flatten().tolist(),
        "stack features": [sh[-1] for sh in stack.shapes],
        "stack params": stack.params.tolist(),
        "stack total params": [stack.total_params],
        "stack output": stack.output.flatten().tolist(),
        "head features": [sh[-1] for sh in head.shapes],
        "head total params": [head.total_params],
        "head scores": head.scores.flatten().tolist(),
        "head output": head.output.flatten().tolist(),
    }
