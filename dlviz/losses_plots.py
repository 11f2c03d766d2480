"""Figures for the Loss functions page: pure functions of `dlviz.losses` results."""

from __future__ import annotations

import plotly.graph_objects as go

from dlviz import style
from dlviz.losses import CrossEntropyWalk, LossCurves, MseCurve

TRUE, OTHER = style.color(1), style.color(0)  # the true class stands out in vermillion
TRUE_PATTERN = "/"  # and hatched: not told apart by colour alone


def _headroom(values, top: float = 1.3) -> list[float]:
    """A y range with room for the bars' outside labels above (and below) the bars."""
    lo, hi = min(0.0, float(min(values))), max(0.0, float(max(values)))
    span = (hi - lo) or 1.0
    return [lo - (0.3 * span if lo < 0 else 0.0), hi + (top - 1) * span]


def _compact(p: float) -> str:
    """A probability in at most 4 characters (0.94, 3e-4): lecture mode's large digits
    overlapped the neighbouring bar's on a phone."""
    if p == 0 or abs(p) >= 0.01:
        return f"{p:.2f}"
    mantissa, exponent = f"{p:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _below_toolbar(layout: dict, fraction: float) -> None:
    """Squeeze a subplot grid's rows (and their titles) into the lower 1 − `fraction` of the
    plot height: the top panel's title then sits below the plotly toolbar's row."""
    for key, axis in layout.items():
        if key.startswith("yaxis") and "domain" in axis:
            axis["domain"] = [d * (1 - fraction) for d in axis["domain"]]
    for note in layout.get("annotations", ()):
        note["y"] = note["y"] * (1 - fraction)


def walk_figure(walk: CrossEntropyWalk, *, lecture: bool = False) -> go.Figure:
    """Scores → softmax probabilities → one-hot target, one bar per class, true class marked.

    Normal mode: three panels stacked, sharing the class axis, each full width on a phone
    (side by side, their titles and numbers collided at 390 px). Lecture mode (a projector,
    1280 px and up): side by side with one-word titles, so the whole figure fits under its
    controls at 1280×720."""
    k = len(walk.scores)
    classes = [str(c) for c in range(k)]
    colours = [TRUE if c == walk.label else OTHER for c in range(k)]
    hatch = [TRUE_PATTERN if c == walk.label else "" for c in range(k)]
    if lecture:
        rows, cols = 1, 3
        spec = style.subplots(1, 3, horizontal_spacing=0.09,
                              subplot_titles=("scores", "softmax", "one-hot"))
    else:
        rows, cols = 3, 1
        spec = style.subplots(3, 1, shared_xaxes=True, vertical_spacing=0.13, subplot_titles=(
            "1 · scores (last layer)", "2 · softmax → probabilities", "3 · one-hot target"))
    digits = "{:.2g}" if lecture else "{:.3g}"
    probability = _compact if lecture else digits.format  # lecture: ≤ 4 characters a bar
    panels = [(walk.scores, digits.format), (walk.probabilities, probability),
              (walk.one_hot, "{:d}".format)]
    layout = spec["layout"]
    for n, (values, form) in enumerate(panels):
        x, y = style.cell(n // cols + 1, n % cols + 1, cols)
        spec["data"].append(dict(
            type="bar", x=classes, y=values, showlegend=False,
            marker=dict(color=colours, pattern=dict(shape=hatch, fillmode="overlay")),
            text=[form(v) for v in values.tolist()], textposition="outside",
            constraintext="none", cliponaxis=False, xaxis=x, yaxis=y,
            hovertemplate="class %{x}: %{y:.6g}<extra></extra>"))
        style.axis(layout, x).update(type="category")
    last = "xaxis3" if rows == 3 else "xaxis2"  # the x title once, under the middle or last
    layout[last].update(title=dict(text=f"class (true class {walk.label})"))
    layout["yaxis"].update(range=_headroom(walk.scores), nticks=4)
    layout["yaxis2"].update(range=[0, 1.3], dtick=0.5)
    layout["yaxis3"].update(range=[0, 1.3], dtick=1)
    _below_toolbar(layout, 0.05 if rows == 3 else 0.2)
    layout["title"] = dict(
        text=f"CrossEntropyLoss = −log p[{walk.label}] = −log {walk.p_true:.4g} = {walk.loss:.4f}")
    return style.finish(spec, lecture=lecture, height=360 if lecture else 520)


def walk_data(walk: CrossEntropyWalk) -> dict:
    """The walk figure's numbers, one row per class."""
    return {"class": list(range(len(walk.scores))), "score": walk.scores.tolist(),
            "softmax probability": walk.probabilities.tolist(),
            "one-hot target": walk.one_hot.tolist(),
            "−log probability": (-walk.log_probabilities).tolist()}


def curves_figure(curves: LossCurves, p_true: float, loss: float, *,
                  lecture: bool = False) -> go.Figure:
    """CE = −log p against p, with the squared error of the probabilities for contrast."""
    data = [
        dict(type="scatter", x=curves.p_true, y=curves.cross_entropy,
             name="cross-entropy −log p", line=dict(color=style.color(0), dash="solid")),
        dict(type="scatter", x=curves.p_true, y=curves.squared_error,
             name="squared error of the probabilities vs one-hot",
             line=dict(color=style.color(2), dash="dash")),
        dict(type="scatter", x=[p_true], y=[loss], mode="markers+text", name="your scores",
             marker=dict(color=TRUE, symbol="diamond"), text=[f"CE = {loss:.3g}"],
             textposition="middle right", cliponaxis=False),
    ]
    layout = {"xaxis": dict(title=dict(text="p(true class)"), range=[0, 1]),
              "yaxis": dict(title=dict(text="loss")), "legend": style.legend_below(),
              "title": dict(text=f"{curves.classes} classes: confident and wrong (p → 0) "
                                 "costs without limit")}
    return style.finish({"data": data, "layout": layout}, lecture=lecture)


def mse_figure(curve: MseCurve, *, lecture: bool = False) -> go.Figure:
    """The parabola (prediction − target)² with the chosen prediction marked."""
    fig = go.Figure()
    fig.add_scatter(x=curve.prediction, y=curve.loss, name="MSE", line_color=style.color(0))
    # The label inside the plot, right of the line: above the plot it sat under the toolbar.
    fig.add_vline(x=curve.target, line=dict(color=style.INK, dash="dot"),
                  annotation=dict(text=f"target {curve.target:g}", x=curve.target, xref="x",
                                  y=0.92, yref="y domain", xanchor="left", yanchor="top",
                                  showarrow=False, xshift=4))
    fig.add_scatter(x=[curve.pred], y=[curve.pred_loss], mode="markers+text",
                    name="prediction", marker=dict(color=TRUE),
                    text=[f"({curve.pred:g} − {curve.target:g})² = {curve.pred_loss:.4g}"],
                    textposition="middle left" if curve.pred > curve.target
                    else "middle right", cliponaxis=False)
    fig.update_xaxes(title_text="prediction")
    fig.update_yaxes(title_text="MSELoss")
    fig.update_layout(showlegend=False, title_text="MSE grows with the square of the miss")
    return style.finish(fig, lecture=lecture, height=360 if not lecture else 440)
