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
# The four fine-tuning runs: colour and dash both differ (never colour alone); the run the
# settings describe ("freeze") is the solid one.
_RUN_LOOK = {"scratch": (4, "dot"), "all": (0, "dashdot"), "freeze": (1, "solid"),
             "small_lr": (2, "dash")}
# The seven init schemes share six colours: zeros and constant c share indigo, and only one
# of the two is shown at a time by default (`_hidden_by_default`); the other is a legend
# entry a click shows. Dash and marker differ for every scheme.
_SCHEME_LOOK = {s: style.series(i) for i, s in enumerate(("default", "uniform", "normal",
                                                          "xavier", "kaiming", "zeros"))}
_SCHEME_LOOK["constant"] = {"color": style.color(5), "dash": "8px,3px,2px,3px",
                            "symbol": "hexagon"}
_OTHER_WIDTH, _OTHER_OPACITY = 1.8, 0.75  # the schemes not selected: thinner, still visible
# (lecture mode floors the width to 3 px and raises the opacity to 0.8)


def _finite(x: np.ndarray, y: np.ndarray, *, positive: bool = False):
    """Keep the points a (log) axis can draw: finite, and > 0 for log axes."""
    keep = np.isfinite(y) & ((y > 0) if positive else True)
    return x[keep].tolist(), [float(v) for v in y[keep]]


def _scatter(x, y, **kw) -> dict:
    return dict(type="scatter", x=x, y=y, **kw)


def loss_curves_figure(comparison: ft.Comparison, *, lecture: bool = False) -> go.Figure:
    """Validation MSE on task B per epoch (epoch 0 = before training), one line per run."""
    data = []
    for key, run in comparison.runs.items():
        y = np.concatenate([[run.initial_loss], run.losses])
        x, y = _finite(np.arange(len(y)), y, positive=True)
        colour, dash = _RUN_LOOK[key]
        data.append(_scatter(x, y, name=comparison.labels[key], mode="lines",
                             line=dict(color=style.color(colour), dash=dash)))
    layout = dict(title=dict(text="Validation loss on EU salaries (task B)"),
                  legend=style.legend_below(),
                  xaxis=dict(title=dict(text="epoch")),
                  yaxis=dict(title=dict(text="MSE (units of 100k)²"), type="log", dtick=1))
    return style.finish({"data": data, "layout": layout}, lecture=lecture)


def weight_change_figure(result: ft.FineTuneResult, *, lecture: bool = False) -> go.Figure:
    """One heatmap row per Linear layer: each unit's largest |Δ| (weights and bias) from the
    pretrained value. Exactly zero (frozen) is grey; any change at all is on the colour scale.
    Rows are as long as their layer; the rest of a row is empty (null), not zero."""
    # Short row labels ("2 · 64→128 · frozen"): the long ones took half a phone's chart.
    labels = [f"{i + 1} · {a}→{b} · {'frozen' if f else 'trained'}"
              for i, (a, b, f) in enumerate(zip(ft.LAYER_SIZES[:-1], ft.LAYER_SIZES[1:],
                                                result.frozen, strict=True))]
    width = max(len(c) for c in result.unit_change)
    z = [[round(float(v), 6) for v in c] + [None] * (width - len(c))
         for c in result.unit_change]
    top = max(float(max(c.max() for c in result.unit_change)), 1e-12)
    viridis = pcolors.sequential.Viridis
    scale = [[0.0, _ZERO]] + [[max(i / (len(viridis) - 1), 1e-6), c]
                              for i, c in enumerate(viridis)]
    heatmap = dict(type="heatmap", z=z[::-1], y=labels[::-1], x=list(range(1, width + 1)),
                   zmin=0, zmax=top, colorscale=scale, xgap=0, ygap=4,
                   # under the plot: at the side it took a quarter of a phone's chart
                   colorbar=dict(title=dict(text="max |Δ|", side="top"), orientation="h",
                                 thickness=12, len=1.0, x=0.5, xanchor="center",
                                 y=-0.5 if lecture else -0.35,
                                 yanchor="top", nticks=4),
                   hovertemplate="%{y}<br>unit %{x}: max |Δ| %{z:.3g}<extra></extra>")
    layout = dict(title=dict(text="|Δweight| after fine-tuning, per unit (grey: exactly 0)"),
                  xaxis=dict(title=dict(text="unit (output neuron)"),
                             showgrid=False),
                  yaxis=dict(showgrid=False))
    return style.finish({"data": [heatmap], "layout": layout}, lecture=lecture,
                        height=500 if lecture else 420)


def histograms_figure(hist: ini.Histograms, *, lecture: bool = False) -> go.Figure:
    """Each Linear layer's weights at init, a 2 × 2 grid (four panels in a row left a
    phone's panel 75 px wide); dashed lines at PyTorch's default ±1/√fan_in."""
    labels = ft.layer_labels()
    rows, cols = 2, 2
    # "Linear(4, 64)": the numbered label did not fit a phone's panel in lecture mode
    titles = tuple(label.split(" · ")[1] for label in labels)
    spec = style.subplots(rows, cols, subplot_titles=titles, horizontal_spacing=0.1,
                          vertical_spacing=0.2)
    layout = spec["layout"]
    shapes: list[dict] = []
    for i, (edges, counts) in enumerate(zip(hist.edges, hist.counts, strict=True)):
        centers = (edges[:-1] + edges[1:]) / 2
        x, y = style.cell(i // cols + 1, i % cols + 1, cols)
        spec["data"].append(dict(
            type="bar", x=np.round(centers, 6).tolist(), y=counts.tolist(),
            width=float(edges[1] - edges[0]), marker=dict(color=style.color(0)),
            showlegend=False, name=labels[i], xaxis=x, yaxis=y,
            hovertemplate="w ≈ %{x:.3g}: %{y}<extra></extra>"))
        shapes += [dict(type="line", xref=x, yref=f"{y} domain",
                        x0=sign * float(hist.bound[i]), x1=sign * float(hist.bound[i]), y0=0,
                        y1=1, line=dict(dash="dash", color=style.color(1), width=2))
                   for sign in (-1, 1)]
        style.axis(layout, x)["nticks"] = 5
        if i // cols == rows - 1:
            style.axis(layout, x)["title"] = dict(text="weight")
        if i % cols == 0:
            style.axis(layout, y)["title"] = dict(text="count")
    layout.update(title=dict(text=f"Weights after init: {ini.SCHEMES[hist.scheme][0]} "
                                  "(dashed: default bound ±1/√fan_in)"),
                  bargap=0, shapes=shapes)
    height = 600 if lecture else 500
    style.below_toolbar(spec, lecture=lecture, height=height)
    return style.finish(spec, lecture=lecture, height=height)


def _hidden_by_default(selected: str) -> str:
    """The scheme drawn as a legend entry only: zeros, or constant c when zeros is chosen
    (the two share a colour; six colours is what stays apart for colour-blind eyes)."""
    return "constant" if selected == "zeros" else "zeros"


def _scheme_line(scheme: str, selected: str, lecture: bool) -> dict:
    """The selected scheme at full width and opacity; the others thinner and lighter."""
    look = _SCHEME_LOOK[scheme]
    if scheme == selected:
        return dict(line=dict(color=look["color"], dash=look["dash"]), opacity=1.0)
    return dict(line=dict(color=look["color"], dash=look["dash"], width=_OTHER_WIDTH),
                opacity=0.8 if lecture else _OTHER_OPACITY)


def activation_std_figure(stds: ini.ActivationStd, *, selected: str,
                          lecture: bool = False) -> go.Figure:
    """Std of each layer's ReLU output in a deep MLP at init, one line per scheme (log)."""
    data = []
    depth = stds.std.shape[1]
    for scheme, row in zip(stds.schemes, stds.std, strict=True):
        x, y = _finite(np.arange(1, depth + 1), row, positive=True)
        name = ini.SCHEMES[scheme][0]
        if not y:
            name += " (std = 0 everywhere: not on a log axis)"
        # zeros' activations are exactly 0 at every layer (ReLU(0·x + 0)): at most six
        # schemes draw here, each in its own colour
        data.append(_scatter(
            x, y, name=name, mode="lines+markers", **_scheme_line(scheme, selected, lecture),
            marker=dict(symbol=_SCHEME_LOOK[scheme]["symbol"]),
            visible=True if y else "legendonly"))
    level = float(stds.input_std)  # add_hline's shape and annotation, as plotly writes them
    layout = dict(
        shapes=[dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=level, y1=level,
                     line=dict(dash="dot", color=style.INK, width=2))],
        annotations=[dict(text="input std", showarrow=False, xref="x domain", x=0,
                          xanchor="left", yref="y", y=level, yanchor="bottom")],
        title=dict(text=f"Activation std through depth at init (ReLU, width {ini.DEEP_WIDTH})"),
        legend=style.legend_below(),
        # every layer ticked only when few: ten ticks collided on a phone in lecture mode
        xaxis=dict(title=dict(text="layer"), dtick=1 if depth <= 6 else None),
        yaxis=dict(title=dict(text="std of activations"), type="log", exponentformat="power"))
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=560 if lecture else 500)


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
            x, y, name=name, mode="lines", **_scheme_line(scheme, selected, lecture),
            visible="legendonly" if scheme == _hidden_by_default(selected) else True))
    low = min((v for row in curves.losses for v in row if np.isfinite(v) and v > 0), default=1e-3)
    layout = dict(
        title=dict(text="Training from each init: validation loss on US salaries (task A)"),
        legend=style.legend_below(),
        xaxis=dict(title=dict(text="epoch")),
        yaxis=dict(title=dict(text="MSE"), type="log", exponentformat="power", dtick=1,
                   range=[np.floor(np.log10(low)), np.log10(_CURVES_TOP)]))
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=560 if lecture else 480)


def symmetry_pair(selected: str) -> tuple[str, str]:
    """The two schemes the symmetry figure compares: the default and a symmetric one."""
    return "default", selected if selected in ("zeros", "constant") else "zeros"


def symmetry_figure(curves: ini.TrainCurves, *, schemes: tuple[str, str],
                    lecture: bool = False) -> go.Figure:
    """Layer 1's [W | b] after training, one column per hidden unit, for two schemes (one
    panel above the other: side by side, a phone's panel titles ran into each other): with
    zeros or a constant every column is the same."""
    idx = {s: i for i, s in enumerate(curves.schemes)}
    spec = style.subplots(2, 1, subplot_titles=("top", "bottom"), vertical_spacing=0.2)
    layout = spec["layout"]
    rows = [f"w{j + 1}" for j in range(ft.LAYER_SIZES[0])] + ["b"]
    for r, scheme in enumerate(schemes):
        layout["annotations"][r]["text"] = (
            f"{ini.SCHEMES[scheme][0]}: {int(curves.distinct_units[idx[scheme], 0])} "
            f"distinct of {curves.hidden_sizes[0]} units")
        m = curves.first_layer[scheme]  # (units, features + 1)
        top = max(float(np.abs(m).max()), 1e-6)  # each panel its own symmetric scale
        x, y = style.cell(r + 1, 1, 1)
        spec["data"].append(dict(
            type="heatmap", z=np.round(m.T, 5).tolist(), x=list(range(1, m.shape[0] + 1)),
            y=rows, colorscale=style.DIVERGING, zmin=-top, zmax=top, showscale=False,
            xaxis=x, yaxis=y, hovertemplate="unit %{x}, %{y}: %{z:.3g}<extra></extra>"))
        style.axis(layout, x)["showgrid"] = False
    # one x title, under the lower panel: the upper one's ran into the lower panel's title
    style.axis(layout, style.cell(2, 1, 1)[0])["title"] = dict(text="hidden unit")
    layout["title"] = dict(text="Layer 1 after training: are the hidden units still different?")
    height = 480 if not lecture else 580
    style.below_toolbar(spec, lecture=lecture, height=height)
    return style.finish(spec, lecture=lecture, height=height)
