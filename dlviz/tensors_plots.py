"""Figures for the Tensors & linear layers page: pure functions of `dlviz.tensors` results."""

from __future__ import annotations

import plotly.graph_objects as go

from dlviz import style
from dlviz.tensors import HEADS, LinearResult, StackResult

SUB = "₀₁₂₃₄₅₆₇₈₉"


def _sub(i: int) -> str:
    return "".join(SUB[int(d)] for d in str(i))


def _domains(sizes: list[int], lo: float, hi: float, gap: float) -> list[tuple[float, float]]:
    """Stacked [a, b] intervals in [lo, hi], each proportional to its size, `gap` apart."""
    unit = (hi - lo - gap * (len(sizes) - 1)) / sum(sizes)
    out, start = [], hi
    for n in sizes:
        out.append((max(round(start - n * unit, 9), 0.0), min(round(start, 9), 1.0)))
        start -= n * unit + gap
    return out


def linear_figure(r: LinearResult, *, lecture: bool = False) -> go.Figure:
    """x · Wᵀ + b = y as four annotated heatmaps on one shared diverging colour scale.

    x (1×in) on the left; Wᵀ (in×out), b and y stacked on the right, sharing the output
    columns, so each cell stays 50–60 px wide on a 390-px phone: wide enough for 3 decimals
    at 14 px, or lecture mode's 2 decimals at its 18-px floor.
    """
    n_in, n_out = r.weight.shape[1], r.weight.shape[0]
    ins = [f"x{_sub(i + 1)}" for i in range(n_in)]
    outs = [f"y{_sub(j + 1)}" for j in range(n_out)]
    s = style.sizes(lecture)
    digits, text_px = (2, style.LECTURE_MIN_TEXT) if lecture else (3, s.font)
    # lecture: the whole figure fits under the controls at 1280×720
    cell = 40 if lecture else 46  # px, one row of cells
    gap = 34  # px, room for a panel's title
    top = 30 if lecture else 22  # px above the top titles: the toolbar's row
    plot_h = cell * (n_in + 2) + 2 * gap + top
    height = plot_h + 40 + (50 if lecture else 38)  # the toolbar's margin, the tick labels
    split = 0.1 + n_in / (n_in + n_out) * 0.9  # x's share of the width, after a 10 % gap
    right = _domains([n_in, 1, 1], 0.0, 1.0 - top / plot_h, gap / plot_h)
    mid = (right[0][0] + right[0][1]) / 2
    half = (right[0][1] - right[0][0]) / n_in / 2
    panels = [  # (title, z, column labels, row labels, x-axis, y-axis, x domain, y domain)
        (f"x  (1×{n_in})", r.x, ins, ["x"], "x", "y", (0.0, split - 0.1), (mid - half, mid + half)),
        (f"·  Wᵀ  ({n_in}×{n_out})", r.weight.T, outs, ins, "x2", "y2", (split, 1.0), right[0]),
        (f"+  b  ({n_out})", r.bias[None, :], outs, ["b"], "x2", "y3", (split, 1.0), right[1]),
        (f"=  y  (1×{n_out})", r.y, outs, ["y"], "x2", "y4", (split, 1.0), right[2]),
    ]
    zmax = max(float(abs(p[1]).max()) for p in panels) or 1.0
    data, annotations = [], []
    layout = {"xaxis": dict(domain=(0.0, split - 0.1), anchor="y", side="bottom"),
              "xaxis2": dict(domain=(split, 1.0), anchor="y4", side="bottom"),
              "annotations": annotations}
    for title, z, cols, rows, xa, ya, xdom, ydom in panels:
        data.append(dict(
            type="heatmap", z=z, x=cols, y=rows, zmin=-zmax, zmax=zmax, zmid=0,
            colorscale=style.DIVERGING, showscale=False, texttemplate=f"%{{z:.{digits}f}}",
            textfont=dict(size=text_px), xgap=3, ygap=3,
            hovertemplate="%{y}, %{x}: %{z:.6g}<extra></extra>",
            xaxis=xa, yaxis=ya))
        layout["yaxis" + ya[1:]] = dict(domain=ydom, anchor=xa, autorange="reversed",
                                         showticklabels=ya == "y2", fixedrange=True)
        annotations.append(dict(text=title, xref="paper", yref="paper", showarrow=False,
                                x=sum(xdom) / 2, y=ydom[1], xanchor="center",
                                yanchor="bottom", yshift=2, font=dict(size=s.font)))
    layout["title"] = dict(text="nn.Linear: y = x Wᵀ + b, every number")
    return style.finish({"data": data, "layout": layout}, lecture=lecture, height=height)


def linear_data(r: LinearResult) -> dict:
    """Every number of the linear figure, one row each: tensor, row, column, value."""
    n_out, n_in = r.weight.shape
    rows = [("x", 1, i + 1, r.x[0, i]) for i in range(n_in)]
    rows += [("W", j + 1, i + 1, r.weight[j, i]) for j in range(n_out) for i in range(n_in)]
    rows += [("b", 1, j + 1, r.bias[j]) for j in range(n_out)]
    rows += [("y", 1, j + 1, r.y[0, j]) for j in range(n_out)]
    return {"tensor": [t for t, *_ in rows], "row": [a for _, a, _, _ in rows],
            "column": [b for _, _, b, _ in rows], "value": [float(v) for *_, v in rows]}


def equation_lines(r: LinearResult) -> list[str]:
    """One line per output: y_j = Σ_i x_i·W_ji + b_j, with torch's numbers (formatting only)."""
    lines = []
    for j in range(r.weight.shape[0]):
        terms = " + ".join(f"({x:.4f})({w:.4f})" for x, w in zip(r.x[0], r.weight[j], strict=True))
        lines.append(f"y{_sub(j + 1)} = {terms} + ({r.bias[j]:.4f}) = {r.y[0, j]:.4f}")
    return lines


def stack_figure(r: StackResult, *, lecture: bool = False) -> go.Figure:
    """Top: the features after each module, labelled with the shape; bottom: its parameters."""
    # two-line labels: "Linear(10, 18)" on one line was rotated to vertical on a phone
    stages = ["input"] + [f"{i + 1} · {m}".replace("(", "<br>(", 1)
                          for i, m in enumerate(r.modules)]
    widths = [shape[-1] for shape in r.shapes]
    # No subplot titles: the axis titles say it, and titles collided with the toolbar and
    # the lower panel's ticks on a phone.
    spec = style.subplots(2, 1, shared_xaxes=True, vertical_spacing=0.08,
                          row_heights=(0.6, 0.4))
    bar = dict(type="bar", showlegend=False, textposition="outside", constraintext="none",
               cliponaxis=False)
    spec["data"] += [
        dict(bar, x=stages, y=widths, marker=dict(color=style.color(0)), name="features",
             text=[f"({', '.join(map(str, sh))})" for sh in r.shapes], xaxis="x", yaxis="y"),
        dict(bar, x=stages[1:], y=r.params, marker=dict(color=style.color(1)),
             name="parameters", text=[f"{p:,}" for p in r.params.tolist()], xaxis="x2",
             yaxis="y2"),
    ]
    layout = spec["layout"]
    layout["yaxis"].update(title=dict(text="features out"), range=[0, max(widths) * 1.25],
                           nticks=5)
    layout["yaxis2"].update(title=dict(text="parameters"), nticks=4,
                            range=[0, max(int(r.params.max()), 1) * 1.3])
    layout["title"] = dict(text=f"nn.Sequential: {r.total_params:,} trainable parameters")
    return style.finish(spec, lecture=lecture, height=460 if not lecture else 560)


def head_figure(r: StackResult, *, lecture: bool = False) -> go.Figure:
    """The last Linear layer's scores next to the head's outputs, one pair per output unit.
    The outputs' bars are hatched as well as vermillion: not told apart by colour alone."""
    units = [f"unit {i}" for i in range(r.scores.shape[1])]
    bar = dict(type="bar", x=units, textposition="outside", constraintext="none",
               cliponaxis=False)
    data = [
        dict(bar, y=r.scores[0], name="score (last Linear layer)",
             marker=dict(color=style.color(0)), text=[f"{v:.3f}" for v in r.scores[0].tolist()]),
        dict(bar, y=r.output[0], name=HEAD_OUTPUT[r.head],
             marker=dict(color=style.color(1), pattern=dict(shape="/", fillmode="overlay")),
             text=[f"{v:.3f}" for v in r.output[0].tolist()]),
    ]
    layout = dict(barmode="group", title=dict(text=HEADS[r.head][0]),
                  legend=style.legend_below())
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=360 if not lecture else 440)


HEAD_OUTPUT = {"none": "output = score (no activation)", "sigmoid": "sigmoid(score)",
               "softmax": "softmax(scores)"}


def stack_data(r: StackResult) -> dict:
    """The stack figure's numbers: each stage's output shape and its parameters."""
    return {"module": ["input", *r.modules],
            "output shape": [str(tuple(sh)) for sh in r.shapes],
            "trainable parameters": [0, *(int(p) for p in r.params)]}


def head_data(r: StackResult) -> dict:
    """The head figure's numbers: each output unit's score and output."""
    return {"unit": list(range(r.scores.shape[1])), "score": r.scores[0].tolist(),
            HEAD_OUTPUT[r.head]: r.output[0].tolist()}
