"""Figures for the Hyperparameter search page: pure functions of a `SearchResult`."""

from __future__ import annotations

import copy
import math

import numpy as np
import plotly.graph_objects as go

from dlviz import style
from dlviz.hparam_search import LR_RANGE, MOMENTUM_RANGE, SearchResult, Trials

TITLES = {"grid": "Grid search", "random": "Random search"}
SYMBOLS = {"grid": "square", "random": "circle"}
BEST_COLOR = style.color(4)  # black outline: "the best point", apart from both methods' colours
# Decade ticks only: plotly's in-between log labels ("2", "5") are drawn at 3/4 of the font.
LR_AXIS = dict(type="log", title=dict(text="learning rate"),  # the 10ⁿ ticks say "log"
               range=[math.log10(LR_RANGE[0]) - 0.12, math.log10(LR_RANGE[1]) + 0.12],
               tickvals=[1e-4, 1e-3, 1e-2], ticktext=["10⁻⁴", "10⁻³", "10⁻²"])
MOMENTUM_PAD = 0.008
MOMENTUM_AXIS_RANGE = [MOMENTUM_RANGE[0] - MOMENTUM_PAD, MOMENTUM_RANGE[1] + MOMENTUM_PAD]
HOVER = "lr %{x:.3g}<br>momentum %{y:.3f}<br>val loss %{marker.color:.4f}<extra></extra>"
# Both figures are built as dicts (style.subplots): a new seed redraws them, and plotly's
# incremental API (add_trace per cell, update_xaxes) cost 19 ms each.


def _finite(t: Trials) -> np.ndarray:
    return np.isfinite(t.val_loss)


def _loss_range(result: SearchResult) -> tuple[float, float]:
    losses = np.concatenate([t.val_loss[_finite(t)] for t in result.by_method().values()])
    if losses.size == 0:
        return 0.0, 1.0
    return float(losses.min()), float(losses.max())


def _in(col: int, trace: dict) -> dict:
    """`trace` placed in column `col` of a 1 × 2 `style.subplots` grid."""
    x, y = style.cell(1, col, 2)
    return trace | {"xaxis": x, "yaxis": y}


def _best_trace(t: Trials, *, x: float, y: float, size: int, showlegend: bool) -> dict:
    return dict(
        type="scatter", x=[x], y=[y], mode="markers", name="best of each method",
        legendgroup="best", showlegend=showlegend,
        cliponaxis=False,  # a best point on the range's edge stays whole
        # an open star: its outline in marker.color, at marker.line.width
        marker=dict(symbol="star-open", size=size, color=BEST_COLOR, line=dict(width=3)),
        hovertemplate=f"best {t.method}: val loss {t.val_loss[t.best]:.4f}<extra></extra>",
    )


def plane_figure(result: SearchResult, *, lecture: bool = False) -> go.Figure:
    """The trials on the lr × momentum plane (log x), coloured by validation loss.

    One panel per method, the same colour scale for both; a star marks each method's best.
    """
    s = style.sizes(lecture)
    # Short panel titles and room between the panels: on a phone, "…: 16 trials" ran into
    # the next title and the panels' end ticks into each other (the budget is in the summary).
    spec = style.subplots(1, 2, shared_yaxes=True, horizontal_spacing=0.09,
                          subplot_titles=tuple(TITLES[m] for m in ("grid", "random")))
    cmin, cmax = _loss_range(result)
    for col, t in enumerate((result.grid, result.random), start=1):
        ok = _finite(t)
        spec["data"].append(_in(col, dict(
            type="scatter", x=t.lr[ok], y=t.momentum[ok], mode="markers", name=TITLES[t.method],
            showlegend=False,
            marker=dict(color=t.val_loss[ok], coloraxis="coloraxis", symbol=SYMBOLS[t.method],
                        line=dict(color="white", width=0.5)),
            hovertemplate=HOVER)))
        if not ok.all():
            spec["data"].append(_in(col, dict(
                type="scatter", x=t.lr[~ok], y=t.momentum[~ok], mode="markers", name="diverged",
                marker=dict(symbol="x", color="#888888"), showlegend=False,
                hovertemplate="lr %{x:.3g}<br>momentum %{y:.3f}<br>diverged<extra></extra>")))
        spec["data"].append(_in(col, _best_trace(
            t, x=float(t.lr[t.best]), y=float(t.momentum[t.best]),
            size=round(s.marker * 2.6), showlegend=False)))
    layout = spec["layout"]
    for col in (1, 2):
        x, y = style.cell(1, col, 2)
        style.axis(layout, x).update(copy.deepcopy(LR_AXIS))
        style.axis(layout, y)["range"] = list(MOMENTUM_AXIS_RANGE)
    style.axis(layout, "y")["title"] = dict(text="momentum")
    style.axis(layout, "y")["nticks"] = 5
    layout.update(
        coloraxis=dict(colorscale=style.SEQUENTIAL, reversescale=True, cmin=cmin, cmax=cmax,
                       # under the plot: at the side it squeezed a phone's two panels
                       colorbar=dict(title=dict(text="validation loss", side="top"),
                                     orientation="h", thickness=12, len=0.8, x=0.5,
                                     xanchor="center", y=-0.36 if lecture else -0.22,
                                     yanchor="top", nticks=6)),
        showlegend=False,
    )
    height = s.height + 60  # the colour bar's room
    style.below_toolbar(spec, lecture=lecture, height=height)
    return style.finish(spec, lecture=lecture, height=height)


def projections_figure(result: SearchResult, *, lecture: bool = False) -> go.Figure:
    """Each axis on its own: validation loss against lr, and against momentum.

    The grid's points stack up on √n columns per axis; random search's n points each sit at a
    value of their own.
    """
    s = style.sizes(lecture)
    # No panel titles: each panel's x-axis title says which axis it projects onto (titles
    # above the panels ran into plotly's toolbar).
    spec = style.subplots(1, 2, shared_yaxes=True, horizontal_spacing=0.1)
    for i, t in enumerate((result.grid, result.random)):
        ok = _finite(t)
        name = (f"{TITLES[t.method]}: {t.distinct_lr} lr values, "
                f"{t.distinct_momentum} momentum values")
        for col, x in enumerate((t.lr, t.momentum), start=1):
            spec["data"].append(_in(col, dict(
                type="scatter", x=x[ok], y=t.val_loss[ok], mode="markers", name=name,
                legendgroup=t.method, showlegend=col == 1,
                marker=dict(color=style.color(i), symbol=SYMBOLS[t.method], opacity=0.8),
                hovertemplate="%{x:.3g}: val loss %{y:.4f}<extra></extra>")))
        for col, x in enumerate((t.lr, t.momentum), start=1):
            spec["data"].append(_in(col, _best_trace(
                t, x=float(x[t.best]), y=float(t.val_loss[t.best]), size=round(s.marker * 2.2),
                showlegend=(i == 0 and col == 1))))
    layout = spec["layout"]
    style.axis(layout, "x").update(copy.deepcopy(LR_AXIS))
    style.axis(layout, "x2").update(title=dict(text="momentum"), range=list(MOMENTUM_AXIS_RANGE),
                                    nticks=4)
    style.axis(layout, "y")["title"] = dict(text="validation loss")
    # Below everything, in the figure's own margin, clear of the axis titles.
    layout["legend"] = dict(orientation="h", yref="container", y=0, yanchor="bottom",
                            x=0.5, xanchor="center")
    return style.finish(spec, lecture=lecture, height=s.height + 60)
