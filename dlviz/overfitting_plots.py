"""Figures for the Overfitting page: curves per epoch, the decision boundary, dropout."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dlviz import style
from dlviz.overfitting import Diagnosis, DropoutDemo, TrainResult

TRAIN, VAL = style.color(0), style.color(1)  # blue, vermillion: the two curves everywhere
DASHES = {"training": "solid", "validation": "dash"}  # never colour alone
CLASS_COLORS = (style.color(0), style.color(1))  # class 0 blue, class 1 vermillion
CLASS_SYMBOLS = ("circle", "square")  # … and a different marker
# P(class 1) from class 0's tint through white (undecided) to class 1's tint.
BOUNDARY_SCALE = [[0.0, "#8CBCE0"], [0.5, "#FFFFFF"], [1.0, "#F0A980"]]


def curves_figure(result: TrainResult, diagnosis: Diagnosis | None = None, *,
                  lecture: bool = False) -> go.Figure:
    """Loss (left) and accuracy (right) per epoch, training and validation.

    A dotted line marks the epoch of the lowest validation loss, when a diagnosis is given.
    Built as a dict (style.subplots): a new seed redraws it, and plotly's incremental API
    cost more than the rest of the page's work after training.
    """
    # What each panel shows is its y-axis title: panel titles above the plot ran into
    # plotly's toolbar, and into each other on a phone.
    spec = style.subplots(1, 2, horizontal_spacing=0.14)
    for col, (train, val) in enumerate(((result.train_loss, result.val_loss),
                                        (result.train_acc, result.val_acc)), start=1):
        x, y = style.cell(1, col, 2)
        for name, values, colour in (("training", train, TRAIN), ("validation", val, VAL)):
            spec["data"].append(dict(
                type="scatter", x=result.epoch, y=np.round(values, 5), mode="lines", name=name,
                legendgroup=name, showlegend=col == 1,
                line=dict(color=colour, dash=DASHES[name]),
                hovertemplate=f"{name}<br>epoch %{{x}}<br>%{{y:.4g}}<extra></extra>",
                xaxis=x, yaxis=y))
    if diagnosis is not None:  # the epoch of the lowest validation loss, in both panels
        best = diagnosis.best_epoch
        top = float(max(result.train_loss.max(), result.val_loss.max()))
        for col, (y0, y1) in ((1, (0.0, top)), (2, (0.0, 1.0))):
            x, y = style.cell(1, col, 2)
            spec["data"].append(dict(
                type="scatter", x=[best, best], y=[y0, y1], mode="lines",
                name=f"lowest val loss (epoch {best})", legendgroup="best",
                showlegend=col == 1, line=dict(color=style.INK, dash="dot", width=2),
                hoverinfo="skip", xaxis=x, yaxis=y))
    layout = spec["layout"]
    for col in (1, 2):
        style.axis(layout, style.cell(1, col, 2)[0])["title"] = dict(text="epoch")
    style.axis(layout, "y").update(rangemode="tozero", title=dict(text="cross-entropy loss"))
    style.axis(layout, "y2").update(range=[0, 1.02], tickformat=".0%",
                                    title=dict(text="accuracy"))
    layout.update(legend=style.legend_below(), hovermode="x unified")
    return style.finish(spec, lecture=lecture)


def _colorbar_below(title: str, *, lecture: bool) -> dict:
    """A horizontal colour bar under the plot: at the side it took a third of a phone's
    chart and ran into the last x tick. Lower in lecture mode, under the larger x title."""
    return dict(title=dict(text=title, side="top"), orientation="h", thickness=12, len=0.8,
                x=0.5, xanchor="center", y=-0.34 if lecture else -0.2, yanchor="top",
                nticks=6)


def boundary_figure(result: TrainResult, *, lecture: bool = False) -> go.Figure:
    """P(class 1) on the grid, the 0.5 contour, training points (filled), validation (hollow).

    Built as a dict, as `curves_figure`."""
    z = np.round(result.prob, 3)
    data = [dict(
        type="contour", x=result.grid_x, y=result.grid_y, z=z, zmin=0, zmax=1,
        colorscale=BOUNDARY_SCALE, contours=dict(start=0, end=1, size=0.1),
        line=dict(width=0), colorbar=_colorbar_below("P(class 1)", lecture=lecture),
        hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>P(class 1) %{z:.2f}<extra></extra>",
        name="P(class 1)",
    ), dict(
        type="contour", x=result.grid_x, y=result.grid_y, z=z, showscale=False,
        contours=dict(start=0.5, end=0.5, size=1, coloring="none"),
        line=dict(color=style.INK, width=2), hoverinfo="skip", name="boundary",
    )]
    size = style.sizes(lecture).marker
    for cls in (0, 1):
        for label, x, y, hollow in (("train", result.x_train, result.y_train, False),
                                    ("val", result.x_val, result.y_val, True)):
            pts = np.round(x[y == cls], 4)
            data.append(dict(
                type="scatter", x=pts[:, 0], y=pts[:, 1], mode="markers",
                # one series per class (one colour), train filled and validation hollow
                name=f"class {cls} · {label}", legendgroup=f"class {cls}",
                # open symbols draw their outline in marker.color, at marker.line.width
                marker=dict(color=CLASS_COLORS[cls],
                            symbol=CLASS_SYMBOLS[cls] + ("-open" if hollow else ""),
                            size=round(0.7 * size) if hollow else size,
                            line=dict(width=1.5) if hollow else dict(color="white", width=1)),
                hovertemplate=f"class {cls} ({label})<br>%{{x:.2f}}, %{{y:.2f}}<extra></extra>",
            ))
    # equal scales on both axes; the plot area shrinks to the data rather than padding it
    layout = {
        # nticks: on a phone the plot is small and one tick per unit collided
        "xaxis": dict(title=dict(text="x₁"), range=[result.grid_x[0], result.grid_x[-1]],
                      constrain="domain", nticks=6),
        "yaxis": dict(title=dict(text="x₂"), range=[result.grid_y[0], result.grid_y[-1]],
                      scaleanchor="x", scaleratio=1, constrain="domain", nticks=5),
        "title": dict(text="Decision boundary"),
        "legend": style.legend_below(),
    }
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=620 if lecture else 540)


def dropout_figure(demo: DropoutDemo, *, lecture: bool = False) -> go.Figure:
    """Dropout's input, then one row per call (train mode, then eval mode); one column a unit."""
    calls = len(demo.train_out)
    # short row labels: on a phone the long ones took half the chart's width
    rows = (["dropout's input"] + [f"train mode {i + 1}" for i in range(calls)]
            + [f"eval mode {i + 1}" for i in range(calls)])
    z = np.round(np.vstack([demo.hidden[None, :], demo.train_out, demo.eval_out]), 4)
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"unit {j + 1}" for j in range(z.shape[1])], y=rows, colorscale=style.SEQUENTIAL,
        # two decimals in lecture mode: at 18 px or more, three overflowed a phone's cells
        zmin=0, texttemplate="%{z:.2f}" if lecture else "%{z:.3f}",
        textfont=dict(size=style.sizes(lecture).font), showscale=False,
        hovertemplate="%{y}, %{x}: %{z:.4f}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title="Linear(8, 4) → ReLU → Dropout(0.5), the same input each call")
    return style.finish(fig, lecture=lecture, height=480 if lecture else 380)
