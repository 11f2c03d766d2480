"""The Freezing & fine-tuning page's prose: what each section says, filled with its numbers."""

from __future__ import annotations

from dlviz import finetune as ft
from dlviz import init_schemes as ini

LOSSES = (
    "Start from the model trained on US salaries and it is already close on European ones; "
    "freeze the early layers (`requires_grad = False`) and fine-tune those near the output.",
    "All four runs get the same number of epochs of SGD with momentum 0.9 on the 150 EU "
    "training rows; the loss is MSE on the 50 held-out EU rows, epoch 0 being before any "
    "step. The pretrained model is the one you would download: trained once on US salaries "
    f"with its own seed ({ft.PRETRAIN_SEED}), the same whatever seed you choose; your seed "
    "draws the EU data, the batch order and the from-scratch model. The course's rule of "
    "thumb: freeze early layers, which learned general features, "
    "fine-tune the ones near the output with a smaller learning rate — and compare, as here, "
    "because with a short budget a smaller rate can also mean slower progress.")
ALL_FROZEN = ("Every layer is frozen: nothing is trainable, so the fine-tuned model is the "
              "pretrained one and its loss stays flat.")
SAVE_LOAD = ('torch.save(model.state_dict(), "finetuned.pt")\n'
             'model.load_state_dict(torch.load("finetuned.pt", weights_only=True))')
DELTA = (
    "Frozen layers did not move at all: their |Δweight| is exactly 0.",
    "Each cell is one unit (output neuron) of a layer: the largest change of its weights and "
    "bias from the pretrained value. The optimizer only receives parameters with "
    "`requires_grad=True`, so a frozen parameter is bit-identical after training.")
HISTOGRAMS = (
    "By default `nn.Linear(64, 128)` starts within ±1/√64 = ±0.125 (dashed lines); "
    "`nn.init.uniform_` moves every weight into [0, 1).",
    "PyTorch's default is Kaiming-uniform with a = √5, which works out to "
    "U(−1/√fan_in, 1/√fan_in). Every other scheme here also zeroes the biases.")
DEPTH = (
    "Through a deep ReLU MLP, all-positive uniform [0, 1) weights make activations explode, "
    "small ones make them vanish; Kaiming keeps them level.",
    f"One seeded batch of {ini.DEEP_BATCH} standard-normal inputs passes through "
    f"Linear({ini.DEEP_WIDTH}, {ini.DEEP_WIDTH}) + ReLU layers at initialisation; each point "
    "is the std of a layer's output. Points that overflow float32 are left out.")
SYMMETRY = (
    "Zeros (or any constant) make every hidden unit identical, and identical units get "
    "identical gradients: after training they are still all the same.",
    f"Same seed and budget for every scheme ({ini.TRAIN_EPOCHS} epochs, lr "
    f"{ini.TRAIN_LR:g}). With all-zero weights no gradient reaches the hidden layers at "
    "all, only the output bias learns; with a constant the units move, but in lockstep. "
    "Random initialisation breaks that symmetry. In the heatmaps each column is one hidden "
    "unit's weights w1…w4 and bias b (red < 0 < blue, each panel on its own scale).")


def metrics(comparison) -> list[tuple[str, str, str | None]]:
    """The fine-tuned run's four metrics: label, value, delta (against training from scratch)."""
    run, scratch = comparison.runs["freeze"], comparison.runs["scratch"]
    return [("Trainable", f"{run.trainable:,}", None),
            ("Frozen", f"{run.total - run.trainable:,}", None),
            ("Total parameters", f"{run.total:,}", None),
            ("Final val. MSE", f"{run.losses[-1]:.4g}",
             f"{run.losses[-1] - scratch.losses[-1]:+.3g} vs scratch")]
