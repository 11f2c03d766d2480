"""The fine-tuning page's chart summaries: their numbers are the results' numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlviz import finetune as ft
from dlviz import finetune_text as text
from dlviz import init_schemes as ini


@pytest.fixture(scope="module")
def comparison() -> ft.Comparison:
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return ft.compare(frozen_layers=[0, 2], lr=0.01, epochs=6, seed=0,
                          pretrained=ft.pretrain(seed=0, epochs=10))
    finally:
        torch.set_num_threads(n)


@pytest.fixture(scope="module")
def curves() -> ini.TrainCurves:
    return ini.train_curves(seed=0, epochs=2)


def test_losses_summary_and_data_are_the_runs(comparison):
    summary = text.losses_summary(comparison)
    finals = {k: float(r.losses[-1]) for k, r in comparison.runs.items()}
    assert "after 6 epochs" in summary
    for key, value in finals.items():
        assert f"{comparison.labels[key]} {value:.3g}" in summary
    assert summary.endswith(f"Lowest: {comparison.labels[min(finals, key=finals.get)]}.")
    data = text.losses_data(comparison)
    assert data["epoch"] == list(range(7))
    for key, run in comparison.runs.items():
        np.testing.assert_array_equal(data[comparison.labels[key]],
                                      [run.initial_loss, *run.losses])


def test_delta_summary_names_the_frozen_layers_and_the_largest_change(comparison):
    run = comparison.runs["freeze"]
    summary = text.delta_summary(run)
    assert "layers 1, 3 are frozen and moved by exactly 0" in summary
    tops = [c.max() for c in run.unit_change]
    layer = int(np.argmax(tops))
    unit = int(run.unit_change[layer].argmax()) + 1
    assert f"is {tops[layer]:.3g}, in layer {layer + 1}, unit {unit}." in summary
    data = text.delta_data(run)
    assert data["frozen"] == ["yes", "no", "yes", "no"]
    np.testing.assert_array_equal(data["largest |Δ|"], tops)
    assert data["largest |Δ|"][0] == 0 == data["largest |Δ|"][2]


def test_histograms_summary_gives_each_layers_range_and_bound():
    hist = ini.weight_histograms("uniform", seed=0)
    summary = text.histograms_summary(hist)
    assert summary.startswith("Weights right after uniform_ [0, 1) initialisation")
    for i in range(ft.N_LAYERS):
        assert (f"layer {i + 1} [{hist.low[i]:.3g}, {hist.high[i]:.3g}] "
                f"(bound ±{hist.bound[i]:.3g})") in summary


def test_std_summary_and_data():
    stds = ini.activation_std(depth=30, seed=0)
    summary = text.std_summary(stds, selected="kaiming")
    k = stds.schemes.index("kaiming")
    assert f"after layer 30 of 30: Kaiming (He) {stds.std[k, -1]:.3g}" in summary
    assert f"the input's {stds.input_std:.3g}" in summary
    assert "uniform_ [0, 1) overflowed" in summary  # float32 overflowed by layer 30
    assert f"zeros {0:.3g}" in summary
    data = text.std_data(stds)
    assert data["layer"] == list(range(1, 31))
    np.testing.assert_array_equal(data["Kaiming (He)"], stds.std[k])


def test_curves_summary_and_data(curves):
    summary = text.curves_summary(curves, selected="zeros")
    finals = {s: curves.losses[i, -1] for i, s in enumerate(curves.schemes)}
    assert "after 2 epochs from each init (zeros highlighted)" in summary
    for scheme, value in finals.items():
        shown = "diverged" if np.isnan(value) else f"{value:.3g}"
        assert f"{ini.SCHEMES[scheme][0]} {shown}" in summary
    finite = {s: v for s, v in finals.items() if np.isfinite(v)}
    assert summary.endswith(f"Lowest: {ini.SCHEMES[min(finite, key=finite.get)][0]}.")
    data = text.curves_data(curves)
    i = curves.schemes.index("xavier")
    np.testing.assert_array_equal(data["Xavier (Glorot)"], [curves.initial[i], *curves.losses[i]])


def test_symmetry_summary_counts_distinct_units(curves):
    summary = text.symmetry_summary(curves, schemes=("default", "zeros"))
    d = curves.distinct_units[curves.schemes.index("default"), 0]
    assert f"{d} distinct of 64 units with PyTorch default" in summary
    assert "1 distinct of 64 units with zeros" in summary
