"""The Training-loop page's prose and small tables, filled with its numbers."""

from __future__ import annotations

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
        "the mean of its batch losses; the diamond is the batch shown above. ▶ Play redraws "
        "the curve epoch by epoch.",
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
