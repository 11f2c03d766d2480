"""Activations: oracle tests (closed forms, an independent torch computation) and figures."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from dlviz import activations as act
from dlviz import activations_plots as plots
from dlviz import activations_text as text
from tests.figures import array

X = np.linspace(-6, 6, 241)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _phi(x):
    return np.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _Phi(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


# Closed forms, written independently of torch: (f, f′) for each activation with parameters.
CLOSED = {
    "sigmoid": ({}, lambda x: (_sig(x), _sig(x) * (1 - _sig(x)))),
    "tanh": ({}, lambda x: (np.tanh(x), 1 - np.tanh(x) ** 2)),
    "relu": ({}, lambda x: (np.maximum(x, 0), (x > 0).astype(float))),
    "leaky_relu": ({"negative_slope": 0.2},
                   lambda x: (np.where(x > 0, x, 0.2 * x), np.where(x > 0, 1.0, 0.2))),
    "elu": ({"alpha": 1.5}, lambda x: (np.where(x > 0, x, 1.5 * (np.exp(x) - 1)),
                                       np.where(x > 0, 1.0, 1.5 * np.exp(x)))),
    "gelu": ({}, lambda x: (x * _Phi(x), _Phi(x) + x * _phi(x))),
    "silu": ({}, lambda x: (x * _sig(x), _sig(x) * (1 + x * (1 - _sig(x))))),
    "softplus": ({"beta": 2.0}, lambda x: (np.log1p(np.exp(2 * x)) / 2, _sig(2 * x))),
}


def test_registry_has_the_eight_names():
    assert set(act.ACTIVATIONS) == set(CLOSED)


@pytest.mark.parametrize("name", list(CLOSED))
def test_values_and_derivatives_match_closed_forms(name):
    params, closed = CLOSED[name]
    x = X[np.abs(X) > 1e-9]  # the kink itself is a convention, tested separately
    curve = act.evaluate(name, x, **params)
    f, df = closed(x)
    assert curve.x.dtype == curve.y.dtype == curve.dy.dtype == np.float64
    np.testing.assert_allclose(curve.y, f, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(curve.dy, df, rtol=1e-7, atol=1e-10)


def test_torch_conventions_at_kinks():
    assert act.evaluate("relu", [0.0]).dy[0] == 0.0
    assert act.evaluate("relu", [0.0]).kink == (0.0, 0.0)
    assert act.evaluate("leaky_relu", [0.0], negative_slope=0.05).kink == (0.0, 0.05)
    assert act.evaluate("leaky_relu", [-1.0]).dy[0] == pytest.approx(0.01)  # torch's default


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="sigmoid.*softplus"):
        act.evaluate("swish", X)


def test_saturated_intervals_match_the_threshold():
    curve = act.evaluate("sigmoid", np.linspace(-10, 10, 2001))
    (lo_left, hi_left), (lo_right, hi_right) = curve.saturated
    # σ′(x) = 0.01 at |x| = ln((1 + √0.96)/ (1 − √0.96)) / 1 … solved numerically here
    edge = math.log(1 / ((1 - math.sqrt(1 - 0.04)) / 2) - 1)
    assert lo_left == -10 and hi_right == 10
    assert hi_left == pytest.approx(-edge, abs=0.011)
    assert lo_right == pytest.approx(edge, abs=0.011)
    assert act.saturated_intervals(np.arange(5.0), np.array([0, 0, 1, 1, 0.0])) == (
        (0.0, 1.0), (4.0, 4.0))


def _independent_depth_norms(name, depth, init, seed):
    """The same network, built and differentiated by hand with torch.func, not nn.Sequential."""
    model = act.deep_mlp(name, depth=depth, init=init, seed=seed)
    params = {k: v.detach().clone() for k, v in model.named_parameters()}
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(64, 32, generator=g, dtype=torch.float64)
    target = torch.randn(64, 1, generator=g, dtype=torch.float64)
    f = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh}[name]

    def loss(p):
        h = x
        for i in range(depth):
            h = f(h @ p[f"{2 * i}.weight"].T + p[f"{2 * i}.bias"])
        out = h @ p[f"{2 * depth}.weight"].T + p[f"{2 * depth}.bias"]
        return ((out - target) ** 2).mean()

    grads = torch.func.grad(loss)(params)
    return np.array([grads[f"{2 * i}.weight"].norm().item() for i in range(depth)])


@pytest.mark.parametrize("name", ["sigmoid", "relu", "tanh"])
@pytest.mark.parametrize("init", act.INITS)
def test_depth_gradients_match_functional_autograd(name, init):
    result = act.depth_gradients(name, depth=6, init=init, seed=3)
    np.testing.assert_allclose(result.grad_norm, _independent_depth_norms(name, 6, init, 3),
                               rtol=1e-10)
    np.testing.assert_array_equal(result.layers, np.arange(1, 7))


def test_sigmoid_fades_and_relu_does_not():
    sig = act.depth_gradients("sigmoid", depth=10, init="kaiming", seed=0).grad_norm
    relu = act.depth_gradients("relu", depth=10, init="kaiming", seed=0).grad_norm
    assert sig[0] < 1e-3 * sig[-1]  # orders of magnitude lost towards the input
    assert relu[0] > 0.1 * relu[-1]  # same order of magnitude


def test_default_init_is_within_torch_bounds_and_seeded():
    a = act.deep_mlp("relu", depth=3, seed=5)
    b = act.deep_mlp("relu", depth=3, seed=5)
    assert torch.equal(a[0].weight, b[0].weight)
    assert a[0].weight.abs().max() <= 1 / math.sqrt(32)


def test_output_heads():
    scores = [0.1, 6.0, -2.0, 3.2]
    soft = act.output_head("multiclass", scores, temperature=2.0).outputs
    e = np.exp(np.array(scores) / 2.0)
    np.testing.assert_allclose(soft, e / e.sum(), rtol=1e-12)
    np.testing.assert_allclose(act.output_head("binary", [0.0, 2.0]).outputs, _sig(np.array(
        [0.0, 2.0])))
    np.testing.assert_array_equal(act.output_head("regression", [3.5]).outputs, [3.5])
    with pytest.raises(ValueError):
        act.output_head("ranking", [1.0])


# --- figures: the arrays in the figure are the result's arrays ---------------------------------

def test_curves_figure_carries_the_curves():
    curves = [act.evaluate(n, X) for n in ("sigmoid", "relu")]
    fig = json.loads(plots.curves_figure(curves).to_json())
    lines = [t for t in fig["data"] if t.get("mode") == "lines+markers"]
    np.testing.assert_array_equal(array(lines[0]["y"]), curves[0].y)
    np.testing.assert_array_equal(array(lines[1]["y"]), curves[0].dy)
    np.testing.assert_array_equal(array(lines[3]["y"]), curves[1].dy)
    shaded = [(s["x0"], s["x1"]) for s in fig["layout"]["shapes"]]
    assert shaded == [*curves[0].saturated, *curves[1].saturated]
    kink = next(t for t in fig["data"] if t.get("mode") == "markers")
    assert kink["y"] == [0.0] and "ReLU′(0) = 0" in kink["text"][0]
    # the two functions differ by colour, dash and marker symbol
    looks = [(t["line"]["color"], t["line"]["dash"], t["marker"]["symbol"]) for t in lines[::2]]
    assert len({a for a, _, _ in looks}) == len({b for _, b, _ in looks}) == 2
    assert len({c for _, _, c in looks}) == 2


def test_lecture_mode_enlarges_fonts_and_lines():
    curves = [act.evaluate("tanh", X)]
    normal = plots.curves_figure(curves)
    lecture = plots.curves_figure(curves, lecture=True)
    assert lecture.layout.font.size > normal.layout.font.size >= 12
    assert lecture.data[0].line.width > normal.data[0].line.width


def test_depth_and_head_figures_carry_the_numbers():
    r = act.depth_gradients("sigmoid", depth=5, seed=1)
    fig = plots.depth_figure([r])
    np.testing.assert_array_equal(fig.data[0].y, r.grad_norm)
    assert fig.layout.yaxis.type == "log"
    head = act.output_head("multiclass", [1.0, 2.0])
    hf = plots.head_figure(head)
    np.testing.assert_array_equal(hf.data[1].y, head.outputs)


# --- at most six colour-coded series, and the charts' text alternatives ---

def test_curves_figure_refuses_more_than_six_functions():
    curves = [act.evaluate(n, X) for n in act.ACTIVATIONS]
    with pytest.raises(ValueError, match="at most 6"):
        plots.curves_figure(curves)
    fig = plots.curves_figure(curves[:6])
    looks = {(t.line.color, t.line.dash, t.marker.symbol) for t in fig.data
             if t.mode == "lines+markers"}
    assert len(looks) == 6 and len({c for c, _, _ in looks}) == 6


def test_curves_summary_and_data_hold_the_curves():
    x = np.linspace(-6, 6, 401)
    curves = [act.evaluate("sigmoid", x), act.evaluate("relu", x)]
    summary = text.curves_summary(curves)
    assert summary.startswith("f(x) and f′(x) on x from -6 to 6 (saturated: |f′| < 0.01): ")
    sig_max = float(curves[0].dy.max())  # 0.25 at x = 0
    assert f"Sigmoid f from {curves[0].y.min():.3g} to {curves[0].y.max():.3g}, max |f′| " \
           f"{sig_max:.3g}" in summary and f"{sig_max:.3g}" == "0.25"
    width = sum(hi - lo for lo, hi in curves[1].saturated)  # ReLU: flat for x < 0
    assert f"ReLU f from 0 to 6, max |f′| 1, saturated on {width:.3g} of the 12 x-units, " \
           "f′(0) = 0 by torch." in summary
    data = plots.curves_data(curves)
    np.testing.assert_array_equal(data["x"], x[::20])
    np.testing.assert_array_equal(data["ReLU f′(x)"], curves[1].dy[::20])
    assert len(data["x"]) == 21


def test_depth_and_head_summaries():
    grads = [act.depth_gradients(n, depth=5, seed=1) for n in ("sigmoid", "relu")]
    summary = text.depth_summary(grads)
    g = grads[0].grad_norm
    assert f"Sigmoid {g[0]:.3g} at layer 1 vs {g[-1]:.3g} at layer 5 (×{g[0] / g[-1]:.3g})" \
        in summary and "5-layer MLP (default init)" in summary
    assert plots.depth_data(grads)["ReLU ‖∂L/∂W‖"] == grads[1].grad_norm.tolist()
    head = act.output_head("multiclass", [1.0, 2.0], temperature=2.0)
    assert text.head_summary(head) == (
        "The multiclass head: softmax at temperature 2 turns the scores (1, 2) into "
        f"({head.outputs[0]:.4g}, {head.outputs[1]:.4g}).")
