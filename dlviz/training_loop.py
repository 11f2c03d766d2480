"""The training loop, one batch at a time: zero_grad → forward → loss → backward → step.

The course's setup: a regression model `Linear(4, 2) → Linear(2, 1)`, `nn.MSELoss`,
`optim.SGD`, a seeded 4-feature data set in a `TensorDataset` and a `DataLoader`. `train`
runs the real loop once and records a trace (parameters before and after every step, the
`.grad` each `backward()` leaves, predictions, losses); `snapshot` only indexes it, so the
page's step widget costs nothing. SGD's update is w ← w − lr·∂L/∂w.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

from dlviz import rng

N_SAMPLES = 64
N_FEATURES = 4
TRUE_WEIGHTS = (1.5, -2.0, 0.5, 1.0)  # y = x·w + b + noise
TRUE_BIAS = 0.5
NOISE = 0.3
# Divisors of N_SAMPLES, so every batch is full; batch 1 would cost 64 recorded steps an epoch.
BATCH_SIZES = (2, 4, 8, 16, 32, 64)
LRS = (0.001, 0.003, 0.01, 0.02, 0.05, 0.1)
MAX_EPOCHS = 30
DIVERGED = 1e6  # a batch loss above this (or not finite) stops a run
STAGES = ("zero_grad", "forward", "loss", "backward", "step")
# named_parameters() of the model, in order, with shapes; flattened they make one vector.
PARAMS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("0.weight", (2, 4)), ("0.bias", (2,)), ("1.weight", (1, 2)), ("1.bias", (1,)),
)
N_PARAMS = 13


def make_data(*, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """x ~ N(0, 1), y = x·TRUE_WEIGHTS + TRUE_BIAS + NOISE·ε. Shapes (64, 4) and (64, 1)."""
    g = torch.Generator().manual_seed(int(seed))
    x = torch.randn(N_SAMPLES, N_FEATURES, generator=g)
    w = torch.tensor(TRUE_WEIGHTS).unsqueeze(1)  # (4, 1)
    y = x @ w + TRUE_BIAS + NOISE * torch.randn(N_SAMPLES, 1, generator=g)
    return x, y


def make_model(*, seed: int = 0) -> nn.Sequential:
    """Linear(4, 2) → Linear(2, 1) with torch's default init after `torch.manual_seed(seed)`.

    The global RNG is forked, so building a model leaves the caller's RNG untouched.
    """
    with rng.seeded(seed):
        return nn.Sequential(nn.Linear(N_FEATURES, 2), nn.Linear(2, 1))


def make_loader(x: torch.Tensor, y: torch.Tensor, *, batch_size: int, shuffle: bool,
                seed: int) -> DataLoader:
    """The course's DataLoader; the shuffle order comes from its own seeded generator."""
    g = torch.Generator().manual_seed(int(seed) + 1)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle, generator=g)


def _vec(tensors) -> torch.Tensor:
    """Parameters (or their .grad) concatenated into one new float32 vector (13,)."""
    return torch.cat([t.detach().reshape(-1) for t in tensors])


def flat(tensors) -> np.ndarray:
    """Parameters (or their .grad) as one float64 numpy vector (13,), in PARAMS order."""
    return _vec(tensors).double().numpy()


def _check(batch_size: int, lr: float, epochs: int) -> None:
    if batch_size not in BATCH_SIZES:
        raise ValueError(f"batch_size must be one of {BATCH_SIZES}")
    if not (0 < lr <= 1 and 1 <= epochs <= MAX_EPOCHS):
        raise ValueError(f"need 0 < lr ≤ 1 and 1 ≤ epochs ≤ {MAX_EPOCHS}")


@dataclass(frozen=True)
class Trace:
    """One training run, step by step (T = steps run, B = batch size, P = 13 parameters)."""

    batch_size: int
    lr: float
    zero_grad: bool  # whether the loop calls optimizer.zero_grad()
    steps_per_epoch: int
    features: np.ndarray  # (T, B, 4) each step's batch, in DataLoader order
    targets: np.ndarray  # (T, B)
    preds: np.ndarray  # (T, B) model(feature) at the forward stage
    loss: np.ndarray  # (T,) criterion(pred, target)
    params_before: np.ndarray  # (T, P) before optimizer.step()
    grads: np.ndarray  # (T, P) .grad right after loss.backward()
    params_after: np.ndarray  # (T, P) after optimizer.step()
    grad_none: np.ndarray  # (T,) bool: .grad was None right after the zero_grad line
    epoch_loss: np.ndarray  # (E,) mean batch loss of each completed epoch
    diverged_at: int | None  # the step whose loss blew up (the trace stops before it)

    @property
    def steps(self) -> int:
        return len(self.loss)

    @property
    def grad_norm(self) -> np.ndarray:
        """(T,) ‖.grad‖₂ over all 13 parameters, as each optimizer.step() saw it."""
        return np.linalg.norm(self.grads, axis=1)


def train(*, batch_size: int = 8, shuffle: bool = True, lr: float = 0.05, epochs: int = 20,
          seed: int = 0, zero_grad: bool = True,
          progress: Callable[[float], None] | None = None) -> Trace:
    """Run the course's loop for `epochs` epochs and record every step (see `Trace`)."""
    _check(batch_size, lr, epochs)
    x, y = make_data(seed=seed)
    model = make_model(seed=seed)
    loader = make_loader(x, y, batch_size=batch_size, shuffle=shuffle, seed=seed)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    params = list(model.parameters())
    rec: dict[str, list] = {k: [] for k in ("features", "targets", "preds", "loss", "before",
                                            "grads", "after", "grad_none")}
    epoch_loss, diverged_at = [], None
    for epoch in range(epochs):
        for feature, target in loader:
            if zero_grad:
                optimizer.zero_grad()
            grad_none = all(p.grad is None for p in params)
            pred = model(feature)
            loss = criterion(pred, target)
            if not math.isfinite(loss.item()) or loss.item() > DIVERGED:
                diverged_at = len(rec["loss"])
                break
            rec["before"].append(_vec(params))
            loss.backward()
            rec["grads"].append(_vec(p.grad for p in params))
            optimizer.step()
            rec["grad_none"].append(grad_none)
            rec["features"].append(feature)
            rec["targets"].append(target[:, 0])
            rec["preds"].append(pred.detach()[:, 0])
            rec["loss"].append(loss.item())
        if diverged_at is not None:
            break
        epoch_loss.append(float(np.mean(rec["loss"][-len(loader):])))
        if progress is not None:
            progress((epoch + 1) / epochs)

    steps = len(rec["loss"])
    # parameters after step t are those before step t + 1; the last ones are the model's
    rec["after"] = rec["before"][1:] + [_vec(params)] if steps else []

    def stack(key: str, shape: tuple[int, ...]) -> np.ndarray:
        if not steps:
            return np.zeros((0,) + shape)
        return torch.stack(rec[key]).double().numpy().reshape((steps,) + shape)

    return Trace(
        batch_size, float(lr), bool(zero_grad), len(loader),
        stack("features", (batch_size, N_FEATURES)), stack("targets", (batch_size,)),
        stack("preds", (batch_size,)), np.asarray(rec["loss"], dtype=np.float64),
        stack("before", (N_PARAMS,)), stack("grads", (N_PARAMS,)), stack("after", (N_PARAMS,)),
        np.asarray(rec["grad_none"], dtype=bool), np.asarray(epoch_loss), diverged_at,
    )


@dataclass(frozen=True)
class Snapshot:
    """The loop's state right after the line of `stage` ran, at step `step`."""

    step: int  # 0-based step index into the trace
    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    stage: str  # one of STAGES
    params: np.ndarray  # (P,)
    grad: np.ndarray | None  # (P,), or None while .grad is None
    pred: np.ndarray | None  # (B,) once the forward pass ran
    loss: float | None  # once the loss line ran

    @property
    def grad_norm(self) -> float | None:
        """‖.grad‖₂ over all 13 parameters, or None while .grad is None."""
        return None if self.grad is None else float(np.linalg.norm(self.grad))


def snapshot(trace: Trace, *, epoch: int, batch: int, stage: str) -> Snapshot:
    """Index the trace: epoch and batch 1-based, clamped to the steps that ran."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}")
    s = STAGES.index(stage)
    step = min((epoch - 1) * trace.steps_per_epoch + batch - 1, trace.steps - 1)
    step = max(step, 0)
    params = trace.params_after[step] if s == 4 else trace.params_before[step]
    if s >= 3:
        grad = trace.grads[step]
    elif trace.grad_none[step]:
        grad = None
    else:  # zero_grad was skipped (or left zeros): the previous step's .grad is still there
        grad = trace.grads[step - 1] if step > 0 else np.zeros(N_PARAMS)
    return Snapshot(step, step // trace.steps_per_epoch + 1, step % trace.steps_per_epoch + 1,
                    stage, params, grad, trace.preds[step] if s >= 1 else None,
                    float(trace.loss[step]) if s >= 2 else None)


def unflatten(vector: np.ndarray) -> dict[str, np.ndarray]:
    """(13,) → {"0.weight": (2, 4), "0.bias": (2,), "1.weight": (1, 2), "1.bias": (1,)}."""
    out, i = {}, 0
    for name, shape in PARAMS:
        size = int(np.prod(shape))
        out[name] = np.asarray(vector[i:i + size]).reshape(shape)
        i += size
    return out


# --- "forget zero_grad": .grad accumulates -------------------------------------------------

@dataclass(frozen=True)
class Accumulation:
    """k backward passes on the first k batches, parameters held fixed (no step)."""

    single: np.ndarray  # (k, P) each batch's own gradient (.grad zeroed before each)
    accumulated: np.ndarray  # (k, P) .grad after batches 1…j without zero_grad
    summed: np.ndarray  # (k, P) running sum of `single`: what `accumulated` should equal

    @property
    def max_diff(self) -> float:
        """max |accumulated − summed| after the k-th batch (float32 rounding only)."""
        return float(np.abs(self.accumulated[-1] - self.summed[-1]).max())


def accumulate(*, k: int = 3, batch_size: int = 8, shuffle: bool = True,
               seed: int = 0) -> Accumulation:
    """Backward on batches 1…k twice: zeroing .grad each time, and never zeroing it."""
    x, y = make_data(seed=seed)
    loader = make_loader(x, y, batch_size=batch_size, shuffle=shuffle, seed=seed)
    batches: list[tuple[torch.Tensor, torch.Tensor]] = []
    while len(batches) < k:  # into the next epoch if k exceeds the batches per epoch
        batches += list(loader)[:k - len(batches)]
    model, criterion = make_model(seed=seed), nn.MSELoss()
    single = []
    for feature, target in batches:
        model.zero_grad()
        criterion(model(feature), target).backward()
        single.append(flat(p.grad for p in model.parameters()))
    model.zero_grad()
    accumulated = []
    for feature, target in batches:  # the loop without zero_grad
        criterion(model(feature), target).backward()
        accumulated.append(flat(p.grad for p in model.parameters()))
    single_a = np.asarray(single)
    return Accumulation(single_a, np.asarray(accumulated), np.cumsum(single_a, axis=0))


# --- the manual update next to optimizer.step() -------------------------------------------

MANUAL_FORMS = ("optimizer.step()", "w.add_(w.grad, alpha=-lr)", "w.copy_(w - lr * w.grad)")
COMPARE_STEPS = 100  # the comparison runs the first this-many steps of the training run


@dataclass(frozen=True)
class UpdateComparison:
    """Three copies of one model trained on the same batches, each updated differently."""

    forms: tuple[str, ...]  # MANUAL_FORMS
    final: np.ndarray  # (3, P) parameters after `steps` steps
    max_diff: np.ndarray  # (3,) max |w − w_optimizer| over every step and parameter
    steps: int


def compare_updates(*, batch_size: int = 8, shuffle: bool = True, lr: float = 0.05,
                    steps: int = COMPARE_STEPS, seed: int = 0) -> UpdateComparison:
    """optimizer.step() against the manual update under torch.no_grad(), in two spellings.

    `add_(grad, alpha=-lr)` is SGD's own line and rounds once (a fused multiply-add), so it
    matches bit for bit; `w - lr * w.grad` rounds lr·grad first, then the difference, and
    may differ in the last float32 bit.
    """
    _check(batch_size, lr, 1)
    x, y = make_data(seed=seed)
    loader = make_loader(x, y, batch_size=batch_size, shuffle=shuffle, seed=seed)
    models = [make_model(seed=seed) for _ in MANUAL_FORMS]  # three identical copies
    optimizer = optim.SGD(models[0].parameters(), lr=lr)
    criterion = nn.MSELoss()
    max_diff, done = np.zeros(len(models)), 0
    while done < steps:
        for feature, target in loader:
            losses = []
            for m in models:
                m.zero_grad()
                loss = criterion(m(feature), target)
                loss.backward()
                losses.append(loss.item())
            if not all(math.isfinite(v) and v <= DIVERGED for v in losses):
                steps = done  # the same stopping rule as `train`
                break
            optimizer.step()
            with torch.no_grad():
                for w in models[1].parameters():
                    w.add_(w.grad, alpha=-lr)
                for w in models[2].parameters():
                    w.copy_(w - lr * w.grad)
            ref = flat(models[0].parameters())
            for i, m in enumerate(models):
                max_diff[i] = max(max_diff[i], np.abs(flat(m.parameters()) - ref).max())
            done += 1
            if done == steps:
                break
    final = np.stack([flat(m.parameters()) for m in models])
    return UpdateComparison(MANUAL_FORMS, final, max_diff, done)
