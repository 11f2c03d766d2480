"""The figures draw exactly the numbers of the results they are given."""

from __future__ import annotations

import json

import numpy as np
from torch import nn

from dlviz import params, style
from dlviz import params_plots as plots
from tests.figures import all_finite, array


def _json(fig) -> dict:
    return json.loads(fig.to_json())


def test_bar_figure_heights_are_the_layer_counts():
    report = params.analyse("10, 18, 20, 5").report
    fig = _json(plots.bar_figure(report))
    (trace,) = fig["data"]
    assert array(trace["y"]).tolist() == [198, 380, 105]
    assert trace["x"] == ["0 · Linear", "1 · Linear", "2 · Linear"]
    assert trace["customdata"] == ["10×18 + 18", "18×20 + 20", "20×5 + 5"]
    assert "683" in fig["layout"]["title"]["text"]


def test_bar_figure_separates_frozen_layers():
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    model[0].requires_grad_(False)
    fig = _json(plots.bar_figure(params.count_parameters(model)))
    by_name = {t["name"]: array(t["y"]).tolist() for t in fig["data"]}
    assert by_name == {"trainable": [8], "frozen": [15]}


def test_shown_units_collapse_past_twelve():
    units, heights, collapsed = plots.shown_units(5)
    assert units == [0, 1, 2, 3, 4] and not collapsed
    assert heights == [2.0, 1.0, 0.0, -1.0, -2.0]
    units, heights, collapsed = plots.shown_units(18)
    assert units == [0, 1, 2, 3, 4, 13, 14, 15, 16, 17] and collapsed
    assert 0.0 not in heights, "the middle is left for the ellipsis"
    assert plots.shown_units(12)[2] is False and plots.shown_units(13)[2] is True


def test_network_figure_draws_every_connection_of_small_layers():
    net = params.analyse("nn.Sequential(nn.Linear(3, 18), nn.ReLU(), nn.Linear(18, 2), "
                         "nn.BatchNorm1d(2))").network
    fig = _json(plots.network_figure(net))
    assert all_finite(fig["data"])
    (edges,) = [t for t in fig["data"] if t["mode"] == "lines"]
    starts = [x for x, nxt in zip(edges["x"], edges["x"][1:], strict=False)
              if x is not None and nxt is not None]
    assert [starts.count(i) for i in range(3)] == [3 * 10, 10 * 2, 2]  # dense, dense, 1-to-1
    (units,) = [t for t in fig["data"] if t["mode"] == "markers"]
    xs = array(units["x"]).tolist()
    assert [xs.count(i) for i in range(4)] == [3, 10, 2, 2]
    column_1 = [unit for column, unit, _ in units["customdata"] if column == 1]
    assert column_1 == [1, 2, 3, 4, 5, 14, 15, 16, 17, 18]
    texts = [t for trace in fig["data"] if trace["mode"] == "text" for t in trace["text"]]
    assert texts.count("⋮") == 1
    assert "Linear<br>72" in texts and "18<br><i>ReLU</i>" in texts


def test_network_figure_has_four_traces_however_deep():
    """A trace per layer made plotly's validation cost 1.9 s for 64 layers."""
    net = params.analyse("nn.Sequential(" + ", ".join(["nn.Conv1d(100000, 100000, 99)"] * 64)
                         + ")").network
    fig = plots.network_figure(net)
    assert len(fig.data) == 4 and not fig.layout.annotations
    labels = fig.data[3].text
    assert labels.count("⋮") == 65 and labels[0] == "100,000"


def test_network_figure_of_a_model_without_parameters():
    fig = _json(plots.network_figure(params.analyse("nn.ReLU()").network))
    assert any("no layer" in a["text"] for a in fig["layout"]["annotations"])


def test_compare_figure_stacks_to_the_totals():
    a = params.analyse("10, 18, 20, 5").report
    b = params.analyse("10, 64, 5").report
    fig = _json(plots.compare_figure([a, b], ["A", "B"]))
    stacked = np.sum([array(t["x"]) for t in fig["data"]], axis=0)
    assert stacked.tolist() == [683, 1029]
    assert [t["y"] for t in fig["data"]][0] == ["A", "B"]


def test_bar_figure_switches_to_log_when_layers_differ_a_hundredfold():
    fig = _json(plots.bar_figure(params.analyse("nn.Sequential(nn.Conv2d(3, 16, 3), "
                                                "nn.Flatten(), nn.Linear(9216, 64))").report))
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert array(fig["data"][0]["y"]).tolist() == [448, 9216 * 64 + 64]
    linear = _json(plots.bar_figure(params.analyse("10, 18, 20, 5").report))
    assert linear["layout"]["yaxis"].get("type") != "log"


def test_network_edges_are_visible_from_the_back_row():
    net = params.analyse("10, 18, 20, 5").network
    edges = plots.network_figure(net, lecture=True).data[0]
    assert edges.mode == "lines" and edges.line.width >= 3 and edges.opacity >= 0.6
    normal = plots.network_figure(net).data[0]
    assert normal.line.width < edges.line.width and normal.opacity < edges.opacity


def test_units_differ_by_symbol_as_well_as_colour():
    (units,) = [t for t in plots.network_figure(params.analyse("3, 4, 2").network).data
                if t.mode == "markers"]
    by_column = {(x, c, s) for x, c, s in zip(units.x, units.marker.color, units.marker.symbol,
                                               strict=True)}
    assert {(s, c) for x, c, s in by_column if x in (0, 2)} == {("square", style.color(2))}
    assert {(s, c) for x, c, s in by_column if x == 1} == {("circle", style.color(0))}


def test_frozen_bars_are_hatched_and_the_legend_is_below():
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    model[0].requires_grad_(False)
    fig = plots.bar_figure(params.count_parameters(model))
    patterns = {t.name: t.marker.pattern.shape for t in fig.data}
    assert patterns == {"trainable": "", "frozen": "/"}
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.yanchor == "bottom"
    assert fig.layout.legend.y == 0 and fig.layout.legend.yref == "container"


def test_compare_figure_neighbouring_layers_differ():
    fig = plots.compare_figure([params.analyse("10, 18, 20, 5").report], ["A"])
    colours = [t.marker.color for t in fig.data]
    assert all(a != b for a, b in zip(colours, colours[1:], strict=False))
    assert set(colours) <= set(style.PALETTE)
