"""Figures of the Learning rate & momentum page: paths (animated), curves, and the map.

Builders only format: every number comes from a `Comparison`, a `Landscape`, an
`LrMomentumMap` or a `Theory`. NaN never reaches a figure (missing cells become None).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz import style
from dlviz.lr_momentum import OUTCOMES, Comparison, Landscape, RunSpec
from dlviz.lr_momentum_map import LrMomentumMap
from dlviz.lr_momentum_theory import Theory, bound_curve

MAX_FRAMES = 60


def _r(a, digits: int = 6) -> list:
    """Rounded plain floats (smaller JSON); non-finite entries become None."""
    values = np.asarray(a, dtype=np.float64).ravel().tolist()
    return [round(v, digits) if math.isfinite(v) else None for v in values]


def run_name(i: int, comp: Comparison) -> str:
    r = comp.runs[i]
    tail = f" — diverged at step {r.diverged_at}" if r.diverged_at is not None else ""
    return f"{i + 1}: {r.spec.label()}{tail}"


def frame_steps(comp: Comparison) -> list[int]:
    """The steps the animation shows: at most MAX_FRAMES, always the first and the last."""
    longest = max(len(r.points) for r in comp.runs) - 1
    return sorted({int(round(v)) for v in np.linspace(0, longest, min(MAX_FRAMES, longest + 1))})


def _coords(comp: Comparison, i: int, k: int, dim: int):
    r = comp.runs[i]
    j = min(k, len(r.points) - 1)  # a diverged run's ball stays at its last finite point
    if dim == 1:
        return [round(float(r.points[j, 0]), 6)], [round(float(r.losses[j]), 6)]
    return [round(float(r.points[j, 0]), 6)], [round(float(r.points[j, 1]), 6)]


def _scatter(x, y, **kw) -> dict:
    return dict(type="scatter", x=x, y=y, **kw)


def paths_figure(comp: Comparison, land: Landscape, *, minima=(), lecture: bool = False
                 ) -> go.Figure:
    """The runs on the objective: the 1-D curve with balls, or the 2-D contour with paths.

    `minima`: the surface's Minimum entries (star: global, circle: local). Plotly frames
    move one ball per run through frame_steps(comp), with play/pause and a step slider.
    Built as one dict (a new seed redraws it): plotly's incremental calls cost 4x more.
    """
    dim = comp.runs[0].points.shape[1]
    if dim == 1:
        data = [_scatter(_r(land.xs), _r(land.values), mode="lines", name="f(x)",
                         line=dict(color=style.INK, width=1.5), hoverinfo="skip")]
    else:
        data = [dict(type="contour", x=_r(land.xs), y=_r(land.ys),
                     z=[_r(row, 4) for row in land.shade], colorscale=style.SEQUENTIAL,
                     ncontours=30, showscale=False, opacity=0.45, line=dict(width=0.5),
                     hoverinfo="skip", name="f", contours=dict(coloring="heatmap",
                                                               showlines=True))]
    for m in minima:
        px, py = (m.point[0], m.value) if dim == 1 else m.point
        data.append(_scatter([px], [py], mode="markers", showlegend=False,
                             name=f"{m.kind} minimum",
                             hovertemplate=f"{m.kind} minimum<extra></extra>",
                             marker=dict(symbol="star" if m.kind == "global" else
                                         "circle-open", size=16, color=style.INK)))
    for i, r in enumerate(comp.runs):
        x, y = (r.points[:, 0], r.losses) if dim == 1 else (r.points[:, 0], r.points[:, 1])
        # 1-D: the iterates sit on the curve (chords between them would cut across it)
        data.append(_scatter(_r(x), _r(y), mode="markers" if dim == 1 else "lines+markers",
                             name=run_name(i, comp), legendgroup=str(i), opacity=0.6,
                             line=dict(color=style.color(i)),
                             marker=dict(color=style.color(i), size=7 if dim == 1 else 5)))
        if r.diverged_at is not None:
            data.append(_scatter(_r(x[-1:]), _r(y[-1:]), mode="markers", showlegend=False,
                                 legendgroup=str(i), name=f"run {i + 1} diverged",
                                 marker=dict(symbol="x", size=14, color=style.color(i))))
    first_ball = len(data)
    for i in range(len(comp.runs)):
        bx, by = _coords(comp, i, 0, dim)
        data.append(_scatter(bx, by, mode="markers", showlegend=False, legendgroup=str(i),
                             name=f"run {i + 1} now",
                             marker=dict(size=16, color=style.color(i),
                                         line=dict(width=2, color="white"))))
    (x_lo, x_hi), *rest = land_domain(land)
    layout = {"xaxis": {"range": [x_lo, x_hi]},  # no axis title: the animation controls sit there
              "legend": dict(orientation="h", y=1.02, yanchor="bottom", x=0)}
    if dim == 1:
        lo, hi = float(np.min(land.values)), float(np.max(land.values))
        layout["yaxis"] = {"range": [lo - 0.05 * (hi - lo), hi], "title": {"text": "f(x)"}}
    else:
        layout["yaxis"] = {"range": list(rest[0]), "title": {"text": "y"}}
    spec = {"data": data, "layout": layout,
            "frames": _animate(layout, comp, dim, first_ball)}
    fig = style.finish(spec, lecture=lecture, height=560 if lecture else 500)
    fig.layout.margin.update(t=20, b=110)  # legend above, animation controls below
    return fig


def land_domain(land: Landscape) -> list[tuple[float, float]]:
    out = [(float(land.xs[0]), float(land.xs[-1]))]
    if len(land.ys):
        out.append((float(land.ys[0]), float(land.ys[-1])))
    return out


def _animate(layout: dict, comp: Comparison, dim: int, first_ball: int) -> list[dict]:
    """The frames (each moves the balls, traces first_ball …), and the play/pause menu and
    step slider added to `layout`."""
    steps = frame_steps(comp)
    balls = list(range(first_ball, first_ball + len(comp.runs)))
    frames = [{"data": [_scatter(*_coords(comp, i, k, dim)) for i in range(len(comp.runs))],
               "traces": balls, "name": str(k)} for k in steps]
    play = dict(frame=dict(duration=120, redraw=False), transition=dict(duration=0),
                fromcurrent=True, mode="immediate")
    stop = dict(frame=dict(duration=0, redraw=False), mode="immediate")
    layout["updatemenus"] = [dict(
        type="buttons", direction="left", x=0, y=-0.14, xanchor="left", yanchor="top",
        pad=dict(t=0), buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                dict(label="❚❚ Pause", method="animate",
                                     args=[[None], stop])])]
    layout["sliders"] = [dict(active=0, x=0.3, len=0.7, y=-0.1, yanchor="top", pad=dict(t=0),
                              currentvalue=dict(prefix="step ", xanchor="right"),
                              steps=[dict(label=str(k), method="animate", args=[[str(k)], stop])
                                     for k in steps])]
    return frames


def curves_figure(comp: Comparison, *, lecture: bool = False) -> go.Figure:
    """Loss − f* (log y) and distance to the global minimum (log y) against step."""
    has_min = comp.f_star is not None
    spec = style.subplots(1, 2, horizontal_spacing=0.1, subplot_titles=(
        "Loss − f* (global minimum)" if has_min else "Loss",
        "Distance to the global minimum" if has_min else "(no minimum listed)"))
    layout = spec["layout"]
    for i, r in enumerate(comp.runs):
        steps = np.arange(len(r.losses)).tolist()
        common = dict(mode="lines", legendgroup=str(i), line=dict(color=style.color(i)))
        spec["data"].append(_scatter(steps, _r(r.gap, 9), name=run_name(i, comp), **common,
                                     xaxis="x", yaxis="y"))
        if has_min:
            spec["data"].append(_scatter(steps, _r(r.distance, 9), showlegend=False,
                                         name=f"run {i + 1} distance", **common,
                                         xaxis="x2", yaxis="y2"))
    for ref in ("x", "x2"):
        style.axis(layout, ref)["title"] = {"text": "step"}
    if has_min:
        for ref in ("y", "y2"):
            style.axis(layout, ref).update(type="log", exponentformat="power")
    layout["legend"] = dict(orientation="h", y=-0.3)
    return style.finish(spec, lecture=lecture, height=480 if lecture else 400)


def map_figure(lmap: LrMomentumMap, *, metric: str = "final", comp: Comparison | None = None,
               theory: Theory | None = None, lecture: bool = False,
               runs: Sequence[RunSpec] | None = None) -> go.Figure:
    """The lr × momentum heatmap (x: log10 lr), diverged cells in grey, current SGD runs
    as rings, the stability bound lr = 2(1 + μ)/L for quadratics, and an invisible scatter
    of cell centres that makes every cell clickable (plotly heatmaps emit no clicks).
    The rings are `runs`' settings, or else `comp`'s runs'."""
    if runs is None:
        runs = [r.spec for r in comp.runs] if comp is not None else []
    lx = np.log10(lmap.lrs)  # (n_lr,) the x axis is log10 lr, labelled as lr
    if metric == "steps":
        z = np.where(lmap.steps_to_converge >= 0, lmap.steps_to_converge, np.nan).T
        title, cbar = "Steps to converge (SGD)", "steps"
    else:
        z = np.where(lmap.diverged, np.nan, np.log10(np.maximum(lmap.gap, 1e-16))).T
        title, cbar = "Final loss − f* (SGD), log₁₀", "log₁₀(loss − f*)"
    div = np.where(lmap.diverged, 1.0, np.nan).T
    data = [dict(type="heatmap", x=lx.round(6), y=lmap.momentums, z=[_r(row, 4) for row in z],
                 colorscale=style.SEQUENTIAL, colorbar=dict(title=dict(text=cbar)),
                 hoverinfo="skip", name=title),
            dict(type="heatmap", x=lx.round(6), y=lmap.momentums, z=[_r(row) for row in div],
                 colorscale=[[0, "#BBBBBB"], [1, "#BBBBBB"]], showscale=False,
                 hoverinfo="skip", name="diverged"),
            _scatter([None], [None], mode="markers", name="diverged",
                     marker=dict(symbol="square", size=12, color="#BBBBBB"))]
    if metric == "steps":
        data.append(_scatter([None], [None], mode="markers", name="not converged (blank)",
                             marker=dict(symbol="square-open", size=12, color="#999999")))
    if theory is not None and theory.quadratic:
        bound = bound_curve(theory, lmap.momentums)
        keep = (bound >= lmap.lrs[0]) & (bound <= lmap.lrs[-1])
        if keep.any():
            data.append(_scatter(_r(np.log10(bound[keep])), _r(lmap.momentums[keep]),
                                 mode="lines", name="stability bound lr = 2(1+μ)/L",
                                 line=dict(color=style.INK, dash="dash")))
    for i, s in enumerate(runs):
        if s.optimizer == "sgd" and not (s.nesterov and s.momentum) and (
                lmap.lrs[0] <= s.lr <= lmap.lrs[-1]):
            data.append(_scatter([round(float(np.log10(s.lr)), 6)], [s.momentum],
                                 mode="markers", name=f"run {i + 1}", marker=dict(
                                     symbol="circle-open", size=18, color=style.color(i),
                                     line=dict(width=3))))
    gx, gy = np.meshgrid(lx, lmap.momentums, indexing="ij")  # (n_lr, n_mom)
    # numpy arrays (finite: the sweep's final loss is the last finite one) travel as compact
    # binary in plotly's JSON, which keeps this 1600-point layer cheap on every rerun
    custom = np.stack([np.repeat(lmap.lrs, len(lmap.momentums)), lmap.final_loss.ravel()], -1)
    data.append(_scatter(gx.ravel().round(6), gy.ravel().round(6), mode="markers",
                         name="cells", showlegend=False, customdata=custom,
                         marker=dict(size=9, color="rgba(0,0,0,0)", symbol="square"),
                         hovertemplate="lr %{customdata[0]:.2g}, μ %{y}<br>final loss "
                                       "%{customdata[1]:.4g}<br>click: add this run"
                                       "<extra></extra>"))
    decades = range(int(np.floor(lx[0])), int(np.ceil(lx[-1])) + 1)
    layout = {"xaxis": dict(title=dict(text="learning rate (log scale)"),
                            tickvals=list(decades), ticktext=[f"{10.0**d:g}" for d in decades],
                            range=[lx[0] - 0.07, lx[-1] + 0.07]),
              "yaxis": dict(title=dict(text="momentum μ"),
                            range=[-0.045, lmap.momentums[-1] + 0.03]),
              "title": dict(text=title), "legend": dict(orientation="h", y=-0.2),
              "clickmode": "event+select"}
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=560 if lecture else 480)


def outcome_text(comp: Comparison, i: int) -> str:
    r = comp.runs[i]
    if r.diverged_at is not None:
        return f"diverged at step {r.diverged_at}"
    return OUTCOMES[r.outcome]
