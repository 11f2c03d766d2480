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


# --- the charts' text alternatives: one sentence each, with the result's numbers -------------

def _g(value: float) -> str:
    return f"{value:.3g}"


def losses_summary(comparison) -> str:
    """The loss chart: each run's validation MSE after the last epoch, and the lowest."""
    finals = {key: float(run.losses[-1]) for key, run in comparison.runs.items()}
    epochs = len(comparison.runs["freeze"].losses)
    best = min(finals, key=finals.get)
    runs = "; ".join(f"{comparison.labels[k]} {_g(v)}" for k, v in finals.items())
    return (f"Validation MSE on EU salaries after {epochs} epochs: {runs}. "
            f"Lowest: {comparison.labels[best]}.")


def losses_data(comparison) -> dict[str, list]:
    """The loss chart's points: epoch, then one column per run (epoch 0 = before training)."""
    freeze = comparison.runs["freeze"]
    out: dict[str, list] = {"epoch": list(range(len(freeze.losses) + 1))}
    for key, run in comparison.runs.items():
        out[comparison.labels[key]] = [float(run.initial_loss), *map(float, run.losses)]
    return out


def delta_summary(result) -> str:
    """The |Δweight| heatmap: which layers stayed at exactly 0, and the largest change."""
    frozen = [str(i + 1) for i, f in enumerate(result.frozen) if f]
    tops = [float(c.max()) for c in result.unit_change]
    layer = max(range(len(tops)), key=tops.__getitem__)
    unit = int(result.unit_change[layer].argmax()) + 1
    still = (f"layers {', '.join(frozen)} are frozen and moved by exactly 0"
             if frozen else "no layer is frozen")
    return (f"Largest change of each unit's weights per layer: {still}; the largest change "
            f"is {_g(tops[layer])}, in layer {layer + 1}, unit {unit}.")


def delta_data(result) -> dict[str, list]:
    """Per layer: frozen or not, and its units' largest and mean |Δ|."""
    return {"layer": ft.layer_labels(),
            "frozen": ["yes" if f else "no" for f in result.frozen],
            "largest |Δ|": [float(c.max()) for c in result.unit_change],
            "mean of the units' |Δ|": [float(c.mean()) for c in result.unit_change]}


def histograms_summary(hist) -> str:
    """The weight histograms: each layer's range against PyTorch's default bound."""
    label = ini.SCHEMES[hist.scheme][0]
    ranges = "; ".join(f"layer {i + 1} [{_g(lo)}, {_g(hi)}] (bound ±{_g(b)})"
                       for i, (lo, hi, b) in enumerate(zip(hist.low, hist.high, hist.bound,
                                                           strict=True)))
    return f"Weights right after {label} initialisation, per layer: {ranges}."


def std_summary(stds, *, selected: str) -> str:
    """The activation-std chart: where the selected scheme ends, and the others."""
    depth = stds.std.shape[1]
    last = {s: float(stds.std[i, -1]) for i, s in enumerate(stds.schemes)}

    def shown(value: float) -> str:
        return "overflowed" if value != value else _g(value)

    others = "; ".join(f"{ini.SCHEMES[s][0]} {shown(v)}" for s, v in last.items()
                       if s != selected)
    return (f"Std of the ReLU activations after layer {depth} of {depth}: "
            f"{ini.SCHEMES[selected][0]} {shown(last[selected])}, the input's "
            f"{_g(stds.input_std)}; the others: {others}.")


def std_data(stds) -> dict[str, list]:
    """The activation-std chart's points: layer, then one column per scheme (nan: overflow)."""
    out: dict[str, list] = {"layer": list(range(1, stds.std.shape[1] + 1))}
    for i, scheme in enumerate(stds.schemes):
        out[ini.SCHEMES[scheme][0]] = [float(v) for v in stds.std[i]]
    return out


def curves_summary(curves, *, selected: str) -> str:
    """The init training curves: each scheme's final validation MSE, and the lowest."""
    finals = {s: float(curves.losses[i, -1]) for i, s in enumerate(curves.schemes)}
    finite = {s: v for s, v in finals.items() if v == v}
    runs = "; ".join(f"{ini.SCHEMES[s][0]} {'diverged' if v != v else _g(v)}"
                     for s, v in finals.items())
    best = min(finite, key=finite.get) if finite else None
    lowest = f" Lowest: {ini.SCHEMES[best][0]}." if best else ""
    return (f"Validation MSE on US salaries after {curves.losses.shape[1]} epochs from each "
            f"init ({ini.SCHEMES[selected][0]} highlighted): {runs}.{lowest}")


def curves_data(curves) -> dict[str, list]:
    """The init training curves' points: epoch, then one column per scheme (nan: diverged)."""
    out: dict[str, list] = {"epoch": list(range(curves.losses.shape[1] + 1))}
    for i, scheme in enumerate(curves.schemes):
        out[ini.SCHEMES[scheme][0]] = [float(curves.initial[i]), *map(float, curves.losses[i])]
    return out


def symmetry_summary(curves, *, schemes: tuple[str, str]) -> str:
    """The symmetry heatmaps: how many distinct hidden units each scheme's layer 1 keeps."""
    idx = {s: i for i, s in enumerate(curves.schemes)}
    n = curves.hidden_sizes[0]
    parts = [f"{int(curves.distinct_units[idx[s], 0])} distinct of {n} units with "
             f"{ini.SCHEMES[s][0]}" for s in schemes]
    return f"Layer 1's weights and biases after training: {' and '.join(parts)}."
