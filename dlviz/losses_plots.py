"""Figures for the Loss functions page: pure functions of `dlviz.losses` results."""

from __future__ import annotations

import plotly.graph_objects as go

from dlviz import style
from dlviz.losses import CrossEntropyWalk, LossCurves, MseCurve

TRUE, OTHER = style.color(3), style.color(0)  # the true class stands out in vermillion


def walk_figure(walk: CrossEntropyWalk, *, lecture: bool = False) -> go.Figure:
    """Scores → softmax probabilities → one-hot target, one bar per class, true class marked."""
    classes = [str(k) for k in range(len(walk.scores))]
    colours = [TRUE if k == walk.label else OTHER for k in range(len(walk.scores))]
    spec = style.subplots(1, 3, horizontal_spacing=0.07, subplot_titles=(
        "1 · scores (last layer)", "2 · softmax → probabilities", "3 · one-hot target"))
    digits = "{:.2g}" if lecture else "{:.3g}"  # fewer digits where the bars are wide text
    panels = [(walk.scores, digits), (walk.probabilities, digits), (walk.one_hot, "{:d}")]
    layout = spec["layout"]
    for col, (values, form) in enumerate(panels, start=1):
        x, y = style.cell(1, col, 3)
        spec["data"].append(dict(
            type="bar", x=classes, y=values, marker=dict(color=colours), showlegend=False,
            text=[form.format(v) for v in values.tolist()], textposition="outside",
            constraintext="none", cliponaxis=False, xaxis=x, yaxis=y))
        style.axis(layout, x).update(title=dict(text="class"), type="category")
    layout["yaxis2"].update(range=[0, 1.18])
    layout["yaxis3"].update(range=[0, 1.18], dtick=1)
    layout["title"] = dict(
        text=f"CrossEntropyLoss = −log p[{walk.label}] = −log {walk.p_true:.4g} = {walk.loss:.4f}",
        y=0.98, yanchor="top")
    fig = style.finish(spec, lecture=lecture, height=380 if not lecture else 440)
    return fig.update_layout(margin_t=95 if lecture else 75)  # the title above subplot titles


def curves_figure(curves: LossCurves, p_true: float, loss: float, *,
                  lecture: bool = False) -> go.Figure:
    """CE = −log p against p, with the squared error of the probabilities for contrast."""
    fig = go.Figure()
    fig.add_scatter(x=curves.p_true, y=curves.cross_entropy, name="cross-entropy −log p",
                    line_color=style.color(0))
    fig.add_scatter(x=curves.p_true, y=curves.squared_error, name="squared error of the "
                    "probabilities vs one-hot", line=dict(color=style.color(1), dash="dash"))
    fig.add_scatter(x=[p_true], y=[loss], mode="markers+text", name="your scores",
                    marker=dict(color=TRUE, symbol="circle"), text=[f"CE = {loss:.3g}"],
                    textposition="middle right", cliponaxis=False)
    fig.update_xaxes(title_text="probability the model gives the true class", range=[0, 1])
    fig.update_yaxes(title_text="loss")
    fig.update_layout(legend=dict(x=0.98, y=0.98, xanchor="right", yanchor="top",
                                  bgcolor="rgba(255,255,255,0.8)"),
                      title_text=f"{curves.classes} classes: confident and wrong (p → 0) costs "
                                 "without limit")
    return style.finish(fig, lecture=lecture)


def mse_figure(curve: MseCurve, *, lecture: bool = False) -> go.Figure:
    """The parabola (prediction − target)² with the chosen prediction marked."""
    fig = go.Figure()
    fig.add_scatter(x=curve.prediction, y=curve.loss, name="MSE", line_color=style.color(0))
    fig.add_vline(x=curve.target, line=dict(color=style.INK, dash="dot"),
                  annotation_text=f"target {curve.target:g}", annotation_position="top")
    fig.add_scatter(x=[curve.pred], y=[curve.pred_loss], mode="markers+text",
                    name="prediction", marker=dict(color=TRUE),
                    text=[f"({curve.pred:g} − {curve.target:g})² = {curve.pred_loss:.4g}"],
                    textposition="middle left" if curve.pred > curve.target
                    else "middle right", cliponaxis=False)
    fig.update_xaxes(title_text="prediction")
    fig.update_yaxes(title_text="MSELoss")
    fig.update_layout(showlegend=False, title_text="MSE grows with the square of the miss")
    return style.finish(fig, lecture=lecture, height=360 if not lecture else 440)
