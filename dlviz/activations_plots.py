"""Figures for the Activations page: pure functions of `dlviz.activations` results."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz import style
from dlviz.activations import ACTIVATIONS, SATURATION, ActivationCurve, DepthGradients, OutputHead


def curves_figure(curves: Sequence[ActivationCurve], *, lecture: bool = False) -> go.Figure:
    """f(x) left, f′(x) right; saturated runs shaded on the right; torch's value at kinks."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=("f(x)", "f′(x) by autograd"))
    for i, c in enumerate(curves):
        label, colour = ACTIVATIONS[c.name].label, style.color(i)
        fig.add_scatter(x=c.x, y=c.y, name=label, legendgroup=c.name, line_color=colour,
                        row=1, col=1)
        fig.add_scatter(x=c.x, y=c.dy, name=label, legendgroup=c.name, line_color=colour,
                        showlegend=False, row=1, col=2)
        for lo, hi in c.saturated:
            fig.add_vrect(x0=lo, x1=hi, fillcolor=colour, opacity=0.10, line_width=0,
                          row=1, col=2)
        if c.kink is not None:
            x0, d0 = c.kink
            fig.add_scatter(x=[x0], y=[d0], mode="markers+text", name=f"{label}′(0)",
                            legendgroup=c.name, showlegend=False,
                            marker=dict(color=colour, symbol="circle-open",
                                        line=dict(width=3, color=colour)),
                            text=[f"{label}′(0) = {d0:g}"], textposition="top left",
                            textfont=dict(color=colour), row=1, col=2)
    if any(c.saturated for c in curves):
        fig.add_annotation(text=f"shaded: saturated, |f′| < {SATURATION:g}", showarrow=False,
                           xref="x2 domain", yref="y2 domain", x=0.02, y=0.98,
                           xanchor="left", yanchor="top")
    fig.update_xaxes(title_text="x")
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.10, x=0))
    return style.finish(fig, lecture=lecture)


def depth_figure(results: Sequence[DepthGradients], *, lecture: bool = False) -> go.Figure:
    """‖∂L/∂W_l‖ per hidden layer on a log axis: vanishing gradients are a falling line."""
    longest = max((len(r.layers) for r in results), default=0)
    spec = {"data": [dict(type="scatter", x=r.layers, y=r.grad_norm, mode="lines+markers",
                          name=ACTIVATIONS[r.name].label, line=dict(color=style.color(i)))
                     for i, r in enumerate(results)],
            "layout": {  # a dict, not plotly's update calls: a new seed redraws this one
                "yaxis": dict(type="log", title=dict(text="gradient norm ‖∂L/∂W‖ (log)"),
                              exponentformat="power"),
                "xaxis": dict(title=dict(text="hidden layer (1 = next to the input)"),
                              dtick=1 if longest <= 15 else 5),
                # No title: the page's header names the figure; it would collide with the legend.
                "legend": dict(orientation="h", yanchor="bottom", y=1.02, x=0)}}
    return style.finish(spec, lecture=lecture)


def head_figure(head: OutputHead, *, lecture: bool = False) -> go.Figure:
    """Scores → outputs as paired bars, one pair per output unit."""
    units = [f"unit {i}" for i in range(len(head.scores))]
    out_name = {"regression": "output (identity)", "binary": "P(class 1) = sigmoid(score)",
                "multiclass": f"softmax(scores / {head.temperature:g})"}[head.task]
    fig = go.Figure()
    fig.add_bar(x=units, y=head.scores, name="score (last Linear layer)",
                marker_color=style.color(0))
    fig.add_bar(x=units, y=head.outputs, name=out_name, marker_color=style.color(1),
                text=[f"{v:.3f}" for v in head.outputs], textposition="outside")
    fig.update_layout(barmode="group", legend=dict(orientation="h", yanchor="bottom", y=1.02,
                                                   x=0))
    return style.finish(fig, lecture=lecture, height=360 if not lecture else 440)
