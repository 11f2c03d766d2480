"""dlviz.params against independent counts: the closed form, real CPU models, torchinfo."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn
from torchinfo import summary

from dlviz import params
from dlviz.params import ArchitectureError, count_parameters, parse_architecture

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


# --- the course's examples --------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "nn.Sequential(nn.Linear(16, 4), nn.Linear(4, 2), nn.Linear(2, 1))",
    "torch.nn.Sequential(torch.nn.Linear(16,4),torch.nn.Linear(4,2),torch.nn.Linear(2,1))",
    "Sequential(Linear(in_features=16, out_features=4), Linear(4, out_features=2), "
    "Linear(2, 1))",
    "16, 4, 2, 1",
])
def test_course_example_81(text):
    report = count_parameters(parse_architecture(text))
    assert report.total == 81 == 16 * 4 + 4 + 4 * 2 + 2 + 2 * 1 + 1
    assert [r.formula for r in report.rows] == ["16×4 + 4", "4×2 + 2", "2×1 + 1"]


def test_course_example_683():
    report = count_parameters(parse_architecture("10, 18, 20, 5"))
    assert report.total == report.trainable == 683
    assert [r.count for r in report.rows] == [198, 380, 105]
    assert report.rows[0].formula == "10×18 + 18"


def test_model_is_on_meta_and_huge_sizes_cost_nothing():
    model = parse_architecture("nn.Linear(1000000, 1000000)")
    assert all(p.device.type == "meta" for p in model.parameters())
    assert count_parameters(model).total == 10**12 + 10**6
    with pytest.raises(ArchitectureError, match="too large"):
        parse_architecture("nn.Linear(1000001, 2)")


def test_single_layer_and_prefixes_give_a_sequential():
    for text in ("Linear(3, 2)", "nn.Linear(3, 2)", "torch.nn.Linear(3, 2)",
                 "model = nn.Linear(3, 2)", "  nn.Linear(3, 2)  # a comment"):
        model = parse_architecture(text)
        assert isinstance(model, nn.Sequential) and len(model) == 1
        assert count_parameters(model).total == 8


def test_batchnorm_running_stats_are_buffers_not_parameters():
    report = count_parameters(parse_architecture("nn.Sequential(nn.Linear(4, 6), "
                                                 "nn.BatchNorm1d(6))"))
    assert report.total == 4 * 6 + 6 + 6 + 6
    assert report.rows[1].formula == "6 + 6"
    assert report.buffers == 6 + 6 + 1  # running mean, running var, num_batches_tracked


def test_layer_formulas_of_every_parametrised_layer():
    cases = {
        "nn.Conv1d(3, 8, 5)": ("3×5×8 + 8", 3 * 5 * 8 + 8),
        "nn.Conv2d(3, 16, (3, 5), bias=False)": ("3×3×5×16", 3 * 15 * 16),
        "nn.Conv2d(4, 8, 3, groups=2)": ("2×3×3×8 + 8", 2 * 9 * 8 + 8),
        "nn.LayerNorm((4, 6))": ("4×6 + 4×6", 48),
        "nn.LayerNorm(5, elementwise_affine=False)": ("", 0),
        "nn.Embedding(100, 16)": ("100×16", 1600),
        "nn.BatchNorm2d(8, affine=False)": ("", 0),
    }
    for text, (formula, count) in cases.items():
        report = count_parameters(parse_architecture(text))
        assert report.total == count, text
        assert [r.formula for r in report.rows] == ([formula] if formula else []), text


# --- hypothesis: random architectures, three independent counts ----------------------------------

ACTS = ["nn.ReLU()", "nn.Tanh()", "nn.Sigmoid()", "nn.GELU()", "nn.LeakyReLU(0.1)",
        "nn.Dropout(p=0.5)", "nn.Identity()", "nn.SiLU()", "nn.ELU(alpha=1.0)"]


@st.composite
def mlps(draw):
    """(text, reference model built directly on the CPU, closed-form count, in_features)."""
    sizes = draw(st.lists(st.integers(1, 40), min_size=2, max_size=6))
    prefix = draw(st.sampled_from(["nn.", "torch.nn.", ""]))
    layers, parts, closed = [], [], 0
    for a, b in zip(sizes, sizes[1:], strict=False):
        bias = draw(st.booleans())
        keyword = draw(st.booleans())
        args = f"in_features={a}, out_features={b}" if keyword else f"{a}, {b}"
        parts.append(f"{prefix}Linear({args}{'' if bias else ', bias=False'})")
        layers.append(nn.Linear(a, b, bias=bias))
        closed += a * b + (b if bias else 0)
        extra = draw(st.sampled_from(["", "bn", "ln", "act"]))
        if extra == "bn":
            parts.append(f"{prefix}BatchNorm1d({b})")
            layers.append(nn.BatchNorm1d(b))
            closed += 2 * b
        elif extra == "ln":
            parts.append(f"{prefix}LayerNorm({b})")
            layers.append(nn.LayerNorm(b))
            closed += 2 * b
        elif extra == "act":
            act = draw(st.sampled_from(ACTS))
            parts.append(act.replace("nn.", prefix))
    text = f"{prefix}Sequential(" + ", ".join(parts) + ")"
    return text, nn.Sequential(*layers), closed, sizes[0]


@FAST
@given(mlps())
def test_random_mlps_match_numel_closed_form_and_torchinfo(case):
    text, reference, closed, n_in = case
    report = count_parameters(parse_architecture(text))
    assert report.total == closed == sum(p.numel() for p in reference.parameters())
    assert sum(r.count for r in report.rows) == report.total
    info = summary(reference.eval(), input_size=(2, n_in), verbose=0)
    assert report.total == info.total_params
    assert report.trainable == info.trainable_params


@st.composite
def convnets(draw):
    channels = draw(st.lists(st.integers(1, 8), min_size=2, max_size=4))
    layers, parts = [], []
    for a, b in zip(channels, channels[1:], strict=False):
        k = draw(st.sampled_from([1, 3, 5]))
        parts.append(f"nn.Conv2d({a}, {b}, {k}, padding={k // 2})")
        layers.append(nn.Conv2d(a, b, k, padding=k // 2))
        if draw(st.booleans()):
            parts.append(f"nn.BatchNorm2d({b})")
            layers.append(nn.BatchNorm2d(b))
        parts.append("nn.ReLU()")
        layers.append(nn.ReLU())
    out = draw(st.integers(1, 10))
    parts += ["nn.Flatten()", f"nn.Linear({channels[-1] * 36}, {out})"]
    layers += [nn.Flatten(), nn.Linear(channels[-1] * 36, out)]
    return "nn.Sequential(" + ", ".join(parts) + ")", nn.Sequential(*layers), channels[0]


@FAST
@given(convnets())
def test_random_convnets_match_numel_and_torchinfo(case):
    text, reference, c_in = case
    report = count_parameters(parse_architecture(text))
    assert report.total == sum(p.numel() for p in reference.parameters())
    info = summary(reference.eval(), input_size=(2, c_in, 6, 6), verbose=0)
    assert report.total == info.total_params


@FAST
@given(st.lists(st.integers(1, 30), min_size=2, max_size=6), st.data())
def test_hand_built_models_with_frozen_layers(sizes, data):
    model = nn.Sequential(*[nn.Linear(a, b) for a, b in zip(sizes, sizes[1:], strict=False)])
    for p in model.parameters():
        p.requires_grad_(data.draw(st.booleans()))
    report = count_parameters(model)
    assert report.total == sum(p.numel() for p in model.parameters())
    assert report.trainable == sum(p.numel() for p in model.parameters() if p.requires_grad)
    for row, layer in zip(report.rows, model, strict=True):
        assert row.count == layer.in_features * layer.out_features + layer.out_features
        assert row.trainable == all(p.requires_grad for p in layer.parameters())
        assert _arith(row.formula) == row.count


def _arith(formula: str) -> int:
    """"10×18 + 18" → 198, read independently of the code that wrote it."""
    return sum(math.prod(int(f) for f in term.split("×")) for term in formula.split(" + "))


def test_count_parameters_on_a_nested_module_with_frozen_weight():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(8, 4), nn.ReLU())
            self.head = nn.Linear(4, 2)
            self.scale = nn.Parameter(torch.ones(3))

    net = Net()
    net.body[0].weight.requires_grad = False  # the course's freezing idiom
    report = count_parameters(net)
    assert report.total == 36 + 10 + 3
    assert report.trainable == 4 + 10 + 3
    by_name = {r.name: r for r in report.rows}
    assert by_name["body.0"].trainable is False and by_name["body.0"].trainable_count == 4
    assert by_name["Net"].formula == "3"  # the root module's own parameter


# --- the views the page keeps consistent ------------------------------------------------------

@FAST
@given(mlps())
def test_code_table_and_shorthand_round_trip(case):
    text = case[0]
    calls = params.parse_layers(text)
    assert params.parse_layers(params.sequential_code(calls)) == calls
    assert params.parse_layers(params.rows_code(params.table_rows(calls))) == calls
    short = params.shorthand(calls)
    if short is not None:
        sizes = [int(s) for s in short.split(",")]
        assert params.with_sizes(calls, sizes) == calls


def test_shorthand_edit_keeps_the_activations():
    calls = params.parse_layers("nn.Sequential(nn.Linear(10, 18), nn.ReLU(), "
                                "nn.Linear(18, 5), nn.Softmax(dim=-1))")
    new = params.with_sizes(calls, [8, 4, 4, 2])
    assert [c.kind for c in new] == ["Linear", "ReLU", "Linear", "ReLU", "Linear", "Softmax"]
    assert params.shorthand(new) == "8, 4, 4, 2"


def test_capacity_challenge():
    assert params.capacity_challenge(parse_architecture("8, 6, 4, 4, 2")).passed
    fails = params.capacity_challenge(parse_architecture("8, 16, 16, 16, 2"))
    assert not fails.passed and fails.total == 144 + 272 + 272 + 34
    assert [ok for _, ok in fails.checks] == [True, True, True, False]
    three = params.capacity_challenge(parse_architecture("8, 4, 4, 2"))
    assert [ok for _, ok in three.checks] == [True, True, False, True]
    boundary = params.capacity_challenge(parse_architecture("8, 7, 4, 3, 2"))
    assert boundary.total == 63 + 32 + 15 + 8 and boundary.passed  # 118 < 120


def test_network_columns_follow_the_feature_sizes():
    net = params.analyse("nn.Sequential(nn.Linear(10, 18), nn.ReLU(), nn.Linear(18, 5), "
                         "nn.BatchNorm1d(5))").network
    assert net.widths == (10, 18, 5, 5)
    assert [link.kind for link in net.links] == ["dense", "dense", "one-to-one"]
    assert [link.params for link in net.links] == [198, 95, 10]
    assert net.notes[1] == "ReLU"


# --- the reproduce script, beyond the page's default (the lead's test runs the default) -------

@pytest.mark.parametrize(("text", "frozen"), [
    ("nn.Sequential(nn.Linear(1000000, 100000), nn.ReLU(), nn.Linear(100000, 10))", ()),
    ("nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.Linear(8, 4))",
     ("0", "3")),
])
def test_script_prints_the_page_numbers(text, frozen, tmp_path):
    import subprocess
    import sys

    from dlviz import params_script
    from dlviz.reproduce import parse_prints

    analysis = params.analyse(text, frozen=frozen)
    source = params_script.script(calls=analysis.calls, frozen=frozen,
                                  total=analysis.report.total)
    assert ("set_default_device" in source) == (analysis.report.total > 10_000_000)
    path = tmp_path / "script.py"
    path.write_text(source)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    expected = {k: [float(x) for x in (v if isinstance(v, list) else [v])]
                for k, v in params_script.prints(analysis.report).items()}
    assert parse_prints(run.stdout) == expected
    if frozen:
        assert expected["trainable"][0] < expected["total"][0]


@pytest.mark.parametrize(("answer", "passed"), [
    ("8, 6, 4, 4, 2", True),
    ("8, 16, 16, 16, 2", False),  # over budget
    ("nn.Sequential(nn.Conv1d(8, 4, 1), nn.Flatten(), nn.Linear(4, 2))", False),
    ("nn.Conv2d(3, 8, 3)", False),  # no Linear at all
    ("8, 1000000, 1000000, 2", False),  # 10^12 parameters: counted on the meta device
])
def test_challenge_script_prints_the_answers_numbers(answer, passed, tmp_path):
    import subprocess
    import sys

    from dlviz import params_script
    from dlviz.reproduce import parse_prints

    mine = params.analyse(answer)
    source = params_script.challenge_script(calls=mine.calls, total=mine.challenge.total)
    assert ("set_default_device" in source) == (mine.challenge.total > 10_000_000)
    path = tmp_path / "challenge.py"
    path.write_text(source)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    expected = {k: [float(x) for x in (v if isinstance(v, list) else [v])]
                for k, v in params_script.challenge_prints(mine.challenge, mine.report).items()}
    assert parse_prints(run.stdout) == expected
    assert expected["solved"] == [float(passed)] and mine.challenge.passed is passed
    assert expected["total"] == [sum(r.count for r in mine.report.rows)]
    assert ("features in, classes out" in expected) == (mine.challenge.linear_layers > 0)
