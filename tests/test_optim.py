"""The engine against independent torch.optim loops (float64, 1e-9) and the course's facts."""

import math

import numpy as np
import pytest
import torch

from dlviz import optim, surfaces

# Independent objectives, written as plain scalar expressions of a (dim,) tensor.
ORACLE_F = {
    "course": lambda w: w[0] ** 4 + w[0] ** 3 - 5 * w[0] ** 2,
    "rosenbrock": lambda w: (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2,
    "distill": lambda w: (1 - w[0]) ** 2 + 20 * (3 * w[1] - w[0] ** 2) ** 2,
    "himmelblau": lambda w: (w[0] ** 2 + w[1] - 11) ** 2 + (w[0] + w[1] ** 2 - 7) ** 2,
    "rastrigin": lambda w: 20 + (w**2 - 10 * torch.cos(2 * math.pi * w)).sum(),
    "beale": lambda w: (1.5 - w[0] + w[0] * w[1]) ** 2 + (2.25 - w[0] + w[0] * w[1] ** 2) ** 2
    + (2.625 - w[0] + w[0] * w[1] ** 3) ** 2,
    "saddle": lambda w: w[0] ** 2 - w[1] ** 2,
}

SETTINGS = [  # (optimizer, lr, keyword settings)
    ("sgd", 1e-3, {}),
    ("sgd", 1e-3, {"momentum": 0.9}),
    ("sgd", 1e-3, {"momentum": 0.8, "nesterov": True}),
    ("sgd", 1e-3, {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01}),
    ("adam", 0.05, {}),
    ("adam", 0.05, {"betas": (0.5, 0.9)}),
    ("rmsprop", 0.01, {"alpha": 0.9, "momentum": 0.5}),
    ("adagrad", 0.3, {}),
]


def oracle_loop(f, start, optimizer, lr, steps, **kw):
    """A plain torch.optim loop: the iterates, written independently of dlviz.optim."""
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop,
           "adagrad": torch.optim.Adagrad}[optimizer]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = cls([p], lr=lr, **kw)
    pts = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        f(p).backward()
        opt.step()
        pts.append(p.detach().numpy().copy())
    return np.array(pts)


@pytest.mark.parametrize("optimizer,lr,kw", SETTINGS)
@pytest.mark.parametrize("name", list(ORACLE_F))
def test_trace_equals_torch_optim_loop(name, optimizer, lr, kw):
    s = surfaces.SURFACES[name]
    want = oracle_loop(ORACLE_F[name], s.start, optimizer, lr, 60, **kw)
    t = optim.trace(name, start=s.start, optimizer=optimizer, lr=lr, steps=60, **kw)
    n = 61 if t.diverged_at is None else t.diverged_at
    assert t.points.shape == (n, s.dim) and t.losses.shape == (n,)
    np.testing.assert_allclose(t.points, want[:n], rtol=1e-9, atol=1e-12)
    want_loss = [ORACLE_F[name](torch.tensor(p)).item() for p in want[:n]]
    if t.diverged_at is not None:  # the oracle left the documented bounds at that step
        bad_loss = ORACLE_F[name](torch.tensor(want[n])).item()
        assert not (np.abs(want[n]).max() <= optim.COORD_BOUND
                    and abs(bad_loss) <= optim.LOSS_BOUND)
    np.testing.assert_allclose(t.losses, want_loss, rtol=1e-9, atol=1e-12)


def test_trace_accepts_callables_and_reports_gradients():
    f = ORACLE_F["rosenbrock"]
    t = optim.trace(f, start=(-2.0, 2.0), lr=1e-3, steps=5, momentum=0.9)
    same = optim.trace(surfaces.SURFACES["rosenbrock"], start=(-2.0, 2.0), lr=1e-3, steps=5,
                       momentum=0.9)
    np.testing.assert_allclose(t.points, same.points, rtol=1e-12)
    x, y = t.points[:, 0], t.points[:, 1]
    grads = np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], 1)
    np.testing.assert_allclose(t.grads, grads, rtol=1e-9)


def test_course_story():
    """REFERENCE.md: torch.optim.SGD from x0 = 2.5 on x⁴ + x³ − 5x²."""
    def end(**kw):
        return optim.trace("course", start=(2.5,), **kw)

    assert end(lr=0.01, steps=10).points[-1, 0] == pytest.approx(1.325, abs=5e-4)
    assert end(lr=0.05, steps=10).points[-1, 0] == pytest.approx(-2.000, abs=5e-4)
    blown = end(lr=0.1, steps=10)
    assert blown.diverged_at is not None and len(blown.points) == blown.diverged_at
    assert end(lr=0.01, steps=20).points[-1, 0] == pytest.approx(1.262, abs=5e-4)
    assert end(lr=0.01, steps=20, momentum=0.8).points[-1, 0] == pytest.approx(-1.83, abs=5e-3)


def test_divergence_at_documented_bound():
    # x² from 10 with lr 1.1: x_k = 10·(−1.2)^k, so |x_k| > 1e6 first at k = 64
    t = optim.trace("bowl", start=(10.0,), lr=1.1, steps=200)
    k = next(k for k in range(200) if 10 * 1.2**k > optim.COORD_BOUND)
    assert t.diverged_at == k == 64
    assert t.points.shape == (64, 1) and t.losses.shape == (64,)
    assert np.isfinite(t.points).all() and np.isfinite(t.losses).all()
    assert t.converged_at is None


def test_divergence_on_non_finite_loss():
    def f(w):
        return torch.sqrt(w[0])  # NaN for w < 0

    t = optim.trace(f, start=(1.0,), lr=10.0, steps=5)  # w₁ = 1 − 10·0.5 = −4
    assert t.diverged_at == 1 and t.points.tolist() == [[1.0]]
    inf = optim.trace(lambda w: w[0] * math.inf, start=(1.0,), lr=0.1, steps=3)
    assert inf.diverged_at == 0 and inf.points.shape == (0, 1)


def test_d2l_facts():
    def last(name, **kw):
        return optim.trace(name, start=surfaces.SURFACES[name].start, steps=kw.pop("steps", 20),
                           **kw)

    assert abs(last("bowl", lr=0.2, steps=10).points[-1, 0]) < 0.07  # 10·0.6¹⁰ ≈ 0.06
    assert last("bowl", lr=1.1, steps=100).diverged_at is not None
    assert last("d2l_quadratic", lr=0.6, steps=100).diverged_at is not None
    slow = last("d2l_quadratic", lr=0.4).points[-1]
    assert abs(slow[0]) > 0.3  # x shrinks by only 0.92 per step
    heavy = last("d2l_quadratic", lr=0.6, momentum=0.5, steps=50)
    assert heavy.diverged_at is None and np.abs(heavy.points[-1]).max() < 1e-2


def test_converged_at():
    t = optim.trace("bowl", start=(10.0,), lr=0.2, steps=50)  # grad = 20·0.6^k
    want = next(k for k in range(51) if 20 * 0.6**k <= optim.GRAD_TOL)
    assert t.converged_at == want
    assert optim.trace("bowl", start=(10.0,), lr=0.2, steps=5).converged_at is None


def test_momentum_rate_matches_theory():
    """Optimal heavy ball on eigenvalues (1, 100): error shrinks ≈ (√κ−1)/(√κ+1) per step."""
    kappa = 100.0
    lr = (2 / (1 + math.sqrt(kappa))) ** 2
    mom = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    t = optim.trace(surfaces.quadratic(kappa), start=(1.0, 1.0), lr=lr, momentum=mom,
                    steps=200)
    norms = np.linalg.norm(t.points, axis=1)
    rate = (norms[200] / norms[100]) ** (1 / 100)
    assert rate == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), abs=0.01)


def test_noise_is_seeded_and_added_to_the_gradient():
    kw = dict(start=(-2.0, 2.0), lr=1e-3, steps=30, momentum=0.9)
    clean = optim.trace("rosenbrock", **kw)
    np.testing.assert_array_equal(clean.points,
                                  optim.trace("rosenbrock", noise_std=0.0, seed=5, **kw).points)
    a = optim.trace("rosenbrock", noise_std=2.0, seed=1, **kw)
    b = optim.trace("rosenbrock", noise_std=2.0, seed=1, **kw)
    c = optim.trace("rosenbrock", noise_std=2.0, seed=2, **kw)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.allclose(a.points, c.points)
    # oracle: the same loop with the noise drawn from its own generator
    g = torch.Generator().manual_seed(1)
    p = torch.tensor([-2.0, 2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1e-3, momentum=0.9)
    for _ in range(30):
        opt.zero_grad()
        ORACLE_F["rosenbrock"](p).backward()
        p.grad += 2.0 * torch.randn(2, generator=g, dtype=torch.float64)
        opt.step()
    np.testing.assert_allclose(a.points[-1], p.detach().numpy(), rtol=1e-9)


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        optim.trace("course", start=(2.5,), optimizer="adam", lr=0.1, steps=3, momentum=0.9)
    with pytest.raises(ValueError):
        optim.trace("course", start=(2.5,), optimizer="lbfgs", lr=0.1, steps=3)
    with pytest.raises(ValueError):
        optim.trace("course", start=(float("nan"),), lr=0.1, steps=3)
    with pytest.raises(KeyError):
        optim.trace("nope", start=(1.0,), lr=0.1, steps=3)


def _check_sweep(name, start, lrs, moms, steps, optimizer="sgd"):
    sw = optim.sweep(name, start=start, lrs=lrs, momentums=moms, steps=steps,
                     optimizer=optimizer)
    assert sw.final_loss.shape == sw.diverged.shape == (len(lrs), len(moms))
    kinds = set()
    for i, lr in enumerate(lrs):
        for j, mom in enumerate(moms):
            t = optim.trace(name, start=start, lr=lr, momentum=mom, steps=steps,
                            optimizer=optimizer)
            assert sw.diverged[i, j] == (t.diverged_at is not None)
            assert sw.diverged_at[i, j] == (-1 if t.diverged_at is None else t.diverged_at)
            assert sw.final_loss[i, j] == pytest.approx(t.losses[-1], rel=1e-9, abs=1e-12)
            np.testing.assert_allclose(sw.final_point[i, j], t.points[-1], rtol=1e-9,
                                       atol=1e-12)
            kinds.add(bool(sw.diverged[i, j]))
    assert np.isfinite(sw.final_loss).all()
    return kinds


def test_sweep_sgd_equals_single_traces_including_divergence():
    kinds = _check_sweep("rosenbrock", (-2.0, 2.0), [1e-5, 1e-4, 5e-4, 2e-3, 1e-2],
                         [0.0, 0.5, 0.9, 0.99], 100)
    assert kinds == {True, False}  # both kinds of cell are exercised
    _check_sweep("course", (2.5,), [0.001, 0.01, 0.05, 0.1], [0.0, 0.8], 20)


def test_sweep_other_optimizers_equal_single_traces():
    _check_sweep("himmelblau", (0.0, 0.0), [0.01, 0.1, 1.0], [0.0], 40, optimizer="adam")
    _check_sweep("beale", (3.0, 4.0), [1e-3, 0.05], [0.0, 0.6], 40, optimizer="rmsprop")
    _check_sweep("rastrigin", (-2.0, 3.5), [0.1, 1.0], [0.0], 40, optimizer="adagrad")


def test_sweep_with_plain_callable():
    sw = optim.sweep(ORACLE_F["distill"], start=(-1.21, 0.853), lrs=[0.001, 0.003],
                     momentums=[0.0, 0.74], steps=30)
    for i, lr in enumerate([0.001, 0.003]):
        for j, mom in enumerate([0.0, 0.74]):
            t = optim.trace("distill", start=(-1.21, 0.853), lr=lr, momentum=mom, steps=30)
            assert sw.final_loss[i, j] == pytest.approx(t.losses[-1], rel=1e-9)


def test_sweep_rejects_momentum_for_adam():
    with pytest.raises(ValueError):
        optim.sweep("course", start=(2.5,), lrs=[0.1], momentums=[0.9], steps=3,
                    optimizer="adam")


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_presets_run_without_divergence(name):
    s = surfaces.SURFACES[name]
    p = s.preset
    assert p.optimizer in optim.OPTIMIZERS and 1e-5 <= p.lr <= 10 and p.steps <= 2000
    t = optim.trace(name, start=s.start, lr=p.lr, momentum=p.momentum, steps=p.steps,
                    optimizer=p.optimizer)
    assert t.diverged_at is None and np.isfinite(t.losses).all()
    if name == "course":  # the course's story: plain SGD stops in the local minimum
        assert surfaces.nearest_minimum(s, t.points[-1])[0].kind == "local"


def test_warm_up_runs_once_and_imports_no_compiler():
    """The app's background warm-up takes a first optimizer step once per process; torch.optim
    would import torch._dynamo there (2.3 s), dlviz's step does not (dlviz.steps)."""
    import subprocess
    import sys

    code = ("import sys; from dlviz import optim; "
            "assert 'torch._dynamo' not in sys.modules; t = optim.start_warm_up(); t.join(); "
            "assert 'torch._dynamo' not in sys.modules; assert optim.start_warm_up() is None")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]


LOCKSTEP_RUNS = [
    dict(optimizer="sgd", lr=0.001, steps=300),
    dict(optimizer="sgd", lr=0.001, momentum=0.9, steps=250),
    dict(optimizer="sgd", lr=0.002, momentum=0.9, nesterov=True, steps=0),
    dict(optimizer="adam", lr=0.3, steps=200),
    dict(optimizer="rmsprop", lr=0.01, momentum=0.5, steps=120),
    dict(optimizer="adagrad", lr=0.5, steps=80),
    dict(optimizer="sgd", lr=3.0, steps=300),  # diverges within a few steps on every surface
]


@pytest.mark.parametrize("name", ["course", "rosenbrock", "distill", "beale", "saddle"])
@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_traces_in_lockstep_equal_the_traces_one_by_one(name, noise):
    """The oracle is `trace` itself: run by run, the same points, losses, gradients,
    divergence and convergence steps, bit for bit."""
    start = surfaces.SURFACES[name].start
    together = optim.traces(name, start=start, runs=LOCKSTEP_RUNS, noise_std=noise, seed=4)
    assert len(together) == len(LOCKSTEP_RUNS)
    for run, got in zip(LOCKSTEP_RUNS, together, strict=True):
        want = optim.trace(name, start=start, noise_std=noise, seed=4, **run)
        np.testing.assert_array_equal(got.points, want.points)
        np.testing.assert_array_equal(got.losses, want.losses)
        np.testing.assert_array_equal(got.grads, want.grads)
        assert (got.diverged_at, got.converged_at) == (want.diverged_at, want.converged_at)
    assert together[-1].diverged_at is not None  # the diverging lane really dropped out early


def test_traces_reports_progress_up_to_done():
    seen = []
    optim.traces("rosenbrock", start=(-2.0, 2.0), runs=LOCKSTEP_RUNS[:2], progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0
