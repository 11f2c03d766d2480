"""The Training-loop page's settings: one table for its widgets, its URL and the tests'
domain sweeps (dlviz.settings). The step shown is picked by epoch and batch, whose bounds
follow from the run: 1 … epochs, and 1 … the batches of an epoch (data set size over batch
size; every batch size offered divides it). `step` is the loss curve's frame: the epochs
drawn, 0 … epochs."""

from __future__ import annotations

from dlviz import settings as cfg
from dlviz import training_loop as tl


def batches_per_epoch(known) -> int:
    """The DataLoader's batches per epoch at the batch size chosen."""
    return tl.N_SAMPLES // int(known["bs"])


SETTINGS = cfg.Table((
    cfg.Choice("bs", "Batch size", 8, options=tl.BATCH_SIZES, widget="select_slider"),
    cfg.Flag("shuffle", "Shuffle batches (seeded)", True),
    cfg.Choice("lr", "Learning rate", 0.05, options=tl.LRS, widget="select_slider"),
    cfg.Number("epochs", "Epochs", 20, lo=1, hi=tl.MAX_EPOCHS, step=1, integer=True),
    cfg.seed(),
    cfg.Number("epoch", "Epoch", 1, lo=1, hi=lambda k: k["epochs"], step=1, integer=True,
               widget="number"),
    cfg.Number("batch", "Batch", 1, lo=1, hi=batches_per_epoch, step=1, integer=True,
               widget="number"),
    cfg.Choice("stage", "Line of the loop", "backward", options=tl.STAGES, widget="segmented"),
    cfg.Number("k", "Backward passes without zero_grad (k)", 3, lo=1, hi=8, step=1,
               integer=True),
    # The loss curve's player (dlviz.ui.player): how many epochs are drawn, 0 … all of them;
    # a fresh page draws the whole run.
    cfg.Number("step", "Epochs drawn", lambda k: k["epochs"], lo=0, hi=lambda k: k["epochs"],
               step=1, integer=True),
), name="TrainingLoopSettings")
