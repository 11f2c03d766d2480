"""The charts' text alternatives and data: their numbers are the results' numbers."""

import re

import numpy as np
import pytest

from dlviz import lr_momentum as lm
from dlviz import lr_momentum_map as lmap
from dlviz import lr_momentum_presets as presets
from dlviz import lr_momentum_text as text


def _compare(key):
    p = presets.PRESETS[key]
    return lm.compare(p.surface, runs=p.runs, start=p.start)


def _numbers(sentence: str) -> list[float]:
    """Every number of a sentence, its real minus signs read as minus."""
    found = re.findall(r"[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?", sentence)
    return [float(n.replace("−", "-")) for n in found]


@pytest.fixture(scope="module")
def course():
    return _compare("course_lr")


@pytest.fixture(scope="module")
def valley_map():
    p = presets.PRESETS["d2l_valley"]
    return lmap.lr_momentum_map(p.surface, start=p.start, steps=20, lr_decades=(-3, 1))


def test_paths_summary_names_each_ball_and_the_minimum(course):
    r1, r2, r3 = course.runs
    k = 3
    got = _numbers(text.paths_summary(course, k))
    want = [k, 10, 2.5, 1, r1.points[k, 0], r1.losses[k], 2, r2.points[k, 0], r2.losses[k],
            3, r3.points[k, 0], r3.losses[k], -2, course.f_star]
    np.testing.assert_allclose(got, want, rtol=1e-3)
    end = text.paths_summary(course, 10)
    assert f"run 3 diverged at step {r3.diverged_at}" in end
    assert "−" in end and "-" not in end  # real minus signs (a screen reader says minus)


def test_paths_summary_2d_and_long_runs_use_the_frames_step():
    comp = _compare("rosenbrock")
    k = lm.frame_steps(1000)[30]
    sentence = text.paths_summary(comp, 30)
    assert sentence.startswith(f"After step {k} of 1000 from (−2, 2): ")
    r = comp.runs[1]
    assert f"run 2 is at ({r.points[k, 0]:.4g}, {r.points[k, 1]:.4g})".replace(
        "-", "−") in sentence
    assert sentence.endswith("the global minimum is at (1, 1) with loss 0.")


def test_paths_and_curves_data_are_the_runs_arrays(course):
    paths, curves = text.paths_data(course), text.curves_data(course)
    for cols in (paths, curves):
        assert len({len(v) for v in cols.values()}) == 1
    for i, r in enumerate(course.runs, start=1):
        rows = np.array(paths["run"]) == i
        np.testing.assert_array_equal(np.array(paths["x"])[rows], r.points[:, 0])
        np.testing.assert_array_equal(np.array(paths["loss"])[rows], r.losses)
        np.testing.assert_array_equal(np.array(paths["step"])[rows], np.arange(len(r.points)))
        rows = np.array(curves["run"]) == i
        np.testing.assert_array_equal(np.array(curves["loss − f*"])[rows], r.gap)
        np.testing.assert_array_equal(np.array(curves["distance"])[rows], r.distance)
    assert set(text.paths_data(_compare("distill"))) == {"run", "step", "x", "y", "loss"}


def test_curves_summary_gives_each_runs_last_gap_and_distance(course):
    sentence = text.curves_summary(course)
    for i, r in enumerate(course.runs, start=1):
        assert (f"run {i} ends {r.gap[-1]:.3g} above f* at distance {r.distance[-1]:.3g}"
                .replace("-", "−")) in sentence
    assert "at step 4, before it diverged" in sentence and "after 10 steps" in sentence


def test_map_summary_counts_and_best_cell(valley_map):
    m = valley_map
    final = text.map_summary(m, "final")
    gap = np.where(m.diverged, np.inf, m.gap)
    i, j = np.unravel_index(np.argmin(gap), gap.shape)
    assert f"{int(m.diverged.sum())} of 1600 diverged" in final
    assert f"is at lr {m.lrs[i]:g}, μ {m.momentums[j]:g}." in final
    assert final.startswith("SGD for 20 steps at 40 × 40 settings (lr 0.001 … 10, μ 0 … 0.975)")
    steps = text.map_summary(m, "steps")
    conv = np.where(m.steps_to_converge >= 0, m.steps_to_converge, 10**9)
    i, j = np.unravel_index(np.argmin(conv), conv.shape)
    assert (f"{int((m.steps_to_converge >= 0).sum())} converged, the fastest in "
            f"{conv[i, j]} steps at lr {m.lrs[i]:g}, μ {m.momentums[j]:g}.") in steps


def test_map_data_is_one_row_per_cell(valley_map):
    m = valley_map
    cols = text.map_data(m)
    assert {len(v) for v in cols.values()} == {1600}
    np.testing.assert_array_equal(cols["final loss"], m.final_loss.ravel())
    np.testing.assert_array_equal(cols["diverged"], m.diverged.ravel())
    k = 41  # row-major over (lr, μ): cell (1, 1)
    assert (cols["lr"][k], cols["momentum μ"][k]) == (m.lrs[1], m.momentums[1])
    conv = m.steps_to_converge.ravel()
    assert [v if v is not None else -1 for v in cols["steps to converge"]] == conv.tolist()
