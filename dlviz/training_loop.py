"""The training loop, one batch at a time: zero_grad → forward → loss → backward → step.

The course's setup: a regression model `Linear(4, 2) → Linear(2, 1)`, `nn.MSELoss`,
`optim.SGD`, a seeded 4-feature data set in a `TensorDataset` and a `DataLoader`. A run
records a trace (parameters before and after every step, the `.grad` each `backward()`
leaves, predictions, losses); `snapshot` only indexes it, so the page's step widget costs
nothing. SGD's update is w ← w − lr·∂L/∂w.

`train_many` computes everything the page shows for many seeds at once (the concurrent
requests of sessions, dlviz.batching): per seed, seven copies of the model (*lanes*: the loop
with and without zero_grad, the three update forms, the two accumulation demos) trained as
ONE stacked computation (dlviz.training_loop_stack), with real autograd and real `optim.SGD`
on the stacked parameters. `train`, `compare_updates` and `accumulate` are `train_many` of
one seed, so a session alone and a session batched with 29 others run the same code, and a
seed's numbers are bit for bit the same either way (tests/test_training_loop_batched.py).

Why float64 (DTYPE): the data and the initial model are drawn in float32, as the course's,
then everything is computed in float64, and the reproduce script does the same
(`.double()`). The stacked matmuls round differently from `nn.Linear`'s in the last bit, and
the loop without zero_grad (like any diverging run) is chaotic: in float32 that last-bit
difference grew into the printed digits (up to 10⁴× `dlviz.reproduce.close`'s tolerance, and
a different divergence step). In float64, over 20 seeds × every batch size and learning rate
× 30 epochs (and 40 more seeds of the most chaotic settings), the worst printed number is
at 1/50 of the tolerance. The manual update's lesson is then about float64's last bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from dlviz import rng
from dlviz import training_loop_stack as stack

N_SAMPLES = 64
N_FEATURES = 4
TRUE_WEIGHTS = (1.5, -2.0, 0.5, 1.0)  # y = x·w + b + noise
TRUE_BIAS = 0.5
NOISE = 0.3
# Divisors of N_SAMPLES, so every batch is full; batch 1 would cost 64 recorded steps an epoch.
BATCH_SIZES = (2, 4, 8, 16, 32, 64)
LRS = (0.001, 0.003, 0.01, 0.02, 0.05, 0.1)
MAX_EPOCHS = 30
MAX_K = 8  # the most backward passes the "forget zero_grad" demo accumulates
DIVERGED = 1e6  # a batch loss above this (or not finite) stops a run
STAGES = ("zero_grad", "forward", "loss", "backward", "step")
# named_parameters() of the model, in order, with shapes; flattened they make one vector.
PARAMS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("0.weight", (2, 4)), ("0.bias", (2,)), ("1.weight", (1, 2)), ("1.bias", (1,)),
)
N_PARAMS = 13
DTYPE = torch.float64  # what the runs compute in (see the module docstring)


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


def batch_order(*, batch_size: int, shuffle: bool, seed: int, steps: int) -> torch.Tensor:
    """(steps, batch_size): the rows of each batch `make_loader` yields, epoch after epoch.

    The same DataLoader settings and seeded generator over the row numbers, so the order is
    the course loop's without collating every batch's tensors.
    """
    g = torch.Generator().manual_seed(int(seed) + 1)
    loader = DataLoader(range(N_SAMPLES), batch_size=batch_size, shuffle=shuffle, generator=g,
                        collate_fn=list)
    batches: list[list[int]] = []
    while len(batches) < steps:  # a fresh iterator each epoch, as `for … in dataloader`
        batches += list(loader)
    return torch.tensor(batches[:steps], dtype=torch.long).reshape(steps, batch_size)


def flat(tensors) -> np.ndarray:
    """Parameters (or their .grad) as one float64 numpy vector (13,), in PARAMS order."""
    return torch.cat([t.detach().reshape(-1) for t in tensors]).double().numpy()


def unflatten(vector: np.ndarray) -> dict[str, np.ndarray]:
    """(13,) → {"0.weight": (2, 4), "0.bias": (2,), "1.weight": (1, 2), "1.bias": (1,)}."""
    out, i = {}, 0
    for name, shape in PARAMS:
        size = int(np.prod(shape))
        out[name] = np.asarray(vector[i:i + size]).reshape(shape)
        i += size
    return out


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


MANUAL_FORMS = ("optimizer.step()", "w.add_(w.grad, alpha=-lr)", "w.copy_(w - lr * w.grad)")
COMPARE_STEPS = 100  # the comparison runs the first this-many steps of the training run


@dataclass(frozen=True)
class UpdateComparison:
    """Three copies of one model trained on the same batches, each updated differently."""

    forms: tuple[str, ...]  # MANUAL_FORMS
    final: np.ndarray  # (3, P) parameters after `steps` steps
    max_diff: np.ndarray  # (3,) max |w − w_optimizer| over every step and parameter
    steps: int


@dataclass(frozen=True)
class Run:
    """Everything the page computes for one seed (K = the accumulation demo's batches)."""

    trace: Trace  # the course's loop
    without: Trace  # the same loop without optimizer.zero_grad()
    comparison: UpdateComparison | None  # None when no comparison steps were asked for
    single: np.ndarray  # (K, P) batch j's gradient at the initial parameters
    accumulated: np.ndarray  # (K, P) .grad after batches 1…j, never zeroed, no step

    def accumulation(self, k: int) -> Accumulation:
        """The "forget zero_grad" demo for its first k ≤ K batches."""
        if not 1 <= k <= len(self.single):
            raise ValueError(f"need 1 ≤ k ≤ {len(self.single)}")
        single = self.single[:k]
        return Accumulation(single, self.accumulated[:k], np.cumsum(single, axis=0))


def train_many(seeds: Sequence[int], *, batch_size: int = 8, shuffle: bool = True,
               lr: float = 0.05, epochs: int = 20, compare_steps: int = COMPARE_STEPS,
               max_k: int = MAX_K, progress: Callable[[float], None] | None = None
               ) -> list[Run]:
    """The page's runs for each seed, as one stacked computation (see the module docstring).

    Per seed, on the same batches from the same initial model: the loop with and without
    `optimizer.zero_grad()` for `epochs` epochs; three copies updated by `optimizer.step()`,
    `add_` and the formula for `compare_steps` steps; and `max_k` backward passes at the
    initial parameters, with `.grad` cleared before each and never cleared.
    """
    _check(batch_size, lr, epochs)
    if not (0 <= compare_steps and 0 <= max_k):
        raise ValueError("compare_steps and max_k must be ≥ 0")
    seeds = [int(s) for s in seeds]
    n, per_epoch = len(seeds), N_SAMPLES // batch_size
    train_steps = epochs * per_epoch
    total = max(train_steps, compare_steps, max_k)
    features, targets = [], []
    for seed in seeds:  # each seed's own data, model and batch order, then stacked
        x, y = make_data(seed=seed)
        order = batch_order(batch_size=batch_size, shuffle=shuffle, seed=seed, steps=total)
        features.append(x[order])
        targets.append(y[order])
    features = torch.stack(features, 1).to(DTYPE)  # (steps, S, bs, 4)
    targets = torch.stack(targets, 1).to(DTYPE)  # (steps, S, bs, 1)
    theta0 = torch.stack([torch.cat([p.detach().reshape(-1) for p in
                                     make_model(seed=seed).parameters()]) for seed in seeds])
    theta0 = theta0.to(DTYPE)

    spellings = dict(zip(MANUAL_FORMS, stack.UPDATES, strict=True))
    plan = {"with": (train_steps, True, "optimizer", "with"),  # (end, zero_grad, update, stop)
            "without": (train_steps, False, "optimizer", "without")}
    if compare_steps:
        plan.update({form: (compare_steps, True, spellings[form], "compare")
                     for form in MANUAL_FORMS})
    if max_k:
        plan.update(single=(max_k, True, None, None), accumulated=(max_k, False, None, None))
    lanes = stack.make_lanes(theta0, lr=lr, plan=plan)
    records, stopped = stack.run(lanes, features, targets, lr=lr, diverged=DIVERGED,
                                 progress=progress)

    def rows(name, what):
        return stack.rows(records, name, what, n).double().numpy()

    def snapshots(name):  # (end + 1, S, 13): θ before each step, then θ after the last
        return np.concatenate([rows(name, "theta"), lanes[name].theta.detach().double()[None]])

    traces = {name: _traces(stopped[name], train_steps, batch_size, lr, name == "with",
                            features, targets, rows(name, "pred"), rows(name, "loss"),
                            snapshots(name), rows(name, "grads"),
                            [step.grad_none[name] for step in records[:train_steps]])
              for name in ("with", "without")}
    comparisons = (_comparisons([snapshots(form) for form in MANUAL_FORMS], stopped["compare"],
                                compare_steps) if compare_steps else [None] * n)
    single = rows("single", "grads") if max_k else np.zeros((0, n, N_PARAMS))
    accumulated = rows("accumulated", "grads") if max_k else np.zeros((0, n, N_PARAMS))
    return [Run(traces["with"][i], traces["without"][i], comparisons[i],
                single[:, i].copy(), accumulated[:, i].copy()) for i in range(n)]


def _traces(halted: np.ndarray, planned: int, batch_size: int, lr: float, zero_grad: bool,
            features: torch.Tensor, targets: torch.Tensor, preds: np.ndarray, loss: np.ndarray,
            snapshots: np.ndarray, grads: np.ndarray, grad_none: list[bool]) -> list[Trace]:
    """One lane's records, (steps, S, …), as one Trace per seed, cut where it blew up."""
    per_epoch, out = N_SAMPLES // batch_size, []
    for i, stop in enumerate(halted):
        steps = planned if stop < 0 else int(stop)
        epoch_loss = [np.mean(loss[e * per_epoch:(e + 1) * per_epoch, i])
                      for e in range(steps // per_epoch)]
        out.append(Trace(
            batch_size, float(lr), zero_grad, per_epoch,
            features[:steps, i].double().numpy(), targets[:steps, i, :, 0].double().numpy(),
            preds[:steps, i].copy(), loss[:steps, i].copy(), snapshots[:steps, i].copy(),
            grads[:steps, i].copy(), snapshots[1:steps + 1, i].copy(),
            np.array(grad_none[:steps], dtype=bool), np.array(epoch_loss, dtype=np.float64),
            None if stop < 0 else int(stop)))
    return out


def _comparisons(snapshots: list[np.ndarray], halted: np.ndarray,
                 planned: int) -> list[UpdateComparison]:
    """Per seed: the three forms' θ after the steps run and max |θ − θ_step| over them."""
    out = []
    for i, stop in enumerate(halted):
        done = planned if stop < 0 else int(stop)
        final = np.stack([s[done, i] for s in snapshots])
        ref = snapshots[0][1:done + 1, i]
        max_diff = np.array([np.abs(s[1:done + 1, i] - ref).max() if done else 0.0
                             for s in snapshots])
        out.append(UpdateComparison(MANUAL_FORMS, final, max_diff, done))
    return out


# --- one seed: the page's single runs are train_many of one seed ----------------------------

def train(*, batch_size: int = 8, shuffle: bool = True, lr: float = 0.05, epochs: int = 20,
          seed: int = 0, zero_grad: bool = True,
          progress: Callable[[float], None] | None = None) -> Trace:
    """Run the course's loop for `epochs` epochs and record every step (see `Trace`)."""
    run, = train_many([seed], batch_size=batch_size, shuffle=shuffle, lr=lr, epochs=epochs,
                      compare_steps=0, max_k=0, progress=progress)
    return run.trace if zero_grad else run.without


def accumulate(*, k: int = 3, batch_size: int = 8, shuffle: bool = True,
               seed: int = 0) -> Accumulation:
    """Backward on batches 1…k twice: zeroing .grad each time, and never zeroing it."""
    run, = train_many([seed], batch_size=batch_size, shuffle=shuffle, epochs=1,
                      compare_steps=0, max_k=k)
    return run.accumulation(k)


def compare_updates(*, batch_size: int = 8, shuffle: bool = True, lr: float = 0.05,
                    steps: int = COMPARE_STEPS, seed: int = 0) -> UpdateComparison:
    """optimizer.step() against the manual update under torch.no_grad(), in two spellings.

    `add_(grad, alpha=-lr)` is SGD's own line and rounds once (a fused multiply-add), so it
    matches bit for bit; `w - lr * w.grad` rounds lr·grad first, then the difference, and
    may differ in the last float32 bit. The runs stop where any of the three blows up.
    """
    run, = train_many([seed], batch_size=batch_size, shuffle=shuffle, lr=lr, epochs=1,
                      compare_steps=steps, max_k=0)
    return run.comparison


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
