"""Figures for the Loss-surfaces page: pure functions of `dlviz.surfaces_view` arrays.

Each figure shows the run up to one step (`step`: the page's player steps and plays it with
Streamlit controls, keyboard included); plotly frames, sliders and buttons are gone. The
contour's and the 1-D curve's last trace is an invisible grid of click targets: with
`on_select`, a click reports a point, which `surfaces.start_from_selection` turns into the
new start.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dlviz import style
from dlviz.landscape import Landscape
from dlviz.surfaces import Surface
from dlviz.surfaces_view import Grid, PathView, click_targets

# Path, current step and minima differ by marker AND colour, also for colour-blind students
# (the old vermillion path, orange ball and gold star all turned olive under deuteranopia).
# Minima lie in viridis' dark low end and on the 1-D chart's white: light colours, ink rims.
PATH = style.color(1)  # vermillion: the optimizer's path, circles on a line
BALL = style.color(4)  # black with a white rim: where the run is at the chosen step
TANGENT = style.color(5)  # indigo, dotted: the 1-D tangent (slope = gradient)
RIM = dict(color="white", width=2)  # the ball's rim: visible on dark and light colours alike
# kind → (symbol on a 2-D chart, on a 3-D one (no stars there), size, fill, legend name)
MINIMUM_STYLE = {"global": ("star", "diamond", 20, style.color(3), "global minimum"),
                 "local": ("diamond", "square", 12, style.color(2), "local minimum")}
CLICK_NAME = "click to start here"


def _f32(a) -> np.ndarray:
    """Single precision is plenty on screen and halves the payload."""
    return np.asarray(a, dtype=np.float32)


def _minima(surface: Surface, *, two_d: bool, lecture: bool) -> list[dict]:
    """The minima as scatter traces: (x, f) on a 1-D curve, (x, y) on a contour."""
    out = []
    for kind, (symbol, _, size, fill, label) in MINIMUM_STYLE.items():
        pts = [m for m in surface.minima if m.kind == kind]
        if pts:
            out.append(dict(
                type="scatter", x=[m.point[0] for m in pts],
                y=[m.point[1] if two_d else m.value for m in pts], mode="markers", name=label,
                hovertemplate=f"{label}<br>f = %{{text}}<extra></extra>",
                text=[f"{m.value:.4g}" for m in pts],
                marker=dict(symbol=symbol, size=size * (1.5 if lecture else 1), color=fill,
                            line=dict(color=style.INK, width=1.5))))
    return out


def _ball(x: list, y: list, *, size: int, **extra) -> dict:
    return dict(type="scatter", x=x, y=y, mode="markers", name="current step",
                marker=dict(size=size, color=BALL, line=RIM), **extra)


def _click(xs, ys, size: int) -> dict:
    return dict(type="scatter", x=_f32(xs), y=_f32(ys), mode="markers", name=CLICK_NAME,
                showlegend=False, hoverinfo="none", marker=dict(size=size, color="rgba(0,0,0,0)"))


def contour_figure(surface: Surface, grid: Grid, path: PathView, *, step: int | None = None,
                   lecture: bool = False) -> go.Figure:
    """Contour of f (log colours where the range is huge) with the path up to `step` (the
    last step when None), the ball there, the minima, and the click targets (last trace)."""
    k = path.shown(len(path.points) if step is None else step)
    colorbar = dict(title=dict(text="f" if not grid.log else "f (log)"), thickness=14)
    if grid.log:
        colorbar.update(tickvals=[t for t, _ in grid.ticks], ticktext=[s for _, s in grid.ticks])
    # 30 contour lines at lecture's 3-px floor would bury the colours: colours only there
    lines = dict(showlines=False) if lecture else dict(showlines=True)
    contour = dict(type="contour", x=_f32(grid.xs), y=_f32(grid.ys), z=_f32(grid.color),
                   customdata=_f32(grid.z), colorscale=style.SEQUENTIAL, ncontours=30,
                   contours=dict(coloring="heatmap", **lines), colorbar=colorbar, name="f",
                   hovertemplate="x %{x:.3g}, y %{y:.3g}<br>f %{customdata:.4g}<extra></extra>")
    if not lecture:
        contour["line"] = dict(width=0.5)
    pts = path.points[:k + 1]
    data = [contour,
            dict(type="scatter", x=pts[:, 0], y=pts[:, 1], mode="lines+markers", name="path",
                 legendgroup="path", line=dict(color=PATH), marker=dict(size=5, color=PATH),
                 customdata=path.losses[:k + 1],
                 hovertemplate="(%{x:.4g}, %{y:.4g})<br>f %{customdata:.4g}<extra>path</extra>"),
            dict(type="scatter", x=pts[:1, 0], y=pts[:1, 1], mode="markers", name="start",
                 legendgroup="path",
                 marker=dict(symbol="circle-open", size=14, color=PATH, line=dict(width=3))),
            *_minima(surface, two_d=True, lecture=lecture),
            _ball(pts[k:, 0], pts[k:, 1], size=16),
            _click(*click_targets(surface), 12)]
    (x_lo, x_hi), (y_lo, y_hi) = surface.domain
    layout = dict(title=dict(text=f"{surface.title}: click to set the start"),
                  xaxis=dict(range=[x_lo, x_hi], title=dict(text=_axis(surface, 0)),
                             showgrid=False, nticks=6),
                  yaxis=dict(range=[y_lo, y_hi], title=dict(text=_axis(surface, 1)),
                             showgrid=False, nticks=6),
                  legend=style.legend_below(), clickmode="event+select", dragmode="zoom",
                  uirevision=surface.name)  # a zoom survives the steps
    return _finish({"data": data, "layout": layout}, lecture)


def surface_figure(surface: Surface, grid: Grid, path: PathView, *, step: int | None = None,
                   lecture: bool = False) -> go.Figure:
    """The 3-D surface (log heights where the range is huge) with the path up to `step` on
    it and the ball there (none while the run is outside the box)."""
    k = path.shown(len(path.points) if step is None else step)

    def gaps(values):  # points outside the box become gaps in the line (JSON null)
        return [float(v) if ok else None for v, ok in
                zip(values[:k + 1], path.inside[:k + 1], strict=True)]

    here = [k] if path.inside[k] else []
    data = [dict(type="surface", x=_f32(grid.xs), y=_f32(grid.ys), z=_f32(grid.color),
                 customdata=_f32(grid.z), colorscale=style.SEQUENTIAL, showscale=False,
                 opacity=0.92, name="f",
                 hovertemplate="x %{x:.3g}, y %{y:.3g}<br>f %{customdata:.4g}<extra></extra>"),
            dict(type="scatter3d", x=gaps(path.points[:, 0]), y=gaps(path.points[:, 1]),
                 z=gaps(path.heights), connectgaps=False, mode="lines+markers", name="path",
                 line=dict(color=PATH, width=6), marker=dict(size=3, color=PATH))]
    for kind, (_, symbol, _, fill, label) in MINIMUM_STYLE.items():
        pts = [m for m in surface.minima if m.kind == kind]
        if pts:
            data.append(dict(type="scatter3d", x=[m.point[0] for m in pts],
                             y=[m.point[1] for m in pts], z=grid.to_color([m.value for m in pts]),
                             mode="markers", name=label, marker=dict(
                                 symbol=symbol, size=8 if kind == "global" else 5, color=fill,
                                 line=dict(color=style.INK, width=1))))
    data.append(dict(type="scatter3d", x=[float(path.points[i, 0]) for i in here],
                     y=[float(path.points[i, 1]) for i in here],
                     z=[float(path.heights[i]) for i in here], mode="markers",
                     name="current step", marker=dict(size=7, color=BALL, line=RIM)))
    ztitle = "log₁₀(f − min + δ)" if grid.log else "f"
    layout = dict(title=dict(text="The same surface in 3-D" + (" (log height)" if grid.log
                                                               else "")),
                  scene=dict(xaxis=dict(title=dict(text=_axis(surface, 0)),
                                        range=list(surface.domain[0]), nticks=5),
                             yaxis=dict(title=dict(text=_axis(surface, 1)),
                                        range=list(surface.domain[1]), nticks=5),
                             zaxis=dict(title=dict(text=ztitle), nticks=5),
                             aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.6),
                             camera=dict(eye=dict(x=1.5, y=-1.5, z=1.1))),
                  legend=style.legend_below(), uirevision=surface.name)  # a turned camera stays
    return _finish({"data": data, "layout": layout}, lecture)


def curve_figure(surface: Surface, grid: Grid, path: PathView, *, step: int | None = None,
                 lecture: bool = False) -> go.Figure:
    """A 1-D objective: the curve, a ball at every step up to `step`, the tangent (the
    gradient) there. The click targets (last trace) cover the plot."""
    k = path.shown(len(path.points) if step is None else step)
    pts, losses = path.points[:k + 1], path.losses[:k + 1]
    lo, hi = float(grid.z.min()), float(grid.z.max())
    pad = 0.08 * (hi - lo)
    # the y axis names the curve: out of the legend, which takes a phone chart's height
    data = [dict(type="scatter", x=grid.xs, y=grid.z, mode="lines", name="f(x)",
                 hoverinfo="skip", showlegend=False, line=dict(color=style.color(0))),
            # dashed (the curve is solid) at the usual width, not the old 1-px dotted line: it
            # must read from the back row
            dict(type="scatter", x=pts[:, 0], y=losses, mode="lines+markers", name="steps",
                 line=dict(color=PATH, dash="dash"), marker=dict(size=9, color=PATH, opacity=0.8),
                 hovertemplate="x %{x:.4g}<br>f %{y:.4g}<extra>step</extra>"),
            *_minima(surface, two_d=False, lecture=lecture),
            dict(type="scatter", x=path.tangents[k, :, 0], y=path.tangents[k, :, 1],
                 mode="lines", name="tangent: slope = gradient", hoverinfo="skip",
                 line=dict(color=TANGENT, dash="dot")),
            _ball(pts[k:, 0], losses[k:], size=20),
            _click(*click_targets(surface, (lo - pad, hi + pad)), 14)]
    layout = dict(title=dict(text=f"{surface.title}: click the curve to set the start"),
                  xaxis=dict(range=list(surface.domain[0]), title=dict(text="x")),
                  yaxis=dict(range=[lo - pad, hi + pad], title=dict(text="f(x)")),
                  legend=style.legend_below(), clickmode="event+select",
                  uirevision=surface.name)
    return _finish({"data": data, "layout": layout}, lecture)


def _plane_names(result: Landscape) -> tuple[str, str]:
    return ("PCA direction 1", "PCA direction 2") if result.plane == "pca" else (
        "direction d₁", "direction d₂")


def landscape_contour_figure(result: Landscape, *, lecture: bool = False) -> go.Figure:
    """Contour of log₁₀ loss on the plane, θ* at the origin; the PCA plane adds the path.

    Its own figure, not a subplot beside the 3-D one: on a phone the two columns stack, where
    one figure's colour bar covered half of the 3-D subplot."""
    a, b = _f32(result.alphas), _f32(result.betas)
    data = [dict(type="contour", x=a, y=b, z=_f32(result.log_loss),
                 customdata=_f32(result.loss), colorscale=style.SEQUENTIAL, ncontours=30,
                 hovertemplate="a %{x:.3g}, b %{y:.3g}<br>loss %{customdata:.4g}"
                               "<extra></extra>",
                 contours=dict(coloring="heatmap", showlines=not lecture), name="loss",
                 colorbar=dict(title=dict(text="log₁₀ loss"), thickness=14))]
    if len(result.path):
        p = result.path
        data.append(dict(type="scatter", x=p[:, 0], y=p[:, 1], mode="lines+markers",
                         name="training path", line=dict(color=PATH),
                         marker=dict(size=4, color=PATH), customdata=result.path_loss,
                         hovertemplate="epoch %{pointNumber}<br>loss %{customdata:.4g}"
                                       "<extra></extra>"))
    data.append(dict(type="scatter", x=[0.0], y=[0.0], mode="markers",
                     name="trained weights θ*", marker=dict(
                         symbol="star", size=18, color=MINIMUM_STYLE["global"][3],
                         line=dict(color=style.INK, width=1.5))))
    names, ticks = _plane_names(result), 4 if lecture else 6
    layout = dict(xaxis=dict(title=dict(text=names[0]), nticks=ticks, showgrid=False),
                  yaxis=dict(title=dict(text=names[1]), nticks=ticks, showgrid=False),
                  legend=style.legend_below())
    return _finish({"data": data, "layout": layout}, lecture)


def landscape_surface_figure(result: Landscape, *, lecture: bool = False) -> go.Figure:
    """The same log₁₀ loss as a 3-D surface; the PCA plane adds the path on it."""
    a, b = _f32(result.alphas), _f32(result.betas)
    data = [dict(type="surface", x=a, y=b, z=_f32(result.log_loss),
                 customdata=_f32(result.loss), colorscale=style.SEQUENTIAL, showscale=False,
                 hovertemplate="a %{x:.3g}, b %{y:.3g}<br>loss %{customdata:.4g}"
                               "<extra></extra>", name="loss")]
    if len(result.path):
        p = result.path
        data.append(dict(type="scatter3d", x=p[:, 0], y=p[:, 1], z=result.path_log_loss,
                         mode="lines", name="training path", line=dict(color=PATH, width=6)))
    names, ticks = _plane_names(result), 4 if lecture else 5
    layout = dict(scene=dict(xaxis=dict(title=dict(text=names[0]), nticks=ticks),
                             yaxis=dict(title=dict(text=names[1]), nticks=ticks),
                             zaxis=dict(title=dict(text="log₁₀ loss"), nticks=ticks),
                             aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.6)),
                  legend=style.legend_below(), uirevision="landscape")
    return _finish({"data": data, "layout": layout}, lecture)


def landscape_figure(result: Landscape, *, lecture: bool = False) -> tuple[go.Figure, go.Figure]:
    """(contour, 3-D surface) of log₁₀ loss on the plane: drawn side by side, stacked on a
    phone."""
    return (landscape_contour_figure(result, lecture=lecture),
            landscape_surface_figure(result, lecture=lecture))


def _axis(surface: Surface, i: int) -> str:
    if surface.name == "regression":
        return ("weight w", "bias b")[i]
    return ("x", "y")[i]


def _finish(spec: dict, lecture: bool) -> go.Figure:
    """The house look; built once from the dict (plotly's incremental calls cost more, and
    a step's figure is rebuilt on every frame the player shows)."""
    if lecture:  # the objective's selectbox above names the surface; the plot gets the room
        spec["layout"].pop("title", None)
    return style.finish(spec, lecture=lecture, height=style.sizes(lecture).height + 60)
