"""Figures for the Counting-parameters page: pure functions of `dlviz.params` results."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dlviz import style
from dlviz.params_count import Network, ParamReport

MAX_UNITS = 12  # a column with more units is drawn as the first and last few, with "⋮"
# Connections: light on a screen, where many cross; from the back row of a lecture hall a
# 1-px line at 25 % is invisible, so lecture mode draws them 3 px at 60 % (style's floor).
EDGE_OPACITY = {False: 0.35, True: 0.6}
EDGE_WIDTH = {False: 1.0, True: style.LECTURE_MIN_LINE}


def row_label(row) -> str:
    return f"{row.name} · {row.layer.split('(')[0]}"


def bar_figure(report: ParamReport, *, lecture: bool = False) -> go.Figure:
    """Parameters per layer; frozen layers (requires_grad=False) in a second colour.

    Built as a dict (a new architecture redraws it; plotly's add/update calls were most of
    its time)."""
    data = []
    labels = [row_label(r) for r in report.rows]
    for trainable, name in ((True, "trainable"), (False, "frozen")):
        rows = [r for r in report.rows if r.trainable == trainable]
        if not rows:
            continue
        # frozen bars are hatched as well as vermillion: not told apart by colour alone
        data.append({"type": "bar", "x": [row_label(r) for r in rows],
                     "y": [r.count for r in rows], "name": name,
                     "marker": {"color": style.color(0 if trainable else 1),
                                "pattern": {"shape": "" if trainable else "/",
                                            "fillmode": "overlay", "fgcolor": "white"}},
                     "text": [f"{r.count:,}" for r in rows], "textposition": "outside",
                     "customdata": [r.formula for r in rows],
                     "hovertemplate": "%{x}<br>%{customdata} = %{y:,}<extra></extra>"})
    # "0 · Linear" written on two lines: side by side, three of them ran into each other on
    # a 390-px phone in lecture mode
    layout = {"xaxis": {"categoryorder": "array", "categoryarray": labels,
                        "title": {"text": "layer"}, "tickvals": labels,
                        "ticktext": [f"{r.name}<br>{r.layer.split('(')[0]}"
                                     for r in report.rows]}}
    counts = [r.count for r in report.rows if r.count > 0]
    if counts and max(counts) > 100 * min(counts):  # small layers would be invisible
        layout["yaxis"] = {"type": "log", "title": {"text": "parameters (log scale)"}}
    else:
        layout["yaxis"] = {"title": {"text": "parameters"}, "rangemode": "tozero"}
    layout.update(title={"text": f"Parameters per layer · total {report.total:,}"},
                  showlegend=report.trainable != report.total, barmode="overlay",
                  legend=style.legend_below())
    if not report.rows:
        _empty(layout, "no layer has parameters")
    return style.finish({"data": data, "layout": layout}, lecture=lecture)


def compare_figure(reports: Sequence[ParamReport], names: Sequence[str], *,
                   lecture: bool = False) -> go.Figure:
    """One horizontal bar per model, stacked by layer: capacity side by side (a dict, as
    `bar_figure`)."""
    data = []
    depth = max((len(r.rows) for r in reports), default=0)
    for k in range(depth):
        counts = [r.rows[k].count if k < len(r.rows) else 0 for r in reports]
        texts = [row_label(r.rows[k]) if k < len(r.rows) else "" for r in reports]
        # neighbouring layers alternate blue and sky blue, with a white gap between them
        data.append({"type": "bar", "y": list(names), "x": counts, "orientation": "h",
                     "name": f"layer {k + 1}",
                     "marker": {"color": style.color(0 if k % 2 == 0 else 3),
                                "line": {"color": "white", "width": 2}},
                     "customdata": texts, "showlegend": False,
                     "hovertemplate": "%{customdata}: %{x:,}<extra></extra>"})
    layout = {"annotations": [{"y": name, "x": report.total, "text": f" {report.total:,}",
                               "showarrow": False, "xanchor": "left"}
                              for name, report in zip(names, reports, strict=True)],
              "barmode": "stack", "title": {"text": "Total parameters, stacked by layer"},
              "xaxis": {"title": {"text": "parameters"}, "rangemode": "tozero"},
              "yaxis": {"autorange": "reversed"}}
    s = style.sizes(lecture)
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=140 + 2 * s.font * 3)


def shown_units(width: int, max_units: int = MAX_UNITS) -> tuple[list[int], list[float], bool]:
    """Which units of a column are drawn and at which heights; True if "…" stands for more."""
    if width <= max_units:
        return list(range(width)), [(width - 1) / 2 - j for j in range(width)], False
    half = max_units // 2 - 1  # 5 on top, 5 at the bottom, "…" in the middle
    units = list(range(half)) + list(range(width - half, width))
    heights = [(max_units - 1) / 2 - j for j in range(half)]
    heights += [-(max_units - 1) / 2 + half - 1 - j for j in range(half)]
    return units, heights, True


def _edges(net: Network, columns) -> tuple[list, list]:
    """Every drawn connection as a segment from column i to i + 1, None between segments."""
    xs, ys = [], []
    for i, link in enumerate(net.links):
        ya, yb = columns[i][1], columns[i + 1][1]
        if link.kind == "dense":
            pairs = [(a, b) for a in ya for b in yb]
        elif link.kind == "one-to-one":
            pairs = list(zip(ya, yb, strict=False))
        else:  # a reshape (Flatten): no unit-to-unit lines
            pairs = []
        for a, b in pairs:
            xs += [i, i + 1, None]
            ys += [a, b, None]
    return xs, ys


def _units(net: Network, columns) -> dict:
    """One marker per drawn unit; the first and last columns (inputs, outputs) stand out, as
    green squares (hidden units: blue circles)."""
    xs, ys, colours, symbols, custom = [], [], [], [], []
    for i, (units, heights, _) in enumerate(columns):
        hidden = 0 < i < len(columns) - 1
        xs += [i] * len(units)
        ys += heights
        colours += [style.color(0 if hidden else 2)] * len(units)
        symbols += ["circle" if hidden else "square"] * len(units)
        custom += [[i, u + 1, f"{net.widths[i]:,}"] for u in units]
    return {"type": "scatter", "x": xs, "y": ys, "mode": "markers", "showlegend": False,
            "customdata": custom,
            "marker": {"color": colours, "symbol": symbols, "line": {"color": "white", "width": 1}},
            "hovertemplate": "column %{customdata[0]}: unit %{customdata[1]} of "
                             "%{customdata[2]}<extra></extra>"}


def network_figure(net: Network, *, lecture: bool = False) -> go.Figure:
    """Units as circles, connections as lines; columns past MAX_UNITS are collapsed with "⋮".

    Four traces whatever the depth (edges, units, link labels, column labels): a trace and
    annotations per layer cost a 64-layer model 1.9 s of plotly validation."""
    columns = [shown_units(w) for w in net.widths]
    edges_x, edges_y = _edges(net, columns)
    collapsed = [i for i, (_, _, more) in enumerate(columns) if more]
    text = dict(mode="text", hoverinfo="skip", showlegend=False, cliponaxis=False,
                textfont=dict(size=style.sizes(lecture).font))
    data = [
        {"type": "scatter", "x": edges_x, "y": edges_y, "mode": "lines", "hoverinfo": "skip",
         "showlegend": False, "line": {"color": style.INK, "width": EDGE_WIDTH[lecture]},
         "opacity": EDGE_OPACITY[lecture]},
        _units(net, columns),
        {"type": "scatter", "x": [i + 0.5 for i in range(len(net.links))],
         "y": [MAX_UNITS / 2 + 0.6] * len(net.links), "name": "links", **text,
         "text": [f"{k.label}<br>{k.params:,}" if k.params else k.label for k in net.links]},
        {"type": "scatter", "x": list(range(len(columns))) + collapsed,
         "y": [-MAX_UNITS / 2 - 0.3] * len(columns) + [0.0] * len(collapsed),
         "name": "columns", **text, "text": [
             f"{w:,}" + (f"<br><i>{n}</i>" if n else "")
             for w, n in zip(net.widths, net.notes, strict=True)
         ] + ["⋮"] * len(collapsed),
         "textposition": ["bottom center"] * len(columns) + ["middle center"] * len(collapsed)},
    ]
    layout = {"xaxis": {"visible": False, "range": [-0.5, max(len(columns), 1) - 0.5]},
              "yaxis": {"visible": False, "range": [-MAX_UNITS / 2 - 2.2, MAX_UNITS / 2 + 1.6]},
              "title": {"text": "The network: units per layer and their connections"}}
    if not net.widths:
        _empty(layout, "no layer with parameters to draw")
    # lecture: the whole figure under the title and the two inputs on a 1280×720 projector
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=350 if lecture else None)


def _empty(layout: dict, text: str) -> None:
    layout.setdefault("annotations", []).append(
        {"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5})
