"""Colour-blind students (issue 16): every figure every page draws, simulated.

Series = the legend's entries (a legendgroup is one series) in one subplot. For every pair of
series drawn together:
- their colours stay at least style.MIN_CVD_DISTANCE apart (CIELAB ΔE*ab) with normal
  vision and under simulated deuteranopia and protanopia (tests/colour_vision.py);
- two line series also differ by dash or marker symbol, two marker series by symbol: never
  by colour alone.
No data line or marker is yellow-on-white faint: contrast on white ≥ 2:1.
"""

from __future__ import annotations

import itertools

import plotly.graph_objects as go
import pytest

from dlviz import style, ui
from tests import colour_vision as cv
from tests.conftest import CONCEPT_PAGES, open_page, page_id

MIN_LINE_CONTRAST = 2.0  # yellow #F0E442 is 1.3:1; sky blue, the palette's lightest, 2.3:1


def test_the_palette_itself_passes():
    for a, b in itertools.combinations(style.PALETTE, 2):
        for vision in cv.VISIONS:
            assert cv.distance(a, b, vision) >= style.MIN_CVD_DISTANCE, (a, b, vision)
    assert all(cv.contrast(c) >= MIN_LINE_CONTRAST for c in style.PALETTE)


def test_the_simulation_separates_what_the_issue_found():
    """The test can fail: the pairs the audit found merge under this simulation."""
    okabe_ito = {"orange": "#E69F00", "vermillion": "#D55E00", "yellow": "#F0E442",
                 "blue": "#0072B2", "reddish purple": "#CC79A7"}
    assert cv.distance(okabe_ito["orange"], okabe_ito["yellow"], "deuteranopia") < 24
    assert cv.distance(okabe_ito["orange"], okabe_ito["vermillion"], "deuteranopia") < 24
    assert cv.distance(okabe_ito["blue"], okabe_ito["reddish purple"], "protanopia") < 24
    assert cv.contrast(okabe_ito["yellow"]) < MIN_LINE_CONTRAST


def _series(fig: dict) -> dict[tuple, list[dict]]:
    """subplot → its series: {name, colour, lines, dash, symbol}, one per legend entry."""
    out: dict[tuple, dict[str, dict]] = {}
    for i, t in enumerate(fig.get("data", ())):
        kind = t.get("type", "scatter")
        if kind not in ("scatter", "scattergl", "bar", "scatter3d"):
            continue
        if t.get("visible") in (False, "legendonly") or t.get("showlegend") is False:
            continue
        mode = t.get("mode") or ("lines" if kind != "bar" else "")
        line, marker = t.get("line") or {}, t.get("marker") or {}
        colour = line.get("color") if "lines" in mode else marker.get("color")
        colour = colour or marker.get("color") or line.get("color")
        if not isinstance(colour, str):
            continue  # a colour scale or per-point colours: not one series colour
        where = (t.get("xaxis", "x"), t.get("yaxis", "y"), t.get("scene", ""))
        group = t.get("legendgroup") or f"trace{i}"
        out.setdefault(where, {}).setdefault(group, {
            "name": t.get("name") or group, "colour": colour, "kind": kind,
            "lines": "lines" in mode, "markers": "markers" in mode,
            "dash": line.get("dash") or "solid", "symbol": marker.get("symbol") or "circle"})
    return {k: list(v.values()) for k, v in out.items()}


def problems(fig: dict) -> list[str]:
    found = []
    for where, series in _series(fig).items():
        for s in series:
            if (s["lines"] or s["markers"] or s["kind"] == "bar") and \
                    cv.contrast(s["colour"]) < MIN_LINE_CONTRAST:
                found.append(f"{s['name']}: {s['colour']} is faint on white")
        for a, b in itertools.combinations(series, 2):
            for vision in cv.VISIONS:
                d = cv.distance(a["colour"], b["colour"], vision)
                if d < style.MIN_CVD_DISTANCE:
                    found.append(f"{a['name']} / {b['name']} in {where}: ΔE {d:.1f} ({vision})")
                    break
            if a["kind"] == "bar" or b["kind"] == "bar":
                continue
            if a["lines"] and b["lines"] and a["dash"] == b["dash"] and \
                    not (a["markers"] and b["markers"] and a["symbol"] != b["symbol"]):
                found.append(f"{a['name']} / {b['name']}: same dash, colour alone")
            elif (not a["lines"] and not b["lines"] and a["markers"] and b["markers"]
                  and a["symbol"] == b["symbol"]):
                found.append(f"{a['name']} / {b['name']}: same marker, colour alone")
    return found


def test_problems_finds_colour_alone():
    fig = go.Figure([go.Scatter(y=[1, 2], name="a", line={"color": style.color(0)}),
                     go.Scatter(y=[2, 1], name="b", line={"color": style.color(1)})]).to_dict()
    assert any("colour alone" in p for p in problems(fig))
    fig["data"][1]["line"]["dash"] = "dash"
    assert problems(fig) == []
    fig["data"][1]["line"]["color"] = "#F0E442"
    assert any("faint" in p for p in problems(fig))


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_every_figure_is_safe_for_colour_blind_students(file, monkeypatch):
    seen: list[dict] = []
    finish = style.finish

    def recording(fig, **kwargs):
        out = finish(fig, **kwargs)
        seen.append(out.to_dict())
        return out

    monkeypatch.setattr(style, "finish", recording)
    ui.clear_caches()
    import streamlit as st

    st.cache_data.clear()
    at = open_page(file)
    at.run()
    assert not at.exception
    assert seen, "the page draws figures through style.finish"
    found = sorted({p for fig in seen for p in problems(fig)})
    assert not found, found[:10]
