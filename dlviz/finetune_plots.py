"""Figures of the fine-tuning page. Pure functions of `dlviz.finetune` / `dlviz.init_schemes`
results: they pick, label and colour the arrays, never compute them."""

from __future__ import annotations

import numpy as np
import plotly.colors as pcolors
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz import finetune as ft
from dlviz import init_schemes as ini
from dlviz import style

_CURVES_TOP = 10.0  # the y range of the init curves ends here; exploding schemes run off it
_ZERO = "#C8C8C8"  # exactly zero change: a frozen layer
_DASH = {"scratch": "dot", "all": "solid", "freeze": "solid", "small_lr": "dash"}


def _finite(x: np.ndarray, y: np.ndarray, *, positive: bool = False):
    """Keep the points a (log) axis can draw: finite, and > 0 for log axes."""
    keep = np.isfinite(y) & ((y > 0) if positive else True)
    return x[keep].tolist(), [float(v) for v in y[keep]]


def loss_curves_figure(comparison: ft.Comparison, *, lecture: bool = False) -> go.Figure:
    """Validation MSE on task B per epoch (epoch 0 = before training), one line per run."""
    fig = go.Figure()
    for i, (key, run) in enumerate(comparison.runs.items()):
        y = np.concatenate([[run.initial_loss], run.losses])
        x, y = _finite(np.arange(len(y)), y, positive=True)
        fig.add_trace(go.Scatter(x=x, y=y, name=comparison.labels[key], mode="lines",
                                 line=dict(color=style.color(i), dash=_DASH[key])))
    fig.update_layout(title="Validation loss on EU salaries (task B)",
                      legend=dict(x=0.99, y=0.99, xanchor="right", yanchor="top",
                                  bgcolor="rgba(255,255,255,0.8)"))
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="MSE (units of 100k)²", type="log", dtick=1)
    return style.finish(fig, lecture=lecture)


def weight_change_figure(result: ft.FineTuneResult, *, lecture: bool = False) -> go.Figure:
    """One heatmap row per Linear layer: each unit's largest |Δ| (weights and bias) from the
    pretrained value. Exactly zero (frozen) is grey; any change at all is on the colour scale.
    Rows are as long as their layer; the rest of a row is empty (null), not zero."""
    labels = [f"{lab} · {'frozen' if f else 'trained'}"
              for lab, f in zip(ft.layer_labels(), result.frozen, strict=True)]
    width = max(len(c) for c in result.unit_change)
    z = [[round(float(v), 6) for v in c] + [None] * (width - len(c))
         for c in result.unit_change]
    top = max(float(max(c.max() for c in result.unit_change)), 1e-12)
    viridis = pcolors.sequential.Viridis
    scale = [[0.0, _ZERO]] + [[max(i / (len(viridis) - 1), 1e-6), c]
                              for i, c in enumerate(viridis)]
    fig = go.Figure(go.Heatmap(
        z=z[::-1], y=labels[::-1], x=list(range(1, width + 1)), zmin=0, zmax=top,
        colorscale=scale, xgap=0, ygap=4, colorbar=dict(title="max |Δ|"),
        hovertemplate="%{y}<br>unit %{x}: max |Δ| %{z:.3g}<extra></extra>"))
    fig.update_layout(title="|Δweight| after fine-tuning, per unit (grey: exactly 0)")
    fig.update_xaxes(title="unit (output neuron of the layer)", showgrid=False)
    fig.update_yaxes(showgrid=False)
    return style.finish(fig, lecture=lecture, height=420 if lecture else 340)


def histograms_figure(hist: ini.Histograms, *, lecture: bool = False) -> go.Figure:
    """Each Linear layer's weights at init; dashed lines at PyTorch's default ±1/√fan_in."""
    labels = ft.layer_labels()
    fig = make_subplots(rows=1, cols=len(labels), subplot_titles=labels,
                        horizontal_spacing=0.06)
    shapes: list[dict] = []  # one update for all: add_vline per subplot is slow
    for i, (edges, counts) in enumerate(zip(hist.edges, hist.counts, strict=True)):
        centers = (edges[:-1] + edges[1:]) / 2
        fig.add_trace(go.Bar(x=np.round(centers, 6).tolist(), y=counts.tolist(),
                             width=float(edges[1] - edges[0]), marker_color=style.color(0),
                             showlegend=False, name=labels[i],
                             hovertemplate="w ≈ %{x:.3g}: %{y}<extra></extra>"),
                      row=1, col=i + 1)
        axis = "" if i == 0 else str(i + 1)
        shapes += [dict(type="line", xref=f"x{axis}", yref=f"y{axis} domain",
                        x0=sign * float(hist.bound[i]), x1=sign * float(hist.bound[i]), y0=0,
                        y1=1, line=dict(dash="dash", color=style.color(3)))
                   for sign in (-1, 1)]
    fig.update_layout(title=f"Weights after init: {ini.SCHEMES[hist.scheme][0]} "
                            "(dashed: default bound ±1/√fan_in)", bargap=0, shapes=shapes)
    fig.update_xaxes(title="weight")
    fig.update_yaxes(title="count", col=1)
    return style.finish(fig, lecture=lecture, height=380 if not lecture else 460)


def activation_std_figure(stds: ini.ActivationStd, *, selected: str,
                          lecture: bool = False) -> go.Figure:
    """Std of each layer's ReLU output in a deep MLP at init, one line per scheme (log)."""
    fig = go.Figure()
    depth = stds.std.shape[1]
    for i, scheme in enumerate(stds.schemes):
        x, y = _finite(np.arange(1, depth + 1), stds.std[i], positive=True)
        name = ini.SCHEMES[scheme][0]
        if not y:
            name += " (std = 0 everywhere: not on a log axis)"
        fig.add_trace(go.Scatter(
            x=x, y=y, name=name, mode="lines+markers",
            line=dict(color=style.color(i), width=None if scheme == selected else 1.2),
            opacity=1.0 if scheme == selected else 0.55, visible=True if y else "legendonly"))
    fig.add_hline(y=stds.input_std, line_dash="dot", line_color=style.INK,
                  annotation_text="input std", annotation_position="top left")
    fig.update_layout(title=f"Activation std through depth at init (ReLU, width "
                            f"{ini.DEEP_WIDTH})")
    fig.update_xaxes(title="layer", dtick=1 if depth <= 12 else None)
    fig.update_yaxes(title="std of activations", type="log", exponentformat="power")
    return style.finish(fig, lecture=lecture)


def init_curves_figure(curves: ini.TrainCurves, *, selected: str,
                       lecture: bool = False) -> go.Figure:
    """Validation loss on task A per epoch from each scheme (epoch 0 = at init)."""
    fig = go.Figure()
    for i, scheme in enumerate(curves.schemes):
        y = np.concatenate([[curves.initial[i]], curves.losses[i]])
        x, y = _finite(np.arange(len(y)), y, positive=True)
        name = ini.SCHEMES[scheme][0]
        if y and max(y) > _CURVES_TOP:
            name += f" (from {max(y):.2g}, off the chart)"
        fig.add_trace(go.Scatter(
            x=x, y=y, name=name, mode="lines",
            line=dict(color=style.color(i), width=None if scheme == selected else 1.2),
            opacity=1.0 if scheme == selected else 0.55))
    fig.update_layout(title="Training from each init: validation loss on US salaries (task A)",
                      legend=dict(orientation="h", yanchor="top", y=-0.3, x=0),
                      margin_b=10)
    fig.update_xaxes(title="epoch")
    low = min((v for row in curves.losses for v in row if np.isfinite(v) and v > 0), default=1e-3)
    fig.update_yaxes(title="MSE", type="log", exponentformat="power", dtick=1,
                     range=[np.floor(np.log10(low)), np.log10(_CURVES_TOP)])
    return style.finish(fig, lecture=lecture, height=560 if lecture else 480)


def symmetry_figure(curves: ini.TrainCurves, *, schemes: tuple[str, str],
                    lecture: bool = False) -> go.Figure:
    """Layer 1's [W | b] after training, one column per hidden unit, for two schemes: with
    zeros or a constant every column is the same."""
    idx = {s: i for i, s in enumerate(curves.schemes)}
    titles = [f"{ini.SCHEMES[s][0]}: {int(curves.distinct_units[idx[s], 0])} distinct of "
              f"{curves.hidden_sizes[0]} units" for s in schemes]
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.08)
    rows = [f"w{j + 1}" for j in range(ft.LAYER_SIZES[0])] + ["b"]
    for c, scheme in enumerate(schemes):
        m = curves.first_layer[scheme]  # (units, features + 1)
        top = max(float(np.abs(m).max()), 1e-6)  # each panel its own symmetric scale
        fig.add_trace(go.Heatmap(
            z=np.round(m.T, 5).tolist(), x=list(range(1, m.shape[0] + 1)), y=rows,
            colorscale=style.DIVERGING, zmin=-top, zmax=top, showscale=False,
            hovertemplate="unit %{x}, %{y}: %{z:.3g}<extra></extra>"), row=1, col=c + 1)
    fig.update_layout(title="Layer 1 after training: are the hidden units still different?")
    fig.update_xaxes(title="hidden unit", showgrid=False)
    return style.finish(fig, lecture=lecture, height=360 if not lecture else 440)
