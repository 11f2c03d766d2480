"""Figures for the Loss-surfaces page: pure functions of `dlviz.surfaces_view` arrays.

The contour and the 1-D curve animate the run with plotly frames (play, pause and a step
slider run in the browser, no rerun per frame). Their last trace is an invisible grid of
click targets: with `on_select`, a click reports a point, which `surfaces.start_from_selection`
turns into the new start.
"""

from __future__ import annotations

import copy
import functools

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz import style
from dlviz.landscape import Landscape
from dlviz.surfaces import Surface
from dlviz.surfaces_view import Grid, PathView, click_targets

PATH = style.color(3)  # vermillion: the optimizer's path
BALL = style.color(1)  # orange: where the run is now
MINIMUM_STYLE = {"global": ("star", 20, "global minimum"), "local": ("circle", 12,
                                                                     "local minimum")}
CLICK_NAME = "click to start here"


def _f32(a) -> np.ndarray:
    """Single precision is plenty on screen and halves the payload."""
    return np.asarray(a, dtype=np.float32)


def _minima(fig: go.Figure, surface: Surface, *, ys=None, lecture: bool) -> None:
    for kind, (symbol, size, label) in MINIMUM_STYLE.items():
        pts = [m for m in surface.minima if m.kind == kind]
        if not pts:
            continue
        fig.add_scatter(
            x=[m.point[0] for m in pts],
            y=[m.value for m in pts] if ys is None else [m.point[1] for m in pts],
            mode="markers", name=label, hovertemplate=f"{label}<br>f = %{{text}}<extra></extra>",
            text=[f"{m.value:.4g}" for m in pts],
            marker=dict(symbol=symbol, size=size * (1.5 if lecture else 1),
                        color="white" if kind == "local" else "#FFD700",
                        line=dict(color=style.INK, width=1.5)))


def _animation(fig: go.Figure, path: PathView, frame_data, traces: list[int], *,
               lecture: bool) -> None:
    """Frames, a play/pause menu and a step slider; `frame_data(k)` → the traces at step k."""
    # plain dicts and lists: plotly validates numpy arrays slowly, and there are many frames
    fig.frames = [{"name": str(int(k)), "data": [dict(d, type="scatter") for d in
                                                 frame_data(int(k))], "traces": traces}
                  for k in path.frames]
    still = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
             "transition": {"duration": 0}}
    play = {"frame": {"duration": 80, "redraw": False}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}
    font = style.sizes(lecture).font
    drop = 3 * font + 20  # px under the plot area: tick labels and the axis title
    fig.update_layout(
        # below the x axis (its ticks and title): offsets in px, so they hold at any height
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=0, xanchor="left",
                          yanchor="top", pad=dict(t=drop + 14, r=10), showactive=False,
                          font=dict(size=font),
                          buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], still])])],
        sliders=[dict(active=len(path.frames) - 1, x=0.3,
                      len=0.7, y=0, yanchor="top",
                      currentvalue=dict(prefix="step ", font=dict(size=font, color=style.INK)),
                      pad=dict(t=drop), ticklen=4 if len(path.frames) <= 25 else 0,
                      minorticklen=0,
                      # one label per step only while they fit; the current step is above
                      font=dict(size=max(font - 4, 9), color=style.INK if
                                len(path.frames) <= 25 else "rgba(0,0,0,0)"),
                      steps=[dict(label=str(int(k)), method="animate",
                                  args=[[str(int(k))], still]) for k in path.frames])],
    )


def contour_figure(surface: Surface, grid: Grid, path: PathView, *,
                   lecture: bool = False) -> go.Figure:
    """Contour of f (log colours where the range is huge) with the path, the minima, an
    animated ball, and the click targets (last trace)."""
    fig = go.Figure()
    colorbar = dict(title=dict(text="f" if not grid.log else "f (log)"), thickness=14)
    if grid.log:
        colorbar.update(tickvals=[t for t, _ in grid.ticks], ticktext=[s for _, s in grid.ticks])
    fig.add_contour(x=_f32(grid.xs), y=_f32(grid.ys), z=_f32(grid.color),
                    customdata=_f32(grid.z), colorscale=style.SEQUENTIAL, ncontours=30,
                    contours=dict(coloring="heatmap", showlines=True), line=dict(width=0.5),
                    colorbar=colorbar, name="f",
                    hovertemplate="x %{x:.3g}, y %{y:.3g}<br>f %{customdata:.4g}<extra></extra>")
    pts = path.points
    fig.add_scatter(x=pts[:, 0], y=pts[:, 1], mode="lines+markers", name="path",
                    line=dict(color=PATH), marker=dict(size=4, color=PATH),
                    customdata=path.losses,
                    hovertemplate="(%{x:.4g}, %{y:.4g})<br>f %{customdata:.4g}<extra>path</extra>")
    fig.add_scatter(x=pts[:1, 0], y=pts[:1, 1], mode="markers", name="start",
                    marker=dict(symbol="circle-open", size=14, color=PATH, line=dict(width=3)))
    _minima(fig, surface, ys=True, lecture=lecture)
    k_last = int(path.frames[-1])
    ball = len(fig.data)
    fig.add_scatter(x=pts[k_last:k_last + 1, 0], y=pts[k_last:k_last + 1, 1], mode="markers",
                    name="current step", marker=dict(size=16, color=BALL,
                                                     line=dict(color=style.INK, width=2)))
    cx, cy = click_targets(surface)
    fig.add_scatter(x=_f32(cx), y=_f32(cy), mode="markers", name=CLICK_NAME, showlegend=False,
                    hoverinfo="none", marker=dict(size=12, color="rgba(0,0,0,0)"))
    _animation(fig, path, lambda k: [{"x": [float(pts[k, 0])], "y": [float(pts[k, 1])]}],
               [ball], lecture=lecture)
    (x_lo, x_hi), (y_lo, y_hi) = surface.domain
    fig.update_xaxes(range=[x_lo, x_hi], title_text=_axis(surface, 0), showgrid=False)
    fig.update_yaxes(range=[y_lo, y_hi], title_text=_axis(surface, 1), showgrid=False)
    fig.update_layout(title_text=f"{surface.title}: click to set the start",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
                      clickmode="event+select", dragmode="zoom")
    return _finish(fig, lecture)


def surface_figure(surface: Surface, grid: Grid, path: PathView, *,
                   lecture: bool = False) -> go.Figure:
    """The 3-D surface (log heights where the range is huge) with the path on it."""
    fig = go.Figure()
    fig.add_surface(x=_f32(grid.xs), y=_f32(grid.ys), z=_f32(grid.color),
                    customdata=_f32(grid.z), colorscale=style.SEQUENTIAL, showscale=False,
                    opacity=0.92, name="f",
                    hovertemplate="x %{x:.3g}, y %{y:.3g}<br>f %{customdata:.4g}<extra></extra>")
    def gaps(values):  # points outside the box become gaps in the line (JSON null)
        return [float(v) if ok else None for v, ok in zip(values, path.inside, strict=True)]

    fig.add_scatter3d(x=gaps(path.points[:, 0]), y=gaps(path.points[:, 1]),
                      z=gaps(path.heights), connectgaps=False, mode="lines+markers",
                      name="path", line=dict(color=PATH, width=6),
                      marker=dict(size=3, color=PATH))
    for kind, (_, _, label) in MINIMUM_STYLE.items():
        pts = [m for m in surface.minima if m.kind == kind]
        if pts:
            fig.add_scatter3d(x=[m.point[0] for m in pts], y=[m.point[1] for m in pts],
                              z=grid.to_color([m.value for m in pts]), mode="markers",
                              name=label, marker=dict(
                                  symbol="diamond" if kind == "global" else "circle",
                                  size=8 if kind == "global" else 5,
                                  color="#FFD700" if kind == "global" else "white",
                                  line=dict(color=style.INK, width=1)))
    ztitle = "log₁₀(f − min + δ)" if grid.log else "f"
    fig.update_layout(title_text="The same surface in 3-D" + (" (log height)" if grid.log
                                                              else ""),
                      scene=dict(xaxis=dict(title=_axis(surface, 0), range=surface.domain[0]),
                                 yaxis=dict(title=_axis(surface, 1), range=surface.domain[1]),
                                 zaxis_title=ztitle, aspectmode="manual",
                                 aspectratio=dict(x=1, y=1, z=0.6),
                                 camera=dict(eye=dict(x=1.5, y=-1.5, z=1.1))),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    return _finish(fig, lecture)


def curve_figure(surface: Surface, grid: Grid, path: PathView, *,
                 lecture: bool = False) -> go.Figure:
    """A 1-D objective: the curve, a ball at every step, and the tangent (the gradient) at
    the animated step. The click targets (last trace) sit on the curve."""
    fig = go.Figure()
    fig.add_scatter(x=grid.xs, y=grid.z, mode="lines", name="f(x)", hoverinfo="skip",
                    line=dict(color=style.color(0)))
    pts = path.points
    fig.add_scatter(x=pts[:, 0], y=path.losses, mode="lines+markers", name="steps",
                    line=dict(color=PATH, width=1, dash="dot"),
                    marker=dict(size=9, color=PATH, opacity=0.6),
                    hovertemplate="x %{x:.4g}<br>f %{y:.4g}<extra>step</extra>")
    _minima(fig, surface, lecture=lecture)
    k_last = int(path.frames[-1])
    i_last = len(path.frames) - 1
    tangent = len(fig.data)
    fig.add_scatter(x=path.tangents[i_last, :, 0], y=path.tangents[i_last, :, 1], mode="lines",
                    name="tangent: slope = gradient", hoverinfo="skip",
                    line=dict(color=style.INK, dash="dash"))
    fig.add_scatter(x=pts[k_last:k_last + 1, 0], y=path.losses[k_last:k_last + 1],
                    mode="markers", name="ball (this step)",
                    marker=dict(size=20, color=BALL, line=dict(color=style.INK, width=2)))
    lo, hi = float(grid.z.min()), float(grid.z.max())
    pad = 0.08 * (hi - lo)
    cx, cy = click_targets(surface, (lo - pad, hi + pad))
    fig.add_scatter(x=_f32(cx), y=_f32(cy), mode="markers", name=CLICK_NAME, showlegend=False,
                    hoverinfo="none", marker=dict(size=14, color="rgba(0,0,0,0)"))
    index = {int(k): i for i, k in enumerate(path.frames)}
    _animation(fig, path, lambda k: [
        {"x": path.tangents[index[k], :, 0].tolist(), "y": path.tangents[index[k], :, 1].tolist()},
        {"x": [float(pts[k, 0])], "y": [float(path.losses[k])]}], [tangent, tangent + 1],
        lecture=lecture)
    fig.update_xaxes(range=list(surface.domain[0]), title_text="x")
    fig.update_yaxes(range=[lo - pad, hi + pad], title_text="f(x)")
    fig.update_layout(title_text=f"{surface.title}: click the curve to set the start",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
                      clickmode="event+select")
    return _finish(fig, lecture)


@functools.lru_cache(maxsize=1)
def _landscape_layout() -> dict:
    """make_subplots' layout for the contour (xy) beside the 3-D surface (scene), once."""
    return make_subplots(rows=1, cols=2, specs=[[{"type": "xy"}, {"type": "scene"}]],
                         column_widths=[0.5, 0.5], horizontal_spacing=0.06).to_dict()["layout"]


def landscape_figure(result: Landscape, *, lecture: bool = False) -> go.Figure:
    """Contour and 3-D surface of log₁₀ loss on the plane; the PCA plane adds the path.

    Built as one dict (a new seed redraws it): plotly's incremental calls cost 4x more."""
    a, b = _f32(result.alphas), _f32(result.betas)
    hover = "a %{x:.3g}, b %{y:.3g}<br>loss %{customdata:.4g}<extra></extra>"
    xy, scene = {"xaxis": "x", "yaxis": "y"}, {"scene": "scene"}
    data = [dict(type="contour", x=a, y=b, z=_f32(result.log_loss),
                 customdata=_f32(result.loss), colorscale=style.SEQUENTIAL, ncontours=30,
                 hovertemplate=hover, contours=dict(coloring="heatmap"), name="loss",
                 colorbar=dict(title=dict(text="log₁₀ loss"), thickness=14, x=0.46), **xy),
            dict(type="surface", x=a, y=b, z=_f32(result.log_loss),
                 customdata=_f32(result.loss), colorscale=style.SEQUENTIAL, showscale=False,
                 hovertemplate=hover, name="loss", **scene)]
    if len(result.path):
        p = result.path
        data.append(dict(type="scatter", x=p[:, 0], y=p[:, 1], mode="lines+markers",
                         name="training path", line=dict(color=PATH),
                         marker=dict(size=4, color=PATH), customdata=result.path_loss,
                         hovertemplate="epoch %{pointNumber}<br>loss %{customdata:.4g}"
                                       "<extra></extra>", **xy))
        data.append(dict(type="scatter3d", x=p[:, 0], y=p[:, 1], z=result.path_log_loss,
                         mode="lines", name="training path", showlegend=False,
                         line=dict(color=PATH, width=6), **scene))
    data.append(dict(type="scatter", x=[0.0], y=[0.0], mode="markers",
                     name="trained weights θ*", marker=dict(
                         symbol="star", size=18, color="#FFD700",
                         line=dict(color=style.INK, width=1.5)), **xy))
    names = ("PCA direction 1", "PCA direction 2") if result.plane == "pca" else (
        "direction d₁", "direction d₂")
    layout = copy.deepcopy(_landscape_layout())
    layout["xaxis"]["title"] = {"text": names[0]}
    layout["yaxis"]["title"] = {"text": names[1]}
    layout["scene"].update(xaxis={"title": {"text": names[0]}},
                           yaxis={"title": {"text": names[1]}},
                           zaxis={"title": {"text": "log₁₀ loss"}},
                           aspectratio=dict(x=1, y=1, z=0.6))
    layout["legend"] = dict(orientation="h", yanchor="bottom", y=1.02, x=0)
    return _finish({"data": data, "layout": layout}, lecture)


def _axis(surface: Surface, i: int) -> str:
    if surface.name == "regression":
        return ("weight w", "bias b")[i]
    return ("x", "y")[i]


def _finish(fig: go.Figure | dict, lecture: bool) -> go.Figure:
    s = style.sizes(lecture)
    fig = style.finish(fig, lecture=lecture, height=s.height + 80)
    if fig.layout.sliders:  # room below the axes for the play button and the step slider
        fig.update_layout(margin_b=6 * s.font + 70)
    if lecture:  # the page header names the surface; the legend gets the room instead
        fig.update_layout(title_text=None, margin_t=20 + 2 * s.font)
    return fig
