"""style.finish works on the figure's dict: it must give the very figure that plotly's own
update calls gave (the reference below is the earlier implementation, kept as the oracle),
for every figure every page builds, in normal and lecture mode."""

from __future__ import annotations

import copy

import plotly.graph_objects as go
import pytest

from dlviz import style, ui
from tests.conftest import CONCEPT_PAGES, open_page, page_id


def reference_finish(fig: go.Figure, *, lecture: bool = False,
                     height: int | None = None) -> go.Figure:
    """The house look through plotly's update API (the implementation before the dict one)."""
    s = style.sizes(lecture)
    fig.update_layout(
        colorway=list(style.PALETTE), paper_bgcolor="white", plot_bgcolor="white",
        font=dict(size=s.font, color=style.INK), title_font=dict(size=s.title),
        legend=dict(font=dict(size=s.font)), height=height or s.height,
        margin=dict(l=10, r=10, t=60 if lecture else 50, b=10),
        hoverlabel=dict(font_size=s.font),
    )
    fig.update_annotations(font_size=s.font)
    axes = dict(gridcolor=style.GRID, zerolinecolor="#BBBBBB", linecolor="#BBBBBB",
                showgrid=True, title_font=dict(size=s.font), tickfont=dict(size=s.font),
                automargin=True)
    fig.update_xaxes(**axes)
    fig.update_yaxes(**axes)
    for trace in fig.data:
        if trace.type not in ("scatter", "scattergl", "scatter3d"):
            continue
        mode = trace.mode or "lines"
        if "lines" in mode and trace.line.width is None:
            trace.line.width = s.line
        if "markers" in mode and trace.marker.size is None:
            trace.marker.size = s.marker
    if lecture:
        _reference_lecture_floors(fig)
    return fig


def _reference_lecture_floors(fig: go.Figure) -> None:
    """Lecture mode's floors (issue 16) through plotly's API: lines ≥ 3 px, markers ≥ 10 px,
    text ≥ 18 px, whatever a builder set explicitly."""
    for trace in fig.data:
        line = getattr(trace, "line", None)
        if line is not None and line.width is not None and line.width != 0:
            line.width = max(float(line.width), style.LECTURE_MIN_LINE)
        marker = getattr(trace, "marker", None)
        size = getattr(marker, "size", None) if marker is not None else None
        if size is not None:
            marker.size = (max(size, style.LECTURE_MIN_MARKER) if isinstance(size, (int, float))
                           else [max(float(v), style.LECTURE_MIN_MARKER) for v in size])
        font = getattr(trace, "textfont", None)
        if font is not None and isinstance(font.size, (int, float)):
            font.size = max(font.size, style.LECTURE_MIN_TEXT)
    for shape in fig.layout.shapes:
        if shape.line.width is not None:
            shape.line.width = max(float(shape.line.width), style.LECTURE_MIN_LINE)
    for annotation in fig.layout.annotations:
        annotation.font.size = max(annotation.font.size or 0, style.LECTURE_MIN_TEXT)
    return fig


def test_finish_matches_plotly_updates_on_small_cases():
    from plotly.subplots import make_subplots

    cases = [go.Figure(), go.Figure(go.Scatter(x=[1, 2], y=[3, 4], mode="markers")),
             go.Figure(go.Heatmap(z=[[1, 2]])).add_annotation(text="a", x=0, y=0),
             make_subplots(rows=2, cols=3, subplot_titles=list("abcdef"))
             .add_scatter(x=[1], y=[2], line_width=1, row=2, col=3)]
    for fig in cases:
        for lecture in (False, True):
            want = reference_finish(go.Figure(fig), lecture=lecture, height=321).to_dict()
            got = style.finish(go.Figure(fig), lecture=lecture, height=321).to_dict()
            assert got == want


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
def test_finish_matches_plotly_updates_on_every_page_figure(file, lecture, monkeypatch):
    seen: list[tuple[go.Figure, dict]] = []
    fast = style.finish

    def recording(fig, **kwargs):
        raw = fig if isinstance(fig, dict) else fig.to_dict()  # builders pass either
        seen.append((go.Figure(copy.deepcopy(raw)), kwargs))
        return fast(fig, **kwargs)

    monkeypatch.setattr(style, "finish", recording)
    import streamlit as st

    st.cache_resource.clear()
    ui.clear_caches()  # figures are cached across tests: build them here
    at = open_page(file, query={"lecture": "true"} if lecture else None)
    at.run()
    assert not at.exception
    assert seen, "the page builds at least one figure through style.finish"
    for raw, kwargs in seen:
        then = kwargs.pop("then", None)  # a builder's own change after the house look
        want = reference_finish(go.Figure(raw), **kwargs).to_dict()
        if then is not None:
            then(want)
            want = go.Figure(want).to_dict()
        got = fast(go.Figure(raw), then=then, **kwargs).to_dict()
        assert got == want
