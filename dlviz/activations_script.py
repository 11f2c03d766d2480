"""The Activations page's "Reproduce in PyTorch" script and the numbers it prints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dlviz.activations import ACTIVATIONS, DepthGradients, OutputHead, at_point
from dlviz.reproduce import literal

_TEMPLATE = '''\
# dlviz · Activations & their gradients: reproduce this page's numbers with plain PyTorch.
import torch
from torch import nn

torch.set_default_dtype(torch.float64)
ACTIVATIONS = {{
{modules}
}}


def fmt(values):
    return " ".join(f"{{v:.6g}}" for v in values)


# f(x0) and f'(x0) by autograd
x = torch.tensor([{x0}], requires_grad=True)
print("x0:", fmt(x.tolist()))
for name, act in ACTIVATIONS.items():
    y = act(x)
    (dy,) = torch.autograd.grad(y.sum(), x)
    print(f"{{name}} f:", fmt(y.tolist()))
    print(f"{{name}} f':", fmt(dy.tolist()))

# Gradient norm of each hidden layer's weights after one backward pass
depth, width, seed, init = {depth}, {width}, {seed}, {init}
for name, act in ACTIVATIONS.items():
    torch.manual_seed(seed)
    layers = []
    for _ in range(depth):
        linear = nn.Linear(width, width)
        if init == "kaiming":
            nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
            nn.init.zeros_(linear.bias)
        elif init == "xavier":
            nn.init.xavier_normal_(linear.weight)
            nn.init.zeros_(linear.bias)
        layers += [linear, act]
    model = nn.Sequential(*layers, nn.Linear(width, 1))
    g = torch.Generator().manual_seed(seed + 1)
    batch = torch.randn({batch}, width, generator=g)
    target = torch.randn({batch}, 1, generator=g)
    nn.functional.mse_loss(model(batch), target).backward()
    norms = [model[2 * i].weight.grad.norm().item() for i in range(depth)]
    print(f"{{name}} grad norms:", fmt(norms))

# The output layer: {task}
scores = torch.tensor({scores})
{head_line}
print("outputs:", fmt(outputs.tolist()))
'''

_HEADS = {
    "regression": "outputs = scores  # regression: no activation on the last layer",
    "binary": "outputs = nn.Sigmoid()(scores)  # binary: P(class 1)",
    "multiclass": "outputs = nn.Softmax(dim=-1)(scores / {t})  # multiclass, temperature {t}",
}


def _module_line(name: str, params: Mapping[str, float]) -> str:
    spec = ACTIVATIONS[name]
    args = ", ".join(f"{p}={literal(float(params[p]))}" for p in spec.params if p in params)
    return f"    {name!r}: nn.{spec.label}({args}),"


def script(*, names: Sequence[str], params: Mapping[str, float], x0: float, depth: int,
           width: int, init: str, batch: int, seed: int, head: OutputHead) -> str:
    """A self-contained script that prints the same lines as `prints(...)`."""
    return _TEMPLATE.format(
        modules="\n".join(_module_line(n, params) for n in names),
        x0=literal(float(x0)), depth=literal(depth), width=literal(width), seed=literal(seed),
        init=literal(init), batch=literal(batch), task=head.task,
        scores=literal([float(s) for s in head.scores]),
        head_line=_HEADS[head.task].format(t=literal(head.temperature)),
    )


def prints(*, names: Sequence[str], params: Mapping[str, float], x0: float,
           depth: Sequence[DepthGradients], head: OutputHead) -> dict[str, list[float]]:
    """The page's numbers, labelled as the script prints them."""
    out: dict[str, list[float]] = {"x0": [float(x0)]}
    for name in names:
        y, dy = at_point(name, x0, **params)
        out[f"{name} f"] = [y]
        out[f"{name} f'"] = [dy]
    for d in depth:
        out[f"{d.name} grad norms"] = d.grad_norm.tolist()
    out["outputs"] = head.outputs.tolist()
    return out

