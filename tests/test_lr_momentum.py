"""Runs, outcomes and presets of the Learning rate & momentum page, against plain torch loops."""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from dlviz import lr_momentum as lm
from dlviz import lr_momentum_presets as presets
from dlviz import lr_momentum_script as code
from dlviz.reproduce import close, format_prints, parse_prints


def sgd_loop(f, start, *, lr, steps, momentum=0.0):
    """Heavy-ball SGD written out by hand (v ← μv + g; w ← w − lr·v), float64."""
    w = torch.tensor(start, dtype=torch.float64)
    v = None
    out = [w.clone()]
    for _ in range(steps):
        x = w.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(x), x)
        v = g if v is None else momentum * v + g
        w = w - lr * (v if momentum else g)
        out.append(w.clone())
    return torch.stack(out).numpy()


def course(w):
    return w[0] ** 4 + w[0] ** 3 - 5 * w[0] ** 2


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_every_preset_reproduces_its_claim(key):
    p = presets.PRESETS[key]
    comp = lm.compare(p.surface, runs=p.runs, start=p.start)
    assert [r.outcome for r in comp.runs] == list(p.expect)
    assert len(p.expect) == len(p.runs) <= lm.MAX_RUNS
    assert presets.matching(p.surface, comp.start, tuple(p.runs), 0.0) == key


def test_course_presets_end_where_the_course_says():
    lr = lm.compare("course", runs=presets.PRESETS["course_lr"].runs, start=(2.5,))
    small, good, large = (r.points[-1, 0] for r in lr.runs)
    assert small == pytest.approx(1.325, abs=5e-4)  # stuck right of the hump
    assert good == pytest.approx(-2.0, abs=1e-3)
    assert lr.runs[2].diverged_at is not None
    mom = lm.compare("course", runs=presets.PRESETS["course_momentum"].runs, start=(2.5,))
    assert mom.runs[0].points[-1, 0] == pytest.approx(1.262, abs=5e-4)
    assert mom.runs[2].points[-1, 0] == pytest.approx(-1.83, abs=5e-3)


def test_d2l_bowl_matches_the_closed_form():
    comp = lm.compare("bowl", runs=presets.PRESETS["d2l_bowl"].runs, start=(10.0,))
    for r in comp.runs:  # x_k = 10 (1 − 2 lr)^k exactly
        want = 10.0 * (1 - 2 * r.spec.lr) ** np.arange(r.spec.steps + 1)
        np.testing.assert_allclose(r.points[:, 0], want, rtol=1e-12)
        np.testing.assert_allclose(r.distance, np.maximum(np.abs(want), lm.GAP_FLOOR))


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_run_equals_a_hand_written_sgd_loop(momentum):
    spec = lm.RunSpec("sgd", 0.01, momentum, False, 25)
    r = lm.run(lm.surface_for("course"), spec, start=(2.5,))
    want = sgd_loop(course, [2.5], lr=0.01, steps=25, momentum=momentum)
    np.testing.assert_allclose(r.points, want, rtol=1e-9, atol=1e-12)
    losses = [course(torch.tensor(p)).item() for p in want]
    np.testing.assert_allclose(r.losses, losses, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r.gap, np.maximum(np.array(losses) + 12.0, lm.GAP_FLOOR),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r.distance, np.maximum(np.abs(want[:, 0] + 2.0), lm.GAP_FLOOR))


def test_noise_is_seeded_and_shared_by_the_runs():
    runs = [lm.RunSpec("sgd", 0.05, 0.0, False, 30)] * 2
    a = lm.compare("d2l_quadratic", runs=runs, noise_std=1.0, seed=4)
    b = lm.compare("d2l_quadratic", runs=runs, noise_std=1.0, seed=4)
    c = lm.compare("d2l_quadratic", runs=runs, noise_std=1.0, seed=5)
    quiet = lm.compare("d2l_quadratic", runs=runs)
    np.testing.assert_array_equal(a.runs[0].points, b.runs[0].points)
    np.testing.assert_array_equal(a.runs[0].points, a.runs[1].points)  # same noise sequence
    assert not np.allclose(a.runs[0].points, c.runs[0].points)
    assert not np.allclose(a.runs[0].points, quiet.runs[0].points)
    # the noise: g + σ·ε with ε from torch.Generator().manual_seed(seed), one draw per step
    gen = torch.Generator().manual_seed(4)
    w = torch.tensor([-5.0, -2.0], dtype=torch.float64)
    for _ in range(30):
        g = torch.tensor([0.2, 4.0], dtype=torch.float64) * w
        w = w - 0.05 * (g + torch.randn(2, generator=gen, dtype=torch.float64))
    np.testing.assert_allclose(a.runs[0].points[-1], w.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("points,diverged,want", [
    ([[2.5], [1.3]], None, "local"),
    ([[2.5], [-1.9]], None, "global"),
    ([[2.5], [0.5]], None, "on the way"),
    ([[2.5], [2.9]], None, "growing"),
    ([[2.5], [9.0]], 3, "diverged"),
])
def test_outcome(points, diverged, want):
    assert lm.outcome(lm.surface_for("course"), np.array(points), diverged) == want


def test_run_spec_label_and_bounds():
    spec = lm.RunSpec("sgd", 0.003, 0.74, True, 150)
    assert spec.label() == "sgd lr=0.003 μ=0.74 nesterov 150 steps"
    assert lm.RunSpec("adam", 0.5, 0.0, False, 9).label() == "adam lr=0.5 9 steps"
    assert spec.problems() == []
    bad = lm.RunSpec("lbfgs", 20.0, 1.0, False, 0).problems()
    assert len(bad) == 4 and "lr must lie in" in bad[1]
    assert lm.RunSpec("sgd", 0.1, 0.0, True, 5).torch_kwargs()["nesterov"] is False
    assert "momentum" not in lm.RunSpec("adam", 0.1, 0.0, False, 5).torch_kwargs()


def test_compare_rejects_impossible_settings():
    with pytest.raises(ValueError, match="coordinate"):
        lm.compare("distill", runs=[lm.RunSpec()], start=(1.0,))
    with pytest.raises(ValueError, match="runs"):
        lm.compare("course", runs=[lm.RunSpec()] * (lm.MAX_RUNS + 1))


def test_lr_stops_are_two_significant_digits_and_cover_presets():
    stops = lm.lr_choices()
    assert stops[0] == lm.LR_MIN and stops[-1] == lm.LR_MAX
    assert len(stops) == 6 * 90 + 1 and list(stops) == sorted(set(stops))
    for p in presets.PRESETS.values():
        assert all(s.lr in stops for s in p.runs)
    assert lm.snap_lr(0.012345) == 0.012 and lm.snap_lr(1e-9) == lm.LR_MIN
    assert lm.snap_lr(0.6679) == 0.67 and lm.snap_lr(50.0) == lm.LR_MAX


def test_add_run_appends_and_replaces_the_last_when_full():
    new = lm.RunSpec("sgd", 0.2, 0.5, False, 10)
    assert lm.add_run([lm.RunSpec()], new) == (lm.RunSpec(), new)
    full = [lm.RunSpec(lr=v) for v in (0.1, 0.2, 0.3, 0.4)]
    assert lm.add_run(full, new) == (*full[:3], new)


def test_widget_state_round_trips_through_matching():
    for key in presets.PRESETS:
        state = presets.widget_state(key)
        runs = tuple(lm.RunSpec(state[f"opt{i}"], state[f"lr{i}"], state[f"mom{i}"],
                                state[f"nest{i}"], state[f"steps{i}"])
                     for i in range(1, state["n"] + 1))
        start = tuple(float(v) for v in state["start"].split(","))
        assert presets.matching(state["f"], start, runs, 0.0) == key
    assert presets.matching("course", (2.5,), (lm.RunSpec("sgd", 0.02, 0, False, 10),), 0) is None


def test_landscape_equals_the_formula():
    land = lm.landscape("distill", n=21)
    x, y = np.meshgrid(land.xs, land.ys)
    np.testing.assert_allclose(land.values, (1 - x) ** 2 + 20 * (3 * y - x**2) ** 2, rtol=1e-12)
    np.testing.assert_allclose(land.shade, np.log10(land.values - land.values.min() + 1e-3))
    one = lm.landscape("course", n=10)
    np.testing.assert_allclose(one.values, one.xs**4 + one.xs**3 - 5 * one.xs**2, rtol=1e-12)


@pytest.mark.parametrize("f,runs,noise", [
    ("course", presets.PRESETS["course_lr"].runs, 0.0),  # one run diverges
    ("rastrigin", (lm.RunSpec("sgd", 0.002, 0.9, True, 60), lm.RunSpec("adam", 0.1, 0, False, 60),
                   lm.RunSpec("rmsprop", 0.01, 0.5, False, 60),
                   lm.RunSpec("adagrad", 0.5, 0, False, 60)), 0.7),
    ("quadratic", (lm.RunSpec("sgd", 0.02, 0.6, False, 40),), 0.0),
])
def test_script_prints_the_runs_numbers(f, runs, noise, tmp_path):
    comp = lm.compare(f, runs=runs, noise_std=noise, seed=11, condition=50.0)
    text = code.script(surface=f, start=comp.start, runs=runs, noise_std=noise, seed=11,
                       condition=50.0)
    assert text.startswith("# dlviz")
    path = tmp_path / "s.py"
    path.write_text(text)
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    got, want = parse_prints(out.stdout), parse_prints(format_prints(code.prints(comp)))
    assert list(got) == list(want)
    for label, values in want.items():
        assert len(got[label]) == len(values)
        assert all(close(a, b) for a, b in zip(got[label], values, strict=True)), label


def test_script_formulas_cover_the_objectives():
    assert set(code.FORMULAS) == set(lm.OBJECTIVES)
    assert all(math.isfinite(lm.surface_for(n).value(lm.surface_for(n).start))
               for n in lm.OBJECTIVES)
