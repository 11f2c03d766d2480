"""The Training-loop page's prose and small tables, filled with its numbers."""

from __future__ import annotations

import numpy as np

from dlviz import training_loop as tl
from dlviz import training_loop_plots as plots


def diverged(trace: tl.Trace) -> str:
    """The notice for a run that blew up (plain text)."""
    epoch, batch = divmod(trace.diverged_at, trace.steps_per_epoch)
    return (f"Training diverged at epoch {epoch + 1}, batch {batch + 1} (the loss passed "
            f"{tl.DIVERGED:g}): lower the learning rate or raise the batch size. The page "
            "shows the steps before that.")


def stage(name: str, lr: float) -> str:
    """What the line of the loop just shown did."""
    return {
        "zero_grad": "`optimizer.zero_grad()` clears every `.grad` (to `None`, PyTorch's "
                     "default), so this batch's gradient will not be added to the last one's.",
        "forward": "`model(feature)` runs the batch through Linear(4, 2) → Linear(2, 1): one "
                   "prediction per row. Nothing has changed in the parameters.",
        "loss": "`criterion(pred, target)` is the MSE: the mean of (pred − target)² over the "
                "batch.",
        "backward": "`loss.backward()` fills each parameter's `.grad` with ∂loss/∂w; the "
                    "parameters themselves are still unchanged.",
        "step": "`optimizer.step()` moves every parameter against its gradient: "
                f"w ← w − {lr:g}·w.grad. The `.grad` stays until the next zero_grad.",
    }[name]


RECORDED = (
    "Each number is recorded from the real loop (`TensorDataset`, a seeded `DataLoader`, "
    "`nn.MSELoss`, `optim.SGD`) run once for these settings, in float64; moving through the "
    "steps only looks the recording up.")


def batch_table(trace: tl.Trace, snap: tl.Snapshot) -> dict[str, list]:
    """The batch of the step shown, one row per DataLoader row (pred once forward ran)."""
    t = snap.step
    return {**{f"x{j + 1}": trace.features[t][:, j] for j in range(tl.N_FEATURES)},
            "target": trace.targets[t],
            "pred": trace.preds[t] if snap.pred is not None else [None] * trace.batch_size}


def full_run(trace: tl.Trace) -> tuple[str, str]:
    return (
        f"{len(trace.epoch_loss)} epochs × {trace.steps_per_epoch} batches: the epoch loss is "
        "the mean of its batch losses; the diamond is the batch shown above. Play (or the "
        "slider's arrow keys) redraws the curve epoch by epoch.",
        "Smaller batches make more, noisier steps per epoch; shuffling changes which rows "
        "share a batch each epoch (the order is seeded, so it is the same on every rerun).")


def accumulation(acc: tl.Accumulation) -> tuple[str, str]:
    return (
        "`backward()` adds to `.grad`; it never overwrites it. Without `zero_grad`, after k "
        "batches `.grad` holds the sum of the k batch gradients (the diamonds).",
        "Largest difference between the bars and the diamonds here: "
        f"{acc.max_diff:.2g} (rounding at most). Summing on purpose is *gradient "
        "accumulation*, a way to train with a larger effective batch; forgetting it by "
        "accident makes every step use all the gradients so far.")


def forgotten(without: tl.Trace) -> tuple[str, str]:
    ending = "blows up." if without.diverged_at is not None else "does not settle."
    return (
        "In training, the stale gradients pile up: each step is pushed by every earlier "
        "batch, so the steps grow, the loss oscillates and, here, " + ending,
        "Like momentum with no friction: SGD on Σ of all past gradients overshoots and keeps "
        "swinging instead of converging.")


MANUAL_CODE = (  # one snippet per form of tl.MANUAL_FORMS
    "loss.backward()\noptimizer.step()",
    "loss.backward()\nwith torch.no_grad():\n    for w in model.parameters():\n"
    "        w.add_(w.grad, alpha=-lr)",
    "loss.backward()\nwith torch.no_grad():\n    for w in model.parameters():\n"
    "        w.copy_(w - lr * w.grad)",
)


def manual_table(comparison: tl.UpdateComparison) -> dict[str, list]:
    """Each form's final parameters, to 17 significant digits (float64 shows in the last)."""
    return {"parameter": list(plots.PARAM_LABELS),
            **{form: [f"{v:.17g}" for v in comparison.final[i]]
               for i, form in enumerate(comparison.forms)}}


def manual(comparison: tl.UpdateComparison) -> tuple[str, str]:
    return (
        f"Three copies of the model, trained on the same {comparison.steps} batches: "
        "`optimizer.step()` for plain SGD *is* w ← w − lr·w.grad. Written as SGD writes it, "
        "`w.add_(w.grad, alpha=-lr)`, the weights are identical to the last bit "
        f"(max |difference| = {comparison.max_diff[1]:g}).",
        "The textbook spelling `w - lr * w.grad` rounds lr·grad before "
        "subtracting, while `add_` rounds once (a fused multiply-add), so it may differ in "
        f"the last bit: {comparison.max_diff[2]:.2g} here, a few units in float64's last "
        "place (this page trains in float64, `model.double()`; in float32, PyTorch's default, "
        "the same happens in float32's last place). The update under `torch.no_grad()` keeps "
        "autograd from recording it.")


# --- the charts' text alternatives (ui.chart's `summary`) and the numbers behind them -------

def _range(values) -> str:
    return f"{float(np.min(values)):.3g} to {float(np.max(values)):.3g}"


def state_summary(snap: tl.Snapshot) -> str:
    """The parameter/.grad heatmaps in one sentence."""
    grads = ("every .grad is None" if snap.grad is None else
             f"their .grad from {_range(snap.grad)} (‖.grad‖ = {snap.grad_norm:.3g})")
    return (f"After {plots.stage_call(snap.stage)} at epoch {snap.epoch}, batch "
            f"{snap.batch}: the {tl.N_PARAMS} parameters range from {_range(snap.params)}; "
            f"{grads}.")


def state_data(snap: tl.Snapshot) -> dict[str, list]:
    """The heatmaps' numbers, one row per parameter."""
    grad = [None] * tl.N_PARAMS if snap.grad is None else list(snap.grad)
    return {"parameter": list(plots.PARAM_LABELS), "value": list(snap.params), ".grad": grad}


def _where(trace: tl.Trace, step: int) -> str:
    epoch, batch = divmod(step, trace.steps_per_epoch)
    return f"epoch {epoch + 1}, batch {batch + 1}"


def loss_summary(trace: tl.Trace, *, step: int, drawn: int) -> str:
    """The loss curve's frame (`drawn` epochs of it) in one sentence."""
    total = len(trace.epoch_loss)
    n = min(drawn, total)
    marker = (f"the diamond marks {_where(trace, step)} (batch loss {trace.loss[step]:.3g})"
              if trace.steps else "no step ran")
    if n == 0:
        return (f"No epoch drawn yet of {total}: Play or the slider draws the loss epoch by "
                f"epoch; {marker}.")
    end = "" if trace.diverged_at is None else f" (then it diverged at " \
        f"{_where(trace, trace.diverged_at)})"
    return (f"Mean batch loss over {n} of {total} epochs{end}: {trace.epoch_loss[0]:.3g} in "
            f"epoch 1, {trace.epoch_loss[n - 1]:.3g} in epoch {n}; {marker}.")


def loss_data(trace: tl.Trace, *, drawn: int) -> dict[str, list]:
    """Each drawn epoch's mean batch loss, with its lowest and highest batch."""
    n, per = min(drawn, len(trace.epoch_loss)), trace.steps_per_epoch
    batches = [trace.loss[e * per:(e + 1) * per] for e in range(n)]
    return {"epoch": list(range(1, n + 1)),
            "epoch loss (mean of its batches)": list(trace.epoch_loss[:n]),
            "lowest batch loss": [float(b.min()) for b in batches],
            "highest batch loss": [float(b.max()) for b in batches]}


def accumulation_summary(acc: tl.Accumulation) -> str:
    """The accumulation bars in one sentence."""
    k = len(acc.single)
    return (f"After {k} backward passes without zero_grad, .grad (‖.grad‖ = "
            f"{np.linalg.norm(acc.accumulated[-1]):.3g}) equals the sum of the {k} "
            f"single-batch gradients to within {acc.max_diff:.2g}; batch {k}'s own gradient "
            f"has ‖.grad‖ = {np.linalg.norm(acc.single[-1]):.3g}.")


def accumulation_data(acc: tl.Accumulation) -> dict[str, list]:
    k = len(acc.single)
    return {"parameter": list(plots.PARAM_LABELS), f"batch {k} alone": list(acc.single[-1]),
            f".grad after {k} batches": list(acc.accumulated[-1]),
            f"sum of the {k} gradients": list(acc.summed[-1])}


def zero_grad_summary(with_zero: tl.Trace, without: tl.Trace) -> str:
    """The with/without zero_grad curves in one sentence."""
    def run(trace: tl.Trace) -> str:
        if not trace.steps:
            return "runs no step"
        end = (f"diverges at {_where(trace, trace.diverged_at)}" if trace.diverged_at is not None
               else f"ends at {trace.loss[-1]:.3g}")
        return (f"starts at batch loss {trace.loss[0]:.3g} and {end}, ‖.grad‖ at most "
                f"{float(trace.grad_norm.max()):.3g}")
    return f"With zero_grad the loop {run(with_zero)}; without it, it {run(without)}."


def zero_grad_data(with_zero: tl.Trace, without: tl.Trace) -> dict[str, list]:
    """Both loops step by step; a run that diverged has no values after it stopped."""
    steps = max(with_zero.steps, without.steps)

    def padded(values) -> list:
        return [float(v) for v in values] + [None] * (steps - len(values))
    return {"step": list(range(1, steps + 1)),
            "epoch": [(t + 1) / with_zero.steps_per_epoch for t in range(steps)],
            "loss with zero_grad": padded(with_zero.loss),
            "loss without": padded(without.loss),
            "‖.grad‖ with zero_grad": padded(with_zero.grad_norm),
            "‖.grad‖ without": padded(without.grad_norm)}
