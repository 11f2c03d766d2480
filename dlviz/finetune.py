"""Transfer learning: pretrain an MLP on US salaries (task A), fine-tune it on EU salaries (B).

Freezing is the course's recipe: `param.requires_grad = False` for the first k Linear layers,
weight and bias, so the optimizer never touches them and they stay bit-identical. Training is
plain `torch.optim.SGD` with momentum on shuffled mini-batches ("v ← μv + g; w ← w − lr·v").
Everything is seeded: data from `dlviz.data`, initial weights from `torch.manual_seed` inside
`torch.random.fork_rng` (the global RNG is left untouched), batch order from a private
`torch.Generator`. The reproduce script (`dlviz.finetune_script`) repeats the same calls.

The pretrained model is what a user would download: trained once, with its own seed
(PRETRAIN_SEED), the same for every page seed; the page's seed chooses the EU data, the batch
order and the from-scratch baseline. (At the page's default seed 0 the two seeds coincide, so
the default numbers are those of one seed for everything.) The four fine-tuning runs, of one
seed or of many sessions' seeds at once (`compare_many`), train as one stacked computation
(`dlviz.finetune_stack`); pretraining is the plain single-model loop `train_loop`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from dlviz import data, rng, steps
from dlviz import finetune_stack as stack

LAYER_SIZES = (4, 64, 128, 32, 1)  # features → … → salary; Linear(64, 128) is the course's
N_LAYERS = len(LAYER_SIZES) - 1  # Linear layers
N_A, N_B = 400, 200  # rows of task A (US) and task B (EU): B is the small data set
VAL_FRACTION = 0.25
BATCH_SIZE = 64
MOMENTUM = 0.9
PRETRAIN_EPOCHS, PRETRAIN_LR = 60, 0.03
PRETRAIN_SEED = 0  # the published model's own seed, whatever the page's seed
DEFAULTS = dict(frozen_layers=2, lr=0.01, epochs=30, seed=0)
SMALL_LR_FACTOR = 0.1  # "a smaller learning rate for fine-tuning"
Progress = Callable[[float], None]


@dataclass(frozen=True)
class Pretrained:
    """Equal (and hashed) by its settings, from which its arrays follow deterministically:
    sessions sharing one pretrained model can be batched together (`dlviz.batching`)."""
    seed: int
    epochs: int
    lr: float
    state: dict[str, np.ndarray] = field(compare=False)  # name → float32 array after task A
    losses: np.ndarray = field(compare=False)  # (epochs,) validation MSE on A after each epoch


@dataclass(frozen=True)
class FineTuneResult:
    losses: np.ndarray  # (epochs,) validation MSE on B after each epoch
    initial_loss: float  # validation MSE on B before the first step
    weight_change: dict[str, float]  # name → max |Δ| from the start; exactly 0.0 when frozen
    trainable: int  # parameters with requires_grad
    total: int  # all parameters
    frozen: tuple[bool, ...]  # (N_LAYERS,) per Linear layer
    unit_change: tuple[np.ndarray, ...]  # per layer (out_features,): max |Δ| of a unit's row+bias
    state: dict[str, np.ndarray]  # the fine-tuned state_dict as float32 arrays
    start: str  # "pretrained" or "scratch"


@dataclass(frozen=True)
class Comparison:
    runs: dict[str, FineTuneResult]  # keys of RUNS, all with the same epoch budget
    labels: dict[str, str]  # key → legend label with the settings filled in
    pretrained: Pretrained


def build_model() -> nn.Sequential:
    """Linear → ReLU → … → Linear; names "0.weight", "2.weight", … as in the course."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(LAYER_SIZES[:-1], LAYER_SIZES[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if i < N_LAYERS - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def seeded_model(seed: int) -> nn.Sequential:
    """`torch.manual_seed(seed)` then `build_model()`, without disturbing the global RNG."""
    with rng.seeded(seed):
        return build_model()


def linear_names() -> list[str]:
    """Module-name prefix of each Linear layer: ["0", "2", "4", "6"]."""
    return [str(2 * i) for i in range(N_LAYERS)]


def task(region: str, seed: int) -> data.Split:
    """Task A ("us", 400 rows) or B ("eu", 200 rows), split 75 / 25."""
    x, y = data.salaries(region=region, n=N_A if region == "us" else N_B, seed=seed)
    return data.split(x, y, val_fraction=VAL_FRACTION, seed=seed)


def frozen_mask(frozen_layers: int | Sequence[int]) -> tuple[bool, ...]:
    """An int k freezes the first k Linear layers; a sequence lists 0-based layer indices."""
    if isinstance(frozen_layers, (int, np.integer)) and not isinstance(frozen_layers, bool):
        if not 0 <= frozen_layers <= N_LAYERS:
            raise ValueError(f"frozen_layers must be between 0 and {N_LAYERS}")
        return tuple(i < frozen_layers for i in range(N_LAYERS))
    chosen = {int(i) for i in frozen_layers}
    if not chosen <= set(range(N_LAYERS)):
        raise ValueError(f"layer indices must lie in 0…{N_LAYERS - 1}")
    return tuple(i in chosen for i in range(N_LAYERS))


def train_loop(model: nn.Module, split: data.Split, *, lr: float, epochs: int, seed: int,
               progress: Progress | None = None) -> tuple[float, np.ndarray]:
    """SGD with momentum on mini-batches; return (val loss before, val loss per epoch)."""
    loss_fn = nn.MSELoss()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=lr, momentum=MOMENTUM) if params else None
    order = torch.Generator().manual_seed(int(seed))
    n = len(split.x_train)
    with torch.no_grad():
        before = loss_fn(model(split.x_val), split.y_val).item()
    losses = []
    for epoch in range(epochs):
        perm = torch.randperm(n, generator=order)
        for start in range(0, n, BATCH_SIZE):
            idx = perm[start:start + BATCH_SIZE]
            if optimizer is not None:
                optimizer.zero_grad()
                loss_fn(model(split.x_train[idx]), split.y_train[idx]).backward()
                steps.step(optimizer)
        with torch.no_grad():
            losses.append(loss_fn(model(split.x_val), split.y_val).item())
        if progress is not None:
            progress((epoch + 1) / epochs)
    return before, np.asarray(losses)


def _state(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def pretrain(*, seed: int = PRETRAIN_SEED, epochs: int = PRETRAIN_EPOCHS,
             lr: float = PRETRAIN_LR, progress: Progress | None = None) -> Pretrained:
    """Train a fresh seeded MLP on task A (US salaries); the defaults are the published
    model that every page seed fine-tunes."""
    model = seeded_model(seed)
    _, losses = train_loop(model, task("us", seed), lr=lr, epochs=epochs, seed=seed,
                           progress=progress)
    return Pretrained(seed=int(seed), epochs=int(epochs), lr=float(lr), state=_state(model),
                      losses=losses)


def load(state: dict[str, np.ndarray]) -> nn.Sequential:
    """A model holding `state` (arrays from a result, or tensors)."""
    with rng.seeded(0):  # the init is overwritten, but drawing it outside the lock would
        model = build_model()  # take numbers from another session's seeded stream
    model.load_state_dict({k: torch.as_tensor(np.asarray(v)) for k, v in state.items()})
    return model


def _check(lr: float, epochs: int) -> None:
    if not (0 < lr <= 1 and 1 <= epochs <= 1000):
        raise ValueError("need 0 < lr ≤ 1 and 1 ≤ epochs ≤ 1000")


def _run(pretrained: Pretrained, *, frozen_layers: int | Sequence[int], lr: float, seed: int,
         start: str = "pretrained") -> stack.Run:
    """One fine-tuning run on task B, for `finetune_stack.train_many`."""
    mask = frozen_mask(frozen_layers)
    if start == "pretrained":
        initial = {k: torch.from_numpy(v) for k, v in pretrained.state.items()}
    elif start == "scratch":
        initial = {k: v.detach() for k, v in seeded_model(seed + 1).named_parameters()}
    else:
        raise ValueError("start must be 'pretrained' or 'scratch'")
    return stack.Run(initial, task("eu", seed), lr, seed + 2, mask)


def _result(run: stack.Run, trained: stack.Trained, start: str) -> FineTuneResult:
    delta = {k: (trained.state[k] - v).abs() for k, v in run.start.items()}
    return FineTuneResult(
        losses=trained.losses, initial_loss=trained.initial_loss,
        weight_change={k: float(d.max()) for k, d in delta.items()},
        trainable=trained.trainable, total=sum(v.numel() for v in run.start.values()),
        frozen=run.frozen,
        unit_change=tuple(
            torch.maximum(delta[f"{n}.weight"].amax(dim=1), delta[f"{n}.bias"]).numpy()
            for n in linear_names()),
        state={k: v.numpy() for k, v in trained.state.items()}, start=start,
    )


def fine_tune(*, frozen_layers: int | Sequence[int], lr: float, epochs: int, seed: int,
              pretrained: Pretrained | None = None, start: str = "pretrained",
              progress: Progress | None = None) -> FineTuneResult:
    """Copy the pretrained model, freeze layers (`requires_grad = False`), train on task B.

    `start="scratch"` trains a fresh model seeded with seed + 1 instead (the baseline).
    `pretrained` defaults to `pretrain()`, the published model; pass a cached one to skip
    that step. The same batched code as `compare_many` (`dlviz.finetune_stack`).
    """
    _check(lr, epochs)
    run = _run(pretrained if pretrained is not None else pretrain(),
               frozen_layers=frozen_layers, lr=lr, seed=seed, start=start)
    (trained,) = stack.train_many([run], epochs=epochs, batch_size=BATCH_SIZE,
                                  momentum=MOMENTUM, progress=progress)
    return _result(run, trained, start)


def compare_many(seeds: Sequence[int], *, frozen_layers: int | Sequence[int], lr: float,
                 epochs: int, pretrained: Pretrained | None = None,
                 progress: Progress | None = None) -> list[Comparison]:
    """`compare` for every seed (one result per seed, in order): its 4 × len(seeds) runs
    train as one stacked computation, each seed's numbers as if it were alone."""
    _check(lr, epochs)
    pretrained = pretrained if pretrained is not None else pretrain()
    settings = {
        "scratch": dict(frozen_layers=0, lr=lr, start="scratch"),
        "all": dict(frozen_layers=0, lr=lr),
        "freeze": dict(frozen_layers=frozen_layers, lr=lr),
        "small_lr": dict(frozen_layers=frozen_layers, lr=lr * SMALL_LR_FACTOR),
    }
    runs = [(key, seed, _run(pretrained, seed=seed, **s))
            for key, s in settings.items() for seed in seeds]
    trained = stack.train_many([r for _, _, r in runs], epochs=epochs, batch_size=BATCH_SIZE,
                               momentum=MOMENTUM, progress=progress)
    which = describe(frozen_mask(frozen_layers))
    labels = {
        "scratch": f"from scratch (lr {lr:g})",
        "all": f"fine-tune all (lr {lr:g})",
        "freeze": f"{which} (lr {lr:g})",
        "small_lr": f"{which} (lr {lr * SMALL_LR_FACTOR:g})",
    }
    out = []
    for seed in seeds:
        mine = {key: _result(run, t, settings[key].get("start", "pretrained"))
                for (key, s, run), t in zip(runs, trained, strict=True) if s == seed}
        out.append(Comparison(runs=mine, labels=labels, pretrained=pretrained))
    return out


def compare(*, frozen_layers: int | Sequence[int], lr: float, epochs: int, seed: int,
            pretrained: Pretrained | None = None,
            progress: Progress | None = None) -> Comparison:
    """The four runs of the page, one epoch budget: scratch, all, your freeze, your freeze
    with lr × 0.1. `compare_many([seed], …)[0]`."""
    return compare_many([seed], frozen_layers=frozen_layers, lr=lr, epochs=epochs,
                        pretrained=pretrained, progress=progress)[0]


def describe(mask: Sequence[bool]) -> str:
    """"freeze layers 1, 2" (1-based, as on the page) or "freeze none"."""
    chosen = [str(i + 1) for i, m in enumerate(mask) if m]
    if not chosen:
        return "freeze none"
    return ("freeze layer " if len(chosen) == 1 else "freeze layers ") + ", ".join(chosen)


def state_dict_bytes(result: FineTuneResult) -> bytes:
    """The fine-tuned `state_dict` as a .pt file (`torch.save`), for `torch.load`."""
    buffer = io.BytesIO()
    torch.save({k: torch.from_numpy(v.copy()) for k, v in result.state.items()}, buffer)
    return buffer.getvalue()


def layer_labels() -> list[str]:
    """"1 · Linear(4, 64)" for each Linear layer."""
    return [f"{i + 1} · Linear({a}, {b})"
            for i, (a, b) in enumerate(zip(LAYER_SIZES[:-1], LAYER_SIZES[1:], strict=True))]
