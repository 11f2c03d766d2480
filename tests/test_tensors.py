"""Oracles for dlviz.tensors: numpy float64 matrix products and closed-form parameter counts."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from dlviz import tensors, tensors_plots, tensors_script, tensors_text
from dlviz.inputs import InputError
from dlviz.reproduce import close, format_prints, parse_prints
from tests.figures import array


def _count(sizes) -> int:
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


# --- tensors ---

@pytest.mark.parametrize("text, rows", [
    ("1, 2, 3; 4, 5, 6", [[1, 2, 3], [4, 5, 6]]),
    ("[[1.5, 2], [3, 4]]", [[1.5, 2.0], [3.0, 4.0]]),
    ("[0.3471, 0.4547, -0.2356]", [[0.3471, 0.4547, -0.2356]]),
    ("7", [[7]]),
])
def test_parse_rows(text, rows):
    got = tensors.parse_rows(text)
    assert got == rows
    assert all(type(v) is type(rows[0][0]) for r in got for v in r)


@pytest.mark.parametrize("text", ["1, 2; 3", "", "a, b", "1;2;3;4;5;6;7", "1e9"])
def test_parse_rows_rejects(text):
    with pytest.raises(InputError):
        tensors.parse_rows(text)


@pytest.mark.parametrize("text", ["1, 0, -1; 0.5, 2, 0", "[[1, 0, -1], [0.5, 2, 0]]"])
def test_parse_matrix(text):
    assert tensors.parse_matrix(text, rows=2, cols=3, bound=10) == ((1, 0, -1), (0.5, 2, 0))


@pytest.mark.parametrize("text", ["1, 2, 3", "1, 2, 3; 4, 5", "1, 2; 3, 4; 5, 6", "1,2,3;4,5,11"])
def test_parse_matrix_rejects(text):
    with pytest.raises(InputError):
        tensors.parse_matrix(text, rows=2, cols=3, bound=10)


@pytest.mark.parametrize("rows, maker, dtype", [
    ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "tensor", "torch.float32"),
    ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "from_numpy", "torch.float64"),
    ([[1, 2], [3, 4]], "tensor", "torch.int64"),
    ([[1, 2], [3, 4]], "from_numpy", "torch.int64"),
])
def test_make_tensor_shape_and_dtype(rows, maker, dtype):
    info = tensors.make_tensor(rows=rows, maker=maker)
    assert info.dtype == dtype
    assert info.shape == (len(rows), len(rows[0]))
    np.testing.assert_array_equal(info.values, np.array(rows))
    assert info.text.startswith("tensor(")


# --- one linear layer ---

def test_linear_is_x_w_transpose_plus_b():
    r = tensors.linear_layer(x=tensors.COURSE_INPUT, seed=0)
    x = np.array([tensors.COURSE_INPUT], dtype=np.float64)
    w, b = r.weight.astype(np.float64), r.bias.astype(np.float64)
    np.testing.assert_allclose(r.y, x @ w.T + b, atol=1e-6)
    np.testing.assert_allclose(r.products, x * w, atol=1e-7)  # (out, in) terms of each sum
    np.testing.assert_allclose(r.products.sum(axis=1) + b, r.y[0], atol=1e-6)
    assert r.weight.shape == (2, 3) and r.bias.shape == (2,) and r.y.shape == (1, 2)
    assert r.seeded


def test_seeded_init_is_torch_default_and_bounded():
    r = tensors.linear_layer(x=tensors.COURSE_INPUT, seed=5)
    bound = 1 / np.sqrt(3)
    assert np.abs(r.weight).max() <= bound and np.abs(r.bias).max() <= bound
    torch.manual_seed(5)
    layer = torch.nn.Linear(3, 2)
    np.testing.assert_array_equal(r.weight, layer.weight.detach().numpy())
    w, b = tensors.seeded_linear(seed=5)
    np.testing.assert_array_equal(w, r.weight)
    np.testing.assert_array_equal(b, r.bias)
    assert not np.array_equal(tensors.seeded_linear(seed=6)[0], w)


def test_typed_weights_replace_the_seeded_ones():
    w = ((1.0, 0.0, -1.0), (0.5, 2.0, 0.0))
    b = (0.25, -1.0)
    r = tensors.linear_layer(x=(1.0, 2.0, 3.0), seed=0, weight=w, bias=b)
    np.testing.assert_allclose(r.y, [[1 - 3 + 0.25, 0.5 + 4 - 1.0]], atol=1e-6)
    assert not r.seeded


def test_equation_lines_show_the_sums():
    r = tensors.linear_layer(x=(1.0, 2.0, 3.0), seed=0, weight=((1, 0, -1), (0.5, 2, 0)),
                             bias=(0.25, -1.0))
    lines = tensors_plots.equation_lines(r)
    assert lines[0].endswith("= -1.7500") and lines[1].endswith("= 3.5000")
    assert "(2.0000)(2.0000)" in lines[1]


# --- stacks and heads ---

@pytest.mark.parametrize("sizes", [(10, 18, 20, 5), (16, 4, 2, 1), (8, 6, 4, 3, 2), (3, 1)])
def test_stack_shapes_and_parameter_counts(sizes):
    r = tensors.stack(sizes=sizes, seed=0)
    assert [s[-1] for s in r.shapes] == list(sizes)
    assert all(s[0] == 1 for s in r.shapes)
    np.testing.assert_array_equal(r.params, [a * b + b for a, b in
                                             zip(sizes[:-1], sizes[1:], strict=False)])
    assert r.total_params == _count(sizes)
    assert r.modules[0] == f"Linear({sizes[0]}, {sizes[1]})"


def test_course_parameter_counts():
    assert tensors.stack(sizes=(10, 18, 20, 5), seed=0).total_params == 683
    assert tensors.stack(sizes=(16, 4, 2, 1), seed=0).total_params == 81  # course exercise


def test_stack_output_matches_a_float64_forward_pass():
    """Rebuild the seeded layers and multiply through in numpy float64."""
    sizes = (10, 18, 20, 5)
    r = tensors.stack(sizes=sizes, seed=3)
    torch.manual_seed(3)
    layers = [torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=False)]
    x = torch.randn(1, sizes[0]).double().numpy()
    np.testing.assert_array_equal(r.x, x.astype(np.float32))
    h = x
    for layer in layers:
        h = h @ layer.weight.detach().double().numpy().T + layer.bias.detach().double().numpy()
    np.testing.assert_allclose(r.output, h, atol=1e-5)
    np.testing.assert_allclose(r.scores, h, atol=1e-5)


@pytest.mark.parametrize("head", ["none", "sigmoid", "softmax"])
def test_course_head_outputs(head):
    r = tensors.course_head(head=head, seed=0)
    k = tensors.HEADS[head][1]
    assert r.sizes == (11, 20, 12, 6, k)
    np.testing.assert_array_equal(r.x, [tensors.COURSE_CLASSIFIER_INPUT])
    s = r.scores.astype(np.float64)
    expected = {"none": s, "sigmoid": 1 / (1 + np.exp(-s)),
                "softmax": np.exp(s - s.max()) / np.exp(s - s.max()).sum()}[head]
    np.testing.assert_allclose(r.output, expected, rtol=1e-5, atol=1e-7)
    assert r.total_params == _count(r.sizes)
    assert len(r.shapes) == len(r.modules) + 1 == 5 + (head != "none")


def test_heads_share_the_hidden_layers():
    """The first three layers are created first, so every head sees the same hidden features."""
    a, b = tensors.course_head(head="none", seed=1), tensors.course_head(head="softmax", seed=1)
    assert a.params[:3].tolist() == b.params[:3].tolist() == [240, 252, 78]
    assert tensors.course_head(head="softmax", seed=0).output.sum() == pytest.approx(1, abs=1e-6)


@pytest.mark.parametrize("text", ["10, 18, 20, 5", "16 4 2 1"])
def test_parse_sizes(text):
    assert tensors.parse_sizes(text) in ((10, 18, 20, 5), (16, 4, 2, 1))


@pytest.mark.parametrize("text", ["10", "10, 2.5", "0, 3", "10, 300", "1,2,3,4,5,6,7,8,9,10"])
def test_parse_sizes_rejects(text):
    with pytest.raises(InputError):
        tensors.parse_sizes(text)


# --- figures ---

def _json(fig) -> dict:
    return json.loads(fig.to_json())


def test_linear_figure_draws_x_wt_b_y():
    r = tensors.linear_layer(x=tensors.COURSE_INPUT, seed=0)
    maps = _json(tensors_plots.linear_figure(r))["data"]
    np.testing.assert_allclose(array(maps[0]["z"]).reshape(1, 3), r.x)
    np.testing.assert_allclose(array(maps[1]["z"]).reshape(3, 2), r.weight.T)
    np.testing.assert_allclose(array(maps[2]["z"]).reshape(1, 2), r.bias[None, :])
    np.testing.assert_allclose(array(maps[3]["z"]).reshape(1, 2), r.y)
    assert all(m["texttemplate"] == "%{z:.3f}" and m["textfont"]["size"] == 14 for m in maps)
    lecture = _json(tensors_plots.linear_figure(r, lecture=True))["data"]  # fewer, larger digits
    assert all(m["texttemplate"] == "%{z:.2f}" and m["textfont"]["size"] == 18 for m in lecture)
    np.testing.assert_allclose(array(lecture[3]["z"]).reshape(1, 2), r.y)


def test_stack_figure_bars():
    r = tensors.stack(sizes=(10, 18, 20, 5), seed=0)
    fig = _json(tensors_plots.stack_figure(r))
    features, params = fig["data"]
    np.testing.assert_array_equal(array(features["y"]), [10, 18, 20, 5])
    assert features["text"] == ["(1, 10)", "(1, 18)", "(1, 20)", "(1, 5)"]
    np.testing.assert_array_equal(array(params["y"]), [198, 380, 105])
    assert "683" in fig["layout"]["title"]["text"]
    data = tensors_plots.stack_data(r)
    assert data["trainable parameters"] == [0, 198, 380, 105]
    assert data["output shape"] == ["(1, 10)", "(1, 18)", "(1, 20)", "(1, 5)"]


def test_head_figure_bars():
    r = tensors.course_head(head="softmax", seed=0)
    scores, outputs = _json(tensors_plots.head_figure(r))["data"]
    np.testing.assert_allclose(array(scores["y"]), r.scores[0])
    np.testing.assert_allclose(array(outputs["y"]), r.output[0])


# --- the reproduce script at non-default settings ---

def test_script_prints_the_same_numbers(tmp_path):
    info = tensors.make_tensor(rows=[[1.5, -2.0], [0.25, 4.0], [3.0, 1.0]], maker="from_numpy")
    linear = tensors.linear_layer(x=(0.5, -1.0, 2.0), seed=4,
                                  weight=((0.1, 0.2, 0.3), (-0.4, 0.5, -0.6)), bias=(1.0, -1.0))
    stack = tensors.stack(sizes=(6, 9, 3), seed=4)
    head = tensors.course_head(head="sigmoid", seed=4)
    path = tmp_path / "s.py"
    path.write_text(tensors_script.script(tensor=info, linear=linear, seed=4, stack=stack,
                                          head=head))
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    got = parse_prints(run.stdout)
    expected = parse_prints(format_prints(tensors_script.prints(tensor=info, linear=linear,
                                                                stack=stack, head=head)))
    assert list(got) == list(expected)
    assert "tensor shape, torch.float64" in got
    for label, values in expected.items():
        assert len(got[label]) == len(values), label
        assert all(close(a, b) for a, b in zip(got[label], values, strict=True)), label


# --- the charts' text alternatives carry the result's numbers ---

def test_linear_summary_and_data_hold_the_layer():
    r = tensors.linear_layer(x=(1.0, 2.0, 3.0), seed=0, weight=((1, 0, -1), (0.5, 2, 0)),
                             bias=(0.25, -1))
    summary = tensors_text.linear_summary(r)
    assert "nn.Linear(3, 2) maps x = (1.0000, 2.0000, 3.0000)" in summary
    assert "y = (-1.7500, 3.5000)" in summary and "b = (0.2500, -1.0000)" in summary
    assert "typed weights) from -1.0000 to 2.0000" in summary
    data = tensors_plots.linear_data(r)
    assert data["tensor"] == ["x"] * 3 + ["W"] * 6 + ["b"] * 2 + ["y"] * 2
    np.testing.assert_allclose(data["value"][3:9], r.weight.ravel())
    np.testing.assert_allclose(data["value"][-2:], r.y[0])


def test_stack_and_head_summaries():
    r = tensors.stack(sizes=(10, 18, 20, 5), seed=0)
    assert tensors_text.stack_summary(r) == (
        "The tensor's shape after each of the 3 modules: (1, 10) → (1, 18) → (1, 20) → "
        "(1, 5); 683 trainable parameters (Linear(10, 18) 198, Linear(18, 20) 380, "
        "Linear(20, 5) 105).")
    h = tensors.course_head(head="softmax", seed=0)
    summary = tensors_text.head_summary(h)
    assert "sum to 1.0000" in summary
    assert ", ".join(f"{v:.4f}" for v in h.output[0]) in summary
    assert tensors_plots.head_data(h)["softmax(scores)"] == h.output[0].tolist()
