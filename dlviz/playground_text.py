"""The Network playground's prose: what each section says, filled with its numbers."""

from __future__ import annotations

import numpy as np

from dlviz import playground_presets as presets
from dlviz.playground import OVERFIT_STEPS, OVERFIT_TOL, OverfitRun, PlaygroundRun
from dlviz.playground_settings import ACTIVATIONS, FEATURE_LABELS, OPTIMIZERS

BOUNDARY = (
    "The map: the network's P(class 1) over the square, white where it is undecided (0.5, "
    "the black line is the decision boundary); filled marks train, open marks test, stars "
    "are your points (circles class 0, diamonds class 1). Beside it (below on a phone): the "
    "train (solid) and test (dashed) loss per epoch, a marker at the epoch shown. Turn on "
    "▶ Play (or step the snapshot slider with the arrow keys) to watch training.",
    "Every number is real torch: `nn.Sequential` of `nn.Linear` layers, one logit and "
    "`BCEWithLogitsLoss`, a `torch.optim` step per batch of the shuffled training set, the "
    "batch order and the initial weights from the seed. Click the map to add a point of the "
    "class chosen in the sidebar; it joins the training set, and the link keeps it.")

NETWORK = (
    "Each input and hidden unit is drawn as its output over the square (orange < 0 < blue); "
    "links are solid blue for positive weights and dashed orange for negative ones, wider "
    "for larger |w|.",
    "The first layer can only draw straight stripes of its inputs; later layers combine "
    "stripes into curves. A weight that L1 set to exactly 0 has no link.")

CHAPTER4 = (
    "Before training for real, check that the network can fit a handful of points: the same "
    "network, initial weights, optimizer and learning rate (without dropout and penalty) "
    "step on one batch until its loss is almost 0. If it cannot, no amount of data will "
    "help: look for a bug, too little capacity or the wrong inputs.")

SPLITS = (
    "Training accuracy far above validation accuracy is overfitting.",
    "The network trains on the training set; the validation set (the last 20 % of the "
    "training share, held out) is where you compare settings, and the test set is looked "
    "at last, once. The losses are the mean BCE in eval mode (dropout off).")


def net_label(spec) -> str:
    """A short name of a network: its inputs, layers and activation."""
    feats = ", ".join(FEATURE_LABELS[f] for f in spec.features)
    layers = " × ".join(map(str, spec.hidden)) or "no hidden layer"
    return f"{feats} · {layers} · {ACTIVATIONS[spec.activation]} · lr {spec.lr:g}"


def side_titles(first, second) -> tuple[str, str]:
    """The side-by-side figures' titles: the inputs, and the activation and lr where they
    differ (half a screen is narrow; the table below has the rest)."""
    def title(name: str, spec) -> str:
        parts = [", ".join(FEATURE_LABELS[f] for f in spec.features)]
        if first.activation != second.activation:
            parts.append(ACTIVATIONS[spec.activation])
        if first.lr != second.lr:
            parts.append(f"lr {spec.lr:g}")
        return f"{name}: " + " · ".join(parts)
    return title("First", first), title("Second", second)


def _measured(kind: str, value: float) -> str:
    if kind == "diverges":
        return f"stopped at epoch {value:.0f}" if value else "did not stop"
    if kind == "zeros_at_least":
        return f"{value:.0%} of the weights exactly 0"
    if kind == "norm_below":
        return f"‖W‖ {value:.2f} × the unpenalised run's"
    return f"test accuracy {value:.2f}"


def _claimed(kind: str, t: float) -> str:
    """The threshold the lesson holds the run to (presets.EXPECT_KINDS, t filled in)."""
    return presets.EXPECT_KINDS[kind].replace("≥ t", f"≥ {t:g}").replace("≤ t", f"≤ {t:g}").replace(
        " (t unused)", "")


def lesson(key: str, outcome: presets.Outcome) -> tuple[str, str]:
    """A lesson's claim, whether this run bears it out, and what to look at."""
    p = presets.PRESETS[key]
    kind, t = p.expect
    verdict = "Reproduced here ✓" if outcome.ok else "Not reproduced with these settings."
    return (f"**{p.title}.** {p.claim} {verdict} (Measured: {_measured(kind, outcome.value)}; "
            f"the lesson expects {_claimed(kind, t)}.)", f"**What to observe:** {p.observe}")


def diverged(run: PlaygroundRun, which: str = "The network") -> str | None:
    if run.diverged_at is None:
        return None
    return (f"{which}'s training stopped at epoch {run.diverged_at}: its loss blew up (or "
            f"stopped being finite). The pictures show epoch {run.diverged_at - 1}. Try a "
            "smaller learning rate.")


def overfit(over: OverfitRun, spec) -> str:
    """The sentence under the one-batch check."""
    opt = f"{OPTIMIZERS[spec.optimizer]} at lr {spec.lr:g}"
    if over.reached_at is not None:
        return (f"The loss on one batch of {len(over.y)} points fell below {OVERFIT_TOL:g} "
                f"after **{over.reached_at} steps** of {opt}: the network can fit data, so "
                "training it on the whole set is worth it.")
    last = f"{over.loss[-1]:.3g}" if len(over.loss) else "not finite"
    steps = max(len(over.loss) - 1, 0)
    hint = ("it blew up: the learning rate is too large." if steps < OVERFIT_STEPS else
            "too slow or too small a network: try Adam, a larger learning rate or more "
            "units before training on the whole set.")
    return (f"After {steps} steps of {opt} the loss on one batch of {len(over.y)} points is "
            f"still {last}, not below {OVERFIT_TOL:g}: {hint}")


def metrics(run: PlaygroundRun) -> list[tuple[str, str, str]]:
    """(label, accuracy, loss) for the training, validation and test sets."""
    return [(name, f"{acc:.1%}", f"loss {loss[-1]:.4f}") for name, acc, loss in (
        ("Training accuracy", run.train_acc, run.train_loss),
        ("Validation accuracy", run.val_acc, run.val_loss),
        ("Test accuracy", run.test_acc, run.test_loss))]


def comparison(first: PlaygroundRun, second: PlaygroundRun) -> list[dict]:
    """The side-by-side table: one row per network."""
    return [{"network": name, "inputs · layers · activation · lr": net_label(r.spec),
             "train acc": f"{r.train_acc:.1%}", "test acc": f"{r.test_acc:.1%}",
             "test loss": f"{r.test_loss[-1]:.4f}", "parameters": r.n_params}
            for name, r in (("first", first), ("second", second))]


# --- the charts' text alternatives (ui.chart's `summary`) -----------------------------------

def _at(run: PlaygroundRun, frame: int) -> tuple[int, int]:
    """Snapshot `frame`'s epoch and that epoch's index into the run's loss curves."""
    epoch = int(run.frames.epoch[frame])
    return epoch, int(np.flatnonzero(run.epoch == epoch)[0])


def boundary_summary(run: PlaygroundRun, frame: int, which: str = "The network") -> str:
    """The boundary chart at snapshot `frame` (an index into frames.epoch)."""
    epoch, _ = _at(run, frame)
    stopped = f" (stopped at epoch {run.diverged_at})" if run.diverged_at is not None else ""
    return (f"{which}'s P(class 1) over the square at epoch {epoch} of "
            f"{int(run.epoch[-1])}{stopped}, the black line its decision boundary (P = 0.5), "
            f"with the data. Trained, it classifies {run.train_acc:.1%} of the training and "
            f"{run.test_acc:.1%} of the test points correctly.")


def loss_summary(run: PlaygroundRun, frame: int) -> str:
    """The loss chart, its marker at snapshot `frame`'s epoch."""
    epoch, i = _at(run, frame)
    return (f"Mean BCE per epoch: at epoch {epoch} (the marker) train loss "
            f"{run.train_loss[i]:.4f} and test loss {run.test_loss[i]:.4f}; after epoch "
            f"{int(run.epoch[-1])} train {run.train_loss[-1]:.4f} and test "
            f"{run.test_loss[-1]:.4f}.")


def network_summary(run: PlaygroundRun, frame: int) -> str:
    """The network chart at snapshot `frame`: its shape and its weights' numbers."""
    epoch, _ = _at(run, frame)
    w = np.concatenate([layer[frame].ravel() for layer in run.frames.weights])
    feats = ", ".join(FEATURE_LABELS[f] for f in run.spec.features)
    layers = " × ".join(map(str, run.spec.hidden)) or "no hidden layer"
    units = f" {ACTIVATIONS[run.spec.activation]} units" if run.spec.hidden else ""
    return (f"The network at epoch {epoch}: inputs {feats} → {layers}{units} → P(class 1). "
            f"Of its {len(w)} weights {int((w > 0).sum())} are positive (blue) and "
            f"{int((w < 0).sum())} negative (orange), {int((w == 0).sum())} exactly 0; the "
            f"largest |w| is {np.abs(w).max():.3f}.")


def overfit_summary(over: OverfitRun) -> str:
    """The one-batch check's chart."""
    steps = len(over.loss) - 1
    if steps < 0:
        return f"One batch of {len(over.y)} points: no finite loss to draw."
    reached = (f"below {OVERFIT_TOL:g} after {over.reached_at} steps"
               if over.reached_at is not None else f"never below {OVERFIT_TOL:g}")
    return (f"The loss on one batch of {len(over.y)} points (log scale) over {steps} steps, "
            f"from {over.loss[0]:.3g} to {over.loss[-1]:.3g}: {reached}.")
