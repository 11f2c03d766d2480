"""The training-loop page's "Reproduce in PyTorch" script and the numbers it prints."""

from __future__ import annotations

from dlviz import training_loop as tl
from dlviz.reproduce import literal
from dlviz.training_loop import Accumulation, Snapshot, Trace, UpdateComparison

_TEMPLATE = '''\
# dlviz · The training loop: reproduce this page's numbers with plain PyTorch.
import math

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

BATCH_SIZE, SHUFFLE, LR, NUM_EPOCHS, SEED = {batch_size}, {shuffle}, {lr}, {epochs}, {seed}
SHOW_STEP = {step}  # the step shown on the page (0-based): epoch {epoch}, batch {batch}
K = {k}  # batches in the "forget zero_grad" demo
COMPARE_STEPS = {compare_steps}


def fmt(values):
    return " ".join(f"{{v:.6g}}" for v in values)


def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors])


# A seeded 4-feature regression set: y = x·w + b + noise
g = torch.Generator().manual_seed(SEED)
x = torch.randn({n}, {features}, generator=g)
y = x @ torch.tensor({weights}).unsqueeze(1) + {bias} + {noise} * torch.randn({n}, 1, generator=g)
# Trained in float64, as the page: without zero_grad the loop is chaotic, and float32's
# last-bit rounding (which differs between matmul kernels) would grow into the printed digits.
dataset = TensorDataset(x.double(), y.double())


def make_model():
    torch.manual_seed(SEED)
    return nn.Sequential(nn.Linear(4, 2), nn.Linear(2, 1)).double()


def make_loader():
    shuffle_generator = torch.Generator().manual_seed(SEED + 1)
    return DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=SHUFFLE,
                      generator=shuffle_generator)


def train(zero_grad=True, show_step=None):
    model, dataloader = make_model(), make_loader()
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=LR)
    epoch_losses, step = [], 0
    for epoch in range(NUM_EPOCHS):
        losses = []
        for feature, target in dataloader:
            if zero_grad:
                optimizer.zero_grad()
            pred = model(feature)
            loss = criterion(pred, target)
            if not math.isfinite(loss.item()) or loss.item() > {diverged}:
                return epoch_losses  # diverged: only completed epochs count
            before = flat(model.parameters())
            loss.backward()
            grads = flat(p.grad for p in model.parameters())
            optimizer.step()
            if step == show_step:
                print("step (epoch batch):", epoch + 1, len(losses) + 1)
                print("batch loss:", fmt([loss.item()]))
                print("params before step:", fmt(before.tolist()))
                print("grads after backward:", fmt(grads.tolist()))
                print("params after step:", fmt(flat(model.parameters()).tolist()))
            losses.append(loss.item())
            step += 1
        epoch_losses.append(sum(losses) / len(losses))
    return epoch_losses


print("epoch loss:", fmt(train(zero_grad=True, show_step=SHOW_STEP)))
print("epoch loss without zero_grad:", fmt(train(zero_grad=False)))

# Forget zero_grad: .grad after K backward passes = the sum of the K single-batch gradients
dataloader, batches = make_loader(), []
while len(batches) < K:
    batches += list(dataloader)[:K - len(batches)]
model, criterion = make_model(), nn.MSELoss()
single = []
for feature, target in batches:
    model.zero_grad()
    criterion(model(feature), target).backward()
    single.append(flat(p.grad for p in model.parameters()))
model.zero_grad()
for feature, target in batches:  # no zero_grad in between
    criterion(model(feature), target).backward()
print("accumulated grad:", fmt(flat(p.grad for p in model.parameters()).tolist()))
print("sum of single-batch grads:", fmt(sum(single).tolist()))

# optimizer.step() next to the manual update w = w - lr * w.grad, on the same batches
models = [make_model() for _ in range(3)]
optimizer = optim.SGD(models[0].parameters(), lr=LR)
dataloader, max_diff, done = make_loader(), [0.0, 0.0, 0.0], 0
while done < COMPARE_STEPS:
    for feature, target in dataloader:
        losses = []
        for m in models:
            m.zero_grad()
            loss = criterion(m(feature), target)
            loss.backward()
            losses.append(loss.item())
        if not all(math.isfinite(v) and v <= {diverged} for v in losses):
            COMPARE_STEPS = done
            break
        optimizer.step()
        with torch.no_grad():
            for w in models[1].parameters():
                w.add_(w.grad, alpha=-LR)  # SGD's own line: one rounding
            for w in models[2].parameters():
                w.copy_(w - LR * w.grad)  # the textbook formula: lr * grad rounded first
        reference = flat(models[0].parameters())
        for i, m in enumerate(models):
            diff = (flat(m.parameters()) - reference).abs().max().item()
            max_diff[i] = max(max_diff[i], diff)
        done += 1
        if done == COMPARE_STEPS:
            break
print("compared steps:", done)
print("max |w - w_step| for step, add_, formula:", fmt(max_diff))
'''


def script(*, batch_size: int, shuffle: bool, lr: float, epochs: int, seed: int,
           snap: Snapshot, k: int, compare_steps: int) -> str:
    """A self-contained script that prints the same lines as `prints(...)`."""
    return _TEMPLATE.format(
        batch_size=literal(batch_size), shuffle=literal(bool(shuffle)), lr=literal(float(lr)),
        epochs=literal(epochs), seed=literal(seed), step=literal(snap.step),
        epoch=snap.epoch, batch=snap.batch, k=literal(k), compare_steps=literal(compare_steps),
        n=tl.N_SAMPLES, features=tl.N_FEATURES, weights=literal(list(tl.TRUE_WEIGHTS)),
        bias=literal(tl.TRUE_BIAS), noise=literal(tl.NOISE), diverged=literal(tl.DIVERGED),
    )


def prints(*, trace: Trace, snap: Snapshot, without: Trace, acc: Accumulation,
           comparison: UpdateComparison) -> dict[str, list[float]]:
    """The page's numbers, labelled as the script prints them."""
    t = snap.step
    return {
        "step (epoch batch)": [snap.epoch, snap.batch],
        "batch loss": [float(trace.loss[t])],
        "params before step": trace.params_before[t].tolist(),
        "grads after backward": trace.grads[t].tolist(),
        "params after step": trace.params_after[t].tolist(),
        "epoch loss": trace.epoch_loss.tolist(),
        "epoch loss without zero_grad": without.epoch_loss.tolist(),
        "accumulated grad": acc.accumulated[-1].tolist(),
        "sum of single-batch grads": acc.summed[-1].tolist(),
        "compared steps": [comparison.steps],
        "max |w - w_step| for step, add_, formula": comparison.max_diff.tolist(),
    }
