"""dlviz.init_schemes: the ranges the course states, symmetry under zeros init, the activation
std through depth against a float64 numpy forward pass."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from dlviz import finetune as ft
from dlviz import init_schemes as ini


def _linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def test_default_init_lies_within_one_over_sqrt_fan_in():
    for seed in range(3):
        for layer in _linears(ini.initialised("default", seed=seed)):
            bound = 1 / math.sqrt(layer.in_features)
            w = layer.weight.detach()
            assert w.abs().max() <= bound
            assert w.abs().max() > 0.9 * bound  # and fills the range
            assert layer.bias.abs().max() <= bound


def test_the_courses_linear_64_128_starts_within_0125():
    layer = _linears(ft.build_model())[1]
    assert (layer.in_features, layer.out_features) == (64, 128)
    hist = ini.weight_histograms("default", seed=0)
    assert hist.bound[1] == 0.125
    assert -0.125 <= hist.low[1] < -0.12 and 0.12 < hist.high[1] <= 0.125


def test_uniform_moves_weights_into_zero_one():
    hist = ini.weight_histograms("uniform", seed=0)
    assert (hist.low >= 0).all() and (hist.high < 1).all()
    assert (hist.high > 0.9).all()


def test_normal_has_the_chosen_sigma_and_zero_bias():
    model = ini.initialised("normal", seed=0, sigma=0.3)
    w = _linears(model)[1].weight.detach().double()
    assert w.std().item() == pytest.approx(0.3, rel=0.03)
    assert all((m.bias == 0).all() for m in _linears(model))


def test_constant_and_zeros_fill_every_weight():
    for layer in _linears(ini.initialised("constant", seed=0, constant=-0.25)):
        assert (layer.weight == -0.25).all()
    for layer in _linears(ini.initialised("zeros", seed=0)):
        assert (layer.weight == 0).all()


def test_histogram_counts_every_weight_and_spikes_get_one_bin():
    for scheme in ini.SCHEMES:
        hist = ini.weight_histograms(scheme, seed=1)
        sizes = [a * b for a, b in zip(ft.LAYER_SIZES[:-1], ft.LAYER_SIZES[1:], strict=True)]
        assert [int(c.sum()) for c in hist.counts] == sizes
        assert all(len(e) == ini.N_BINS + 1 for e in hist.edges)
    spike = ini.weight_histograms("zeros", seed=0)
    assert all(np.count_nonzero(c) == 1 for c in spike.counts)


def test_zeros_init_leaves_every_hidden_unit_identical_after_training():
    model = ini.initialised("zeros", seed=0)
    _, losses = ft.train_loop(model, ft.task("us", 0), lr=0.01, epochs=5, seed=0)
    for layer in _linears(model)[:-1]:
        rows = torch.cat([layer.weight, layer.bias[:, None]], 1)
        assert (rows == rows[0]).all()  # every unit equals the first
    assert np.isfinite(losses).all()
    curves = ini.train_curves(seed=0, epochs=3)
    zeros, default = curves.schemes.index("zeros"), curves.schemes.index("default")
    assert curves.distinct_units[zeros].tolist() == [1, 1, 1]
    assert curves.distinct_units[default].tolist() == list(curves.hidden_sizes)
    constant = curves.schemes.index("constant")
    assert curves.distinct_units[constant].tolist() == [1, 1, 1]
    m = curves.first_layer["zeros"]
    assert (m == m[0]).all()


def test_train_curves_are_deterministic_and_finite_or_cut():
    a = ini.train_curves(seed=2, epochs=2)
    b = ini.train_curves(seed=2, epochs=2)
    np.testing.assert_array_equal(a.losses, b.losses)
    for row in a.losses:
        bad = ~np.isfinite(row)
        assert not bad.any() or bad[int(np.argmax(bad)):].all()  # nan only as a tail


def test_finite_prefix_cuts_after_divergence():
    out = ini._finite_prefix(np.array([1.0, 2.0, np.inf, 3.0]))
    assert out[:2].tolist() == [1.0, 2.0] and np.isnan(out[2:]).all()


def _numpy_std(scheme: str, depth: int, seed: int) -> list[float]:
    """The same seeded layers, forward pass in float64 numpy."""
    x = torch.randn(ini.DEEP_BATCH, ini.DEEP_WIDTH,
                    generator=torch.Generator().manual_seed(seed)).double().numpy()
    torch.manual_seed(seed)
    layers = [nn.Linear(ini.DEEP_WIDTH, ini.DEEP_WIDTH) for _ in range(depth)]
    for layer in layers:
        ini.apply(layer, scheme)
    out = []
    for layer in layers:
        x = np.maximum(x @ layer.weight.detach().double().numpy().T
                       + layer.bias.detach().double().numpy(), 0)
        out.append(float(x.std(ddof=1)))
    return out


@pytest.mark.parametrize("scheme", ["default", "kaiming", "xavier", "normal"])
def test_activation_std_against_float64_numpy(scheme):
    stds = ini.activation_std(depth=6, seed=3)
    got = stds.std[stds.schemes.index(scheme)]
    np.testing.assert_allclose(got, _numpy_std(scheme, 6, 3), rtol=2e-4)


def test_activation_std_explodes_vanishes_or_stays_level():
    stds = ini.activation_std(depth=12, seed=0)
    row = {s: stds.std[i] for i, s in enumerate(stds.schemes)}
    assert (row["zeros"] == 0).all()
    assert row["uniform"][-1] > 1e10 * row["uniform"][0]  # explodes
    assert row["default"][-1] < 0.2 * row["default"][0]  # fades
    assert 0.3 < row["kaiming"][-1] / row["kaiming"][0] < 3  # stays level
    assert stds.input_std == pytest.approx(1.0, abs=0.05)


def test_activation_std_marks_overflow_as_nan():
    stds = ini.activation_std(depth=30, seed=0)
    uniform = stds.std[stds.schemes.index("uniform")]
    assert np.isnan(uniform[-1]) and np.isfinite(uniform[0])
    assert np.isfinite(stds.std[stds.schemes.index("kaiming")]).all()


def test_unknown_scheme_raises():
    with pytest.raises(ValueError):
        ini.apply(nn.Linear(2, 2), "orthogonal")


def test_init_code_fills_in_the_settings():
    assert ini.init_code("normal", sigma=0.25) == (
        "nn.init.normal_(layer.weight, mean=0.0, std=0.25)\nnn.init.zeros_(layer.bias)")
    assert ini.init_code("constant", constant=-0.5).startswith(
        "nn.init.constant_(layer.weight, -0.5)")
    assert "zeros_(layer.bias)" not in ini.init_code("default")


# --- the section's "Reproduce in PyTorch" script: plain torch, the page's numbers -------------

@pytest.mark.parametrize(("scheme", "depth", "seed"), [
    ("uniform", 30, 0),  # explodes past float32: nan on both sides
    ("normal", 4, 5),  # σ reaches the script
    ("constant", 12, 1),  # c reaches the script; every unit identical
])
def test_init_script_prints_the_sections_numbers(scheme, depth, seed, tmp_path):
    import subprocess
    import sys

    from dlviz import init_schemes_script as code
    from dlviz.reproduce import close, format_prints, parse_prints

    kw = dict(seed=seed, sigma=0.3, constant=-0.25)
    expected = parse_prints(format_prints(code.prints(
        ini.weight_histograms(scheme, **kw), ini.activation_std(depth=depth, **kw))))
    source = code.script(scheme=scheme, depth=depth, **kw)
    assert "dlviz" not in source.split("\n", 2)[2], "plain torch: the script imports no dlviz"
    path = tmp_path / "init.py"
    path.write_text(source)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    got = parse_prints(run.stdout)
    assert list(got) == list(expected)
    for label, values in expected.items():
        assert len(got[label]) == len(values), label
        assert all(close(a, b) for a, b in zip(got[label], values, strict=True)), label
    chosen = expected[f"activation std per layer ({scheme})"]
    assert len(chosen) == depth
    if scheme == "uniform":
        assert math.isnan(chosen[-1]) and math.isfinite(chosen[0])
    if scheme == "constant":
        assert expected["smallest weight per layer"] == [-0.25] * 4
        assert expected["largest weight per layer"] == [-0.25] * 4
