"""dlviz.finetune: freezing keeps parameters bit-identical, counts, determinism, save/load,
and the losses against an independent float64 numpy forward pass."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

from dlviz import finetune as ft
from dlviz import finetune_script as code
from dlviz.reproduce import close, format_prints, parse_prints

EPOCHS = 8  # short runs keep the suite fast; the page's defaults are covered by the AppTest



@pytest.fixture(scope="module")
def pretrained() -> ft.Pretrained:
    return ft.pretrain(seed=0, epochs=20)


def _run(pretrained, frozen_layers, **kw) -> ft.FineTuneResult:
    settings = dict(lr=0.01, epochs=EPOCHS, seed=0) | kw
    return ft.fine_tune(frozen_layers=frozen_layers, pretrained=pretrained, **settings)


def _numpy_mse(state: dict[str, np.ndarray], x: torch.Tensor, y: torch.Tensor) -> float:
    """Float64 forward pass written with numpy: x @ W.T + b, ReLU between layers."""
    h = x.double().numpy()
    names = ft.linear_names()
    for i, n in enumerate(names):
        h = h @ state[f"{n}.weight"].astype(np.float64).T + state[f"{n}.bias"]
        if i < len(names) - 1:
            h = np.maximum(h, 0.0)
    return float(np.mean((h - y.double().numpy()) ** 2))


@pytest.mark.parametrize("frozen_layers", [1, 2, 3, [1, 3], [0, 2]])
def test_frozen_parameters_are_bit_identical_and_the_rest_moved(pretrained, frozen_layers):
    result = _run(pretrained, frozen_layers)
    mask = ft.frozen_mask(frozen_layers)
    for name, after in result.state.items():
        layer = ft.linear_names().index(name.split(".")[0])
        before = pretrained.state[name]
        if mask[layer]:
            assert np.array_equal(after, before), name
            assert result.weight_change[name] == 0.0
        else:
            assert not np.array_equal(after, before), name
            assert result.weight_change[name] > 0.0
        assert result.weight_change[name] == pytest.approx(
            float(np.abs(after - before).max()), abs=0), name


def test_weight_change_has_every_named_parameter(pretrained):
    result = _run(pretrained, 2)
    names = [n for n, _ in ft.build_model().named_parameters()]
    assert list(result.weight_change) == names
    assert names[0] == "0.weight"  # the course's name for the first layer's weights


def _count(sizes, frozen) -> int:
    layers = zip(sizes[:-1], sizes[1:], strict=True)
    return sum(a * b + b for (a, b), f in zip(layers, frozen, strict=True) if not f)


def test_trainable_counts_are_right_and_fall_as_k_grows(pretrained):
    total = _count(ft.LAYER_SIZES, [False] * ft.N_LAYERS)
    counts = []
    for k in range(ft.N_LAYERS + 1):
        result = _run(pretrained, k, epochs=1)
        assert result.total == total == 12801
        assert result.trainable == _count(ft.LAYER_SIZES, [i < k for i in range(ft.N_LAYERS)])
        counts.append(result.trainable)
    assert counts == sorted(counts, reverse=True) and len(set(counts)) == len(counts)
    assert counts[-1] == 0


def test_all_frozen_trains_nothing(pretrained):
    result = _run(pretrained, ft.N_LAYERS)
    assert result.trainable == 0
    assert all(v == 0.0 for v in result.weight_change.values())
    assert np.all(result.losses == result.initial_loss)


def test_losses_against_a_float64_numpy_forward_pass(pretrained):
    result = _run(pretrained, 1)
    b = ft.task("eu", 0)
    assert result.initial_loss == pytest.approx(_numpy_mse(pretrained.state, b.x_val, b.y_val),
                                                rel=1e-5)
    assert result.losses[-1] == pytest.approx(_numpy_mse(result.state, b.x_val, b.y_val),
                                              rel=1e-5)
    assert result.losses.shape == (EPOCHS,)
    assert np.isfinite(result.losses).all()
    assert result.losses[-1] < result.initial_loss  # fine-tuning helps on task B


def test_deterministic_for_a_seed_and_different_across_seeds(pretrained):
    a = _run(pretrained, 2, seed=3)
    b = _run(pretrained, 2, seed=3)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.weight_change == b.weight_change
    c = _run(pretrained, 2, seed=4)
    assert not np.array_equal(a.losses, c.losses)
    p1, p2 = ft.pretrain(seed=5, epochs=2), ft.pretrain(seed=5, epochs=2)
    np.testing.assert_array_equal(p1.losses, p2.losses)


def test_fine_tune_leaves_the_global_rng_alone(pretrained):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _run(pretrained, 2, epochs=1, start="scratch")
    assert torch.equal(torch.rand(3), expected)


def test_fine_tune_pretrains_the_published_model_by_itself_when_not_given_one():
    result = ft.fine_tune(frozen_layers=2, lr=0.01, epochs=2, seed=1)
    published = ft.pretrain()  # its own seed, whatever the page's seed: the downloaded model
    assert published.seed == ft.PRETRAIN_SEED and published == ft.pretrain(seed=ft.PRETRAIN_SEED)
    again = ft.fine_tune(frozen_layers=2, lr=0.01, epochs=2, seed=1, pretrained=published)
    np.testing.assert_array_equal(result.losses, again.losses)
    other = ft.fine_tune(frozen_layers=2, lr=0.01, epochs=2, seed=1,
                         pretrained=ft.pretrain(seed=1))
    assert not np.array_equal(result.losses, other.losses)  # the pretrained model matters


def test_the_downloaded_state_dict_loads_into_the_model(pretrained):
    result = _run(pretrained, 2)
    state = torch.load(io.BytesIO(ft.state_dict_bytes(result)), weights_only=True)
    model = ft.build_model()
    model.load_state_dict(state)  # strict: same keys, same shapes
    b = ft.task("eu", 0)
    with torch.no_grad():
        mse = torch.nn.functional.mse_loss(model(b.x_val), b.y_val).item()
    assert mse == result.losses[-1]


def test_compare_runs_share_a_budget_and_match_single_runs(pretrained):
    comparison = ft.compare(frozen_layers=2, lr=0.01, epochs=EPOCHS, seed=0,
                            pretrained=pretrained)
    assert list(comparison.runs) == ["scratch", "all", "freeze", "small_lr"]
    assert {r.losses.shape for r in comparison.runs.values()} == {(EPOCHS,)}
    single = _run(pretrained, 2)
    np.testing.assert_array_equal(comparison.runs["freeze"].losses, single.losses)
    small = _run(pretrained, 2, lr=0.01 * ft.SMALL_LR_FACTOR)
    np.testing.assert_array_equal(comparison.runs["small_lr"].losses, small.losses)
    scratch = comparison.runs["scratch"]
    assert scratch.start == "scratch" and scratch.initial_loss > comparison.runs[
        "all"].initial_loss  # the pretrained model starts much closer on B


@pytest.mark.parametrize("bad", [dict(frozen_layers=5), dict(frozen_layers=-1),
                                 dict(frozen_layers=[4]), dict(lr=0.0), dict(epochs=0),
                                 dict(start="imagenet")])
def test_bad_settings_raise(pretrained, bad):
    settings = dict(frozen_layers=1, lr=0.01, epochs=1, seed=0) | bad
    with pytest.raises(ValueError):
        ft.fine_tune(pretrained=pretrained, **settings)


@pytest.mark.parametrize("frozen", [(True, True, False, False), (False, True, False, True),
                                    (False,) * 4])
def test_freeze_code_names_exactly_the_frozen_parameters(pretrained, frozen):
    listed = set(re.findall(r"'(\d\.(?:weight|bias))'", code.freeze_code(frozen)))
    result = _run(pretrained, [i for i, f in enumerate(frozen) if f], epochs=1)
    assert listed == {n for n, v in result.weight_change.items() if v == 0.0}


def test_script_prints_the_same_numbers_for_a_per_layer_choice(tmp_path):
    frozen = (False, True, False, True)
    comparison = ft.compare(frozen_layers=[1, 3], lr=0.03, epochs=10, seed=4)
    path = tmp_path / "ft.py"
    path.write_text(code.script(frozen=frozen, lr=0.03, epochs=10, seed=4))
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=180, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    got, expected = parse_prints(run.stdout), parse_prints(format_prints(code.prints(comparison)))
    assert list(got) == list(expected)
    for label, values in expected.items():
        assert len(got[label]) == len(values)
        assert all(close(a, b) for a, b in zip(got[label], values, strict=True)), label
    assert expected["max |dw| per layer"][1] == 0 and expected["max |dw| per layer"][3] == 0
