"""Figures of the Learning rate & momentum page: paths (one figure per animation frame,
stepped by the page's player), curves, and the map.

Builders only format: every number comes from a `Comparison`, a `Landscape`, an
`LrMomentumMap` or a `Theory`. NaN never reaches a figure (missing cells become None).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz import lr_momentum as lm
from dlviz import style
from dlviz.lr_momentum import OUTCOMES, Comparison, Landscape, RunSpec
from dlviz.lr_momentum_map import LrMomentumMap
from dlviz.lr_momentum_theory import Theory, bound_curve


def _r(a, digits: int = 6) -> list:
    """Rounded plain floats (smaller JSON); non-finite entries become None."""
    values = np.asarray(a, dtype=np.float64).ravel().tolist()
    return [round(v, digits) if math.isfinite(v) else None for v in values]


def run_name(i: int, comp: Comparison) -> str:
    r = comp.runs[i]
    tail = f" — diverged at step {r.diverged_at}" if r.diverged_at is not None else ""
    return f"{i + 1}: {r.spec.label()}{tail}"


def frame_steps(comp: Comparison) -> list[int]:
    """The steps the animation's frames show (frame i: step frame_steps(comp)[i]): at most
    MAX_FRAMES, always the first and the longest run's last."""
    return lm.frame_steps(max(r.spec.steps for r in comp.runs))


def frame_title(comp: Comparison, frame: int) -> str:
    steps = frame_steps(comp)
    return f"The runs after step {steps[frame]} of {steps[-1]}"


def _coords(comp: Comparison, i: int, k: int, dim: int):
    r = comp.runs[i]
    j = min(k, len(r.points) - 1)  # a diverged run's ball stays at its last finite point
    if dim == 1:
        return [round(float(r.points[j, 0]), 6)], [round(float(r.losses[j]), 6)]
    return [round(float(r.points[j, 0]), 6)], [round(float(r.points[j, 1]), 6)]


def _scatter(x, y, **kw) -> dict:
    return dict(type="scatter", x=x, y=y, **kw)


def _ball_name(i: int) -> str:
    return f"run {i + 1} now"


def paths_figure(comp: Comparison, land: Landscape, *, minima=(), lecture: bool = False
                 ) -> go.Figure:
    """The runs on the objective: the 1-D curve with balls, or the 2-D contour with paths,
    each run's ball at the animation's last frame (`frame_figure` moves them).

    `minima`: the surface's Minimum entries (star: global, circle: local). Runs differ by
    colour, dash and marker (style.series). Built as one dict: plotly's incremental calls
    cost 4x more.
    """
    dim = comp.runs[0].points.shape[1]
    if dim == 1:
        data = [_scatter(_r(land.xs), _r(land.values), mode="lines", name="f(x)",
                         line=dict(color=style.INK, width=2), hoverinfo="skip")]
    else:  # in lecture mode the contour lines would be floored to 3 px: colour alone there
        data = [dict(type="contour", x=_r(land.xs), y=_r(land.ys),
                     z=[_r(row, 4) for row in land.shade], colorscale=style.SEQUENTIAL,
                     ncontours=30, showscale=False, opacity=0.45, line=dict(width=0.5),
                     hoverinfo="skip", name="f", contours=dict(coloring="heatmap",
                                                               showlines=not lecture))]
    for m in minima:
        px, py = (m.point[0], m.value) if dim == 1 else m.point
        data.append(_scatter([px], [py], mode="markers", showlegend=False,
                             name=f"{m.kind} minimum",
                             hovertemplate=f"{m.kind} minimum<extra></extra>",
                             marker=dict(symbol="star" if m.kind == "global" else
                                         "circle-open", size=16, color=style.INK)))
    for i, r in enumerate(comp.runs):
        look = style.series(i)
        x, y = (r.points[:, 0], r.losses) if dim == 1 else (r.points[:, 0], r.points[:, 1])
        # 1-D: the iterates sit on the curve (chords between them would cut across it)
        data.append(_scatter(_r(x), _r(y), mode="markers" if dim == 1 else "lines+markers",
                             name=run_name(i, comp), legendgroup=str(i), opacity=0.6 if dim
                             == 1 else 0.75, line=dict(color=look["color"], dash=look["dash"]),
                             marker=dict(color=look["color"], symbol=look["symbol"],
                                         size=8 if dim == 1 else 6)))
        if r.diverged_at is not None:
            data.append(_scatter(_r(x[-1:]), _r(y[-1:]), mode="markers", showlegend=False,
                                 legendgroup=str(i), name=f"run {i + 1} diverged",
                                 marker=dict(symbol="x", size=14, color=look["color"])))
    last = len(frame_steps(comp)) - 1
    for i in range(len(comp.runs)):
        look = style.series(i)
        bx, by = _coords(comp, i, frame_steps(comp)[last], dim)
        data.append(_scatter(bx, by, mode="markers", showlegend=False, legendgroup=str(i),
                             name=_ball_name(i),
                             marker=dict(size=16, color=look["color"], symbol=look["symbol"],
                                         line=dict(width=2, color="white"))))
    (x_lo, x_hi), *rest = land_domain(land)
    layout = {"xaxis": {"range": [x_lo, x_hi], "title": {"text": "x"}, "nticks": 6},
              "legend": style.legend_below(), "title": {"text": frame_title(comp, last)}}
    if dim == 1:
        lo, hi = float(np.min(land.values)), float(np.max(land.values))
        layout["yaxis"] = {"range": [lo - 0.05 * (hi - lo), hi], "title": {"text": "f(x)"}}
    else:
        layout["yaxis"] = {"range": list(rest[0]), "title": {"text": "y"}}
    # lecture: 500 px, the whole chart under the title on a 1280×720 projector
    return style.finish({"data": data, "layout": layout}, lecture=lecture, height=500)


def frame_figure(spec: dict, comp: Comparison, frame: int) -> go.Figure:
    """`paths_figure`'s dict (`spec`, not changed) with each run's ball after the step of
    animation frame `frame`, and that step in the title.

    Only the balls' coordinates are new: the rest of the (already validated) figure is
    shared, so a frame costs a few ms instead of a full build."""
    dim = comp.runs[0].points.shape[1]
    k = frame_steps(comp)[frame]
    balls = {_ball_name(i): _coords(comp, i, k, dim) for i in range(len(comp.runs))}
    data = [{**t, "x": balls[t["name"]][0], "y": balls[t["name"]][1]}
            if t.get("name") in balls else t for t in spec["data"]]
    layout = {**spec["layout"], "title": {**spec["layout"].get("title", {}),
                                          "text": frame_title(comp, frame)}}
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def land_domain(land: Landscape) -> list[tuple[float, float]]:
    out = [(float(land.xs[0]), float(land.xs[-1]))]
    if len(land.ys):
        out.append((float(land.ys[0]), float(land.ys[-1])))
    return out


def curves_figure(comp: Comparison, *, lecture: bool = False) -> go.Figure:
    """Loss − f* (log y) over distance to the global minimum (log y), against step.

    Stacked, not side by side: two panels sharing a 358-px phone chart left their titles
    over each other and under the toolbar; each y axis is titled instead."""
    has_min = comp.f_star is not None
    spec = style.subplots(2 if has_min else 1, 1, shared_xaxes=True, vertical_spacing=0.08)
    layout = spec["layout"]
    for i, r in enumerate(comp.runs):
        steps = np.arange(len(r.losses)).tolist()
        look = style.series(i)
        common = dict(mode="lines", legendgroup=str(i),
                      line=dict(color=look["color"], dash=look["dash"]))
        spec["data"].append(_scatter(steps, _r(r.gap, 9), name=run_name(i, comp), **common,
                                     xaxis="x", yaxis="y"))
        if has_min:
            spec["data"].append(_scatter(steps, _r(r.distance, 9), showlegend=False,
                                         name=f"run {i + 1} distance", **common,
                                         xaxis="x2", yaxis="y2"))
    style.axis(layout, "x2" if has_min else "x").update(title={"text": "step"}, nticks=6)
    style.axis(layout, "y")["title"] = {"text": "loss − f*" if has_min else "loss"}
    if has_min:
        style.axis(layout, "y2")["title"] = {"text": "distance"}
        for ref in ("y", "y2"):
            style.axis(layout, ref).update(type="log", exponentformat="power", nticks=4)
    layout["legend"] = style.legend_below()
    return style.finish(spec, lecture=lecture, height=(620 if lecture else 520) if has_min
                        else (420 if lecture else 360))


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
        title, cbar = ("Steps to converge (SGD): grey cells diverged, blank ones did not "
                       "converge"), "steps"
    else:
        z = np.where(lmap.diverged, np.nan, np.log10(np.maximum(lmap.gap, 1e-16))).T
        title, cbar = "Final loss − f* (SGD), log₁₀: grey cells diverged", "log₁₀(loss − f*)"
    div = np.where(lmap.diverged, 1.0, np.nan).T
    data = [dict(type="heatmap", x=lx.round(6), y=lmap.momentums, z=[_r(row, 4) for row in z],
                 colorscale=style.SEQUENTIAL,  # title along the bar: a phone keeps its width
                 colorbar=dict(title=dict(text=cbar, side="right"), thickness=14),
                 hoverinfo="skip", name=title),
            dict(type="heatmap", x=lx.round(6), y=lmap.momentums, z=[_r(row) for row in div],
                 colorscale=[[0, "#BBBBBB"], [1, "#BBBBBB"]], showscale=False,
                 hoverinfo="skip", name="diverged")]
    # the grey and blank cells are keyed in the title (page text): a legend swatch of light
    # grey would be a series as faint as yellow, and as close to green for deuteranopes
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
                                     symbol=style.series(i)["symbol"] + "-open", size=18,
                                     color=style.color(i), line=dict(width=3))))
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
    lo, hi = int(np.floor(lx[0])), int(np.ceil(lx[-1]))
    # a 358-px phone chart holds 4 labels, 2–3 at lecture size
    decades = range(lo, hi + 1, 1 if hi - lo <= (2 if lecture else 4) else 2)
    layout = {"xaxis": dict(title=dict(text="learning rate (log scale)"),
                            tickvals=list(decades), ticktext=[_power(d) for d in decades],
                            range=[lx[0] - 0.07, lx[-1] + 0.07]),
              "yaxis": dict(title=dict(text="momentum μ"), nticks=5,
                            range=[-0.045, lmap.momentums[-1] + 0.03]),
              "title": dict(text=title), "legend": style.legend_below(),
              "clickmode": "event+select"}
    return style.finish({"data": data, "layout": layout}, lecture=lecture,
                        height=560 if lecture else 480)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power(decade: int) -> str:
    """10^decade as a short tick label: 1, 10, 10⁻³."""
    return {0: "1", 1: "10"}.get(decade, "10" + str(decade).translate(_SUPERSCRIPT))


def outcome_text(comp: Comparison, i: int) -> str:
    r = comp.runs[i]
    if r.diverged_at is not None:
        return f"diverged at step {r.diverged_at}"
    return OUTCOMES[r.outcome]
