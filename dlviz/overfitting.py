"""Overfitting and its cures: train an MLP on a noisy 2-D set, watch train vs validation.

`train` fits `mlp(width, depth, dropout)` full-batch with `torch.optim.Adam` and records, after
every epoch's step, the loss and accuracy of the model in eval mode on the training and the
validation set, the weight norm, and at the end P(class 1) on a grid. `train_many` does that
for many seeds at once, as one stacked computation (dlviz.overfitting_stack): the sessions of a
class that put in their own seeds share one batch, and `train` is its batch of one. `diagnose`
turns the curves into a verdict by a fixed rule. `dropout_demo` is the course's
Linear(8,4) → ReLU → Dropout(0.5) called repeatedly in train and eval mode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlviz import data, rng, steps
from dlviz import overfitting_stack as stack
from dlviz.overfitting_stack import accuracy as accuracy  # the page's rule for a fraction

DATASETS = ("moons", "spirals")
SPIRAL_TURNS = 1.0  # one turn: still needs a curved boundary, still learnable at noise 0.3
LR = 0.003  # Adam's step size, fixed: the page is about capacity and regularisation
N_VAL = 200  # validation points, fixed, so the validation curve is equally trustworthy always
GRID = 60  # decision-boundary grid, GRID × GRID points
MARGIN = 0.5  # grid extends this far beyond the data

# Widget bounds, the one place they are set: name → (min, max, default).
BOUNDS: dict[str, tuple[float, float, float]] = {
    "n_train": (20, 300, 60),
    "noise": (0.0, 0.3, 0.25),
    "jitter": (0.0, 0.3, 0.0),
    "depth": (1, 4, 3),
    "dropout": (0.0, 0.7, 0.0),
    "epochs": (10, 250, 200),
}
WIDTHS = (2, 4, 8, 16, 32, 64)  # default 64
WEIGHT_DECAYS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)  # default 0

Progress = Callable[[float], None]


@dataclass(frozen=True)
class TrainResult:
    epoch: np.ndarray  # (epochs,) 1 … epochs
    train_loss: np.ndarray  # (epochs,) cross-entropy on the training set, eval mode
    val_loss: np.ndarray  # (epochs,) cross-entropy on the validation set, eval mode
    train_acc: np.ndarray  # (epochs,) fraction correct, training set
    val_acc: np.ndarray  # (epochs,) fraction correct, validation set
    weight_norm: np.ndarray  # (epochs,) ‖W‖₂ over all Linear weights (biases excluded)
    x_train: np.ndarray  # (n_train, 2)
    y_train: np.ndarray  # (n_train,) 0/1
    x_val: np.ndarray  # (N_VAL, 2)
    y_val: np.ndarray  # (N_VAL,)
    grid_x: np.ndarray  # (GRID,) first coordinate of the grid
    grid_y: np.ndarray  # (GRID,) second coordinate
    prob: np.ndarray  # (GRID, GRID) P(class 1); prob[i, j] at (grid_x[j], grid_y[i])
    n_params: int  # trainable parameters of the MLP


def _check(name: str, value: float) -> None:
    lo, hi, _ = BOUNDS[name]
    if not lo <= value <= hi:
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got {value}")


def validate(*, dataset: str, n_train: int, noise: float, width: int, depth: int,
             dropout: float, weight_decay: float, epochs: int, jitter: float) -> None:
    """Raise ValueError for any setting outside the page's bounds (cost is bounded by them)."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    if width not in WIDTHS:
        raise ValueError(f"width must be one of {WIDTHS}, got {width}")
    if weight_decay not in WEIGHT_DECAYS:
        raise ValueError(f"weight_decay must be one of {WEIGHT_DECAYS}, got {weight_decay}")
    for name, value in (("n_train", n_train), ("noise", noise), ("jitter", jitter),
                        ("depth", depth), ("dropout", dropout), ("epochs", epochs)):
        _check(name, value)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread: these tensors are small, and on a shared 2-core host the
    OpenMP threads of concurrent sessions fight (measured 25–100× slower with 2)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def make_data(*, dataset: str, n_train: int, noise: float, seed: int) -> data.Split:
    """The seeded noisy set: n_train + N_VAL points, split by `dlviz.data.split`."""
    n = n_train + N_VAL
    if dataset == "moons":
        x, y = data.moons(n=n, noise=noise, seed=seed)
    else:
        x, y = data.spirals(n=n, noise=noise, turns=SPIRAL_TURNS, seed=seed)
    return data.split(x, y, val_fraction=N_VAL / n, seed=seed)


def mlp(*, width: int, depth: int, dropout: float) -> nn.Sequential:
    """2 → [Linear(·, width) → ReLU (→ Dropout(p))] × depth → Linear(width, 2)."""
    layers: list[nn.Module] = []
    fan_in = 2
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(p=dropout))
        fan_in = width
    return nn.Sequential(*layers, nn.Linear(fan_in, 2))


def train(*, dataset: str = "moons", n_train: int = 60, noise: float = 0.25, width: int = 64,
          depth: int = 3, dropout: float = 0.0, weight_decay: float = 0.0, epochs: int = 200,
          jitter: float = 0.0, seed: int = 0, progress: Progress | None = None) -> TrainResult:
    """One seed's run: `train_many([seed], …)[0]`, so a session alone and a session batched
    with others run the same code."""
    return train_many([seed], progress=progress, dataset=dataset, n_train=n_train, noise=noise,
                      width=width, depth=depth, dropout=dropout, weight_decay=weight_decay,
                      epochs=epochs, jitter=jitter)[0]


def train_many(seeds: Sequence[int], *, progress: Progress | None = None,
               dataset: str = "moons", n_train: int = 60, noise: float = 0.25, width: int = 64,
               depth: int = 3, dropout: float = 0.0, weight_decay: float = 0.0, epochs: int = 200,
               jitter: float = 0.0) -> list[TrainResult]:
    """Full-batch training with cross-entropy, one Adam step per epoch, for each seed.

    Each epoch: x̃ = x_train + jitter·ε (ε ~ N(0, 1), fresh; the augmentation), then
    g = ∇ CE(model(x̃), y) + weight_decay·w, and Adam's step. Afterwards both sets are
    evaluated in eval mode (dropout off), so train and validation are compared alike.

    The B = len(seeds) models train as one computation: parameters stacked on a leading
    axis (dlviz.overfitting_stack), one `torch.optim.Adam` over the stacks (its update is
    elementwise, so per model exactly Adam's), and one backward pass of the SUM of the
    models' mean losses, which gives each model its own gradient (they share no weights).
    Each seed has its own data, its init (`torch.manual_seed(seed)`, then nn.Linear's) and a
    private generator that continues torch's stream from there, for its jitter and dropout
    masks in the order a single nn.Module run draws them. So a seed's numbers are bit for
    bit the same alone or among any others (tests/test_overfitting_batched.py), and, at the
    page's shapes, bit for bit those of the reproduce script's single nn.Module loop; at the
    smallest shapes (see dlviz.overfitting_stack) they differ in the last float32 bit, far
    inside the 6 digits the script prints.
    """
    validate(dataset=dataset, n_train=n_train, noise=noise, width=width, depth=depth,
             dropout=dropout, weight_decay=weight_decay, epochs=epochs, jitter=jitter)
    runs = [_start(seed, dataset=dataset, n_train=n_train, noise=noise, width=width,
                   depth=depth, dropout=dropout) for seed in seeds]
    splits, gens, layout = [r[0] for r in runs], [r[2] for r in runs], runs[0][3]
    theta = torch.stack([r[1] for r in runs]).requires_grad_()  # (B, parameters)
    x_train = torch.stack([s.x_train for s in splits])  # (B, n_train, 2)
    y_train = torch.stack([s.y_train for s in splits])  # (B, n_train)
    y_val = torch.stack([s.y_val for s in splits])  # (B, N_VAL)
    both = torch.stack([torch.cat([s.x_train, s.x_val]) for s in splits])  # (B, n + N_VAL, 2)
    out = stack.buffers(len(seeds), both.shape[1], width)
    curves = torch.zeros(len(seeds), 5, epochs, dtype=torch.float64)
    every = max(1, epochs // 25)
    opt = torch.optim.Adam([theta], lr=LR, weight_decay=weight_decay, foreach=True)
    views = layout.unpack(theta.detach())  # for evaluation: they follow Adam's in-place steps
    for e in range(epochs):
        x, masks = stack.draws(gens, x_train, width=width, depth=depth, dropout=dropout,
                               jitter=jitter)
        steps.zero_grad(opt)  # the step without its Python wrappers (dlviz.steps)
        logits = stack.forward(layout.unpack(theta), x, masks)
        steps.backward(stack.cross_entropy(logits, y_train).sum())
        steps.step(opt)
        curves[:, :, e] = stack.evaluate(theta, layout, both, y_train, y_val, out, views)
        if progress is not None and (e + 1) % every == 0:
            progress((e + 1) / epochs)
    grids = stack.grid(theta, layout, both, size=GRID, margin=MARGIN)
    return [_result(split, c, grid, theta.shape[1])
            for split, c, grid in zip(splits, curves.numpy(), grids, strict=True)]


def _start(seed: int, *, dataset: str, n_train: int, noise: float, width: int, depth: int,
           dropout: float) -> tuple[data.Split, torch.Tensor, torch.Generator, stack.Layout]:
    """One seed's data, initial parameters (`mlp` after `torch.manual_seed(seed)`, packed
    in a row as dlviz.overfitting_stack holds them) and a private generator holding torch's
    global stream exactly where that init left it."""
    split = make_data(dataset=dataset, n_train=n_train, noise=noise, seed=seed)
    with rng.seeded(seed):
        model = mlp(width=width, depth=depth, dropout=dropout)
        gen = torch.Generator()
        gen.set_state(torch.get_rng_state())
    theta, layout = stack.pack(model)
    return split, theta, gen, layout


def _result(split: data.Split, curves: np.ndarray,
            grid: tuple[np.ndarray, np.ndarray, np.ndarray], n_params: int) -> TrainResult:
    """One model's result; curves (5, epochs) copied out of the batch's array."""
    curves = curves.copy()
    epochs = curves.shape[1]
    return TrainResult(
        epoch=np.arange(1, epochs + 1), train_loss=curves[0], val_loss=curves[1],
        train_acc=curves[2], val_acc=curves[3], weight_norm=curves[4],
        x_train=split.x_train.numpy().astype(np.float64), y_train=split.y_train.numpy(),
        x_val=split.x_val.numpy().astype(np.float64), y_val=split.y_val.numpy(),
        grid_x=grid[0], grid_y=grid[1], prob=grid[2], n_params=n_params,
    )


# --- the diagnosis rule ------------------------------------------------------------------------

UNDERFIT_ACC = 0.90  # final training accuracy below this: the model cannot fit what it sees
OVERFIT_RISE = 1.5  # final validation loss ≥ this × its minimum (and above the train loss)
OVERFIT_GAP = 0.10  # or training accuracy ahead of validation accuracy by this much
# Accuracies are counts over at most 500 points (steps of ≥ 0.002): compared at six decimals,
# only rounding error goes (1.0 − 0.9 is 0.09999999999999998, float32's 18/20 0.8999999762).
ACC_DIGITS = 6


@dataclass(frozen=True)
class Diagnosis:
    verdict: str  # "underfitting" | "good fit" | "overfitting"
    reason: str  # the rule's evidence, in one sentence with the numbers
    best_epoch: int  # 1-based epoch of the lowest validation loss


def diagnose(*, train_loss: np.ndarray, val_loss: np.ndarray, train_acc: np.ndarray,
             val_acc: np.ndarray) -> Diagnosis:
    """Underfitting, good fit or overfitting, from the per-epoch curves (all shape (epochs,)).

    The rule, checked in this order on the last epoch:
    1. underfitting if the training accuracy is below UNDERFIT_ACC (90 %);
    2. overfitting if the validation loss has climbed to ≥ OVERFIT_RISE (1.5) × its minimum
       while staying above the training loss, or if the training accuracy beats the
       validation accuracy by ≥ OVERFIT_GAP (10 points);
    3. otherwise a good fit.
    Accuracies are compared at ACC_DIGITS decimals, so that 18 of 20 is 90 % and a 100 % vs
    90 % split a 10-point gap, whatever the rounding of the division that made them.
    It sees only the curves, not the data: on very noisy data even the best model can stay
    below 90 %, and a model that fits 90 % of an easy set may still be too simple.
    """
    best = int(np.argmin(val_loss))
    t_loss, v_loss, t_acc, v_acc = train_loss[-1], val_loss[-1], train_acc[-1], val_acc[-1]
    if round(float(t_acc), ACC_DIGITS) < UNDERFIT_ACC:
        return Diagnosis("underfitting", f"training accuracy {t_acc:.1%} is below "
                         f"{UNDERFIT_ACC:.0%}: the model does not fit even the data it sees.",
                         best + 1)
    if v_loss >= OVERFIT_RISE * val_loss[best] and v_loss > t_loss:
        return Diagnosis("overfitting", f"validation loss bottomed out at {val_loss[best]:.3g} "
                         f"in epoch {best + 1} and climbed to {v_loss:.3g} while the training "
                         f"loss fell to {t_loss:.3g}.", best + 1)
    if round(float(t_acc - v_acc), ACC_DIGITS) >= OVERFIT_GAP:
        return Diagnosis("overfitting", f"training accuracy {t_acc:.1%} is "
                         f"{t_acc - v_acc:.1%} ahead of validation accuracy {v_acc:.1%}.",
                         best + 1)
    return Diagnosis("good fit", f"training accuracy {t_acc:.1%} ≥ {UNDERFIT_ACC:.0%}, "
                     f"validation accuracy {v_acc:.1%} close to it, and the validation loss "
                     f"{v_loss:.3g} near its minimum {val_loss[best]:.3g}.", best + 1)


# --- dropout in train and eval mode ------------------------------------------------------------

DROPOUT_P = 0.5  # the course's example
DROPOUT_CALLS = 3  # calls shown per mode


@dataclass(frozen=True)
class DropoutDemo:
    x: np.ndarray  # (8,) the input, the same for every call
    hidden: np.ndarray  # (4,) ReLU(Linear(x)): what dropout receives
    train_out: np.ndarray  # (DROPOUT_CALLS, 4) model.train(): each unit 0 or hidden / (1 − p)
    eval_out: np.ndarray  # (DROPOUT_CALLS, 4) model.eval(): dropout is the identity


def dropout_model() -> nn.Sequential:
    """The course's nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Dropout(p=0.5))."""
    return nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Dropout(p=DROPOUT_P))


def dropout_demo(*, seed: int = 0) -> DropoutDemo:
    """Call the model DROPOUT_CALLS times in train mode, then in eval mode, on one input.

    Train mode zeroes each unit with probability p and scales survivors by 1/(1 − p), a
    fresh mask per call; eval mode passes `hidden` through unchanged.
    """
    with one_thread(), rng.seeded(seed):
        model = dropout_model()
        x = torch.randn(1, 8)
        with torch.no_grad():
            hidden = model[1](model[0](x))
            model.train()
            train_out = torch.cat([model(x) for _ in range(DROPOUT_CALLS)])
            model.eval()
            eval_out = torch.cat([model(x) for _ in range(DROPOUT_CALLS)])
    return DropoutDemo(x=x[0].double().numpy(), hidden=hidden[0].double().numpy(),
                       train_out=train_out.double().numpy(), eval_out=eval_out.double().numpy())
