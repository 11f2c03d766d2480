"""The Network playground's chart summaries (their text alternatives) and the `frame`
setting: every number a sentence states is the run's, and the frame slider reaches every
scheduled snapshot."""

from __future__ import annotations

import numpy as np
import pytest

from dlviz import playground as pg
from dlviz import playground_data as pdata
from dlviz import playground_frames as pf
from dlviz import playground_presets as presets
from dlviz import playground_settings as ps
from dlviz import playground_text as text
from dlviz.playground_net import NetSpec


@pytest.fixture(scope="module")
def run():
    return pg.train(pdata.make(), NetSpec(epochs=40), seed=0)


@pytest.mark.parametrize("frame", [0, 7, -1])
def test_boundary_and_loss_summaries_state_the_snapshot_and_the_runs_numbers(run, frame):
    epoch = int(run.frames.epoch[frame])
    said = text.boundary_summary(run, frame)
    assert f"at epoch {epoch} of 40," in said
    assert f"{run.train_acc:.1%} of the training and {run.test_acc:.1%} of the test" in said
    assert text.boundary_summary(run, frame, "The second network").startswith(
        "The second network's")
    said = text.loss_summary(run, frame)
    assert f"at epoch {epoch} (the marker) train loss {run.train_loss[epoch]:.4f}" in said
    assert f"test loss {run.test_loss[epoch]:.4f};" in said
    assert (f"after epoch 40 train {run.train_loss[-1]:.4f} and test "
            f"{run.test_loss[-1]:.4f}.") in said


@pytest.mark.parametrize("frame", [0, -1])
def test_network_summary_counts_the_snapshots_weights(run, frame):
    w = np.concatenate([layer[frame].ravel() for layer in run.frames.weights])
    said = text.network_summary(run, frame)
    assert f"at epoch {run.frames.epoch[frame]}:" in said and "4 × 2 tanh units" in said
    assert f"Of its {w.size} weights {(w > 0).sum()} are positive" in said
    assert f"{(w < 0).sum()} negative" in said and f"{(w == 0).sum()} exactly 0" in said
    assert f"largest |w| is {np.abs(w).max():.3f}" in said


def test_network_summary_counts_l1s_zeros():
    p = presets.PRESETS["l1_zeros"]
    l1 = pg.train(pdata.make(dataset=p.dataset, noise=p.noise, seed=0), p.spec, seed=0)
    zeros = int(sum((w[-1] == 0).sum() for w in l1.frames.weights))
    assert zeros > 0 and f"{zeros} exactly 0" in text.network_summary(l1, -1)


def test_overfit_summary_states_the_first_and_last_loss():
    over = pg.overfit_one_batch(pdata.make(), max_steps=30)
    said = text.overfit_summary(over)
    assert f"over {len(over.loss) - 1} steps" in said
    assert f"from {over.loss[0]:.3g} to {over.loss[-1]:.3g}" in said
    assert "never below 0.001" in said
    quick = pg.overfit_one_batch(pdata.make(), NetSpec(optimizer="adam", lr=0.1))
    assert quick.reached_at is not None
    assert f"below 0.001 after {quick.reached_at} steps" in text.overfit_summary(quick)


def test_a_diverged_run_says_where_it_stopped():
    p = presets.PRESETS["lr_diverges"]
    bad = pg.train(pdata.make(dataset=p.dataset, noise=p.noise, seed=0), p.spec, seed=0)
    assert f"stopped at epoch {bad.diverged_at}" in text.boundary_summary(bad, -1)


@pytest.mark.parametrize("epochs", [1, 5, 19, 20, 21, 100, 1000])
def test_the_frame_setting_reaches_every_scheduled_snapshot(epochs):
    known = {"epochs": epochs}
    last = ps.last_snapshot(known)
    scheduled = pf.schedule(epochs)
    assert last == len(scheduled) - 1
    frame = ps.SETTINGS["frame"]
    assert frame.bounds(known) == (0, last)
    # a run with every snapshot: the slider's value is the snapshot's index
    assert [ps.snapshot(i, scheduled, last) for i in range(last + 1)] == list(
        range(len(scheduled)))
    # a diverged run with fewer: spread evenly, first to first and last to last
    short = scheduled[:2]
    assert ps.snapshot(0, short, last) == 0 and ps.snapshot(last, short, last) == 1
