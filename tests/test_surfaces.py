"""The objectives: formulas against closed forms in numpy, minima as stationary points."""

import math

import numpy as np
import pytest
import torch

from dlviz import data, surfaces

CLOSED_FORMS = {  # independent numpy versions of every formula, f(x, y)
    "course": lambda x, y: x**4 + x**3 - 5 * x**2,
    "bowl": lambda x, y: x**2,
    "quadratic": lambda x, y: 0.5 * x**2 + 5.0 * y**2,  # κ = 10
    "d2l_quadratic": lambda x, y: 0.1 * x**2 + 2 * y**2,
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "distill": lambda x, y: (1 - x) ** 2 + 20 * (3 * y - x**2) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "rastrigin": lambda x, y: 20 + x**2 - 10 * np.cos(2 * np.pi * x) + y**2
    - 10 * np.cos(2 * np.pi * y),
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2
    + (2.625 - x + x * y**3) ** 2,
    "saddle": lambda x, y: x**2 - y**2,
}


def _regression_numpy(w, b):
    x, y = (t.double().numpy().ravel() for t in data.linear_regression(seed=0))
    return np.mean((np.multiply.outer(w, x) + np.multiply.outer(b, np.ones_like(x)) - y) ** 2,
                   axis=-1)


def test_registry_has_required_names():
    required = {"course", "rosenbrock", "distill", "himmelblau", "rastrigin", "beale", "saddle",
                "bowl", "quadratic", "d2l_quadratic", "regression"}
    assert required <= set(surfaces.SURFACES)
    assert surfaces.SURFACES["course"].start == (2.5,)
    assert surfaces.SURFACES["bowl"].dim == 1 and surfaces.SURFACES["bowl"].convex


@pytest.mark.parametrize("name", list(CLOSED_FORMS) + ["regression"])
def test_formula_matches_closed_form(name):
    s = surfaces.SURFACES[name]
    rng = np.random.default_rng(1)
    pts = np.stack([rng.uniform(lo, hi, 50) for lo, hi in s.domain], 1)  # (50, dim)
    got = s.fn(torch.tensor(pts)).numpy()
    x = pts[:, 0]
    y = pts[:, 1] if s.dim == 2 else np.zeros_like(x)
    want = _regression_numpy(x, y) if name == "regression" else CLOSED_FORMS[name](x, y)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)
    # one point at a time gives the same as the batch
    assert s(torch.tensor(pts[3])).item() == pytest.approx(got[3], rel=1e-14)


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_minima_are_stationary_minima_with_listed_values(name):
    s = surfaces.SURFACES[name]
    for m in s.minima:
        p = torch.tensor(m.point, dtype=torch.float64, requires_grad=True)
        value = s(p)
        (grad,) = torch.autograd.grad(value, p)
        assert grad.abs().max().item() < 1e-8, (m, grad)
        assert value.item() == pytest.approx(m.value, abs=1e-10)
        hess = torch.autograd.functional.hessian(s.fn, p.detach())
        assert torch.linalg.eigvalsh(hess).min().item() > 0
        assert all(lo <= c <= hi for c, (lo, hi) in zip(m.point, s.domain, strict=True))
    if s.minima:
        best = min(m.value for m in s.minima)
        assert {m.kind for m in s.minima} <= {"global", "local"}
        for m in s.minima:
            assert (m.kind == "global") == (m.value <= best + 1e-9)


def test_course_minima_and_saddle():
    course = surfaces.SURFACES["course"]
    assert [(m.point, m.kind) for m in course.minima] == [((-2.0,), "global"), ((1.25,), "local")]
    assert course.minima[0].value == -12.0
    assert course.minima[1].value == pytest.approx(-3.418, abs=1e-3)
    assert surfaces.SURFACES["saddle"].minima == ()
    assert len(surfaces.SURFACES["himmelblau"].minima) == 4
    assert len(surfaces.SURFACES["rastrigin"].minima) == 81


def test_regression_minimum_is_least_squares():
    x, y = (t.double().numpy().ravel() for t in data.linear_regression(seed=0))
    w, b = np.polyfit(x, y, 1)
    (m,) = surfaces.SURFACES["regression"].minima
    assert m.point == pytest.approx((w, b), abs=1e-10)


def test_quadratic_condition_number():
    s = surfaces.quadratic(100.0)
    hess = torch.autograd.functional.hessian(s.fn, torch.zeros(2, dtype=torch.float64))
    eig = torch.linalg.eigvalsh(hess)
    assert (eig.max() / eig.min()).item() == pytest.approx(100.0)
    assert surfaces.get("quadratic", condition=100.0).value((1.0, 1.0)) == 50.5
    with pytest.raises(ValueError):
        surfaces.quadratic(0.5)


def test_starts_inside_domain():
    for s in surfaces.SURFACES.values():
        assert len(s.start) == s.dim == len(s.domain)
        assert all(lo <= c <= hi for c, (lo, hi) in zip(s.start, s.domain, strict=True))
        assert math.isfinite(s.value(s.start))


def test_nearest_minimum():
    course = surfaces.SURFACES["course"]
    m, d = surfaces.nearest_minimum(course, (1.0,))
    assert m.kind == "local" and d == pytest.approx(0.25)
    m, _ = surfaces.nearest_minimum(surfaces.SURFACES["himmelblau"], (3.5, -2.0))
    assert m.point[0] > 3.5 and m.point[1] < -1.5
    assert surfaces.nearest_minimum(surfaces.SURFACES["saddle"], (0.0, 0.0)) is None


def test_start_from_selection():
    ros = surfaces.SURFACES["rosenbrock"]
    event = {"selection": {"points": [{"x": 0.5234, "y": 1.017, "curve_number": 3}]}}
    assert surfaces.start_from_selection(ros, event) == (0.52, 1.02)
    clipped = {"selection": {"points": [{"x": -9.0, "y": 9.0}]}}
    assert surfaces.start_from_selection(ros, clipped) == (-2.0, 3.0)
    one_d = {"selection": {"points": [{"x": 1.234, "y": 5.0}]}}
    assert surfaces.start_from_selection(surfaces.SURFACES["course"], one_d) == (1.23,)
    for nothing in (None, {}, {"selection": {"points": []}}, {"selection": {"points": [{}]}},
                    {"selection": {"points": [{"x": float("nan"), "y": 0}]}},
                    {"selection": {"points": [{"x": "abc", "y": 0}]}}):
        assert surfaces.start_from_selection(ros, nothing) is None
