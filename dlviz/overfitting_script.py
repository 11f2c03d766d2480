"""The Overfitting page's "Reproduce in PyTorch" script and the numbers it prints."""

from __future__ import annotations

from dlviz import overfitting as of
from dlviz.reproduce import Number, literal

_TEMPLATE = '''\
# dlviz · Overfitting & regularisation: reproduce this page's numbers with plain PyTorch.
import math

import torch
from torch import nn

torch.set_num_threads(1)  # small tensors; also makes the last digits match the page
dataset, n_train, n_val, noise, seed = {dataset}, {n_train}, {n_val}, {noise}, {seed}
width, depth, dropout, weight_decay = {width}, {depth}, {dropout}, {weight_decay}
epochs, lr, jitter = {epochs}, {lr}, {jitter}


def fmt(values):
    return " ".join(f"{{v:.6g}}" for v in values)


# The data: a seeded noisy 2-D set, shuffled, the last n_val points for validation
g = torch.Generator().manual_seed(seed)
n = n_train + n_val
n0 = n // 2
if dataset == "moons":
    t = torch.rand(n, generator=g) * math.pi
    upper = torch.stack([torch.cos(t[:n0]), torch.sin(t[:n0])], 1)
    lower = torch.stack([1 - torch.cos(t[n0:]), 0.5 - torch.sin(t[n0:])], 1)
    x = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=g)
    x = x - torch.tensor([0.5, 0.25])
else:  # two spirals, {turns} turn(s)
    r = torch.rand(n, generator=g).sqrt()
    theta = r * {turns} * 2 * math.pi + torch.cat([torch.zeros(n0), torch.ones(n - n0)]) * math.pi
    x = torch.stack([r * torch.cos(theta), r * torch.sin(theta)], 1) * 2
    x = x + noise * torch.randn(n, 2, generator=g)
y = torch.cat([torch.zeros(n0, dtype=torch.int64), torch.ones(n - n0, dtype=torch.int64)])
order = torch.randperm(n, generator=torch.Generator().manual_seed(seed + 7919))
x, y = x[order], y[order]
x_train, y_train, x_val, y_val = x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:]

# The model: [Linear -> ReLU (-> Dropout)] x depth -> Linear(width, 2)
torch.manual_seed(seed)
layers, fan_in = [], 2
for _ in range(depth):
    layers += [nn.Linear(fan_in, width), nn.ReLU()]
    if dropout > 0:
        layers.append(nn.Dropout(p=dropout))
    fan_in = width
model = nn.Sequential(*layers, nn.Linear(fan_in, 2))
print("parameters:", sum(p.numel() for p in model.parameters() if p.requires_grad))

# Full-batch training: one Adam step per epoch; weight_decay adds weight_decay * w to the gradient
optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay, foreach=True)
both = torch.cat([x_train, x_val])
train_loss, val_loss, train_acc, val_acc = [], [], [], []
for epoch in range(epochs):
    model.train()  # dropout on
    inputs = x_train
    if jitter > 0:  # augmentation: fresh Gaussian jitter of the training points
        inputs = x_train + jitter * torch.randn(x_train.shape)
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(inputs), y_train).backward()
    optimizer.step()
    model.eval()  # dropout off: measure both sets alike
    with torch.no_grad():
        logits = model(both)
        tr, va = logits[:n_train], logits[n_train:]
        train_loss.append(nn.functional.cross_entropy(tr, y_train).item())
        val_loss.append(nn.functional.cross_entropy(va, y_val).item())
        # accuracy: the count right over the set's size (18 of 20 is 0.9, not float32's 0.8999...)
        train_acc.append((tr.argmax(1) == y_train).sum().item() / n_train)
        val_acc.append((va.argmax(1) == y_val).sum().item() / n_val)
weights = torch.cat([m.weight.reshape(-1) for m in model.modules() if isinstance(m, nn.Linear)])
best = min(range(epochs), key=val_loss.__getitem__)
print("final train loss:", fmt([train_loss[-1]]))
print("final val loss:", fmt([val_loss[-1]]))
print("final train accuracy:", fmt([train_acc[-1]]))
print("final val accuracy:", fmt([val_acc[-1]]))
print("best epoch:", best + 1)
print("lowest val loss:", fmt([val_loss[best]]))
print("weight norm:", fmt([torch.linalg.vector_norm(weights).item()]))

# Dropout in train and eval mode: the course's Linear(8, 4) -> ReLU -> Dropout(0.5)
torch.manual_seed({dropout_seed})
demo = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Dropout(p=0.5))
x = torch.randn(1, 8)
with torch.no_grad():
    demo.train()  # a fresh random mask every call; survivors scaled by 1 / (1 - p) = 2
    for call in range({calls}):
        print(f"train call {{call + 1}}:", fmt(demo(x)[0].tolist()))
    demo.eval()  # dropout does nothing: the same output every call
    for call in range({calls}):
        print(f"eval call {{call + 1}}:", fmt(demo(x)[0].tolist()))
'''


def script(*, dataset: str, n_train: int, noise: float, width: int, depth: int,
           dropout: float, weight_decay: float, epochs: int, jitter: float, seed: int,
           dropout_seed: int) -> str:
    """A self-contained script that trains the page's model and runs the dropout demo."""
    of.validate(dataset=dataset, n_train=n_train, noise=noise, width=width, depth=depth,
                dropout=dropout, weight_decay=weight_decay, epochs=epochs, jitter=jitter)
    return _TEMPLATE.format(
        dataset=literal(dataset), n_train=literal(int(n_train)), n_val=literal(of.N_VAL),
        noise=literal(float(noise)), seed=literal(int(seed)), width=literal(int(width)),
        depth=literal(int(depth)), dropout=literal(float(dropout)),
        weight_decay=literal(float(weight_decay)), epochs=literal(int(epochs)),
        lr=literal(of.LR), jitter=literal(float(jitter)), turns=literal(of.SPIRAL_TURNS),
        dropout_seed=literal(int(dropout_seed)), calls=literal(of.DROPOUT_CALLS),
    )


def prints(result: of.TrainResult, diagnosis: of.Diagnosis,
           demo: of.DropoutDemo) -> dict[str, Number | list[Number]]:
    """The page's own numbers, labelled as the script prints them."""
    best = diagnosis.best_epoch - 1
    out: dict[str, Number | list[Number]] = {
        "parameters": int(result.n_params),
        "final train loss": float(result.train_loss[-1]),
        "final val loss": float(result.val_loss[-1]),
        "final train accuracy": float(result.train_acc[-1]),
        "final val accuracy": float(result.val_acc[-1]),
        "best epoch": int(diagnosis.best_epoch),
        "lowest val loss": float(result.val_loss[best]),
        "weight norm": float(result.weight_norm[-1]),
    }
    for mode, rows in (("train", demo.train_out), ("eval", demo.eval_out)):
        for i, row in enumerate(rows):
            out[f"{mode} call {i + 1}"] = [float(v) for v in row]
    return out
