"""Figures for the Activations page: pure functions of `dlviz.activations` results."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dlviz import style
from dlviz.activations import ACTIVATIONS, ActivationCurve, DepthGradients, OutputHead

MAX_SHOWN = 6  # colour-coded series at once: only 6 palette colours stay apart for CVD
MARKERS = 9  # marker symbols drawn along each curve (plotly's marker.maxdisplayed)


def _look(i: int) -> tuple[dict, dict]:
    """Series i's line and marker: colour, dash and symbol all differ (style.series)."""
    look = style.series(i)
    return ({"color": look["color"], "dash": look["dash"]},
            {"color": look["color"], "symbol": look["symbol"]})


def curves_figure(curves: Sequence[ActivationCurve], *, lecture: bool = False) -> go.Figure:
    """f(x) left, f′(x) right; saturated runs shaded on the right; torch's value at kinks.

    Each function has its own colour, dash and marker symbol (MARKERS of them along each
    line, and in the legend); at most MAX_SHOWN functions at once."""
    if len(curves) > MAX_SHOWN:
        raise ValueError(f"at most {MAX_SHOWN} activations at once, got {len(curves)}")
    spec = style.subplots(1, 2, horizontal_spacing=0.1,
                          subplot_titles=("f(x)", "f′(x)"))
    data, shapes = spec["data"], spec["layout"].setdefault("shapes", [])
    for i, c in enumerate(curves):
        label = ACTIVATIONS[c.name].label
        line, marker = _look(i)
        curve = dict(type="scatter", mode="lines+markers", legendgroup=c.name, line=line,
                     marker=dict(marker, maxdisplayed=MARKERS))
        data.append(dict(curve, x=c.x, y=c.y, name=label, xaxis="x", yaxis="y"))
        data.append(dict(curve, x=c.x, y=c.dy, name=label, showlegend=False, xaxis="x2",
                         yaxis="y2"))
        for lo, hi in c.saturated:
            shapes.append(dict(type="rect", xref="x2", yref="y2 domain", x0=lo, x1=hi, y0=0,
                               y1=1, fillcolor=line["color"], opacity=0.10, line=dict(width=0),
                               layer="below"))
        if c.kink is not None:  # hover text, not drawn text: kinks at 0 sit on each other
            x0, d0 = c.kink
            data.append(dict(type="scatter", mode="markers", x=[x0], y=[d0],
                             name=f"{label}′(0)", legendgroup=c.name, showlegend=False,
                             text=[f"{label}′(0) = {d0:g}"], hoverinfo="text",
                             marker=dict(color=line["color"], symbol=f"{marker['symbol']}-open",
                                         line=dict(width=3, color=line["color"])),
                             xaxis="x2", yaxis="y2"))
    layout = spec["layout"]
    layout["xaxis"].update(title=dict(text="x"))
    layout["xaxis2"].update(title=dict(text="x"))
    layout["legend"] = style.legend_below()
    _below_toolbar(layout, 0.06)
    # lecture: the whole figure fits under its controls at 1280×720
    return style.finish(spec, lecture=lecture, height=430 if lecture else None)


def _below_toolbar(layout: dict, fraction: float) -> None:
    """Squeeze a subplot grid (and its titles) into the lower 1 − `fraction` of the plot
    height: the top titles then sit below the plotly toolbar's row."""
    for key, axis in layout.items():
        if key.startswith("yaxis") and "domain" in axis:
            axis["domain"] = [d * (1 - fraction) for d in axis["domain"]]
    for note in layout.get("annotations", ()):
        note["y"] = note["y"] * (1 - fraction)


def curves_data(curves: Sequence[ActivationCurve], every: int = 20) -> dict:
    """The curves' numbers at every `every`-th grid point: x, then f and f′ per function."""
    if not curves:
        return {}
    x = curves[0].x[::every]
    data = {"x": x.tolist()}
    for c in curves:
        label = ACTIVATIONS[c.name].label
        data[f"{label} f(x)"] = c.y[::every].tolist()
        data[f"{label} f′(x)"] = c.dy[::every].tolist()
    return data


def depth_figure(results: Sequence[DepthGradients], *, lecture: bool = False) -> go.Figure:
    """‖∂L/∂W_l‖ per hidden layer on a log axis: vanishing gradients are a falling line."""
    longest = max((len(r.layers) for r in results), default=0)
    data = []
    for i, r in enumerate(results):
        line, marker = _look(i)
        data.append(dict(type="scatter", x=r.layers, y=r.grad_norm, mode="lines+markers",
                         name=ACTIVATIONS[r.name].label, line=line, marker=marker))
    spec = {"data": data,
            "layout": {  # a dict, not plotly's update calls: a new seed redraws this one
                "yaxis": dict(type="log", title=dict(text="‖∂L/∂W‖ (log)"),
                              exponentformat="power"),
                "xaxis": dict(title=dict(text="hidden layer (1 = next to the input)"),
                              # few enough ticks for a 390-px phone in lecture mode
                              dtick=1 if longest <= 6 else 2 if longest <= 12 else 5),
                # No title: the page's header names the figure.
                "legend": style.legend_below()}}
    return style.finish(spec, lecture=lecture)


def depth_data(results: Sequence[DepthGradients]) -> dict:
    """The depth figure's numbers: one row per hidden layer, one column per function."""
    if not results:
        return {}
    data = {"hidden layer": results[0].layers.tolist()}
    for r in results:
        data[f"{ACTIVATIONS[r.name].label} ‖∂L/∂W‖"] = r.grad_norm.tolist()
    return data


HEAD_OUTPUT = {"regression": "output (identity)", "binary": "P(class 1) = sigmoid(score)",
               "multiclass": "softmax(scores / {t:g})"}


def head_figure(head: OutputHead, *, lecture: bool = False) -> go.Figure:
    """Scores → outputs as paired bars, one pair per output unit; the outputs hatched as
    well as vermillion, so the pair differs by more than colour."""
    units = [f"unit {i}" for i in range(len(head.scores))]
    data = [
        dict(type="bar", x=units, y=head.scores, name="score (last Linear layer)",
             marker=dict(color=style.color(0))),
        dict(type="bar", x=units, y=head.outputs,
             name=HEAD_OUTPUT[head.task].format(t=head.temperature),
             marker=dict(color=style.color(1), pattern=dict(shape="/", fillmode="overlay")),
             text=[f"{v:.3f}" for v in head.outputs], textposition="outside",
             cliponaxis=False),
    ]
    layout = {"barmode": "group", "legend": style.legend_below()}
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=360 if not lecture else 440)


def head_data(head: OutputHead) -> dict:
    return {"unit": list(range(len(head.scores))), "score": head.scores.tolist(),
            HEAD_OUTPUT[head.task].format(t=head.temperature): head.outputs.tolist()}
