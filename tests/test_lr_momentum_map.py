"""The lr × momentum map against single torch.optim traces, and its click logic."""

import numpy as np
import pytest

from dlviz import lr_momentum as lm
from dlviz import lr_momentum_map as lmap
from dlviz import optim


@pytest.fixture(scope="module")
def course_map():
    return lmap.lr_momentum_map("course", start=(2.5,), steps=20, lr_decades=(-3, 0))


def _trace(f, start, lr, momentum, steps, condition=None):
    return optim.trace(lm.surface_for(f, condition), start=start, lr=float(lr),
                       momentum=float(momentum), steps=steps)


def test_map_shape_and_axes(course_map):
    m = course_map
    assert m.final_loss.shape == m.diverged.shape == m.steps_to_converge.shape == (40, 40)
    assert len(np.unique(m.lrs)) == 40 and np.all(np.diff(m.lrs) > 0)
    assert set(m.lrs.tolist()) <= set(lm.lr_choices())  # a click lands on a slider stop
    np.testing.assert_allclose(m.momentums, np.arange(40) * 0.025)
    ratio = np.log10(m.lrs[1:] / m.lrs[:-1])
    assert np.all(np.abs(ratio - 3 / 39) < 0.035)  # log-spaced up to 2-digit rounding


@pytest.mark.parametrize("i,j", [(0, 0), (12, 5), (25, 0), (25, 32), (33, 20), (39, 39),
                                 (30, 10)])
def test_cells_equal_single_traces(course_map, i, j):
    m = course_map
    t = _trace("course", (2.5,), m.lrs[i], m.momentums[j], 20)
    assert m.diverged[i, j] == (t.diverged_at is not None)
    assert m.final_loss[i, j] == pytest.approx(t.losses[-1], rel=1e-9, abs=1e-12)
    gap = t.losses + 12.0
    ok = gap <= lmap.CONVERGED * (lm.surface_for("course").value((2.5,)) + 12.0)
    want = -1 if t.diverged_at is not None or not ok[-1] else int(
        np.flatnonzero(~ok)[-1] + 1 if (~ok).any() else 0)
    assert m.steps_to_converge[i, j] == want


def test_map_has_all_three_regimes(course_map):
    m = course_map
    assert m.diverged.any() and (~m.diverged).any()
    assert (m.steps_to_converge >= 0).any() and (m.steps_to_converge < 0).any()
    assert np.all(m.gap == m.final_loss + 12.0)


def test_quadratic_map_diverges_beyond_the_stability_bound():
    """On 0.1x² + 2y² (L = 4) heavy-ball SGD diverges exactly when lr > 2(1 + μ)/L."""
    m = lmap.lr_momentum_map("d2l_quadratic", start=(-5.0, -2.0), steps=300,
                             lr_decades=(-2, 1))
    bound = 2 * (1 + m.momentums[None, :]) / 4.0
    lr = m.lrs[:, None]
    clear = np.abs(lr / bound - 1) > 0.08  # away from the edge, where growth is too slow
    grows = m.diverged | (m.gap > 10.5)  # f(start) = 10.5
    want = np.broadcast_to(lr > bound, grows.shape)
    assert clear.sum() > 1200 and np.array_equal(grows[clear], want[clear])


def test_steps_to_converge_counts_from_the_last_excursion():
    gaps = np.array([[5.0, 5.0, 5.0], [0.0, 0.5, 5.0], [0.5, 0.0, 5.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(lmap.steps_to_converge(gaps, 1e3), [3, 2, 3])
    np.testing.assert_array_equal(lmap.steps_to_converge(gaps[:3], 1e3), [-1, 2, -1])


def test_cell_from_selection(course_map):
    m = course_map
    event = {"selection": {"points": [{"x": float(np.log10(m.lrs[17])) + 0.01,
                                       "y": float(m.momentums[9]) - 0.004}]}}
    assert lmap.cell_from_selection(event, m) == (m.lrs[17], m.momentums[9])
    for bad in (None, {}, {"selection": {"points": []}}, {"selection": {"points": [{"x": 1}]}},
                {"selection": {"points": [{"x": "a", "y": 0}]}},
                {"selection": {"points": [{"x": float("nan"), "y": 0}]}}):
        with pytest.raises(LookupError):
            lmap.cell_from_selection(bad, m)


def test_bad_map_settings_are_refused():
    with pytest.raises(ValueError, match="two decades"):
        lmap.map_lrs(-2, -1)
    with pytest.raises(ValueError, match="steps"):
        lmap.lr_momentum_map("course", start=(2.5,), steps=lmap.MAP_STEPS_MAX + 1)
