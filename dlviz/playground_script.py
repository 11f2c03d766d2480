"""The Network playground's "Reproduce in PyTorch" script and the numbers it prints.

The script runs without dlviz: TensorFlow Playground's generator for the chosen data set (the
lines of dlviz.playground_data, the same numpy draws in the same order), the inputs, the
nn.Sequential, the torch.optim optimizer and the training loop of dlviz.playground (the same
seeded initialisation and batch order, the L1 proximal step, the stop on a blow-up), then
chapter 4's one-batch check. Both train in float64 from PyTorch's float32 default init (see
dlviz.playground), so its numbers equal the page's far beyond the printed digits, except for
chaotic training, where the page's stacked kernels' last bits grow (dlviz.playground).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from dlviz import playground as pg
from dlviz import playground_data as pdata
from dlviz import playground_net as net
from dlviz import playground_presets as presets
from dlviz.playground_net import NetSpec
from dlviz.reproduce import Number, literal

# Each data set's generator: numpy, from the generator g, n points → x (n, 2), y (n,) 0/1
GENERATORS = {
    "circle": '''\
# Circle (radius 5): half the points at r ~ U[0, 2.5], half at U[3.5, 5]; class 1 inside 2.5,
# judged on the point plus a noise offset U[-5, 5] * noise per coordinate (flips labels)
r = np.concatenate([g.uniform(0, 2.5, n // 2), g.uniform(3.5, 5, n - n // 2)])
angle = g.uniform(0, 2 * math.pi, n)
x = np.stack([r * np.sin(angle), r * np.cos(angle)], 1)
shifted = x + g.uniform(-5, 5, (n, 2)) * noise
y = (np.hypot(shifted[:, 0], shifted[:, 1]) < 2.5).astype(np.int64)''',
    "xor": '''\
# XOR: x1, x2 ~ U[-5, 5], each pushed 0.3 away from 0; class 1 where x1 * x2 >= 0, judged on
# the point plus a noise offset U[-5, 5] * noise per coordinate
x = g.uniform(-5, 5, (n, 2))
x = x + np.where(x > 0, 0.3, -0.3)
shifted = x + g.uniform(-5, 5, (n, 2)) * noise
y = (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int64)''',
    "gauss": '''\
# Two Gaussians: class 1 around (2, 2), class 0 around (-2, -2); the variance grows from 0.5
# (noise 0) to 4 (noise 0.5)
variance = 0.5 + noise / 0.5 * (4 - 0.5)
centres = np.repeat(np.array([[2.0, 2.0], [-2.0, -2.0]]), [n // 2, n - n // 2], axis=0)
x = centres + math.sqrt(variance) * g.standard_normal((n, 2))
y = np.repeat(np.array([1, 0], dtype=np.int64), [n // 2, n - n // 2])''',
    "spiral": '''\
# Spiral: two arms of m points; point i at radius 5i/m and angle 1.75 * 2pi * i/m (+pi for the
# second arm, class 0), plus U[-1, 1] * noise per coordinate
m = n // 2
i = np.arange(m) / m
arms = []
for delta in (0.0, math.pi):
    t = 1.75 * 2 * math.pi * i + delta
    arms.append(np.stack([5 * i * np.sin(t), 5 * i * np.cos(t)], 1))
x = np.concatenate(arms) + g.uniform(-1, 1, (2 * m, 2)) * noise
y = np.repeat(np.array([1, 0], dtype=np.int64), [m, m])''',
    "moons": '''\
# Moons (not a Playground set): two half circles, Gaussian noise of std 0.5 * noise moon radii,
# drawn by torch from a seed that g draws, scaled x3 onto the square
t_gen = torch.Generator().manual_seed(int(g.integers(2**31)))
n0 = n // 2
t = torch.rand(n, generator=t_gen) * math.pi
upper = torch.stack([torch.cos(t[:n0]), torch.sin(t[:n0])], 1)
lower = torch.stack([1 - torch.cos(t[n0:]), 0.5 - torch.sin(t[n0:])], 1)
moons = torch.cat([upper, lower]) + 0.5 * noise * torch.randn(n, 2, generator=t_gen)
x = (moons - torch.tensor([0.5, 0.25])).double().numpy() * 3.0
y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n - n0, dtype=np.int64)])''',
}
ACTIVATION_CODE = {"relu": "nn.ReLU()", "tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()",
                   "linear": "nn.Identity()"}
OPTIMIZER_CODE = {"sgd": ("torch.optim.SGD", ""), "momentum": ("torch.optim.SGD",
                                                             ", momentum=0.9"),
                  "adam": ("torch.optim.Adam", "")}

_TEMPLATE = '''\
# dlviz · Network playground: reproduce this page's numbers with plain PyTorch.
import math

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)  # small tensors: one thread is faster
dataset, noise, train_share, seed = {dataset}, {noise}, {train_share}, {seed}
my_points = {points}  # (x1, x2, class): yours, added to the training set
features, hidden, dropout = {features}, {hidden}, {dropout}
lr, batch_size, epochs = {lr}, {batch_size}, {epochs}
regularization, reg_rate = {regularization}, {reg_rate}


def fmt(values):
    return " ".join(f"{{v:.6g}}" for v in values)


# The data: {n} points from numpy's seeded generator, shuffled; the first train_share of them
# train (the last 20 % of those validate), the rest test
g = np.random.default_rng(seed)
n = {n}
{generator}
order = g.permutation(n)
x, y = x[order], y[order]
n_share = math.floor(n * train_share + 1e-9)
n_train = n_share - max(1, round(n_share * 0.2))
mine = np.array(my_points, dtype=np.float64).reshape(-1, 3)
x_train = np.concatenate([x[:n_train], np.clip(mine[:, :2], -6, 6)])
y_train = np.concatenate([y[:n_train], mine[:, 2].astype(np.int64)])
x_val, y_val, x_test, y_test = x[n_train:n_share], y[n_train:n_share], x[n_share:], y[n_share:]


def inputs(points):  # (n, 2) -> (n, len(features)) float64: the network's input features
    p = torch.tensor(points, dtype=torch.float64)
    x1, x2 = p[:, 0], p[:, 1]
    table = {{"x1": x1, "x2": x2, "x1_sq": x1 * x1, "x2_sq": x2 * x2, "x1x2": x1 * x2,
             "sin_x1": torch.sin(x1), "sin_x2": torch.sin(x2)}}
    return torch.stack([table[f] for f in features], 1)


x_fit, y_fit = inputs(x_train), torch.tensor(y_train, dtype=torch.float64)
x_all = inputs(np.concatenate([x_train, x_val, x_test]))  # one eval pass for the three sets
y_all = torch.tensor(np.concatenate([y_train, y_val, y_test]), dtype=torch.float64)
ends = [0, len(x_train), len(x_train) + len(x_val), len(y_all)]


def build():  # [Linear -> activation (-> Dropout)] per hidden layer -> Linear(., 1): one logit
    layers, fan_in = [], len(features)
    for units in hidden:
        layers += [nn.Linear(fan_in, units), {activation}]
        if dropout > 0:
            layers.append(nn.Dropout(p=dropout))
        fan_in = units
    return nn.Sequential(*layers, nn.Linear(fan_in, 1))


def step(model, optimizer, xb, yb):
    optimizer.zero_grad()
    loss = nn.functional.binary_cross_entropy_with_logits(model(xb).squeeze(1), yb)
    loss.backward()
    optimizer.step()
{l1_step}

# PyTorch's default init (float32), then float64 training: the page trains many networks at
# once as stacked matrices, which round differently from nn.Linear; in float64 the two agree
# far beyond the printed digits, unless training is chaotic (a learning rate of 3 or 10, some
# long Adam runs), where any rounding difference grows until the numbers differ.
# Dropout draws from this seeded generator too.
torch.manual_seed(seed)
model = build().double()
weights = [m.weight for m in model if isinstance(m, nn.Linear)]
biases = [m.bias for m in model if isinstance(m, nn.Linear)]
{optimizer}
print("parameters:", sum(p.numel() for p in model.parameters() if p.requires_grad))


@torch.no_grad()
def evaluate():  # mean BCE on train, val, test (eval mode: no dropout) and the logits
    model.eval()
    logits = model(x_all).squeeze(1)
    return [nn.functional.binary_cross_entropy_with_logits(logits[a:b], y_all[a:b]).item()
            for a, b in zip(ends, ends[1:])], logits


batch_order = torch.Generator().manual_seed(seed)  # each epoch a fresh seeded permutation
history, diverged_at = [evaluate()[0]], 0
good = nn.utils.parameters_to_vector(model.parameters()).detach()
for epoch in range(1, epochs + 1):
    model.train()
    perm = torch.randperm(len(y_fit), generator=batch_order)
    for xb, yb in zip(x_fit[perm].split(batch_size), y_fit[perm].split(batch_size)):
        step(model, optimizer, xb, yb)
    losses = evaluate()[0]
    now = nn.utils.parameters_to_vector(model.parameters()).detach()
    if not (math.isfinite(losses[0]) and losses[0] <= 1e3 and torch.isfinite(now).all()):
        nn.utils.vector_to_parameters(good, model.parameters())  # the last finite epoch's
        diverged_at = epoch
        break
    history.append(losses)
    good = now
logits = evaluate()[1]
right = ((torch.sigmoid(logits) > 0.5).float() == y_all).float()
w = torch.cat([m.reshape(-1) for m in weights]).detach()
print("epochs trained:", len(history) - 1)
print("diverged at epoch:", diverged_at)  # 0: it did not
for k, name in enumerate(("train", "val", "test")):
    print(f"final {{name}} loss:", fmt([history[-1][k]]))
for name, a, b in zip(("train", "val", "test"), ends, ends[1:]):
    print(f"{{name}} accuracy:", fmt([right[a:b].mean().item()]))
print("zero weights:", int((w == 0).sum()))
print("weight norm:", fmt([torch.linalg.vector_norm(w).item()]))

# Chapter 4: overfit one batch first. The same init, optimizer and lr, no dropout or penalty,
# on the training set's first batch_size points, until the loss is below {tol}
dropout, regularization = 0.0, "none"
torch.manual_seed(seed)
model = build().double()
weights = [m.weight for m in model if isinstance(m, nn.Linear)]
{bare_optimizer}
xb, yb = x_fit[:batch_size], y_fit[:batch_size]
last = float("nan")
for k in range({max_steps} + 1):
    with torch.no_grad():
        loss = nn.functional.binary_cross_entropy_with_logits(model(xb).squeeze(1), yb).item()
    if not (math.isfinite(loss) and loss <= 1e3):
        k -= 1  # the last finite loss is the one reported
        break
    last = loss
    if loss < {tol} or k == {max_steps}:
        break
    step(model, optimizer, xb, yb)
print("one-batch steps:", k)
print("one-batch loss:", fmt([last]))
'''

_L1 = '''\
    if regularization == "l1":  # proximal step: w <- sign(w) * max(|w| - lr * rate, 0)
        with torch.no_grad():
            for w in weights:
                w.sub_(w.clamp(-lr * reg_rate, lr * reg_rate))  # exactly 0 where |w| <= lr*rate
'''


def _optimizer(spec: NetSpec) -> str:
    """The optimizer line as dlviz.playground_net.make_optimizer builds it (fused kernels:
    the same arithmetic as the page)."""
    cls, extra = OPTIMIZER_CODE[spec.optimizer]
    if spec.regularization == "l2" and spec.reg_rate > 0:
        return (f"# L2: weight_decay adds reg_rate * w to the weights' gradient (not the biases')\n"
                f"optimizer = {cls}([{{\"params\": weights, \"weight_decay\": reg_rate}},\n"
                f"                    {{\"params\": biases, \"weight_decay\": 0.0}}], lr=lr"
                f"{extra}, fused=True)")
    return f"optimizer = {cls}(model.parameters(), lr=lr{extra}, fused=True)"


def script(*, dataset: str, noise: float, train_share: float, seed: int, points: tuple,
           spec: NetSpec) -> str:
    """A self-contained script that trains the page's first network and runs its one-batch
    check. Settings go in as literals (validated by the engine first)."""
    net.check(spec)
    pdata.extra_points(points)
    if dataset not in GENERATORS:
        raise ValueError(f"dataset must be one of {', '.join(GENERATORS)}, got {dataset!r}")
    l1 = spec.regularization == "l1" and spec.reg_rate > 0
    bare = replace(spec, dropout=0.0, regularization="none")
    return _TEMPLATE.format(
        dataset=literal(dataset), noise=literal(float(noise)),
        train_share=literal(float(train_share)), seed=literal(int(seed)),
        points=literal(tuple(tuple(p) for p in points)), features=literal(tuple(spec.features)),
        hidden=literal(tuple(int(u) for u in spec.hidden)), dropout=literal(float(spec.dropout)),
        lr=literal(float(spec.lr)), batch_size=literal(int(spec.batch_size)),
        epochs=literal(int(spec.epochs)), regularization=literal(spec.regularization),
        reg_rate=literal(float(spec.reg_rate)), n=pdata.N_POINTS,
        generator=GENERATORS[dataset], activation=ACTIVATION_CODE[spec.activation],
        l1_step=_L1 if l1 else "", optimizer=_optimizer(spec), bare_optimizer=_optimizer(bare),
        tol=f"{pg.OVERFIT_TOL:g}", max_steps=pg.OVERFIT_STEPS)


def prints(run: pg.PlaygroundRun, over: pg.OverfitRun) -> dict[str, Number | list[Number]]:
    """The page's own numbers, labelled as the script prints them."""
    w = presets.final_weights(run)
    return {
        "parameters": int(run.n_params),
        "epochs trained": int(run.epoch[-1]),
        "diverged at epoch": int(run.diverged_at or 0),
        "final train loss": float(run.train_loss[-1]),
        "final val loss": float(run.val_loss[-1]),
        "final test loss": float(run.test_loss[-1]),
        "train accuracy": float(run.train_acc),
        "val accuracy": float(run.val_acc),
        "test accuracy": float(run.test_acc),
        "zero weights": int((w == 0).sum()),
        "weight norm": float(np.linalg.norm(w)),
        "one-batch steps": int(len(over.loss) - 1),
        "one-batch loss": float(over.loss[-1]) if len(over.loss) else float("nan"),
    }
