"""The Loss-surfaces page's "Reproduce in PyTorch" script and the numbers it prints.

The script is plain torch: the objective written out, the torch.optim class, and the same
loop and divergence bound as `dlviz.optim.trace`.
"""

from __future__ import annotations

from dlviz import optim
from dlviz.reproduce import literal

# The objectives as Python expressions in x, y (0-dim float64 tensors).
FORMULAS: dict[str, str] = {
    "course": "x**4 + x**3 - 5 * x**2",
    "bowl": "x**2",
    "quadratic": "0.5 * (x**2 + KAPPA * y**2)",
    "d2l_quadratic": "0.1 * x**2 + 2 * y**2",
    "rosenbrock": "(1 - x) ** 2 + 100 * (y - x**2) ** 2",
    "distill": "(1 - x) ** 2 + 20 * (3 * y - x**2) ** 2",
    "himmelblau": "(x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2",
    "rastrigin": "20 + x**2 - 10 * torch.cos(2 * math.pi * x) + y**2 "
                 "- 10 * torch.cos(2 * math.pi * y)",
    "beale": "(1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2",
    "saddle": "x**2 - y**2",
    "regression": "((x * X + y - Y) ** 2).mean()  # x = weight w, y = bias b",
}

# dlviz.surfaces.regression(seed=0) uses dlviz.data.linear_regression's defaults (tested)
REGRESSION_DATA = dict(seed=0, n=50, w=2.0, b=-1.0, noise=0.5)
_REGRESSION_DATA = '''
# The page's seeded data set (dlviz.data.linear_regression): y = w·x + b + noise
g = torch.Generator().manual_seed({seed})
X = torch.rand({n}, 1, generator=g) * 4 - 2
Y = {w} * X + {b} + {noise} * torch.randn({n}, 1, generator=g)
X, Y = X.double().squeeze(1), Y.double().squeeze(1)
'''

_TEMPLATE = '''\
# dlviz · Loss surfaces & gradient descent: reproduce this run with plain PyTorch.
import math

import torch

START = {start}
LR, STEPS = {lr}, {steps}
KAPPA = {kappa}
{data}

def f(w):
    """{title}"""
    x = w[0]
    y = w[1] if len(w) > 1 else None
    return {formula}


w = torch.tensor(START, dtype=torch.float64, requires_grad=True)
optimizer = {make}
points, losses, diverged_at = [], [], -1
for step in range(STEPS + 1):
    optimizer.zero_grad()
    loss = f(w)
    # diverged: |loss| > 1e12, |coordinate| > 1e6, or not finite (NaN fails every <=)
    if not (abs(loss.item()) <= 1e12 and w.detach().abs().max().item() <= 1e6):
        diverged_at = step
        break
    points.append(w.detach().tolist())
    losses.append(loss.item())
    if step == STEPS:
        break
    loss.backward()
    optimizer.step()

print("start:", " ".join(f"{{v:.6g}}" for v in points[0]))
print("final point:", " ".join(f"{{v:.6g}}" for v in points[-1]))
print("final loss:", f"{{losses[-1]:.6g}}")
print("steps run:", len(points) - 1)
print("diverged at:", diverged_at)
'''

_MAKE = {
    "sgd": "torch.optim.SGD([w], lr=LR, momentum={momentum}, nesterov={nesterov})",
    "adam": "torch.optim.Adam([w], lr=LR)",
    "rmsprop": "torch.optim.RMSprop([w], lr=LR, momentum={momentum})",
    "adagrad": "torch.optim.Adagrad([w], lr=LR)",
}


def script(*, name: str, start, optimizer: str, lr: float, momentum: float, nesterov: bool,
           steps: int, kappa: float = 10.0, title: str = "") -> str:
    """A self-contained script reproducing `optim.trace(name, …)` with these settings."""
    if name not in FORMULAS or optimizer not in _MAKE:
        raise ValueError("unknown surface or optimizer")
    data_block = ""
    if name == "regression":
        data_block = _REGRESSION_DATA.format(**REGRESSION_DATA)
    make = _MAKE[optimizer].format(momentum=literal(float(momentum)),
                                   nesterov=literal(bool(nesterov)))
    return _TEMPLATE.format(start=literal(tuple(float(s) for s in start)), lr=literal(float(lr)),
                            steps=literal(int(steps)), kappa=literal(float(kappa)),
                            data=data_block, title=title.replace('"', "'"),
                            formula=FORMULAS[name], make=make)


def prints(trace: optim.Trace) -> dict[str, object]:
    """What the script prints, from the page's own trace."""
    return {
        "start": [float(v) for v in trace.points[0]] if len(trace.points) else [],
        "final point": [float(v) for v in trace.points[-1]] if len(trace.points) else [],
        "final loss": float(trace.losses[-1]) if len(trace.losses) else [],
        "steps run": max(len(trace.points) - 1, 0),
        "diverged at": -1 if trace.diverged_at is None else int(trace.diverged_at),
    }

