"""Figures (and the highlighted loop code) for the training-loop page: pure functions of
`dlviz.training_loop` results; they only index and format."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def _heat(fig: go.Figure, values: np.ndarray, *, name: str, row: int, col: int, zmax: float,
          digits: int = 3, text: list[list[str]] | None = None, grey: bool = False) -> None:
    values = np.atleast_2d(values)
    labels = text or [[f"{v:.{digits}g}" for v in r] for r in values]
    scale = [[0, "#EEEEEE"], [1, "#EEEEEE"]] if grey else style.DIVERGING
    hover = f"{name}: %{{{'text' if grey else 'z'}}}<extra></extra>"
    fig.add_heatmap(z=np.round(values, 6), text=labels, name=name, texttemplate="%{text}",
                    colorscale=scale, zmid=0, zmin=-zmax, zmax=zmax, showscale=False,
                    xgap=2, ygap=2, hovertemplate=hover, row=row, col=col)


def state_figure(snap: Snapshot, *, lecture: bool = False) -> go.Figure:
    """Parameters (top) and their .grad (bottom), one heatmap per tensor, numbers written in."""
    params = unflatten(snap.params)
    grads = unflatten(snap.grad) if snap.grad is not None else None
    widths = [shape[-1] for _, shape in PARAMS]
    digits = 2 if lecture else 3  # short labels stay large in the narrow lecture cells
    fig = make_subplots(rows=2, cols=len(PARAMS), column_widths=widths,
                        horizontal_spacing=0.04, vertical_spacing=0.16,
                        subplot_titles=[f"{n} ({'×'.join(map(str, s))})" for n, s in PARAMS]
                        + [f"{n}.grad" for n, _ in PARAMS])
    pmax = max(float(np.abs(snap.params).max()), 1e-12)
    gmax = max(float(np.abs(snap.grad).max()), 1e-12) if snap.grad is not None else 1.0
    for c, (name, shape) in enumerate(PARAMS, start=1):
        _heat(fig, params[name], name=name, row=1, col=c, zmax=pmax, digits=digits)
        if grads is None:
            rows, cols = np.atleast_2d(np.zeros(shape)).shape
            _heat(fig, np.zeros((rows, cols)), name=f"{name}.grad", row=2, col=c, zmax=1.0,
                  grey=True, text=[["None"] * cols for _ in range(rows)])
        else:
            _heat(fig, grads[name], name=f"{name}.grad", row=2, col=c, zmax=gmax,
                  digits=digits)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")  # row 0 on top, as printed
    fig.update_layout(title_text=f"After {_stage_call(snap.stage)} — epoch {snap.epoch}, "
                                 f"batch {snap.batch}")
    return style.finish(fig, lecture=lecture, height=400 if lecture else 330)


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
    fig = go.Figure()
    epochs = np.arange(1, len(trace.epoch_loss) + 1)
    fig.add_scatter(x=_batch_x(trace), y=trace.loss, mode="lines", name="batch loss",
                    line=dict(color=style.color(5), width=1.5), opacity=0.8)
    fig.add_scatter(x=epochs, y=trace.epoch_loss, mode="lines+markers",
                    name="epoch loss (mean of its batches)", line_color=style.color(0))
    if step is not None and trace.steps:
        fig.add_scatter(x=[_batch_x(trace)[step]], y=[trace.loss[step]], mode="markers",
                        name="this batch", marker=dict(color=style.color(3), symbol="diamond",
                                                       size=16 if lecture else 12))
    if len(epochs) > 1:
        fig.frames = [go.Frame(data=[go.Scatter(x=_batch_x(trace)[:e * trace.steps_per_epoch],
                                                y=trace.loss[:e * trace.steps_per_epoch]),
                                     go.Scatter(x=epochs[:e], y=trace.epoch_loss[:e])],
                               traces=[0, 1], name=str(e)) for e in epochs]
        fig.update_layout(updatemenus=[dict(
            type="buttons", showactive=False, x=1.0, y=1.12, xanchor="right", yanchor="bottom",
            buttons=[dict(label="▶ Play", method="animate",
                          args=[None, dict(frame=dict(duration=250, redraw=False),
                                           fromcurrent=False, mode="immediate")])])])
    fig.update_xaxes(title_text="epoch", range=[0, max(len(epochs), 1) + 0.2])
    fig.update_yaxes(title_text="MSE loss (log)", type="log", exponentformat="power", dtick=1)
    fig.update_layout(title_text="Loss per epoch", legend=dict(orientation="h", yanchor="bottom",
                                                               y=1.02, x=0))
    return style.finish(fig, lecture=lecture)


def accumulation_figure(acc: Accumulation, *, lecture: bool = False) -> go.Figure:
    """After k batches: .grad without zero_grad (bars) = Σ of k single-batch gradients (◆)."""
    k = len(acc.single)
    fig = go.Figure()
    fig.add_bar(x=PARAM_LABELS, y=acc.single[-1], name=f"with zero_grad: batch {k} alone",
                marker_color=style.color(5), offsetgroup="alone")
    fig.add_bar(x=PARAM_LABELS, y=acc.accumulated[-1],
                name=f"without zero_grad: .grad after {k} batches", marker_color=style.color(1),
                offsetgroup="acc")
    fig.add_scatter(x=PARAM_LABELS, y=acc.summed[-1], mode="markers",
                    name=f"sum of the {k} single-batch gradients",
                    marker=dict(symbol="diamond", color=style.INK, size=14 if lecture else 10),
                    offsetgroup="acc")
    fig.update_layout(barmode="group", scattermode="group",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    fig.update_yaxes(title_text="gradient")
    return style.finish(fig, lecture=lecture, height=460 if lecture else 380)


def zero_grad_figure(with_zero: Trace, without: Trace, *, lecture: bool = False) -> go.Figure:
    """Batch loss (left) and ‖.grad‖ at each step (right), with and without zero_grad."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("batch loss (log)", "‖.grad‖ used by each step (log)"))
    for i, (trace, name) in enumerate([(with_zero, "with zero_grad"),
                                       (without, "without zero_grad")]):
        x, colour = _batch_x(trace), style.color(0 if i == 0 else 3)
        fig.add_scatter(x=x, y=trace.loss, name=name, legendgroup=name, line_color=colour,
                        row=1, col=1)
        fig.add_scatter(x=x, y=trace.grad_norm,
                        name=name, legendgroup=name, showlegend=False, line_color=colour,
                        row=1, col=2)
        if trace.diverged_at is not None:
            fig.add_annotation(x=float(x[-1]) if trace.steps else 0.0,
                               y=float(np.log10(max(trace.loss[-1], 1e-12)))
                               if trace.steps else 0.0,
                               text=f"{name}: diverged<br>(loss > 10⁶)", showarrow=True,
                               font=dict(color=colour), row=1, col=1)
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(type="log", exponentformat="power", dtick=1)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.1, x=0))
    return style.finish(fig, lecture=lecture)
