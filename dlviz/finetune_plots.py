"""Figures of the fine-tuning page. Pure functions of `dlviz.finetune` / `dlviz.init_schemes`
results: they pick, label and colour the arrays, never compute them.

Every figure here is redrawn for a new seed, so each is built as one dict and validated once
by `style.finish` (plotly's incremental API, `add_trace`/`update_*` per call, cost 20–55 ms a
figure); the figures are the same as before (tests/test_finetune_plots.py)."""

from __future__ import annotations

import numpy as np
import plotly.colors as pcolors
import plotly.graph_objects as go

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


def _scatter(x, y, **kw) -> dict:
    return dict(type="scatter", x=x, y=y, **kw)


def loss_curves_figure(comparison: ft.Comparison, *, lecture: bool = False) -> go.Figure:
    """Validation MSE on task B per epoch (epoch 0 = before training), one line per run."""
    data = []
    for i, (key, run) in enumerate(comparison.runs.items()):
        y = np.concatenate([[run.initial_loss], run.losses])
        x, y = _finite(np.arange(len(y)), y, positive=True)
        data.append(_scatter(x, y, name=comparison.labels[key], mode="lines",
                             line=dict(color=style.color(i), dash=_DASH[key])))
    layout = dict(title=dict(text="Validation loss on EU salaries (task B)"),
                  legend=dict(x=0.99, y=0.99, xanchor="right", yanchor="top",
                              bgcolor="rgba(255,255,255,0.8)"),
                  xaxis=dict(title=dict(text="epoch")),
                  yaxis=dict(title=dict(text="MSE (units of 100k)²"), type="log", dtick=1))
    return style.finish({"data": data, "layout": layout}, lecture=lecture)


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
    heatmap = dict(type="heatmap", z=z[::-1], y=labels[::-1], x=list(range(1, width + 1)),
                   zmin=0, zmax=top, colorscale=scale, xgap=0, ygap=4,
                   colorbar=dict(title=dict(text="max |Δ|")),
                   hovertemplate="%{y}<br>unit %{x}: max |Δ| %{z:.3g}<extra></extra>")
    layout = dict(title=dict(text="|Δweight| after fine-tuning, per unit (grey: exactly 0)"),
                  xaxis=dict(title=dict(text="unit (output neuron of the layer)"),
                             showgrid=False),
                  yaxis=dict(showgrid=False))
    return style.finish({"data": [heatmap], "layout": layout}, lecture=lecture,
                        height=420 if lecture else 340)


def histograms_figure(hist: ini.Histograms, *, lecture: bool = False) -> go.Figure:
    """Each Linear layer's weights at init; dashed lines at PyTorch's default ±1/√fan_in."""
    labels = ft.layer_labels()
    cols = len(labels)
    spec = style.subplots(1, cols, subplot_titles=tuple(labels), horizontal_spacing=0.06)
    layout = spec["layout"]
    shapes: list[dict] = []
    for i, (edges, counts) in enumerate(zip(hist.edges, hist.counts, strict=True)):
        centers = (edges[:-1] + edges[1:]) / 2
        x, y = style.cell(1, i + 1, cols)
        spec["data"].append(dict(
            type="bar", x=np.round(centers, 6).tolist(), y=counts.tolist(),
            width=float(edges[1] - edges[0]), marker=dict(color=style.color(0)),
            showlegend=False, name=labels[i], xaxis=x, yaxis=y,
            hovertemplate="w ≈ %{x:.3g}: %{y}<extra></extra>"))
        shapes += [dict(type="line", xref=x, yref=f"{y} domain",
                        x0=sign * float(hist.bound[i]), x1=sign * float(hist.bound[i]), y0=0,
                        y1=1, line=dict(dash="dash", color=style.color(3)))
                   for sign in (-1, 1)]
        style.axis(layout, x)["title"] = dict(text="weight")
    style.axis(layout, "y")["title"] = dict(text="count")
    layout.update(title=dict(text=f"Weights after init: {ini.SCHEMES[hist.scheme][0]} "
                                  "(dashed: default bound ±1/√fan_in)"),
                  bargap=0, shapes=shapes)
    return style.finish(spec, lecture=lecture, height=380 if not lecture else 460)


def activation_std_figure(stds: ini.ActivationStd, *, selected: str,
                          lecture: bool = False) -> go.Figure:
    """Std of each layer's ReLU output in a deep MLP at init, one line per scheme (log)."""
    data = []
    depth = stds.std.shape[1]
    for i, scheme in enumerate(stds.schemes):
        x, y = _finite(np.arange(1, depth + 1), stds.std[i], positive=True)
        name = ini.SCHEMES[scheme][0]
        if not y:
            name += " (std = 0 everywhere: not on a log axis)"
        data.append(_scatter(
            x, y, name=name, mode="lines+markers",
            line=dict(color=style.color(i), width=None if scheme == selected else 1.2),
            opacity=1.0 if scheme == selected else 0.55, visible=True if y else "legendonly"))
    level = float(stds.input_std)  # add_hline's shape and annotation, as plotly writes them
    layout = dict(
        shapes=[dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=level, y1=level,
                     line=dict(dash="dot", color=style.INK))],
        annotations=[dict(text="input std", showarrow=False, xref="x domain", x=0,
                          xanchor="left", yref="y", y=level, yanchor="bottom")],
        title=dict(text=f"Activation std through depth at init (ReLU, width {ini.DEEP_WIDTH})"),
        xaxis=dict(title=dict(text="layer"), dtick=1 if depth <= 12 else None),
        yaxis=dict(title=dict(text="std of activations"), type="log", exponentformat="power"))
    return style.finish({"data": data, "layout": layout}, lecture=lecture)


def init_curves_figure(curves: ini.TrainCurves, *, selected: str,
                       lecture: bool = False) -> go.Figure:
    """Validation loss on task A per epoch from each scheme (epoch 0 = at init)."""
    data = []
    for i, scheme in enumerate(curves.schemes):
        y = np.concatenate([[curves.initial[i]], curves.losses[i]])
        x, y = _finite(np.arange(len(y)), y, positive=True)
        name = ini.SCHEMES[scheme][0]
        if y and max(y) > _CURVES_TOP:
            name += f" (from {max(y):.2g}, off the chart)"
        data.append(_scatter(
            x, y, name=name, mode="lines",
            line=dict(color=style.color(i), width=None if scheme == selected else 1.2),
            opacity=1.0 if scheme == selected else 0.55))
    low = min((v for row in curves.losses for v in row if np.isfinite(v) and v > 0), default=1e-3)
    layout = dict(
        title=dict(text="Training from each init: validation loss on US salaries (task A)"),
        legend=dict(orientation="h", yanchor="top", y=-0.3, x=0), margin=dict(b=10),
        xaxis=dict(title=dict(text="epoch")),
        yaxis=dict(title=dict(text="MSE"), type="log", exponentformat="power", dtick=1,
                   range=[np.floor(np.log10(low)), np.log10(_CURVES_TOP)]))
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=560 if lecture else 480)


def symmetry_figure(curves: ini.TrainCurves, *, schemes: tuple[str, str],
                    lecture: bool = False) -> go.Figure:
    """Layer 1's [W | b] after training, one column per hidden unit, for two schemes: with
    zeros or a constant every column is the same."""
    idx = {s: i for i, s in enumerate(curves.schemes)}
    spec = style.subplots(1, 2, subplot_titles=("left", "right"), horizontal_spacing=0.08)
    layout = spec["layout"]
    rows = [f"w{j + 1}" for j in range(ft.LAYER_SIZES[0])] + ["b"]
    for c, scheme in enumerate(schemes):
        layout["annotations"][c]["text"] = (
            f"{ini.SCHEMES[scheme][0]}: {int(curves.distinct_units[idx[scheme], 0])} "
            f"distinct of {curves.hidden_sizes[0]} units")
        m = curves.first_layer[scheme]  # (units, features + 1)
        top = max(float(np.abs(m).max()), 1e-6)  # each panel its own symmetric scale
        x, y = style.cell(1, c + 1, 2)
        spec["data"].append(dict(
            type="heatmap", z=np.round(m.T, 5).tolist(), x=list(range(1, m.shape[0] + 1)),
            y=rows, colorscale=style.DIVERGING, zmin=-top, zmax=top, showscale=False,
            xaxis=x, yaxis=y, hovertemplate="unit %{x}, %{y}: %{z:.3g}<extra></extra>"))
        style.axis(layout, x).update(title=dict(text="hidden unit"), showgrid=False)
    layout["title"] = dict(text="Layer 1 after training: are the hidden units still different?")
    return style.finish(spec, lecture=lecture, height=360 if not lecture else 440)
