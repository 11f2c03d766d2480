"""Figures of the fine-tuning page: the plotted arrays are the results' arrays."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from dlviz import finetune as ft
from dlviz import finetune_plots as plots
from dlviz import init_schemes as ini
from tests.figures import all_finite, array


@pytest.fixture(scope="module")
def comparison() -> ft.Comparison:
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return ft.compare(frozen_layers=[0, 2], lr=0.01, epochs=6, seed=0,
                          pretrained=ft.pretrain(seed=0, epochs=10))
    finally:
        torch.set_num_threads(n)


def _data(fig) -> list[dict]:
    return json.loads(fig.to_json())["data"]


def test_loss_curves_are_the_runs_losses(comparison):
    data = _data(plots.loss_curves_figure(comparison))
    assert [t["name"] for t in data] == list(comparison.labels.values())
    for trace, run in zip(data, comparison.runs.values(), strict=True):
        np.testing.assert_array_equal(array(trace["y"]), [run.initial_loss, *run.losses])
        np.testing.assert_array_equal(array(trace["x"]), np.arange(len(run.losses) + 1))
    assert all_finite(data)


def test_weight_change_heatmap_rows_are_unit_changes_and_frozen_rows_are_zero(comparison):
    run = comparison.runs["freeze"]
    (trace,) = _data(plots.weight_change_figure(run, lecture=True))
    rows = array(trace["z"])[::-1]  # drawn bottom-up: layer 1 at the top
    assert rows.shape == (ft.N_LAYERS, max(ft.LAYER_SIZES))
    assert all_finite(trace["zmin"]) and trace["zmin"] == 0
    for i, row in enumerate(rows):
        n = ft.LAYER_SIZES[i + 1]
        assert np.isnan(row[n:]).all()  # null padding past the layer's units, never a number
        np.testing.assert_allclose(row[:n], run.unit_change[i], atol=1e-6)
        label = trace["y"][::-1][i]
        if run.frozen[i]:
            assert (row[:n] == 0).all() and label.endswith("frozen")
        else:
            assert row[:n].max() > 0 and label.endswith("trained")
    assert run.frozen == (True, False, True, False)


def test_histograms_show_the_counts_and_the_default_bound():
    hist = ini.weight_histograms("default", seed=0)
    fig = plots.histograms_figure(hist)
    data = _data(fig)
    for i, trace in enumerate(data):
        np.testing.assert_array_equal(array(trace["y"]), hist.counts[i])
        centers = (hist.edges[i][:-1] + hist.edges[i][1:]) / 2
        np.testing.assert_allclose(array(trace["x"]), centers, atol=1e-6)
    lines = sorted(round(s.x0, 6) for s in fig.layout.shapes)
    expected = sorted(round(s * b, 6) for b in hist.bound for s in (-1, 1))
    assert lines == expected


def test_activation_std_figure_leaves_out_what_a_log_axis_cannot_show():
    stds = ini.activation_std(depth=30, seed=0)
    data = _data(plots.activation_std_figure(stds, selected="kaiming"))
    assert all_finite(data)
    trace = dict(zip(stds.schemes, data, strict=True))
    assert [t["name"] for t in data][:2] == [ini.SCHEMES[s][0] for s in stds.schemes[:2]]
    kaiming = trace["kaiming"]
    np.testing.assert_array_equal(array(kaiming["y"]), stds.std[stds.schemes.index("kaiming")])
    uniform = array(trace["uniform"]["y"])
    assert 0 < len(uniform) < 30  # the overflowed layers are left out
    zeros = trace["zeros"]
    assert len(array(zeros["y"])) == 0 and zeros["visible"] == "legendonly"


def test_init_curves_and_symmetry_figure():
    curves = ini.train_curves(seed=0, epochs=2)
    data = _data(plots.init_curves_figure(curves, selected="zeros"))
    i = curves.schemes.index("xavier")
    np.testing.assert_array_equal(array(data[i]["y"]), [curves.initial[i], *curves.losses[i]])
    sym = plots.symmetry_figure(curves, schemes=("default", "zeros"))
    left, right = _data(sym)
    np.testing.assert_allclose(array(left["z"]), curves.first_layer["default"].T, atol=1e-5)
    z = array(right["z"])
    assert (z == z[:, :1]).all()  # zeros: every unit (column) is the same
    assert "1 distinct of 64" in sym.layout.annotations[1].text


def _visible(data: list[dict]) -> list[dict]:
    return [t for t in data if t.get("visible", True) is True]


@pytest.mark.parametrize("selected", list(ini.SCHEMES))
def test_init_charts_show_at_most_six_schemes_each_in_its_own_colour_and_dash(selected):
    """Six colours stay apart for colour-blind eyes (style.MIN_CVD_DISTANCE): at most six
    schemes are drawn at once, and any two of them differ by colour AND by dash."""
    curves = ini.train_curves(seed=0, epochs=2)
    stds = ini.activation_std(depth=6, seed=0)
    for fig in (plots.init_curves_figure(curves, selected=selected),
                plots.activation_std_figure(stds, selected=selected)):
        data = _data(fig)
        assert len(data) == len(ini.SCHEMES), "every scheme has a legend entry"
        shown = _visible(data)
        assert len(shown) <= 6
        assert any(t["name"].startswith(ini.SCHEMES[selected][0]) for t in shown) or (
            selected == "zeros" and fig.layout.yaxis.type == "log"), "the choice is drawn"
        colours = [t["line"]["color"] for t in shown]
        dashes = [t["line"]["dash"] for t in shown]
        assert len(set(colours)) == len(shown) and len(set(dashes)) == len(shown)


def test_init_lines_are_thick_and_opaque_enough_in_lecture_mode():
    curves = ini.train_curves(seed=0, epochs=2)
    for lecture, width, opacity in ((False, 1.5, 0.7), (True, 3.0, 0.6)):
        for t in _data(plots.init_curves_figure(curves, selected="kaiming", lecture=lecture)):
            assert t["line"]["width"] >= width and t["opacity"] >= opacity


def test_the_fine_tuning_runs_differ_by_dash_as_well_as_colour(comparison):
    data = _data(plots.loss_curves_figure(comparison))
    assert len({t["line"]["color"] for t in data}) == len({t["line"]["dash"] for t in data}) == 4
