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
    """Parameters (top) and their .grad (bottom), one heatmap per tensor, numbers written in.

    Built as a dict (style.subplots): a new step or seed redraws it, and plotly's
    incremental API would cost most of its time."""
    params = unflatten(snap.params)
    grads = unflatten(snap.grad) if snap.grad is not None else None
    cols = len(PARAMS)
    digits = 2 if lecture else 3  # short labels stay large in the narrow lecture cells
    spec = style.subplots(2, cols, column_widths=tuple(shape[-1] for _, shape in PARAMS),
                          horizontal_spacing=0.04, vertical_spacing=0.16,
                          subplot_titles=tuple(f"{n} ({'×'.join(map(str, s))})"
                                               for n, s in PARAMS)
                          + tuple(f"{n}.grad" for n, _ in PARAMS))
    pmax = max(float(np.abs(snap.params).max()), 1e-12)
    gmax = max(float(np.abs(snap.grad).max()), 1e-12) if snap.grad is not None else 1.0
    for c, (name, shape) in enumerate(PARAMS, start=1):
        top, bottom = style.cell(1, c, cols), style.cell(2, c, cols)
        spec["data"].append(_heat(params[name], name=name, cell=top, zmax=pmax, digits=digits))
        if grads is None:
            rows, width = np.atleast_2d(np.zeros(shape)).shape
            spec["data"].append(_heat(np.zeros((rows, width)), name=f"{name}.grad", cell=bottom,
                                      zmax=1.0, grey=True,
                                      text=[["None"] * width for _ in range(rows)]))
        else:
            spec["data"].append(_heat(grads[name], name=f"{name}.grad", cell=bottom, zmax=gmax,
                                      digits=digits))
    layout = spec["layout"]
    for x, y in (style.cell(r, c, cols) for r in (1, 2) for c in range(1, cols + 1)):
        style.axis(layout, x)["visible"] = False
        style.axis(layout, y).update(visible=False, autorange="reversed")  # row 0 on top
    layout["title"] = {"text": f"After {_stage_call(snap.stage)} — epoch {snap.epoch}, "
                               f"batch {snap.batch}"}
    return style.finish(spec, lecture=lecture, height=400 if lecture else 330)


def _stage_call(stage: str) -> str:
    return {"zero_grad": "optimizer.zero_grad()", "forward": "pred = model(feature)",
            "loss": "loss = criterion(pred, target)", "backward": "loss.backward()",
            "step": "optimizer.step()"}[stage]


def _batch_x(trace: Trace) -> np.ndarray:
    """Each step's position in epochs: step t ends at (t + 1) / steps_per_epoch."""
    return (np.arange(trace.steps) + 1) / trace.steps_per_epoch


def loss_figure(trace: Trace, *, step: int | None = None, lecture: bool = False) -> go.Figure:
    """Batch losses and epoch means on a log axis; `step` marked. Plotly frames replay the
    epochs (▶ Play), so a lecturer can show the curve being drawn."""
    epochs = np.arange(1, len(trace.epoch_loss) + 1)
    x, per_epoch = _batch_x(trace), trace.steps_per_epoch
    data = [dict(type="scatter", x=x, y=trace.loss, mode="lines", name="batch loss",
                 line=dict(color=style.color(5), width=1.5), opacity=0.8),
            dict(type="scatter", x=epochs, y=trace.epoch_loss, mode="lines+markers",
                 name="epoch loss (mean of its batches)", line=dict(color=style.color(0)))]
    if step is not None and trace.steps:
        data.append(dict(type="scatter", x=[x[step]], y=[trace.loss[step]], mode="markers",
                         name="this batch", marker=dict(color=style.color(3), symbol="diamond",
                                                        size=16 if lecture else 12)))
    layout = {
        "xaxis": dict(title=dict(text="epoch"), range=[0, max(len(epochs), 1) + 0.2]),
        "yaxis": dict(title=dict(text="MSE loss (log)"), type="log", exponentformat="power",
                      dtick=1),
        "title": dict(text="Loss per epoch"),
        "legend": dict(orientation="h", yanchor="bottom", y=1.02, x=0)}
    spec = {"data": data, "layout": layout}
    if len(epochs) > 1:
        spec["frames"] = [dict(data=[dict(type="scatter", x=x[:e * per_epoch],
                                          y=trace.loss[:e * per_epoch]),
                                     dict(type="scatter", x=epochs[:e], y=trace.epoch_loss[:e])],
                               traces=[0, 1], name=str(e)) for e in epochs]
        layout["updatemenus"] = [dict(
            type="buttons", showactive=False, x=1.0, y=1.12, xanchor="right", yanchor="bottom",
            buttons=[dict(label="▶ Play", method="animate",
                          args=[None, dict(frame=dict(duration=250, redraw=False),
                                           fromcurrent=False, mode="immediate")])])]
    return style.finish(spec, lecture=lecture)


def accumulation_figure(acc: Accumulation, *, lecture: bool = False) -> go.Figure:
    """After k batches: .grad without zero_grad (bars) = Σ of k single-batch gradients (◆)."""
    k = len(acc.single)
    labels = list(PARAM_LABELS)
    data = [dict(type="bar", x=labels, y=acc.single[-1], name=f"with zero_grad: batch {k} alone",
                 marker=dict(color=style.color(5)), offsetgroup="alone"),
            dict(type="bar", x=labels, y=acc.accumulated[-1],
                 name=f"without zero_grad: .grad after {k} batches",
                 marker=dict(color=style.color(1)), offsetgroup="acc"),
            dict(type="scatter", x=labels, y=acc.summed[-1], mode="markers",
                 name=f"sum of the {k} single-batch gradients",
                 marker=dict(symbol="diamond", color=style.INK, size=14 if lecture else 10),
                 offsetgroup="acc")]
    layout = {"barmode": "group", "scattermode": "group",
              "legend": dict(orientation="h", yanchor="bottom", y=1.02, x=0),
              "yaxis": dict(title=dict(text="gradient"))}
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=460 if lecture else 380)


def zero_grad_figure(with_zero: Trace, without: Trace, *, lecture: bool = False) -> go.Figure:
    """Batch loss (left) and ‖.grad‖ at each step (right), with and without zero_grad."""
    spec = style.subplots(1, 2, horizontal_spacing=0.1,
                          subplot_titles=("batch loss (log)", "‖.grad‖ used by each step (log)"))
    layout = spec["layout"]
    (x1, y1), (x2, y2) = style.cell(1, 1, 2), style.cell(1, 2, 2)
    for i, (trace, name) in enumerate([(with_zero, "with zero_grad"),
                                       (without, "without zero_grad")]):
        x, colour = _batch_x(trace), style.color(0 if i == 0 else 3)
        spec["data"] += [
            dict(type="scatter", x=x, y=trace.loss, name=name, legendgroup=name,
                 line=dict(color=colour), xaxis=x1, yaxis=y1),
            dict(type="scatter", x=x, y=trace.grad_norm, name=name, legendgroup=name,
                 showlegend=False, line=dict(color=colour), xaxis=x2, yaxis=y2)]
        if trace.diverged_at is not None:
            layout.setdefault("annotations", []).append(dict(
                x=float(x[-1]) if trace.steps else 0.0,
                y=float(np.log10(max(trace.loss[-1], 1e-12))) if trace.steps else 0.0,
                text=f"{name}: diverged<br>(loss > 10⁶)", showarrow=True,
                font=dict(color=colour), xref=x1, yref=y1))
    for ref in (x1, x2):
        style.axis(layout, ref)["title"] = {"text": "epoch"}
    for ref in (y1, y2):
        style.axis(layout, ref).update(type="log", exponentformat="power", dtick=1)
    layout["legend"] = dict(orientation="h", yanchor="bottom", y=1.1, x=0)
    return style.finish(spec, lecture=lecture)
