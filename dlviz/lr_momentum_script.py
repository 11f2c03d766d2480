"""The page's "Reproduce in PyTorch" script: the exact torch.optim loop of the runs shown."""

from __future__ import annotations

from collections.abc import Sequence

from dlviz import surfaces_script
from dlviz.lr_momentum import OBJECTIVES, Comparison, RunSpec
from dlviz.reproduce import literal

# Each objective as torch code in x, y: the Loss surfaces page's table (the same operations,
# in the same order, as dlviz.surfaces, so the script's floats equal the page's).
FORMULAS = {name: surfaces_script.FORMULAS[name] for name in OBJECTIVES}

_TEMPLATE = '''\
# dlviz · Learning rate & momentum: the runs on this page, as plain torch.optim loops.
import math

import torch

torch.set_default_dtype(torch.float64)
KAPPA = {kappa}  # condition number (the "quadratic" bowl only)


def f(w):
    x, y = w[0], w[-1]  # a 1-D objective uses x only
    return {formula}


START = {start}
NOISE_STD, SEED = {noise_std}, {seed}  # Gaussian noise added to every gradient
RUNS = [  # (optimizer, lr, momentum, nesterov, steps)
{runs}
]
OPTIMIZERS = {{"sgd": torch.optim.SGD, "adam": torch.optim.Adam,
              "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}}


def fmt(values):
    return " ".join(f"{{v:.6g}}" for v in values)


for i, (name, lr, momentum, nesterov, steps) in enumerate(RUNS, start=1):
    w = torch.tensor(START, requires_grad=True)
    kwargs = {{"lr": lr}}
    if name in ("sgd", "rmsprop"):
        kwargs["momentum"] = momentum  # SGD: v <- momentum*v + g; w <- w - lr*v
    if name == "sgd":
        kwargs["nesterov"] = nesterov
    opt = OPTIMIZERS[name]([w], **kwargs)
    noise = torch.Generator().manual_seed(SEED)
    last_w, last_loss, done = w.detach().clone(), float("nan"), 0
    for k in range(steps + 1):
        opt.zero_grad()
        loss = f(w)
        # diverged at step k: a coordinate beyond 1e6 or |loss| beyond 1e12 (or not finite)
        if not (bool((w.detach().abs() <= 1e6).all()) and abs(loss.item()) <= 1e12):
            break
        loss.backward()
        last_w, last_loss, done = w.detach().clone(), loss.item(), k
        if k == steps:
            break
        if NOISE_STD:
            w.grad.add_(NOISE_STD * torch.randn(len(w), generator=noise, dtype=torch.float64))
        opt.step()
    print(f"run {{i}} final point:", fmt(last_w.tolist()))
    print(f"run {{i}} final loss:", fmt([last_loss]))
    print(f"run {{i}} steps done:", done)
'''


def _run_line(spec: RunSpec) -> str:
    kw = spec.torch_kwargs()
    values = (spec.optimizer, float(spec.lr), float(kw.get("momentum", 0.0)),
              bool(kw.get("nesterov", False)), int(spec.steps))
    return f"    {literal(values)},"


def script(*, surface: str, start: Sequence[float], runs: Sequence[RunSpec],
           noise_std: float = 0.0, seed: int = 0, condition: float | None = None) -> str:
    """A self-contained script printing the same lines as `prints(comparison)`."""
    if surface not in FORMULAS:
        raise ValueError(f"no script formula for {surface!r}")
    return _TEMPLATE.format(
        kappa=literal(float(condition if condition is not None else 10.0)),
        formula=FORMULAS[surface], start=literal([float(s) for s in start]),
        noise_std=literal(float(noise_std)), seed=literal(int(seed)),
        runs="\n".join(_run_line(s) for s in runs))


def prints(comp: Comparison) -> dict[str, list[float] | int]:
    """What the script prints, from the page's own runs."""
    out: dict[str, list[float] | int] = {}
    for i, r in enumerate(comp.runs, start=1):
        out[f"run {i} final point"] = [float(v) for v in r.points[-1]]
        out[f"run {i} final loss"] = [float(r.losses[-1])]
        out[f"run {i} steps done"] = int(len(r.points) - 1)
    return out
