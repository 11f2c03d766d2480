"""Figures for the Tensors & linear layers page: pure functions of `dlviz.tensors` results."""

from __future__ import annotations

import plotly.graph_objects as go

from dlviz import style
from dlviz.tensors import HEADS, LinearResult, StackResult

SUB = "₀₁₂₃₄₅₆₇₈₉"


def _sub(i: int) -> str:
    return "".join(SUB[int(d)] for d in str(i))


def linear_figure(r: LinearResult, *, lecture: bool = False) -> go.Figure:
    """x · Wᵀ + b = y as four annotated heatmaps on one shared diverging colour scale."""
    n_in, n_out = r.weight.shape[1], r.weight.shape[0]
    ins = [f"x{_sub(i + 1)}" for i in range(n_in)]
    outs = [f"y{_sub(j + 1)}" for j in range(n_out)]
    panels = [  # (title, z, column labels, row labels)
        (f"x  (1×{n_in})", r.x, ins, ["row"]),
        (f"·  Wᵀ  ({n_in}×{n_out})", r.weight.T, outs, ins),
        (f"+  b  ({n_out})", r.bias[None, :], outs, [""]),
        (f"=  y  (1×{n_out})", r.y, outs, ["row"]),
    ]
    zmax = max(float(abs(z).max()) for _, z, _, _ in panels) or 1.0
    spec = style.subplots(1, 4, column_widths=(n_in, n_out, n_out, n_out),
                          horizontal_spacing=0.06, subplot_titles=tuple(p[0] for p in panels))
    s = style.sizes(lecture)
    for col, (_, z, cols, rows) in enumerate(panels, start=1):
        x, y = style.cell(1, col, 4)
        spec["data"].append(dict(
            type="heatmap", z=z, x=cols, y=rows, zmin=-zmax, zmax=zmax, zmid=0,
            colorscale=style.DIVERGING, showscale=False, texttemplate="%{z:.4f}",
            textfont=dict(size=s.font), xgap=3, ygap=3,
            hovertemplate="%{y}, %{x}: %{z:.6g}<extra></extra>", xaxis=x, yaxis=y))
        style.axis(spec["layout"], y).update(autorange="reversed", showgrid=False)
        style.axis(spec["layout"], x).update(side="bottom", showgrid=False)
    spec["layout"]["title"] = dict(text="nn.Linear: y = x Wᵀ + b, every number", y=0.98,
                                   yanchor="top")
    fig = style.finish(spec, lecture=lecture, height=300 if not lecture else 380)
    return fig.update_layout(margin_t=95 if lecture else 75)  # the title above subplot titles


def equation_lines(r: LinearResult) -> list[str]:
    """One line per output: y_j = Σ_i x_i·W_ji + b_j, with torch's numbers (formatting only)."""
    lines = []
    for j in range(r.weight.shape[0]):
        terms = " + ".join(f"({x:.4f})({w:.4f})" for x, w in zip(r.x[0], r.weight[j], strict=True))
        lines.append(f"y{_sub(j + 1)} = {terms} + ({r.bias[j]:.4f}) = {r.y[0, j]:.4f}")
    return lines


def stack_figure(r: StackResult, *, lecture: bool = False) -> go.Figure:
    """Top: the features after each module, labelled with the shape; bottom: its parameters."""
    stages = ["input"] + [f"{i + 1} · {m}" for i, m in enumerate(r.modules)]
    widths = [shape[-1] for shape in r.shapes]
    spec = style.subplots(2, 1, shared_xaxes=True, vertical_spacing=0.12,
                          row_heights=(0.6, 0.4),
                          subplot_titles=("shape of the tensor after each module",
                                          "trainable parameters per module"))
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
    layout["yaxis"].update(title=dict(text="features"), range=[0, max(widths) * 1.25])
    layout["yaxis2"].update(title=dict(text="parameters"),
                            range=[0, max(int(r.params.max()), 1) * 1.3])
    layout["title"] = dict(text=f"nn.Sequential: {r.total_params:,} trainable parameters")
    return style.finish(spec, lecture=lecture, height=460 if not lecture else 560)


def head_figure(r: StackResult, *, lecture: bool = False) -> go.Figure:
    """The last Linear layer's scores next to the head's outputs, one pair per output unit."""
    units = [f"unit {i}" for i in range(r.scores.shape[1])]
    out_name = {"none": "output = score (no activation)", "sigmoid": "sigmoid(score)",
                "softmax": "softmax(scores)"}[r.head]
    fig = go.Figure()
    fig.add_bar(x=units, y=r.scores[0], name="score (last Linear layer)",
                marker_color=style.color(0), text=[f"{v:.3f}" for v in r.scores[0].tolist()],
                textposition="outside", constraintext="none", cliponaxis=False)
    fig.add_bar(x=units, y=r.output[0], name=out_name, marker_color=style.color(1),
                text=[f"{v:.3f}" for v in r.output[0].tolist()], textposition="outside",
                constraintext="none", cliponaxis=False)
    fig.update_layout(barmode="group", title_text=HEADS[r.head][0],
                      legend=dict(orientation="h", yanchor="top", y=-0.12, x=0))
    return style.finish(fig, lecture=lecture, height=360 if not lecture else 440)
