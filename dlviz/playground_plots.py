"""Figures for the Network playground: pure functions of `dlviz.playground` results.

Colours as TensorFlow Playground's: blue for class 1 and positive values, orange for class 0
and negative ones (Okabe & Ito's pair, safe under the common colour-vision deficiencies);
class 0 is also drawn as circles and class 1 as diamonds, so no class differs by colour alone.

`boundary_figure` animates the run in the browser: one plotly frame per snapshot
(`frames.epoch`), with Play/Pause and an "epoch N" slider. Its last trace is an invisible
lattice of click targets on the boundary grid: a click with `on_select` reports a point
(`clicked_point` reads it), and its hover carries P(class 1), since plotly never lets a
heatmap win the hover over a nearby scatter point.
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
CLASS_COLORS = (style.color(1), style.color(0))  # class 0 orange, class 1 blue (Playground's)
CLASS_SYMBOLS = ("circle", "diamond")  # train; test adds "-open"
STUDENT_SYMBOLS = ("star", "star-diamond")  # the student's own points, larger
NEGATIVE, POSITIVE = CLASS_COLORS  # weights and unit outputs: orange < 0 < blue
TRAIN_LOSS, TEST_LOSS = style.color(2), style.color(4)  # green solid, purple dashed


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
                name=f"class {cls} · {label}", xaxis="x", yaxis="y",
                marker=dict(color=CLASS_COLORS[cls], symbol=symbol, size=s, line=line),
                unselected=dict(marker=dict(opacity=1)),  # a click must not dim the data
                hovertemplate=f"class {cls} ({label})<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}"
                              "<extra></extra>"))
    return traces


def _animation(epochs: np.ndarray, frames: list[dict], *, lecture: bool) -> dict:
    """Layout of the Play/Pause menu and the "epoch N" slider. Heatmaps are not animatable
    in plotly.js, so every frame redraws (a 50 × 50 map redraws in a few ms)."""
    still = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate",
             "transition": {"duration": 0}}
    play = {"frame": {"duration": 250, "redraw": True}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}
    font = style.sizes(lecture).font
    drop = 3 * font + 20  # px under the plot area: tick labels and the axis title
    labelled = len(epochs) <= (11 if lecture else 25)  # tick labels only while they fit
    return dict(
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=0, xanchor="left",
                          yanchor="top", pad=dict(t=drop + 14, r=10), showactive=False,
                          font=dict(size=font),
                          buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], still])])],
        sliders=[dict(active=len(frames) - 1, x=0.22, len=0.78, y=0, yanchor="top",
                      currentvalue=dict(prefix="epoch ", font=dict(size=font, color=style.INK)),
                      pad=dict(t=drop), ticklen=4 if labelled else 0, minorticklen=0,
                      font=dict(size=max(font - 4, 9),
                                color=style.INK if labelled else "rgba(0,0,0,0)"),
                      steps=[dict(label=f["name"], method="animate",
                                  args=[[f["name"]], still]) for f in frames])])


def _epoch_dot(run: PlaygroundRun, epoch: int) -> dict:
    """The shown epoch's train and test loss: the marker's x and y."""
    i = int(np.flatnonzero(run.epoch == epoch)[0])
    return {"x": [epoch, epoch], "y": [float(run.train_loss[i]), float(run.test_loss[i])]}


def _loss_panel(run: PlaygroundRun, s: style.Sizes) -> list[dict]:
    """Train and test loss per epoch and the shown epoch's marker (last), on x2/y2."""
    traces = [dict(type="scatter", x=run.epoch, y=_f32(values), mode="lines", name=name,
                   xaxis="x2", yaxis="y2", legend="legend2",
                   line=dict(color=colour, dash=dash, width=s.line),
                   hovertemplate=f"{name}<br>epoch %{{x}}: %{{y:.4f}}<extra></extra>")
              for name, values, colour, dash in (
                  ("train loss", run.train_loss, TRAIN_LOSS, "solid"),
                  ("test loss", run.test_loss, TEST_LOSS, "dash"))]
    traces.append(dict(type="scatter", mode="markers", name="epoch shown", xaxis="x2",
                       yaxis="y2", legend="legend2", hoverinfo="skip", cliponaxis=False,
                       **_epoch_dot(run, int(run.frames.epoch[-1])),
                       marker=dict(size=round(1.5 * s.marker), color=[TRAIN_LOSS, TEST_LOSS],
                                   line=dict(color=style.INK, width=1.5))))
    return traces


def _boundary_layout(run: PlaygroundRun, title: str | None, s: style.Sizes,
                     lecture: bool) -> dict:
    """Two panels: the square (equal scales) and the loss; the legends; a divergence note."""
    note = [] if run.diverged_at is None else [dict(
        text=f"diverged at epoch {run.diverged_at}: stopped", xref="x2 domain",
        yref="y2 domain", x=0.02, y=0.02, xanchor="left", yanchor="bottom", showarrow=False)]
    return dict(
        title=dict(text=title, x=0, xanchor="left", y=1, yref="container", yanchor="top",
                   pad=dict(t=10)),
        xaxis=dict(domain=[0, 0.46], range=[-HALF, HALF], title=dict(text="x₁"),
                   constrain="domain", showgrid=False, zeroline=False),
        yaxis=dict(range=[-HALF, HALF], title=dict(text="x₂"), scaleanchor="x", scaleratio=1,
                   constrain="domain", showgrid=False, zeroline=False),
        xaxis2=dict(domain=[0.7 if lecture else 0.64, 1], title=dict(text="epoch"),
                    anchor="y2", range=[0, max(int(run.epoch[-1]), 1)]),
        yaxis2=dict(title=dict(text="BCE loss"), anchor="x2", rangemode="tozero"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), annotations=note,
        legend2=dict(x=1, xanchor="right", y=1, yanchor="top", font=dict(size=s.font),
                     bgcolor="rgba(255,255,255,0.8)"),
        clickmode="event+select", dragmode="zoom", hovermode="closest")


def boundary_figure(run: PlaygroundRun, data: PlaygroundData, *, lecture: bool = False,
                    title: str | None = None) -> go.Figure:
    """Left: P(class 1) (trace 0, a contour coloured as a heatmap with the 0.5 line), the
    points, and the click targets (last trace); right: train and test loss per epoch with a
    marker at the shown epoch. One frame per snapshot updates the map, the click targets'
    P (their hover) and the marker. `title`: none by default (the page has headings)."""
    fr, s = run.frames, style.sizes(lecture)
    grid = _f32(fr.grid)
    prob = [_f32(p) for p in fr.prob]  # (GRID, GRID) each
    traces = [dict(type="contour", x=grid, y=grid, z=prob[-1], zmin=0, zmax=1,
                   colorscale=BOUNDARY_SCALE, name="P(class 1)", hoverinfo="skip",
                   contours=dict(start=0.5, end=0.5, size=1, coloring="heatmap"),
                   line=dict(color=style.INK, width=3 if lecture else 2),
                   colorbar=dict(title=dict(text="P(class 1)", side="right"), thickness=12,
                                 len=0.8, x=0.47, xanchor="left", tickvals=[0, 0.5, 1]))]
    traces += _points(data, s.marker) + _loss_panel(run, s)
    marker = len(traces) - 1
    cx, cy = np.meshgrid(grid, grid)  # x₁ fastest: the order of prob.ravel()
    traces.append(dict(type="scatter", x=cx.ravel(), y=cy.ravel(), customdata=prob[-1].ravel(),
                       mode="markers", name=CLICK_NAME, showlegend=False, xaxis="x", yaxis="y",
                       marker=dict(size=10, color="rgba(0,0,0,0)"),
                       selected=dict(marker=dict(opacity=0)),
                       hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>P(class 1) %{customdata:.3f}"
                                     "<extra></extra>"))
    frames = [{"name": str(int(e)), "traces": [0, marker, len(traces) - 1],
               "data": [{"type": "contour", "z": prob[i]},
                        dict(type="scatter", **_epoch_dot(run, int(e))),
                        {"type": "scatter", "customdata": prob[i].ravel()}]}
              for i, e in enumerate(fr.epoch)]
    layout = _boundary_layout(run, title, s, lecture) | _animation(fr.epoch, frames,
                                                                   lecture=lecture)
    fig = go.Figure(data=traces, layout=layout, frames=frames)
    fig = style.finish(fig, lecture=lecture, height=s.height + 140)
    fig.update_layout(margin_b=6 * s.font + 70)  # room for the play button and the slider
    if title is not None:  # above the legend, which sits on the plot area
        fig.update_layout(margin_t=s.title + 3 * s.font + 40)
    return fig


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
    notes = [dict(x=c * PITCH_X, y=top, text=h, showarrow=False, yanchor="bottom")
             for c, h in enumerate(heads)]
    notes += [dict(x=-NODE / 2 - 0.15, y=n["y"], text=n["name"], showarrow=False,
                   xanchor="right") for n in cols[0]]  # the features' names
    half, label = OUTPUT / 2 + 0.2, 2.0  # x room for the features' names
    axis = dict(visible=False, fixedrange=True, showgrid=False, zeroline=False)
    layout = dict(
        title=dict(text=f"epoch {int(fr.epoch[frame])}"),
        annotations=notes,
        xaxis=dict(axis, range=[-half - label, (len(cols) - 1) * PITCH_X + half]),
        yaxis=dict(axis, range=[-top, top + (1.2 if lecture else 0.8)], scaleanchor="x",
                   scaleratio=1, constrain="domain"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"),
        hovermode="closest", dragmode=False)
    height = max(s.height, 140 + (70 if lecture else 55) * rows)
    return style.finish(go.Figure(data=traces, layout=layout), lecture=lecture, height=height)

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
                           marker=dict(symbol="star", size=2 * s.marker, color="#FFD700",
                                       line=dict(color=style.INK, width=1.5)),
                           hovertemplate="step %{x}<br>loss %{y:.3g}<extra></extra>"))
    title = (f"One batch of {len(over.y)} points: below {tol:g} after {over.reached_at} steps"
             if over.reached_at is not None else
             f"One batch of {len(over.y)} points: not below {tol:g} in {len(steps) - 1} steps")
    layout = dict(title=dict(text=title), xaxis=dict(title=dict(text="step")),
                  yaxis=dict(title=dict(text="BCE loss (log scale)"), type="log",
                             exponentformat="power"),
                  # inside, top right: the loss falls away from that corner
                  legend=dict(x=1, xanchor="right", y=1, yanchor="top",
                              bgcolor="rgba(255,255,255,0.8)"))
    return style.finish(go.Figure(data=traces, layout=layout), lecture=lecture)
