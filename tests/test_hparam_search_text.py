"""The Hyperparameter-search page's chart summaries: their numbers are the result's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlviz import hparam_search as hs
from dlviz import hparam_search_text as text

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def result() -> hs.SearchResult:
    return hs.search(trials=9, epochs=5, seed=11)


def test_plane_summary_gives_each_methods_best(result):
    summary = text.plane_summary(result)
    assert summary.startswith("9 trials per method")
    for name, t in (("grid search", result.grid), ("random search", result.random)):
        i = int(np.argmin(t.val_loss))
        assert (f"{name}'s best is val loss {t.val_loss[i]:.4f} at lr {t.lr[i]:.3g}, "
                f"momentum {t.momentum[i]:.3f}") in summary
    assert "diverged" not in summary


def test_a_diverged_trial_is_counted():
    from tests.test_hparam_search_plots import _with_diverged

    bad = _with_diverged(hs.search(trials=4, epochs=5, seed=0))
    assert text.plane_summary(bad).endswith("; 1 trials diverged.")


def test_projections_summary_counts_distinct_values(result):
    summary = text.projections_summary(result)
    assert "grid search tested 3 learning rates and 3 momenta" in summary
    assert "random search 9 and 9, with 9 trials each" in summary


def test_trials_data_is_every_trial(result):
    data = text.trials_data(result)
    assert data["method"] == ["grid"] * 9 + ["random"] * 9
    np.testing.assert_array_equal(data["learning rate"],
                                  np.concatenate([result.grid.lr, result.random.lr]))
    np.testing.assert_array_equal(data["validation loss"][9:], result.random.val_loss)
