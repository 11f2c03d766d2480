"""One look for every figure: a colour-blind-safe palette and the lecture-mode sizes.

Figure builders call `finish(fig, lecture=...)` last; they never pick colours or font sizes
themselves, so a projector-readable figure is one flag away everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

# Every figure used to deep-copy plotly's default template on construction (~100 ms each):
# the house look below is set explicitly instead, so no template is needed at all.
pio.templates.default = "none"

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision
# deficiencies. Black is kept for reference lines, not for data.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow (weak on white: last)
)
INK = "#222222"
GRID = "#E5E5E5"
SHADE = "rgba(213, 94, 0, 0.12)"  # vermillion, translucent: "look here" regions
# Sequential and diverging colour scales that stay readable in grey and for deuteranopes.
SEQUENTIAL = "Viridis"
DIVERGING = "RdBu"


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


def finish(fig: go.Figure, *, lecture: bool = False, height: int | None = None) -> go.Figure:
    """Apply the house look; in lecture mode, larger fonts, lines and markers."""
    s = sizes(lecture)
    fig.update_layout(
        colorway=list(PALETTE),
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=dict(size=s.font, color=INK),
        title_font=dict(size=s.title),
        legend=dict(font=dict(size=s.font)),
        height=height or s.height,
        margin=dict(l=10, r=10, t=60 if lecture else 50, b=10),
        hoverlabel=dict(font_size=s.font),
    )
    fig.update_annotations(font_size=s.font)
    axes = dict(gridcolor=GRID, zerolinecolor="#BBBBBB", linecolor="#BBBBBB", showgrid=True,
                title_font=dict(size=s.font), tickfont=dict(size=s.font), automargin=True)
    fig.update_xaxes(**axes)
    fig.update_yaxes(**axes)
    for trace in fig.data:
        _scale_trace(trace, s)
    return fig


def _scale_trace(trace, s: Sizes) -> None:
    """Thicken lines and enlarge markers, keeping any explicit dash, colour or relative size."""
    if trace.type not in ("scatter", "scattergl", "scatter3d"):
        return
    mode = trace.mode or "lines"
    if "lines" in mode and trace.line.width is None:
        trace.line.width = s.line
    if "markers" in mode and trace.marker.size is None:
        trace.marker.size = s.marker
