"""One look for every figure: a colour-blind-safe palette and the lecture-mode sizes.

Figure builders call `finish(fig, lecture=...)` last; they never pick colours or font sizes
themselves, so a projector-readable figure is one flag away everywhere.
"""

from __future__ import annotations

import base64
import copy
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.utils import is_homogeneous_array, is_skipped_key, to_typed_array_spec
from plotly.colors import get_colorscale

# Every figure used to deep-copy plotly's default template on construction (~100 ms each):
# the house look below is set explicitly instead, so no template is needed at all.
pio.templates.default = "none"

# Okabe & Ito (2008)'s colour-universal-design colours, with indigo from Paul Tol's "muted"
# set, kept only where every pair stays apart for deuteranopes and protanopes: simulated
# (Machado et al. 2009, full severity), each pair is at least MIN_CVD_DISTANCE apart in
# CIELAB (tests/test_colour_vision.py simulates every page's figures). Orange and yellow are
# out (orange/vermillion and orange/yellow merge for deuteranopes; yellow is 1.3:1 on white),
# reddish purple too (it merges with blue for protanopes, with green for deuteranopes).
# Series drawn together also differ by dash and marker (`series`), never by colour alone.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#332288",  # indigo
)
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "x", "star")
MIN_CVD_DISTANCE = 24.0  # CIELAB ΔE*ab between simultaneous series, under each simulation
# Lecture mode's floors for what a projector must show from the back row.
LECTURE_MIN_LINE = 3.0  # px, every data line and shape outline
LECTURE_MIN_MARKER = 10  # px
LECTURE_MIN_TEXT = 18  # px, every text in a figure
INK = "#222222"
GRID = "#E5E5E5"
SHADE = "rgba(213, 94, 0, 0.12)"  # vermillion, translucent: "look here" regions
# Sequential and diverging colour scales that stay readable in grey and for deuteranopes,
# as plotly.py's validation spells them out (figures are built unvalidated, see `finish`;
# plotly.js has its own, different "RdBu").
SEQUENTIAL = get_colorscale("Viridis")
DIVERGING = get_colorscale("RdBu")


@dataclass(frozen=True)
class Sizes:
    font: int  # base font of the figure, px
    title: int  # title font, px
    line: float  # data line width, px
    marker: int  # marker diameter, px
    height: int  # default figure height, px


NORMAL = Sizes(font=14, title=17, line=2.5, marker=8, height=420)
LECTURE = Sizes(font=22, title=26, line=4.5, marker=14, height=460)


def sizes(lecture: bool) -> Sizes:
    return LECTURE if lecture else NORMAL


def color(i: int) -> str:
    """The i-th palette colour, cycling."""
    return PALETTE[i % len(PALETTE)]


def series(i: int) -> dict:
    """Series i's look: colour, dash and marker symbol all differ from series j < 6, so two
    series drawn together never differ by colour alone. Use as
    `line={"color": l["color"], "dash": l["dash"]}, marker={"symbol": l["symbol"]}`."""
    return {"color": color(i), "dash": DASHES[i % len(DASHES)],
            "symbol": SYMBOLS[i % len(SYMBOLS)]}


def below_toolbar(spec: dict, *, lecture: bool, height: int) -> None:
    """Lower the top row of a subplot grid so its subplot titles sit under plotly's toolbar
    (ui.chart leaves a 40-px top margin, the toolbar's room; a title above the top panels
    ran into it, on a phone over both panels). Moves the top row's domains and titles."""
    shift = 1.4 * sizes(lecture).font / (height - 140)  # a title's height, as a fraction
    layout = spec["layout"]
    for key in [k for k in layout if k.startswith("yaxis")]:
        low, high = layout[key].get("domain", [0.0, 1.0])
        if high >= 0.999:
            layout[key]["domain"] = [low, 1.0 - shift]
    for annotation in layout.get("annotations", ()):
        if annotation.get("yref") == "paper" and annotation.get("y", 0) >= 0.999:
            annotation["y"] = 1.0 - shift


def legend_below() -> dict:
    """A horizontal legend under the plot (and under its x-axis title): it never collides
    with the title, the toolbar or a 358-px phone chart's tick labels; plotly grows the
    bottom margin to fit it."""
    return {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0,
            "yanchor": "bottom"}


def finish(fig: go.Figure | dict, *, lecture: bool = False, height: int | None = None,
           then: Callable[[dict], None] | None = None) -> go.Figure:
    """Apply the house look; in lecture mode, larger fonts, lines and markers.

    Done on the figure's dict and rebuilt once: plotly's `update_layout`/`update_xaxes`/
    `update_annotations` walk and re-validate the whole object tree on every call, which
    cost 20–120 ms a figure (most of a new setting's figure time). The result is the same
    figure as applying those updates (tests/test_style.py compares the two on every page's
    figures). `fig` may also be a figure's dict (`{"data": [...], "layout": {...}}`, see
    `subplots`), which is not copied. `then(spec)`, if given, changes the finished dict
    before the figure is built (a builder's last word over the house look, without plotly's
    slow object API).

    The figure is built without plotly's per-property validation (8.2 ms of a figure's
    9.4, measured over every page's 37 default figures, and a new setting builds several
    per session: under a class's storm that alone was seconds). The tests validate instead:
    every figure `finish` returns in the test suite is rebuilt validated and must give the
    same JSON (tests/conftest.py), so a builder's typo still fails a test.
    """
    s = sizes(lecture)
    spec = fig if isinstance(fig, dict) else _arrays(fig.to_dict())
    layout = spec.setdefault("layout", {})
    _merge(layout, {
        "colorway": list(PALETTE), "paper_bgcolor": "white", "plot_bgcolor": "white",
        "font": {"size": s.font, "color": INK}, "title": {"font": {"size": s.title}},
        "legend": {"font": {"size": s.font}}, "height": height or s.height,
        "margin": {"l": 10, "r": 10, "t": 60 if lecture else 50, "b": 10},
        "hoverlabel": {"font": {"size": s.font}},
    })
    for annotation in layout.get("annotations", ()):
        _merge(annotation, {"font": {"size": s.font}})
    axis = {"gridcolor": GRID, "zerolinecolor": "#BBBBBB", "linecolor": "#BBBBBB",
            "showgrid": True, "title": {"font": {"size": s.font}},
            "tickfont": {"size": s.font}, "automargin": True}
    for key in _axes(layout):
        _merge(layout.setdefault(key, {}), axis)
    for trace in spec.get("data", ()):
        _scale_trace(trace, s)
        if lecture:
            _lecture_floors(trace)
    if lecture:
        for shape in layout.get("shapes", ()):
            line = shape.get("line")
            if isinstance(line, dict) and line.get("width") is not None:
                line["width"] = max(float(line["width"]), LECTURE_MIN_LINE)
        for annotation in layout.get("annotations", ()):
            font = annotation.setdefault("font", {})
            font["size"] = max(font.get("size") or 0, LECTURE_MIN_TEXT)
    if then is not None:
        then(spec)
    return Finished(spec)


class Finished(go.Figure):
    """What `finish` returns: a plotly figure that keeps its dict and builds plotly's object
    tree only when something other than `to_dict` reads it.

    Even unvalidated, `go.Figure(spec)` builds a trace object with its ~100 properties per
    trace, and `to_dict` deep-copies them back: 2–5 ms a figure, several figures per new
    setting, thirty sessions at once. The app only ever calls `to_dict` (ui.figure_spec), which
    here converts the dict directly, as plotly's would (arrays to typed-array specs, a trace's
    type, the layout's template); the tests read `.data` and `.layout`, which build the figure
    first. tests/conftest.py checks on every figure of the test suite that both give the same
    dict, and that validation would change nothing.
    """

    def __init__(self, spec: dict):  # deliberately not BaseFigure.__init__ (yet)
        object.__setattr__(self, "_dlviz_pending", spec)

    def __getattribute__(self, name: str):
        if name not in _FINISHED_OWN:
            state = object.__getattribute__(self, "__dict__")
            if "_dlviz_pending" in state:
                go.Figure.__init__(self, state.pop("_dlviz_pending"), _validate=False)
        return object.__getattribute__(self, name)

    def to_dict(self) -> dict:
        spec = object.__getattribute__(self, "__dict__").get("_dlviz_pending")
        return go.Figure.to_dict(self) if spec is None else _wire_figure(spec)


_FINISHED_OWN = frozenset({"__dict__", "__class__", "to_dict", "_dlviz_spec"})


def _wire_figure(spec: dict) -> dict:
    """`go.Figure(spec, _validate=False).to_dict()`, without building the figure: a copy of
    the dict with numpy arrays as plotly's typed-array specs, `type` on every trace and the
    default template in the layout."""
    data = []
    for trace in spec.get("data", ()):
        trace = _wire(trace.to_plotly_json() if hasattr(trace, "to_plotly_json") else trace)
        trace.setdefault("type", "scatter")
        data.append(trace)
    layout = _wire(spec.get("layout") or {})
    if "template" not in layout:
        layout["template"] = copy.deepcopy(_empty_template())
    return {"data": data, "layout": layout}


def _wire(node):
    if isinstance(node, dict):
        return {k: (to_typed_array_spec(v) if not is_skipped_key(k) and is_homogeneous_array(v)
                    else _wire(v)) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_wire(v) for v in node]
    return node


@functools.cache
def _empty_template() -> dict:
    return go.Figure(_validate=False).to_dict()["layout"]["template"]


def _lecture_floors(trace: dict) -> None:
    """Lecture mode: no line thinner than LECTURE_MIN_LINE, no marker smaller than
    LECTURE_MIN_MARKER, no text smaller than LECTURE_MIN_TEXT, whatever the builder set
    (an explicit width used to bypass the lecture scaling)."""
    line = trace.get("line")
    if isinstance(line, dict) and line.get("width") is not None and line["width"] != 0:
        line["width"] = max(float(line["width"]), LECTURE_MIN_LINE)
    marker = trace.get("marker")
    if isinstance(marker, dict) and marker.get("size") is not None:
        size = marker["size"]
        if isinstance(size, (int, float)):
            marker["size"] = max(size, LECTURE_MIN_MARKER)
        else:
            marker["size"] = np.maximum(np.asarray(size, dtype=float), LECTURE_MIN_MARKER)
    font = trace.get("textfont")
    if isinstance(font, dict) and isinstance(font.get("size"), (int, float)):
        font["size"] = max(font["size"], LECTURE_MIN_TEXT)


def _arrays(node):
    """`to_dict()` writes numpy arrays as base64 typed-array specs; turn them back into the
    same arrays (same dtype, shape and bytes), so the rebuilt figure holds arrays as before
    (`fig.data[0].y` is an array, and the figure's JSON is unchanged)."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            data = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            shape = node.get("shape")
            if shape:
                data = data.reshape([int(d) for d in str(shape).split(",")])
            return data.copy()
        return {k: _arrays(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_arrays(v) for v in node]
    return node


def _axes(layout: dict) -> list[str]:
    """The 2-D axes `update_xaxes`/`update_yaxes` reach: `xaxis`/`yaxis` always, and every
    numbered one present."""
    keys = ["xaxis", "yaxis"]
    keys += [k for k in layout if re.fullmatch(r"[xy]axis[0-9]+", k)]
    return keys


def _merge(target: dict, changes: dict) -> None:
    """Deep-merge `changes` into `target`, as plotly's `update` does for nested objects."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif isinstance(value, dict):
            target[key] = {}
            _merge(target[key], value)
        else:
            target[key] = value


def _scale_trace(trace: dict, s: Sizes) -> None:
    """Thicken lines and enlarge markers, keeping any explicit dash, colour or relative size."""
    if trace.get("type", "scatter") not in ("scatter", "scattergl", "scatter3d"):
        return
    mode = trace.get("mode") or "lines"
    if "lines" in mode and trace.get("line", {}).get("width") is None:
        trace.setdefault("line", {})["width"] = s.line
    if "markers" in mode and trace.get("marker", {}).get("size") is None:
        trace.setdefault("marker", {})["size"] = s.marker


@functools.lru_cache(maxsize=64)
def _subplot_layout(rows: int, cols: int, options: tuple) -> dict:
    from plotly.subplots import make_subplots

    return make_subplots(rows=rows, cols=cols, **dict(options)).to_dict()["layout"]


def subplots(rows: int = 1, cols: int = 1, **options) -> dict:
    """A figure's dict with `make_subplots(rows, cols, **options)`'s layout (axes, domains,
    subplot titles), computed once per arguments: plotly's incremental API (`add_trace` with
    row/col, `update_xaxes` per cell) costs tens of ms a figure, a dict a fraction of one.
    Place a trace in a cell with `cell(row, col, cols)`; list options must be tuples."""
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
    return {"data": [], "layout": copy.deepcopy(_subplot_layout(rows, cols, key))}


def cell(row: int, col: int, cols: int) -> tuple[str, str]:
    """The (xaxis, yaxis) names of a `subplots` grid cell (no custom specs): x, y for (1, 1),
    x2, y2 for the next, …; as trace keys `{"xaxis": "x2", "yaxis": "y2"}`, as layout keys
    `xaxis2`/`yaxis2`."""
    n = (row - 1) * cols + col
    return ("x", "y") if n == 1 else (f"x{n}", f"y{n}")


def axis(layout: dict, ref: str) -> dict:
    """The layout dict of axis `ref` ("x2" → layout["xaxis2"]), created if absent."""
    return layout.setdefault(f"{ref[0]}axis{ref[1:]}", {})
