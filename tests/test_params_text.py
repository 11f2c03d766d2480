"""The charts' text alternatives state the model's own counts."""

from __future__ import annotations

from torch import nn

from dlviz import params
from dlviz import params_text as text


def test_network_summary_lists_the_widths_and_the_count():
    a = params.analyse("10, 18, 20, 5")
    assert text.network_summary(a.network, a.report) == (
        "Units per column: 10 → 18 → 20 → 5, joined by 3 connections; 683 parameters in "
        "all, all trainable.")
    deep = params.analyse(", ".join(["4"] * 12))
    summary = text.network_summary(deep.network, deep.report)
    assert "4 → 4 → 4 → 4 → 4 → 4 → 4 → … (5 more columns)" in summary
    assert f"{deep.report.total:,} parameters" in summary
    empty = params.analyse("nn.ReLU()")
    assert "0 parameters" in text.network_summary(empty.network, empty.report)


def test_network_summary_counts_trainable_parameters():
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    model[0].requires_grad_(False)
    report = params.count_parameters(model)
    a = params.analyse("4, 3, 2")
    assert text.network_summary(a.network, report).endswith("23 parameters in all, "
                                                            "8 trainable.")


def test_bars_summary_names_each_layer_and_the_largest():
    report = params.analyse("10, 18, 20, 5").report
    assert text.bars_summary(report) == (
        "Parameters per layer: layer 0 (Linear): 198, layer 1 (Linear): 380, layer 2 "
        "(Linear): 105; the largest is layer 1, 18×20 + 20 = 380 (56% of 683).")
    many = params.analyse(", ".join(["4"] * 10)).report
    assert "and 3 more layers" in text.bars_summary(many)


def test_compare_summary_and_data():
    a, b = params.analyse("10, 18, 20, 5").report, params.analyse("10, 64, 5").report
    assert text.compare_summary(a, b) == (
        "Your model above has 683 parameters in 3 layers with parameters, the second "
        "architecture 1,029 in 2: 1.51× as many.")
    data = text.compare_data([a, b], ["above", "second"])
    assert data["model"] == ["above"] * 3 + ["second"] * 2
    assert data["parameters"] == [198, 380, 105, 704, 325]
    assert sum(data["parameters"][:3]) == a.total and sum(data["parameters"][3:]) == b.total
