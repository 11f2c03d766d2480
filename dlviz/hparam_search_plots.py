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
BEST_COLOR = style.color(3)  # vermillion outline: "the best point"
# Decade ticks only: plotly's in-between log labels ("2", "5") are drawn at 3/4 of the font.
LR_AXIS = dict(type="log", title=dict(text="learning rate (log scale)"),
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
        marker=dict(symbol="star", size=size, color="rgba(0,0,0,0)",
                    line=dict(color=BEST_COLOR, width=3)),
        hovertemplate=f"best {t.method}: val loss {t.val_loss[t.best]:.4f}<extra></extra>",
    )


def plane_figure(result: SearchResult, *, lecture: bool = False) -> go.Figure:
    """The trials on the lr × momentum plane (log x), coloured by validation loss.

    One panel per method, the same colour scale for both; a star marks each method's best.
    """
    s = style.sizes(lecture)
    spec = style.subplots(1, 2, shared_yaxes=True, horizontal_spacing=0.04,
                          subplot_titles=tuple(f"{TITLES[m]}: {result.trials} trials"
                                               for m in ("grid", "random")))
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
    layout.update(
        coloraxis=dict(colorscale=style.SEQUENTIAL, reversescale=True, cmin=cmin, cmax=cmax,
                       colorbar=dict(title=dict(text="val loss"), thickness=14)),
        showlegend=False,
    )
    return style.finish(spec, lecture=lecture)


def projections_figure(result: SearchResult, *, lecture: bool = False) -> go.Figure:
    """Each axis on its own: validation loss against lr, and against momentum.

    The grid's points stack up on √n columns per axis; random search's n points each sit at a
    value of their own.
    """
    s = style.sizes(lecture)
    spec = style.subplots(1, 2, shared_yaxes=True, horizontal_spacing=0.04,
                          subplot_titles=("Projected onto the lr axis",
                                          "Projected onto the momentum axis"))
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
    style.axis(layout, "x2").update(title=dict(text="momentum"), range=list(MOMENTUM_AXIS_RANGE))
    style.axis(layout, "y")["title"] = dict(text="validation loss")
    # Below everything, in the figure's own margin, clear of the axis titles.
    layout["legend"] = dict(orientation="h", yref="container", y=0, yanchor="bottom",
                            x=0.5, xanchor="center")
    return style.finish(spec, lecture=lecture, height=s.height + 60)
