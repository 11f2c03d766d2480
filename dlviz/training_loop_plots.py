"""Figures (and the highlighted loop code) for the training-loop page: pure functions of
`dlviz.training_loop` results; they only index and format."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from dlviz import style
from dlviz.training_loop import PARAMS, STAGES, Accumulation, Snapshot, Trace, unflatten

# The course's loop; STAGE_LINE maps each stage to its line.
LOOP_CODE = (
    "for epoch in range(num_epochs):",
    "    for feature, target in dataloader:",
    "        optimizer.zero_grad()",
    "        pred = model(feature)",
    "        loss = criterion(pred, target)",
    "        loss.backward()",
    "        optimizer.step()",
)
STAGE_LINE = {stage: 2 + i for i, stage in enumerate(STAGES)}
PARAM_LABELS = tuple(
    f"{name}[{','.join(str(i) for i in idx)}]"
    for name, shape in PARAMS for idx in np.ndindex(*shape)
)  # "0.weight[0,0]" … "1.bias[0]", in the flattened order


def loop_code_html(snap: Snapshot, *, epochs: int, batches: int, zero_grad: bool = True,
                   lecture: bool = False) -> str:
    """The loop as a <pre>, the line that just ran highlighted, epoch and batch filled in."""
    size = "0.8rem" if lecture else "0.95rem"  # lecture: 19 px of a 24 px root, no clipping
    notes = {0: f"  # epoch {snap.epoch} of {epochs}", 1: f"  # batch {snap.batch} of {batches}"}
    rows = []
    for i, line in enumerate(LOOP_CODE):
        text = line + notes.get(i, "")
        if i == STAGE_LINE["zero_grad"] and not zero_grad:
            text = "        # optimizer.zero_grad()  ← forgotten"
        current = i == STAGE_LINE[snap.stage]
        colour = style.SHADE if current else "transparent"
        marker = "▶ " if current else "  "
        weight = "700" if current else "400"
        rows.append(f'<div style="background:{colour};font-weight:{weight};'
                    f'white-space:pre">{html.escape(marker + text)}</div>')
    return (f'<pre style="font-size:{size};line-height:1.5;padding:0.6em;'
            f'border:1px solid {style.GRID};border-radius:6px;overflow-x:auto">'
            + "".join(rows) + "</pre>")


def _heat(values: np.ndarray, *, name: str, cell: tuple[str, str], zmax: float,
          digits: int = 3, text: list[list[str]] | None = None, grey: bool = False) -> dict:
    values = np.atleast_2d(values)
    labels = text or [[f"{v:.{digits}g}" for v in r] for r in values]
    scale = [[0, "#EEEEEE"], [1, "#EEEEEE"]] if grey else style.DIVERGING
    hover = f"{name}: %{{{'text' if grey else 'z'}}}<extra></extra>"
    return dict(type="heatmap", z=np.round(values, 6), text=labels, name=name,
                texttemplate="%{text}", colorscale=scale, zmid=0, zmin=-zmax, zmax=zmax,
                showscale=False, xgap=2, ygap=2, hovertemplate=hover, xaxis=cell[0],
                yaxis=cell[1])


def state_figure(snap: Snapshot, *, lecture: bool = False) -> go.Figure:
    """One row per tensor and one under it for its .grad, numbers written in; the rows are
    named on the left ("0.weight", ".grad", …).

    Every cell is the same size: each row's x-axis spans the widest tensor (4 columns), so a
    bias is a short row, not a stretched one. Full width, so a cell of a 390-px phone is
    60 px wide: tensors side by side (or values beside their .grad) left 30–40-px cells, and
    plotly shrank their numbers to 6 px. Names as tick labels, not subplot titles: titles
    over eight rows made the figure too tall for a 720-px projector. Built as a dict
    (style.subplots): a new step or seed redraws it, and plotly's incremental API would cost
    most of its time."""
    params = unflatten(snap.params)
    grads = unflatten(snap.grad) if snap.grad is not None else None
    shapes = [np.atleast_2d(np.zeros(shape)).shape for _, shape in PARAMS]
    widest = max(width for _, width in shapes)
    spec = style.subplots(2 * len(PARAMS), 1,
                          row_heights=tuple(rows for rows, _ in shapes for _ in (0, 1)),
                          vertical_spacing=0.02)
    pmax = max(float(np.abs(snap.params).max()), 1e-12)
    gmax = max(float(np.abs(snap.grad).max()), 1e-12) if snap.grad is not None else 1.0
    layout = spec["layout"]
    for i, ((name, _), (rows, width)) in enumerate(zip(PARAMS, shapes, strict=True)):
        value, grad = style.cell(2 * i + 1, 1, 1), style.cell(2 * i + 2, 1, 1)
        spec["data"].append(_heat(params[name], name=name, cell=value, zmax=pmax))
        if grads is None:
            spec["data"].append(_heat(np.zeros((rows, width)), name=f"{name}.grad", cell=grad,
                                      zmax=1.0, grey=True,
                                      text=[["None"] * width for _ in range(rows)]))
        else:
            spec["data"].append(_heat(grads[name], name=f"{name}.grad", cell=grad, zmax=gmax))
        for ref, label in ((value, name), (grad, ".grad")):
            style.axis(layout, ref[1]).update(  # one name in the middle of the tensor's rows
                autorange="reversed", tickvals=[(rows - 1) / 2], ticktext=[label],
                showgrid=False, zeroline=False, ticks="")
    for r in range(1, 2 * len(PARAMS) + 1):
        style.axis(layout, style.cell(r, 1, 1)[0]).update(visible=False,
                                                          range=[-0.5, widest - 0.5])
    layout["title"] = {"text": f"After {stage_call(snap.stage)} — epoch {snap.epoch}, "
                               f"batch {snap.batch}"}
    # lecture: under the title and the controls, the whole figure fits a 1280×720 projector
    return style.finish(spec, lecture=lecture, height=370 if lecture else 400,
                        then=_no_row_grid)


def _no_row_grid(spec: dict) -> None:
    """finish grids every axis: no line beside a bias (on the dict, before the figure is
    built: through plotly's objects this cost 13 ms of the figure's 15)."""
    for r in range(1, 2 * len(PARAMS) + 1):
        spec["layout"][f"yaxis{r if r > 1 else ''}"]["showgrid"] = False


def stage_call(stage: str) -> str:
    return {"zero_grad": "optimizer.zero_grad()", "forward": "pred = model(feature)",
            "loss": "loss = criterion(pred, target)", "backward": "loss.backward()",
            "step": "optimizer.step()"}[stage]


def _batch_x(trace: Trace) -> np.ndarray:
    """Each step's position in epochs: step t ends at (t + 1) / steps_per_epoch."""
    return (np.arange(trace.steps) + 1) / trace.steps_per_epoch


def loss_figure(trace: Trace, *, step: int | None = None, drawn: int | None = None,
                lecture: bool = False) -> go.Figure:
    """Batch losses and epoch means on a log axis; `step` marked. `drawn`: only the first
    `drawn` epochs (a frame of the page's player, which redraws the curve epoch by epoch);
    None: all. The axes are the whole run's in every frame, so the curve grows in place."""
    per_epoch = trace.steps_per_epoch
    done = len(trace.epoch_loss) if drawn is None else min(drawn, len(trace.epoch_loss))
    shown = trace.steps if drawn is None else min(drawn * per_epoch, trace.steps)
    epochs = np.arange(1, len(trace.epoch_loss) + 1)
    x = _batch_x(trace)
    data = [dict(type="scatter", x=x[:shown], y=trace.loss[:shown], mode="lines",
                 name="batch loss", line=dict(color=style.color(3), width=1.5), opacity=0.9),
            dict(type="scatter", x=epochs[:done], y=trace.epoch_loss[:done],
                 mode="lines+markers", name="epoch loss (mean of its batches)",
                 line=dict(color=style.color(0), dash="dash"),
                 marker=dict(symbol="circle"))]
    if step is not None and trace.steps:
        data.append(dict(type="scatter", x=[x[step]], y=[trace.loss[step]], mode="markers",
                         name="this batch", marker=dict(color=style.color(1), symbol="diamond",
                                                        size=16 if lecture else 12)))
    yaxis = dict(title=dict(text="MSE loss (log)"), type="log", exponentformat="power",
                 dtick=1)
    if trace.steps:
        yaxis["range"] = _log_range(trace.loss)
    layout = {
        "xaxis": dict(title=dict(text="epoch"), range=[0, max(len(epochs), 1) + 0.2]),
        "yaxis": yaxis, "title": dict(text="Loss per epoch"), "legend": style.legend_below()}
    return style.finish({"data": data, "layout": layout}, lecture=lecture)


def _log_range(values: np.ndarray) -> list[float]:
    """A log axis's range (in decades) holding every value, a little padded."""
    lo, hi = np.log10(max(float(values.min()), 1e-12)), np.log10(float(values.max()))
    pad = 0.05 * max(hi - lo, 0.5)
    return [lo - pad, hi + pad]


def accumulation_figure(acc: Accumulation, *, lecture: bool = False) -> go.Figure:
    """After k batches: .grad without zero_grad (bars) = Σ of k single-batch gradients (◆)."""
    k = len(acc.single)
    labels = list(PARAM_LABELS)
    # horizontal: 13 labels such as "0.weight[1,3]" cannot stand side by side on a phone
    data = [dict(type="bar", y=labels, x=acc.single[-1], orientation="h",
                 name=f"with zero_grad: batch {k} alone",
                 marker=dict(color=style.color(3)), offsetgroup="alone"),
            dict(type="bar", y=labels, x=acc.accumulated[-1], orientation="h",
                 name=f"without zero_grad: .grad after {k} batches",
                 marker=dict(color=style.color(1),  # hatched in white over vermillion
                             pattern=dict(shape="/", fgcolor="white", fillmode="overlay")),
                 offsetgroup="acc"),
            dict(type="scatter", y=labels, x=acc.summed[-1], mode="markers",
                 name=f"sum of the {k} single-batch gradients",
                 marker=dict(symbol="diamond", color=style.INK, size=14 if lecture else 10),
                 offsetgroup="acc")]
    layout = {"barmode": "group", "scattermode": "group", "legend": style.legend_below(),
              "xaxis": dict(title=dict(text="gradient")),
              "yaxis": dict(autorange="reversed")}  # the first parameter on top
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=720 if lecture else 560)


def zero_grad_figure(with_zero: Trace, without: Trace, *, lecture: bool = False) -> go.Figure:
    """Batch loss (top) and ‖.grad‖ at each step (bottom), with and without zero_grad.

    Stacked, with the panels named by their y-axis titles: side by side, on a phone, two
    panels' titles and ticks ran into each other and into the toolbar."""
    spec = style.subplots(2, 1, shared_xaxes=True, vertical_spacing=0.08)
    layout = spec["layout"]
    (x1, y1), (x2, y2) = style.cell(1, 1, 1), style.cell(2, 1, 1)
    end = max(with_zero.steps, without.steps, 1) / with_zero.steps_per_epoch
    for i, (trace, name) in enumerate([(with_zero, "with zero_grad"),
                                       (without, "without zero_grad")]):
        look = style.series(i)  # with: blue solid; without: vermillion dashed
        line = dict(color=look["color"], dash=look["dash"])
        x = _batch_x(trace)
        spec["data"] += [
            dict(type="scatter", x=x, y=trace.loss, name=name, legendgroup=name,
                 line=line, xaxis=x1, yaxis=y1),
            dict(type="scatter", x=x, y=trace.grad_norm, name=name, legendgroup=name,
                 showlegend=False, line=line, xaxis=x2, yaxis=y2)]
        if trace.diverged_at is not None and trace.steps:
            left = x[-1] < end / 2  # the note on the side with room, away from the y ticks
            layout.setdefault("annotations", []).append(dict(
                x=float(x[-1]), y=float(np.log10(max(trace.loss[-1], 1e-12))),
                text=f"{name}:<br>diverged (loss > 10⁶)", showarrow=True,
                ax=40 if left else -40, ay=30, xanchor="left" if left else "right",
                font=dict(color=style.INK), xref=x1, yref=y1))
    style.axis(layout, x2)["title"] = {"text": "epoch"}
    for ref, title, values in ((y1, "batch loss (log)", [t.loss for t in (with_zero, without)]),
                               (y2, "‖.grad‖ (log)", [t.grad_norm for t in (with_zero, without)])):
        style.axis(layout, ref).update(type="log", exponentformat="power",
                                       dtick=_decades(values, lecture), title={"text": title})
    layout["legend"] = style.legend_below()
    return style.finish(spec, lecture=lecture, height=640 if lecture else 520)


def _decades(series, lecture: bool) -> int:
    """A log axis's tick step: every decade, or every other one where a lecture font would
    stack more than four decades (superscripted labels 30 px tall) into a panel that a phone,
    its legend wrapped over three lines, leaves 200 px tall."""
    values = np.concatenate([np.asarray(v, dtype=float) for v in series])
    values = values[np.isfinite(values) & (values > 0)]
    if not lecture or values.size == 0:
        return 1
    return 2 if np.log10(values.max()) - np.log10(values.min()) > 4 else 1
