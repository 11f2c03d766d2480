"""The "Reproduce in PyTorch" script of the fine-tuning page, and the numbers it prints.

The script repeats `dlviz.finetune` with plain torch (no dlviz): the same seeded data, model,
freezing and SGD loop, so it prints the page's numbers. The page trains its four runs as one
stacked computation (`dlviz.finetune_stack`), the script one `nn.Sequential` after another:
the two differ by float32 rounding only, measured ≤ 4e-6 relative at the caps (lr 0.1, 40
epochs), inside the 6 printed digits and `dlviz.reproduce.close` (rtol 2e-5).
"""

from __future__ import annotations

from collections.abc import Sequence

from dlviz import finetune as ft
from dlviz.reproduce import literal

_TEMPLATE = '''\
# dlviz · Freezing & fine-tuning: pretrain on US salaries (task A), freeze layers,
# fine-tune on EU salaries (task B), with plain PyTorch.
import copy
import io
import math

import torch
from torch import nn, optim

torch.set_num_threads(1)  # tiny tensors: one thread is fastest

SEED = {seed}  # your seed: the EU data, the batch order, the from-scratch model
PRETRAIN_SEED = {pretrain_seed}  # the pretrained model's own seed: the model you would download
FROZEN_LAYERS = {frozen}  # 0-based indices of the Linear layers to freeze
LR = {lr}
EPOCHS = {epochs}
SMALL_LR = {small_lr}
SIZES = {sizes}


def salaries(region, n, seed):
    """Seeded synthetic data-scientist salaries, in units of 100k."""
    g = torch.Generator().manual_seed(seed + (0 if region == "us" else 1))
    x = torch.randn(n, 4, generator=g)
    exp, senior, remote, size = x.unbind(1)
    us = 120 + 25 * torch.tanh(exp) + 15 * senior + 8 * torch.relu(size) - 4 * remote
    y = us if region == "us" else 0.6 * us + 10 + 6 * remote - 5 * torch.relu(-exp)
    y = y + 4.0 * torch.randn(n, generator=g)
    return x, (y / 100.0).unsqueeze(1)


def split(x, y, seed, val_fraction={val_fraction}):
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed + 7919))
    x, y = x[order], y[order]
    n_val = max(1, round(len(x) * val_fraction))
    return x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:]


def build_model():
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(SIZES) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def train(model, data, lr, epochs, seed):
    """SGD with momentum on shuffled mini-batches; validation MSE after each epoch."""
    x_train, y_train, x_val, y_val = data
    criterion = nn.MSELoss()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = optim.SGD(params, lr=lr, momentum={momentum}) if params else None
    order = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(epochs):
        perm = torch.randperm(len(x_train), generator=order)
        for start in range(0, len(x_train), {batch}):
            idx = perm[start:start + {batch}]
            if optimizer is not None:
                optimizer.zero_grad()
                loss = criterion(model(x_train[idx]), y_train[idx])
                loss.backward()
                optimizer.step()
        with torch.no_grad():
            losses.append(criterion(model(x_val), y_val).item())
    return losses


# The pretrained model: trained once on US salaries, the same whatever SEED is
task_a = split(*salaries("us", {n_a}, PRETRAIN_SEED), PRETRAIN_SEED)
torch.manual_seed(PRETRAIN_SEED)
pretrained = build_model()
pretrain_losses = train(pretrained, task_a, lr={pretrain_lr}, epochs={pretrain_epochs},
                        seed=PRETRAIN_SEED)

task_b = split(*salaries("eu", {n_b}, SEED), SEED)


def fine_tune(frozen_layers, lr):
    model = copy.deepcopy(pretrained)
    frozen_names = [f"{{2 * i}}.{{kind}}" for i in frozen_layers for kind in ("weight", "bias")]
    for name, param in model.named_parameters():
        if name in frozen_names:
            param.requires_grad = False
    before = {{name: p.detach().clone() for name, p in model.named_parameters()}}
    losses = train(model, task_b, lr=lr, epochs=EPOCHS, seed=SEED + 2)
    change = [max((p.detach() - before[name]).abs().max().item()
                  for name, p in model.named_parameters() if name.startswith(f"{{2 * i}}."))
              for i in range(len(SIZES) - 1)]
    return model, losses, change


torch.manual_seed(SEED + 1)
scratch = build_model()
scratch_losses = train(scratch, task_b, lr=LR, epochs=EPOCHS, seed=SEED + 2)
_, all_losses, _ = fine_tune([], LR)
model, losses, change = fine_tune(FROZEN_LAYERS, LR)
_, small_lr_losses, _ = fine_tune(FROZEN_LAYERS, SMALL_LR)

trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
total = sum(p.numel() for p in model.parameters())
buffer = io.BytesIO()  # or a file: torch.save(model.state_dict(), "finetuned.pt")
torch.save(model.state_dict(), buffer)
buffer.seek(0)
model.load_state_dict(torch.load(buffer, weights_only=True))

print("pretrained val loss on A:", f"{{pretrain_losses[-1]:.6g}}")
print("trainable frozen total:", trainable, total - trainable, total)
print("final val loss:", f"{{losses[-1]:.6g}}")
finals = [scratch_losses[-1], all_losses[-1], losses[-1], small_lr_losses[-1]]
print("final loss scratch, all, yours, small lr:", " ".join(f"{{v:.6g}}" for v in finals))
print("max |dw| per layer:", " ".join(f"{{v:.6g}}" for v in change))
assert all(math.isfinite(v) for v in finals)
'''


def script(*, frozen: Sequence[bool], lr: float, epochs: int, seed: int) -> str:
    """The runnable script for these settings (`frozen` has one flag per Linear layer)."""
    return _TEMPLATE.format(
        seed=literal(int(seed)), pretrain_seed=literal(ft.PRETRAIN_SEED),
        frozen=literal([i for i, f in enumerate(frozen) if f]),
        lr=literal(float(lr)), epochs=literal(int(epochs)),
        small_lr=literal(float(lr) * ft.SMALL_LR_FACTOR), sizes=literal(ft.LAYER_SIZES),
        val_fraction=literal(ft.VAL_FRACTION), momentum=literal(ft.MOMENTUM),
        batch=literal(ft.BATCH_SIZE), n_a=literal(ft.N_A), n_b=literal(ft.N_B),
        pretrain_lr=literal(ft.PRETRAIN_LR), pretrain_epochs=literal(ft.PRETRAIN_EPOCHS),
    )


def prints(comparison: ft.Comparison) -> dict[str, float | int | list]:
    """The page's numbers, labelled exactly as the script prints them."""
    run = comparison.runs["freeze"]
    return {
        "pretrained val loss on A": float(comparison.pretrained.losses[-1]),
        "trainable frozen total": [run.trainable, run.total - run.trainable, run.total],
        "final val loss": float(run.losses[-1]),
        "final loss scratch, all, yours, small lr": [
            float(comparison.runs[k].losses[-1]) for k in ("scratch", "all", "freeze",
                                                          "small_lr")],
        "max |dw| per layer": [float(c.max()) for c in run.unit_change],
    }


def freeze_code(frozen: Sequence[bool]) -> str:
    """The course's `named_parameters` loop for this choice of frozen layers."""
    if not any(frozen):
        return ("# nothing frozen: every parameter keeps requires_grad=True\n"
                "for name, param in model.named_parameters():\n"
                "    print(name, param.requires_grad)")
    pairs = [f"'{2 * i}.weight', '{2 * i}.bias'" for i, f in enumerate(frozen) if f]
    listed = ",\n          ".join(pairs)  # one layer per line
    return (f"frozen = [{listed}]\n"
            "for name, param in model.named_parameters():\n"
            "    if name in frozen:\n"
            "        param.requires_grad = False")
