"""Figures for the Network playground: pure functions of `dlviz.playground` results.

Colours as TensorFlow Playground's, from dlviz.style's palette: blue for class 1 and positive
values, orange (the palette's vermillion, #D55E00) for class 0 and negative ones, a pair that
stays apart under the common colour-vision deficiencies; class 0 is also drawn as circles and
class 1 as diamonds, negative weights' links are dashed, and the train and test losses
differ by dash, so nothing differs by colour alone.

`boundary_figure` draws one snapshot of the run (`frames.epoch`), `loss_figure` the loss
curves with a marker at that snapshot's epoch; the page steps through the snapshots with its
own slider and Play toggle (dlviz.ui.player), so no figure has plotly frames, sliders or
buttons. Its last trace is an invisible lattice of click targets on the
boundary grid: a click with `on_select` reports a point (`clicked_point` reads it), and its
hover carries P(class 1), since plotly never lets a heatmap win the hover over a nearby
scatter point.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from dlviz import style
from dlviz.playground import OVERFIT_TOL, OverfitRun, PlaygroundRun
from dlviz.playground_data import HALF, PlaygroundData
from dlviz.playground_net import FEATURES

CLICK_NAME = "click to add a point"
CLASS_COLORS = (style.color(1), style.color(0))  # class 0 vermillion, class 1 blue
CLASS_SYMBOLS = ("circle", "diamond")  # train; test adds "-open"
STUDENT_SYMBOLS = ("star", "star-diamond")  # the student's own points, larger
NEGATIVE, POSITIVE = CLASS_COLORS  # weights and unit outputs: vermillion < 0 < blue
TRAIN_LOSS, TEST_LOSS = style.color(2), style.color(5)  # bluish green solid, indigo dashed
NEGATIVE_DASH = "dash"  # a negative weight's link: dashed as well as vermillion
STAR = style.color(1)  # the one-batch check's "below tolerance" star (outlined in ink)


def _tint(hex_colour: str, share: float) -> str:
    """`hex_colour` mixed with white; `share` of the colour kept."""
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - share * (255 - c)):02X}" for c in rgb)


# P(class 1): class 0's tint, white at 0.5 (undecided), class 1's tint; points stay visible
BOUNDARY_SCALE = [[0.0, _tint(NEGATIVE, 0.6)], [0.5, "#FFFFFF"], [1.0, _tint(POSITIVE, 0.6)]]
NODE_SCALE = [[0.0, NEGATIVE], [0.5, "#FFFFFF"], [1.0, POSITIVE]]  # the network's maps
# Links: plotly sets a line's width per trace, so |w| is bucketed: below 0.1, 0.1–0.3,
# 0.3–1, 1–3, 3 and above, one trace per (sign, bucket); a weight of exactly 0 (L1) is not
# drawn (its link vanishes, as the L1 lesson says) but keeps its hover marker.
WEIGHT_EDGES = (0.1, 0.3, 1.0, 3.0)
LINK_WIDTHS = (0.5, 1.5, 3.0, 5.0, 8.0)  # px per bucket
LECTURE_LINK_WIDTHS = (3.0, 4.0, 5.0, 6.5, 8.0)  # ≥ 3 px on a projector


def _f32(a) -> np.ndarray:
    """Single precision is plenty on screen and halves the payload."""
    return np.asarray(a, dtype=np.float32)


def _points(data: PlaygroundData, size: int) -> list[dict]:
    """Train (filled), test (open) and the student's points (stars), per class."""
    n_own = len(data.x_train) - data.n_extra
    sets = [("train", data.x_train[:n_own], data.y_train[:n_own], "", size),
            ("test", data.x_test, data.y_test, "-open", size),
            ("yours", data.x_train[n_own:], data.y_train[n_own:], None, round(1.8 * size))]
    traces = []
    for label, x, y, suffix, s in sets:
        if not len(x) and label == "yours":
            continue
        for cls in (0, 1):
            pts = x[y == cls]
            symbol = STUDENT_SYMBOLS[cls] if suffix is None else CLASS_SYMBOLS[cls] + suffix
            line = (dict(color=style.INK, width=1.5) if suffix is None else
                    dict(width=1.5) if suffix else dict(color="white", width=1))
            traces.append(dict(
                type="scatter", x=_f32(pts[:, 0]), y=_f32(pts[:, 1]), mode="markers",
                name=f"class {cls} · {label}", legendgroup=f"class {cls}",
                marker=dict(color=CLASS_COLORS[cls], symbol=symbol, size=s, line=line),
                unselected=dict(marker=dict(opacity=1)),  # a click must not dim the data
                hovertemplate=f"class {cls} ({label})<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}"
                              "<extra></extra>"))
    return traces


def _epoch_dot(run: PlaygroundRun, epoch: int) -> dict:
    """The shown epoch's train and test loss: the marker's x and y."""
    i = int(np.flatnonzero(run.epoch == epoch)[0])
    return {"x": [epoch, epoch], "y": [float(run.train_loss[i]), float(run.test_loss[i])]}


def loss_figure(run: PlaygroundRun, frame: int = -1, *, lecture: bool = False,
                title: str | None = None, half: bool = False) -> go.Figure:
    """Train (solid) and test (dashed) loss per epoch, and a marker (last trace) at snapshot
    `frame`'s epoch, the one the boundary and the network show; a note where a diverged run
    stopped. `half`: beside another run's, without the legend (the single view has it)."""
    s = style.sizes(lecture)
    traces = [dict(type="scatter", x=run.epoch, y=_f32(values), mode="lines", name=name,
                   line=dict(color=colour, dash=dash, width=s.line),
                   hovertemplate=f"{name}<br>epoch %{{x}}: %{{y:.4f}}<extra></extra>")
              for name, values, colour, dash in (
                  ("train loss", run.train_loss, TRAIN_LOSS, "solid"),
                  ("test loss", run.test_loss, TEST_LOSS, "dash"))]
    traces.append(dict(type="scatter", mode="markers", name="epoch shown", showlegend=False,
                       hoverinfo="skip", cliponaxis=False,
                       **_epoch_dot(run, int(run.frames.epoch[frame])),
                       marker=dict(size=round(1.5 * s.marker), color=[TRAIN_LOSS, TEST_LOSS],
                                   symbol=["circle", "diamond"],
                                   line=dict(color=style.INK, width=1.5))))
    note = [] if run.diverged_at is None else [dict(
        text=f"diverged at epoch {run.diverged_at}: stopped", xref="x domain",
        yref="y domain", x=0.02, y=0.02, xanchor="left", yanchor="bottom", showarrow=False)]
    layout = dict(title=dict(text=title), annotations=note, hovermode="closest",
                  xaxis=dict(title=dict(text="epoch"), range=[0, max(int(run.epoch[-1]), 1)],
                             nticks=5),
                  yaxis=dict(title=dict(text="BCE loss"), rangemode="tozero", nticks=6),
                  legend=style.legend_below(), showlegend=not half)
    return style.finish({"data": traces, "layout": layout}, lecture=lecture,
                        height=s.height - 60)


def boundary_figure(run: PlaygroundRun, data: PlaygroundData, frame: int = -1, *,
                    lecture: bool = False, title: str | None = None,
                    half: bool = False) -> go.Figure:
    """Snapshot `frame` (an index into frames.epoch; the last by default): P(class 1) there
    (trace 0, a contour coloured as a heatmap with the 0.5 line), the points, and the click
    targets (last trace, their hover that snapshot's P). No plotly animation: the page steps
    `frame` (dlviz.ui.player). `title`: none by default (the page has headings). `half`:
    beside another run's, without the colour bar and the legend (the single view has them).
    """
    fr, s = run.frames, style.sizes(lecture)
    grid, prob = _f32(fr.grid), _f32(fr.prob[frame])  # (GRID,), (GRID, GRID)
    traces = [dict(type="contour", x=grid, y=grid, z=prob, zmin=0, zmax=1,
                   colorscale=BOUNDARY_SCALE, name="P(class 1)", hoverinfo="skip",
                   contours=dict(start=0.5, end=0.5, size=1, coloring="heatmap"),
                   line=dict(color=style.INK, width=3 if lecture else 2),
                   colorbar=dict(title=dict(text="P(class 1)", side="right"), thickness=12,
                                 len=0.8, tickvals=[0, 0.5, 1]),
                   showscale=not half)]
    traces += _points(data, s.marker)
    cx, cy = _lattice(fr.grid)  # x₁ fastest: the order of prob.ravel()
    traces.append(dict(type="scatter", x=cx, y=cy, customdata=prob.ravel(),
                       mode="markers", name=CLICK_NAME, showlegend=False,
                       marker=dict(size=10, color="rgba(0,0,0,0)"),
                       selected=dict(marker=dict(opacity=0)),
                       hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>P(class 1) %{customdata:.3f}"
                                     "<extra></extra>"))
    square = dict(range=[-HALF, HALF], constrain="domain", showgrid=False, zeroline=False,
                  nticks=5)
    layout = dict(title=dict(text=title), xaxis=dict(square, title=dict(text="x₁")),
                  yaxis=dict(square, title=dict(text="x₂"), scaleanchor="x", scaleratio=1),
                  # one legend group per class (train, test and yours are one colour and
                  # differ by fill and shape), each entry still toggling alone
                  legend=style.legend_below() | {"groupclick": "toggleitem"},
                  showlegend=not half, clickmode="event+select", dragmode="zoom",
                  hovermode="closest")
    # the map is square: in lecture mode 440 px keeps it whole under the title at 1280×720
    height = s.height if half else (440 if lecture else s.height + 60)
    return style.finish({"data": traces, "layout": layout}, lecture=lecture, height=height)


def _lattice(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The click targets' x₁ and x₂ (GRID², float32 each), x₁ varying fastest."""
    cx, cy = np.meshgrid(_f32(grid), _f32(grid))
    return cx.ravel(), cy.ravel()


def clicked_point(selection: Mapping | None, *, decimals: int = 2) -> tuple[float, float] | None:
    """A click on `boundary_figure` (Streamlit's `on_select` event: {"selection": {"points":
    [{"x": …, "y": …, …}]}}) → (x₁, x₂) clipped to the square and rounded, or None."""
    try:
        first = (selection or {}).get("selection", {}).get("points", [])[0]
        x1, x2 = float(first["x"]), float(first["y"])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    if not (np.isfinite(x1) and np.isfinite(x2)):
        return None
    return tuple(round(min(max(v, -HALF), HALF), decimals) for v in (x1, x2))


NODE, PITCH_X, PITCH_Y, OUTPUT = 1.0, 3.2, 1.35, 1.6  # node side, column/row pitch, output side
# A link's hover marker sits this far along it, towards the unit it feeds. Not halfway: the
# midpoints of crossing links coincide (row i → o and i + d → o − d), 0.65 : 0.35 never does
# for up to 8 rows (7·Δin = 13·Δout has no solution with |Δ| ≤ 7).
HOVER_AT = 0.65


def _nodes(run: PlaygroundRun, frame: int) -> list[list[dict]]:
    """Per column (inputs, hidden layers, output), each node's centre, side, map and names."""
    fr, spec = run.frames, run.spec
    cols = [[(FEATURES[f], "", m) for f, m in zip(spec.features, fr.feature_maps, strict=True)]]
    for k, layer in enumerate(fr.units):
        cols.append([(f"layer {k + 1} · unit {u + 1}", f" ({spec.activation})<br>bias "
                      f"{fr.biases[k][frame][u]:.3f}", m) for u, m in enumerate(layer[frame])])
    cols.append([("output", f": P(class 1)<br>bias {fr.biases[-1][frame][0]:.3f}",
                  fr.prob[frame])])
    side = [NODE] * (len(cols) - 1) + [OUTPUT]
    return [[dict(x=c * PITCH_X, y=((len(nodes) - 1) / 2 - r) * PITCH_Y, side=side[c], name=name,
                  text=name + more, z=m) for r, (name, more, m) in enumerate(nodes)]
            for c, nodes in enumerate(cols)]


def _heatmap(node: dict, output: bool) -> dict:
    """A node's map as a heatmap centred on the node, placed by x0/dx (no coordinate arrays).
    Colours: P on [0, 1]; any other map on ±max(1, max |value|), Playground's [−1, 1] widened
    only for values beyond it (ReLU, linear units, X₁²), so a unit stuck at a small constant
    looks pale rather than saturated."""
    side, n = node["side"], node["z"].shape[0]
    top = 1.0 if output else max(1.0, float(np.abs(node["z"]).max()))
    return dict(type="heatmap", z=_f32(node["z"]), x0=node["x"] - side / 2 + side / (2 * n),
                dx=side / n, y0=node["y"] - side / 2 + side / (2 * n), dy=side / n,
                colorscale=NODE_SCALE, showscale=False, name=node["name"],
                zmin=0 if output else -top, zmax=top,
                hovertemplate=f"{node['text']}<br>value %{{z:.3f}}<extra></extra>")


def _links(run: PlaygroundRun, frame: int, cols: list[list[dict]], widths) -> list[dict]:
    """One line trace per non-empty (sign, |w| bucket), `meta` = the bucket, then one trace of
    invisible markers on the links carrying each weight's hover (zeros too)."""
    # widest bucket first: its trace carries the legend entry, drawn at its width
    segs = {(sign, b): ([], []) for sign in (1, -1) for b in reversed(range(len(widths)))}
    mid: dict[str, list] = {"x": [], "y": [], "w": [], "text": []}
    for k, w in enumerate(run.frames.weights):
        weights = w[frame]  # (out, in)
        bucket = np.digitize(np.abs(weights), WEIGHT_EDGES)
        for o, head in enumerate(cols[k + 1]):
            for i, tail in enumerate(cols[k]):
                a = (tail["x"] + tail["side"] / 2, tail["y"])
                b = (head["x"] - head["side"] / 2, head["y"])
                v = float(weights[o, i])
                for key, value in (("x", a[0] + HOVER_AT * (b[0] - a[0])),
                                   ("y", a[1] + HOVER_AT * (b[1] - a[1])), ("w", v),
                                   ("text", f"{tail['name']} → {head['name']}")):
                    mid[key].append(value)
                if v != 0:
                    xs, ys = segs[(1 if v > 0 else -1, int(bucket[o, i]))]
                    xs += [a[0], b[0], None]
                    ys += [a[1], b[1], None]
    traces, shown = [], set()
    for (sign, b), (xs, ys) in segs.items():
        if xs:
            name = "w > 0" if sign > 0 else "w < 0"
            traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", hoverinfo="skip",
                               name=name, legendgroup=name, showlegend=name not in shown,
                               line=dict(color=POSITIVE if sign > 0 else NEGATIVE,
                                         dash="solid" if sign > 0 else NEGATIVE_DASH,
                                         width=widths[b]), meta=b))
            shown.add(name)
    traces.append(dict(type="scatter", x=mid["x"], y=mid["y"], customdata=_f32(mid["w"]),
                       text=mid["text"], mode="markers", name="weights", showlegend=False,
                       marker=dict(size=12, color="rgba(0,0,0,0)"),
                       hovertemplate="%{text}<br>w = %{customdata:.3f}<extra></extra>"))
    return traces


def network_figure(run: PlaygroundRun, frame: int, *, lecture: bool = False) -> go.Figure:
    """The network at snapshot `frame` (an index into frames.epoch), as Playground draws it: a
    column per layer; each input feature and hidden unit a heatmap of its UNIT_GRID² map
    (colours centred on 0), the output the boundary map (P; 0.5 white); links coloured by the
    weight's sign, as wide as its |w| bucket (WEIGHT_EDGES). Traces: the heatmaps (inputs,
    hidden layer by layer, output), the link lines, the links' hover markers (last)."""
    fr, s = run.frames, style.sizes(lecture)
    cols = _nodes(run, frame)
    traces = [_heatmap(node, c == len(cols) - 1) for c, nodes in enumerate(cols)
              for node in nodes]
    traces += _links(run, frame, cols, LECTURE_LINK_WIDTHS if lecture else LINK_WIDTHS)
    rows = max(len(c) for c in cols)
    top = (rows - 1) / 2 * PITCH_Y + NODE
    heads = ["input"] + [f"layer {k + 1}" for k in range(len(fr.units))] + ["output"]
    # every other head a line higher where neighbours could touch (large text, many columns)
    stagger = lecture or len(heads) > 4
    lift = s.font + 6 if stagger else 0
    notes = [dict(x=c * PITCH_X, y=top, text=h, showarrow=False, yanchor="bottom",
                  yshift=lift * (c % 2)) for c, h in enumerate(heads)]
    notes += [dict(x=-NODE / 2 - 0.15, y=n["y"], text=n["name"], showarrow=False,
                   xanchor="right") for n in cols[0]]  # the features' names
    half, label = OUTPUT / 2 + 0.2, 2.0  # x room for the features' names
    axis = dict(visible=False, fixedrange=True, showgrid=False, zeroline=False)
    layout = dict(
        title=dict(text=f"epoch {int(fr.epoch[frame])}"),
        annotations=notes,
        xaxis=dict(axis, range=[-half - label, (len(cols) - 1) * PITCH_X + half]),
        yaxis=dict(axis, range=[-top, top + (1.2 if lecture else 0.8) * (1 + stagger)],
                   scaleanchor="x",
                   scaleratio=1, constrain="domain"),
        legend=style.legend_below(), hovermode="closest", dragmode=False)
    height = max(s.height, 140 + (70 if lecture else 55) * rows)
    return style.finish({"data": traces, "layout": layout}, lecture=lecture, height=height)


def overfit_figure(over: OverfitRun, *, lecture: bool = False,
                   tol: float = OVERFIT_TOL) -> go.Figure:
    """The loss on one batch after 0 … k steps (log y), the tolerance (dashed) and the step
    where the loss first fell below it (a star), if it did. `tol`: the one the run used."""
    s = style.sizes(lecture)
    steps = np.arange(len(over.loss))
    traces = [dict(type="scatter", x=steps, y=_f32(over.loss), mode="lines", name="batch loss",
                   line=dict(color=style.color(0), width=s.line),
                   hovertemplate="step %{x}<br>loss %{y:.3g}<extra></extra>"),
              dict(type="scatter", x=[0, max(len(steps) - 1, 1)], y=[tol, tol], mode="lines",
                   name=f"tolerance {tol:g}", hoverinfo="skip",
                   line=dict(color=style.INK, dash="dash", width=max(1.5, s.line / 2)))]
    if over.reached_at is not None:
        k = over.reached_at
        traces.append(dict(type="scatter", x=[k], y=[float(over.loss[k])], mode="markers",
                           name=f"below tolerance after {k} steps",
                           marker=dict(symbol="star", size=2 * s.marker, color=STAR,
                                       line=dict(color=style.INK, width=1.5)),
                           hovertemplate="step %{x}<br>loss %{y:.3g}<extra></extra>"))
    title = (f"One batch of {len(over.y)} points: below {tol:g} after {over.reached_at} steps"
             if over.reached_at is not None else
             f"One batch of {len(over.y)} points: not below {tol:g} in {len(steps) - 1} steps")
    # lecture: decades only (plotly draws a log axis's 2 and 5 at ¾ size, and at 22 px they
    # ran into the powers of ten), and fewer steps
    layout = dict(title=dict(text=title),
                  xaxis=dict(title=dict(text="step"), nticks=4 if lecture else None),
                  yaxis=dict(title=dict(text="BCE loss (log scale)"), type="log",
                             exponentformat="power", dtick=1 if lecture else None),
                  legend=style.legend_below())
    return style.finish(go.Figure(data=traces, layout=layout), lecture=lecture)


# --- the numbers behind the charts (ui.chart's `data`) --------------------------------------

def points_data(data: PlaygroundData) -> dict:
    """The boundary chart's points: one row per point, its set and class."""
    n_own = len(data.x_train) - data.n_extra
    sets = ["train"] * n_own + ["yours"] * data.n_extra + ["test"] * len(data.x_test)
    x = np.concatenate([data.x_train, data.x_test])
    return {"set": sets, "x₁": x[:, 0], "x₂": x[:, 1],
            "class": np.concatenate([data.y_train, data.y_test])}


def loss_data(run: PlaygroundRun) -> dict:
    """The loss chart's curves: one row per epoch."""
    return {"epoch": run.epoch, "train loss": run.train_loss, "test loss": run.test_loss}


def weights_data(run: PlaygroundRun, frame: int) -> dict:
    """The network chart's links at snapshot `frame`: one row per weight, as the hover names
    it (tail → head), in the figure's order."""
    cols = _nodes(run, frame)
    rows: dict[str, list] = {"link": [], "w": []}
    for k, w in enumerate(run.frames.weights):
        for o, head in enumerate(cols[k + 1]):
            for i, tail in enumerate(cols[k]):
                rows["link"].append(f"{tail['name']} → {head['name']}")
                rows["w"].append(float(w[frame][o, i]))
    return rows


def overfit_data(over: OverfitRun) -> dict:
    """The one-batch check's curve: the loss after each step."""
    return {"step": np.arange(len(over.loss)), "batch loss": over.loss}
