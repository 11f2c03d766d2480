"""The Hyperparameter-search page's prose, filled with its numbers."""

from __future__ import annotations

import math

import numpy as np


def search(trials: int) -> tuple[str, str]:
    """Under the plane: what both methods spent, then how the trials are made equal."""
    k = math.isqrt(trials)
    essential = (
        f"Both methods spend the same budget: {trials} trials, each a small MLP trained with "
        f"`torch.optim.SGD` and scored by its validation loss (lower is better). The grid "
        f"tests only √{trials} = {k} learning rates and {k} momenta; random search, with "
        f"`lr = 10 ** -uniform(2, 4)` and `momentum = uniform(0.85, 0.99)`, tests {trials} of "
        "each.")
    more = (
        "Every trial starts from the same initial weights and sees the same mini-batches of "
        "the same seeded two-moons data (100 points to train, 100 to validate), so lr and "
        "momentum are the only difference. All trials train at once as one batched "
        "computation; the script below trains them one by one with an ordinary `nn.Module` "
        "and prints the same numbers.")
    return essential, more


def projections(trials: int) -> tuple[str, str]:
    """Under the projections: why random search covers each axis better."""
    k = math.isqrt(trials)
    essential = (
        f"Project the trials onto one axis. The grid's {trials} points collapse onto {k} "
        f"values, each repeated {k} times; random search's {trials} points land on {trials} "
        "different values of lr and of momentum. If one hyperparameter matters much more "
        "than the other, the grid has spent its repeats on the one that does not matter and "
        f"still knows that one only at {k} values.")
    more = (
        "This is the argument of Bergstra & Bengio (2012): with n trials, a grid over d "
        "hyperparameters tests only n^(1/d) values of each, while random search tests n "
        "values of every one, so it finds a narrow good range of the important "
        "hyperparameter more often. It is not a guarantee for one seed: the grid includes "
        "the ends of both ranges exactly, and on this task the best runs lie at large "
        "learning rates, where the grid's corner can win. Change the seed to see both "
        "outcomes.")
    return essential, more


# --- the charts' text alternatives: one sentence each, with the result's numbers -------------

NAMES = {"grid": "grid search", "random": "random search"}


def _best(t) -> str:
    return (f"{NAMES[t.method]}'s best is val loss {t.val_loss[t.best]:.4f} at lr "
            f"{t.lr[t.best]:.3g}, momentum {t.momentum[t.best]:.3f}")


def _diverged(result) -> str:
    n = sum(int((~np.isfinite(t.val_loss)).sum()) for t in result.by_method().values())
    return f"; {n} trials diverged" if n else ""


def plane_summary(result) -> str:
    """The lr × momentum plane: the budget, and each method's best trial."""
    return (f"{result.trials} trials per method on the learning rate × momentum plane, "
            f"coloured by validation loss: {_best(result.grid)}; "
            f"{_best(result.random)}{_diverged(result)}.")


def projections_summary(result) -> str:
    """The projections: how many distinct values of each axis each method tested."""
    g, r = result.grid, result.random
    return (f"Validation loss against each hyperparameter alone: grid search tested "
            f"{g.distinct_lr} learning rates and {g.distinct_momentum} momenta, random search "
            f"{r.distinct_lr} and {r.distinct_momentum}, with {result.trials} trials each.")


def trials_data(result) -> dict[str, list]:
    """Every trial of both methods: the table behind both charts (inf: diverged)."""
    rows = [(t.method, float(lr), float(m), float(v))
            for t in (result.grid, result.random)
            for lr, m, v in zip(t.lr, t.momentum, t.val_loss, strict=True)]
    return {"method": [r[0] for r in rows], "learning rate": [r[1] for r in rows],
            "momentum": [r[2] for r in rows], "validation loss": [r[3] for r in rows]}
