"""Figure tests: the arrays drawn are the result's arrays; the highlighted code line is the
stage's."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz import style
from dlviz import training_loop as tl
from dlviz import training_loop_plots as plots


@pytest.fixture(scope="module")
def run():
    return tl.train(batch_size=16, lr=0.05, epochs=4, seed=1)


@pytest.fixture(scope="module")
def forgetful():
    return tl.train(batch_size=16, lr=0.05, epochs=4, seed=1, zero_grad=False)


def test_param_labels_follow_the_flattened_order():
    assert len(plots.PARAM_LABELS) == 13
    assert plots.PARAM_LABELS[:2] == ("0.weight[0,0]", "0.weight[0,1]")
    assert plots.PARAM_LABELS[4] == "0.weight[1,0]" and plots.PARAM_LABELS[-1] == "1.bias[0]"


def test_state_figure_draws_parameters_and_grads(run):
    snap = tl.snapshot(run, epoch=2, batch=3, stage="step")
    fig = plots.state_figure(snap)
    heat = {t.name: t for t in fig.data if t.type == "heatmap"}
    assert len(heat) == 8
    params, grads = tl.unflatten(snap.params), tl.unflatten(snap.grad)
    for name, _ in tl.PARAMS:
        np.testing.assert_allclose(heat[name].z, np.atleast_2d(params[name]), atol=1e-6)
        np.testing.assert_allclose(heat[f"{name}.grad"].z, np.atleast_2d(grads[name]), atol=1e-6)
        assert heat[name].text[0][0] == f"{np.atleast_2d(params[name])[0, 0]:.3g}"
    assert [t.yaxis for t in fig.data] == ["y", "y2", "y3", "y4", "y5", "y6", "y7", "y8"]
    assert [t.name for t in fig.data] == [n for name, _ in tl.PARAMS
                                          for n in (name, f"{name}.grad")], "each .grad under"
    ranges = {tuple(fig.layout[f"xaxis{n}"].range) for n in ("", 2, 3, 4, 5, 6, 7, 8)}
    assert ranges == {(-0.5, 3.5)}, "every cell as wide as a 0.weight cell"
    assert "optimizer.step()" in fig.layout.title.text and "epoch 2, batch 3" in \
        fig.layout.title.text


def test_state_figure_writes_none_while_grad_is_none(run):
    fig = plots.state_figure(tl.snapshot(run, epoch=1, batch=2, stage="zero_grad"))
    grads = [t for t in fig.data if t.type == "heatmap" and t.name.endswith(".grad")]
    assert len(grads) == 4
    assert all(cell == "None" for t in grads for row in t.text for cell in row)
    assert all(np.all(np.asarray(t.z) == 0) for t in grads)


def test_loss_figure_arrays_and_marker(run):
    snap = tl.snapshot(run, epoch=3, batch=2, stage="loss")
    fig = plots.loss_figure(run, step=snap.step)
    batch, epoch, marker = fig.data
    np.testing.assert_array_equal(batch.y, run.loss)
    np.testing.assert_allclose(batch.x, (np.arange(run.steps) + 1) / run.steps_per_epoch)
    np.testing.assert_array_equal(epoch.y, run.epoch_loss)
    np.testing.assert_array_equal(epoch.x, [1, 2, 3, 4])
    assert marker.y[0] == run.loss[snap.step] and marker.x[0] == (snap.step + 1) / 4
    assert fig.layout.yaxis.type == "log"
    # the player's controls are Streamlit's: nothing of plotly's animation is left
    assert not fig.frames and not fig.layout.updatemenus and not fig.layout.sliders


@pytest.mark.parametrize("drawn", [0, 1, 2, 4, 9])
def test_loss_figure_frame_draws_the_first_epochs_on_the_whole_runs_axes(run, drawn):
    snap = tl.snapshot(run, epoch=3, batch=2, stage="loss")
    whole = plots.loss_figure(run, step=snap.step)
    fig = plots.loss_figure(run, step=snap.step, drawn=drawn)
    batch, epoch, marker = fig.data
    n = min(drawn, 4)
    np.testing.assert_array_equal(batch.y, run.loss[:n * run.steps_per_epoch])
    np.testing.assert_allclose(batch.x, (np.arange(n * run.steps_per_epoch) + 1) / 4)
    np.testing.assert_array_equal(epoch.y, run.epoch_loss[:n])
    np.testing.assert_array_equal(epoch.x, np.arange(1, n + 1))
    assert marker.y[0] == run.loss[snap.step], "the batch shown is marked in every frame"
    assert fig.layout.xaxis.range == whole.layout.xaxis.range
    assert fig.layout.yaxis.range == whole.layout.yaxis.range
    lo, hi = fig.layout.yaxis.range
    assert lo < np.log10(run.loss.min()) and np.log10(run.loss.max()) < hi


def test_series_differ_by_more_than_colour(run, forgetful):
    batch, epoch, _ = plots.loss_figure(run, step=0).data
    assert (batch.line.color, batch.line.dash) != (epoch.line.color, epoch.line.dash)
    loss_with, _, loss_without, _ = plots.zero_grad_figure(run, forgetful).data
    assert loss_with.line.color != loss_without.line.color
    assert loss_with.line.dash != loss_without.line.dash
    alone, accumulated, _ = plots.accumulation_figure(tl.accumulate(k=2, seed=0)).data
    assert alone.marker.pattern.shape != accumulated.marker.pattern.shape


def test_accumulation_figure_arrays():
    acc = tl.accumulate(k=4, batch_size=8, seed=2)
    fig = plots.accumulation_figure(acc)
    alone, accumulated, summed = fig.data
    np.testing.assert_array_equal(alone.x, acc.single[-1])
    np.testing.assert_array_equal(accumulated.x, acc.accumulated[-1])
    np.testing.assert_array_equal(summed.x, acc.summed[-1])
    assert list(alone.y) == list(plots.PARAM_LABELS) == list(summed.y)
    assert alone.orientation == accumulated.orientation == "h"
    assert "4 batches" in accumulated.name


def test_zero_grad_figure_arrays(run, forgetful):
    fig = plots.zero_grad_figure(run, forgetful)
    loss_with, norm_with, loss_without, norm_without = fig.data
    np.testing.assert_array_equal(loss_with.y, run.loss)
    np.testing.assert_array_equal(norm_with.y, np.linalg.norm(run.grads, axis=1))
    np.testing.assert_array_equal(loss_without.y, forgetful.loss)
    np.testing.assert_array_equal(norm_without.y, np.linalg.norm(forgetful.grads, axis=1))
    assert loss_without.name == "without zero_grad"


def test_zero_grad_figure_notes_divergence():
    with_zero = tl.train(batch_size=8, lr=0.05, epochs=6, seed=0)
    without = tl.train(batch_size=8, lr=0.05, epochs=6, seed=0, zero_grad=False)
    assert without.diverged_at is not None
    fig = plots.zero_grad_figure(with_zero, without)
    assert any("diverged" in a.text for a in fig.layout.annotations)
    assert all(np.isfinite(np.asarray(t.y, dtype=float)).all() for t in fig.data)


@pytest.mark.parametrize("stage", tl.STAGES)
def test_loop_code_highlights_the_line_that_ran(run, stage):
    snap = tl.snapshot(run, epoch=2, batch=4, stage=stage)
    html = plots.loop_code_html(snap, epochs=4, batches=4)
    rows = html.split("<div")[1:]
    assert len(rows) == len(plots.LOOP_CODE)
    marked = [i for i, r in enumerate(rows) if "▶" in r]
    assert marked == [plots.STAGE_LINE[stage]]
    assert style.SHADE in rows[marked[0]]
    assert "epoch 2 of 4" in rows[0] and "batch 4 of 4" in rows[1]


def test_loop_code_marks_a_forgotten_zero_grad(forgetful):
    snap = tl.snapshot(forgetful, epoch=1, batch=2, stage="forward")
    html = plots.loop_code_html(snap, epochs=4, batches=4, zero_grad=False)
    assert "forgotten" in html and "▶" in html.split("<div")[1 + plots.STAGE_LINE["forward"]]


def test_lecture_mode_enlarges(run):
    snap = tl.snapshot(run, epoch=1, batch=1, stage="backward")
    assert plots.state_figure(snap, lecture=True).layout.font.size == style.LECTURE.font
    assert plots.loss_figure(run, lecture=True).layout.font.size > \
        plots.loss_figure(run).layout.font.size
    assert "font-size:0.8rem" in plots.loop_code_html(snap, epochs=4, batches=4, lecture=True)


def test_zero_grad_panels_are_stacked_and_named_by_their_axes(run, forgetful):
    fig = plots.zero_grad_figure(run, forgetful)
    assert [(t.xaxis, t.yaxis) for t in fig.data] == [("x", "y"), ("x2", "y2")] * 2
    assert fig.layout.yaxis.title.text == "batch loss (log)"
    assert fig.layout.yaxis2.title.text == "‖.grad‖ (log)"
    assert fig.layout.yaxis.domain[0] > fig.layout.yaxis2.domain[1], "loss on top"
    assert not fig.layout.annotations or all("diverged" in a.text for a in fig.layout.annotations)


def test_lecture_log_ticks_skip_decades_only_over_a_wide_range(run, forgetful):
    with_zero = tl.train(batch_size=8, lr=0.05, epochs=20, seed=0)  # the page's default
    without = tl.train(batch_size=8, lr=0.05, epochs=20, seed=0, zero_grad=False)
    steps = []
    for a, b in ((with_zero, without), (run, forgetful)):
        losses = np.concatenate([a.loss, b.loss])
        decades = np.log10(losses.max()) - np.log10(losses.min())
        steps.append(plots.zero_grad_figure(a, b, lecture=True).layout.yaxis.dtick)
        assert steps[-1] == (2 if decades > 4 else 1)
        assert plots.zero_grad_figure(a, b).layout.yaxis.dtick == 1
    assert steps == [2, 1]


def test_state_figure_names_each_row_on_the_left(run):
    fig = plots.state_figure(tl.snapshot(run, epoch=1, batch=1, stage="backward"))
    names = [fig.layout[f"yaxis{n}"].ticktext[0] for n in ("", 2, 3, 4, 5, 6, 7, 8)]
    assert names == ["0.weight", ".grad", "0.bias", ".grad", "1.weight", ".grad", "1.bias",
                     ".grad"]
    assert not fig.layout.annotations, "no subplot titles to collide with the toolbar"
    assert not any(fig.layout[f"yaxis{n}"].showgrid for n in ("", 2, 3, 4, 5, 6, 7, 8))
    assert fig.layout.yaxis.tickvals == (0.5,) and fig.layout.yaxis3.tickvals == (0,)
