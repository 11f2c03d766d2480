"""The Counting-parameters page's prose: what each section says, filled with its numbers.

None of it quotes what the user typed: the page passes user text only through `ui.md` or
`ui.problem`, never into these strings."""

from __future__ import annotations

from dlviz.params_count import Challenge, Network, ParamReport

TABLE = "Add, delete or edit rows; layers without parameters (ReLU, Dropout) count 0."
BUFFERS = ("BatchNorm's running mean and variance: stored, never trained, so not "
           "parameters.")
STORAGE = "torch stores a Linear weight as (out, in); the formula reads it as in × out."
CHALLENGE = ("Build a model with **8 features in, 2 classes out, 4 linear layers and fewer "
             "than 120 parameters**.")
SOLUTION = ("`8, 6, 4, 4, 2`: 8×6 + 6 + 6×4 + 4 + 4×4 + 4 + 4×2 + 2 = 54 + 28 + 20 + 10 = "
            "**112** < 120.")
CAPACITY = (
    "Fewer parameters means less capacity: a small model cannot memorise much, which is what "
    "a small data set needs. Four Linear layers have three hidden widths h₁, h₂, h₃ and "
    "8·h₁ + h₁ + h₁·h₂ + h₂ + h₂·h₃ + h₃ + h₃·2 + 2 parameters.")
COMPARE = (
    "More parameters means more capacity: the model can fit more complex functions, and also "
    "memorise noise in small data sets.",
    "Widening a hidden layer costs parameters on both sides of it; an extra layer of the same "
    "width adds width² + width.")


def metrics(report: ParamReport) -> list[tuple[str, str, str | None]]:
    """The model's three metrics: label, value, help."""
    return [("Parameters", f"{report.total:,}", None),
            ("Trainable", f"{report.trainable:,}", None),
            ("Buffers", f"{report.buffers:,}", BUFFERS)]


def counts(report: ParamReport) -> tuple[str, str]:
    """The model's explanation: its count as a sum of the layers' formulas."""
    total = (f"{' + '.join(r.formula for r in report.rows)} = **{report.total:,}** parameters."
             if 0 < len(report.rows) <= 6 else f"this model has **{report.total:,}** parameters.")
    return (
        "`nn.Linear(n_in, n_out)` holds n_in·n_out weights plus n_out biases: " + total,
        "Activations, Dropout and Flatten have none. BatchNorm's γ and β are parameters, but "
        "its running mean and variance are **buffers**: saved with the model, updated in "
        "training mode, never touched by the optimizer, so `model.parameters()` leaves them "
        "out.")


def ratio(other: ParamReport, report: ParamReport) -> str | None:
    """The second architecture's count relative to the model above."""
    return f"{other.total / report.total:.2f}× as many" if report.total else None


def verdict(result: Challenge) -> str:
    """The challenge's one-line verdict (plain text: the page escapes it)."""
    lines = [f"{'✅' if ok else '❌'} {what}" for what, ok in result.checks]
    return ("Solved! " if result.passed else "Not yet. ") + " · ".join(lines)


def hint(result: Challenge, report: ParamReport) -> str:
    """Why the answer misses, in the words of the first failed check."""
    failed = next(what for what, ok in result.checks if not ok)
    if failed.startswith("fewer"):
        big = max(report.rows, key=lambda r: r.count)
        return (f"Layer {big.name} alone costs {big.formula} = {big.count}: a hidden unit "
                "costs a weight per unit on each side plus its bias, so shrink the widths.")
    return f"Check: {failed.split(' (')[0]}."


def challenge(result: Challenge, report: ParamReport) -> tuple[str, str]:
    """The answer's explanation: its count, then why it passes or what to change."""
    why = ("Three narrow hidden layers keep every product of neighbouring widths small, so "
           "four layers fit the budget." if result.passed else hint(result, report))
    counts_ = " + ".join(str(r.count) for r in report.rows)
    return f"Your count: {counts_} = **{result.total:,}**. {why}", CAPACITY


# --- the charts' text alternatives (ui.chart's `summary`) and the numbers behind them -------

SHOWN_LAYERS = 6  # a summary names at most this many layers, then says how many more


def _trainable(report: ParamReport) -> str:
    return ("all trainable" if report.trainable == report.total
            else f"{report.trainable:,} trainable")


def network_summary(net: Network, report: ParamReport) -> str:
    """The network drawing in one sentence: its widths and its count."""
    if not net.widths:
        return "No layer with parameters to draw: the model has 0 parameters."
    widths = " → ".join(f"{w:,}" for w in net.widths[:SHOWN_LAYERS + 1])
    more = (f" → … ({len(net.widths) - SHOWN_LAYERS - 1} more columns)"
            if len(net.widths) > SHOWN_LAYERS + 1 else "")
    return (f"Units per column: {widths}{more}, joined by {len(net.links)} "
            f"connection{'s' if len(net.links) != 1 else ''}; {report.total:,} parameters in "
            f"all, {_trainable(report)}.")


def bars_summary(report: ParamReport) -> str:
    """The bar chart in one sentence: each layer's count and the largest share."""
    if not report.rows:
        return "No layer has parameters: the model has 0."
    parts = ", ".join(f"layer {r.name} ({r.layer.split('(')[0]}): {r.count:,}"
                      for r in report.rows[:SHOWN_LAYERS])
    more = (f" and {len(report.rows) - SHOWN_LAYERS} more layers"
            if len(report.rows) > SHOWN_LAYERS else "")
    big = max(report.rows, key=lambda r: r.count)
    share = f" ({big.count / report.total:.0%} of {report.total:,})" if report.total else ""
    return (f"Parameters per layer: {parts}{more}; the largest is layer {big.name}, "
            f"{big.formula} = {big.count:,}{share}.")


def compare_summary(report: ParamReport, other: ParamReport) -> str:
    """The side-by-side totals in one sentence."""
    times = f": {ratio(other, report)}" if report.total else ""
    return (f"Your model above has {report.total:,} parameters in {len(report.rows)} "
            f"layers with parameters, the second architecture {other.total:,} in "
            f"{len(other.rows)}{times}.")


def compare_data(reports, names) -> dict[str, list]:
    """The stacked bars' segments: one row per model and layer."""
    rows = [(name, r.name, r.layer.split("(")[0], r.count)
            for name, report in zip(names, reports, strict=True) for r in report.rows]
    return {"model": [r[0] for r in rows], "layer": [r[1] for r in rows],
            "module": [r[2] for r in rows], "parameters": [r[3] for r in rows]}
