"""The "Reproduce in PyTorch" script of the initialisation section, and the numbers it prints.

Plain torch (no dlviz): the same seeded layers as `dlviz.init_schemes`, re-initialised with
the same `torch.nn.init` calls, so it prints the page's numbers: the weight range of the
fine-tuning MLP after the chosen scheme, and the activation std through the deep ReLU MLP.
"""

from __future__ import annotations

import math

from dlviz import finetune as ft
from dlviz import init_schemes as ini
from dlviz.reproduce import literal

_TEMPLATE = '''\
# dlviz · Layer initialisation: apply torch.nn.init schemes to fresh nn.Linear layers, then
# push one batch through a deep ReLU MLP, with plain PyTorch.
import math

import torch
from torch import nn

torch.set_num_threads(1)  # tiny tensors: one thread is fastest

SEED = {seed}
SCHEME = {scheme}  # the scheme chosen on the page
SIGMA = {sigma}  # std of normal(0, sigma)
C = {constant}  # the value of constant
DEPTH = {depth}  # Linear(WIDTH, WIDTH) + ReLU layers of the deep MLP
WIDTH, BATCH = {width}, {batch}
SIZES = {sizes}  # the fine-tuning MLP
SCHEMES = {schemes}


def init_(layer, scheme):
    """Re-initialise one nn.Linear in place; every scheme but the default zeroes the bias."""
    if scheme == "default":
        return  # nn.Linear already drew U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    if scheme == "uniform":
        nn.init.uniform_(layer.weight)  # U(0, 1)
    elif scheme == "normal":
        nn.init.normal_(layer.weight, mean=0.0, std=SIGMA)
    elif scheme == "xavier":
        nn.init.xavier_uniform_(layer.weight)
    elif scheme == "kaiming":
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    elif scheme == "zeros":
        nn.init.zeros_(layer.weight)
    elif scheme == "constant":
        nn.init.constant_(layer.weight, C)
    nn.init.zeros_(layer.bias)


def show(values):
    return " ".join(f"{{v:.6g}}" if math.isfinite(v) else "nan" for v in values)


# The fine-tuning MLP right after SCHEME (ReLUs draw no random numbers: only the Linears)
torch.manual_seed(SEED)
layers = [nn.Linear(n_in, n_out) for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]
for layer in layers:
    init_(layer, SCHEME)
print("smallest weight per layer:", show(layer.weight.min().item() for layer in layers))
print("largest weight per layer:", show(layer.weight.max().item() for layer in layers))


def activation_std(scheme):
    """The std of every layer's output, for one seeded N(0, 1) batch, at initialisation."""
    torch.manual_seed(SEED)
    deep = [nn.Linear(WIDTH, WIDTH) for _ in range(DEPTH)]
    for layer in deep:
        init_(layer, scheme)
    h, stds = x, []
    with torch.no_grad():
        for layer in deep:
            h = torch.relu(layer(h))
            stds.append(h.std().item())  # inf or nan once float32 overflows
    return stds


x = torch.randn(BATCH, WIDTH, generator=torch.Generator().manual_seed(SEED))
print("input std:", show([x.std().item()]))
print(f"activation std per layer ({{SCHEME}}):", show(activation_std(SCHEME)))
print("std after the last layer per scheme:", show(activation_std(s)[-1] for s in SCHEMES))
'''


def script(*, scheme: str, sigma: float, constant: float, depth: int, seed: int) -> str:
    """The runnable script for these settings."""
    return _TEMPLATE.format(
        seed=literal(int(seed)), scheme=literal(scheme), sigma=literal(float(sigma)),
        constant=literal(float(constant)), depth=literal(int(depth)),
        width=literal(ini.DEEP_WIDTH), batch=literal(ini.DEEP_BATCH),
        sizes=literal(ft.LAYER_SIZES), schemes=literal(tuple(ini.SCHEMES)))


def _numbers(values) -> list[float]:
    return [float(v) if math.isfinite(v) else math.nan for v in values]


def prints(hist: ini.Histograms, stds: ini.ActivationStd) -> dict[str, float | list[float]]:
    """The page's numbers (histogram ranges, activation std), labelled as the script prints
    them; a std that overflowed float32 is nan on both sides."""
    chosen = stds.schemes.index(hist.scheme)
    return {
        "smallest weight per layer": _numbers(hist.low),
        "largest weight per layer": _numbers(hist.high),
        "input std": float(stds.input_std),
        f"activation std per layer ({hist.scheme})": _numbers(stds.std[chosen]),
        "std after the last layer per scheme": _numbers(stds.std[:, -1]),
    }
