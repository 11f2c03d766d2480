"""AppTests of the training-loop page, driven by widget keys and by the URL."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dlviz import training_loop as tl
from dlviz.reproduce import parse_prints
from dlviz.training_loop_settings import SETTINGS
from tests.conftest import open_page
from tests.figures import array
from tests.markdown import link_notices, rendered

PAGE = "pages/training_loop.py"


def _figs(at) -> dict[str, dict]:
    """Charts by their position: state, loss, accumulate, forget."""
    names = ["state", "loss", "accumulate", "forget"]
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == len(names)
    return dict(zip(names, charts, strict=True))


def _heat(fig: dict, name: str) -> np.ndarray:
    trace = next(t for t in fig["data"] if t.get("name") == name)
    return array(trace["z"])


def _printed(at) -> dict[str, list[float]]:
    return parse_prints(next(c for c in at.code if c.language == "text").value)


def test_defaults_step_through_the_first_backward():
    at = open_page(PAGE)
    assert not at.exception and not at.warning
    assert at.select_slider(key="bs").value == 8 and at.toggle(key="shuffle").value is True
    assert at.select_slider(key="lr").value == 0.05 and at.slider(key="epochs").value == 20
    assert (at.number_input(key="epoch").value, at.number_input(key="batch").value) == (1, 1)
    assert at.segmented_control(key="stage").value == "backward"
    run = tl.train(batch_size=8, shuffle=True, lr=0.05, epochs=20, seed=0)
    figs = _figs(at)
    grads = tl.unflatten(run.grads[0])
    np.testing.assert_allclose(_heat(figs["state"], "0.weight.grad"), grads["0.weight"],
                               atol=1e-6)
    np.testing.assert_allclose(array(figs["loss"]["data"][1]["y"]), run.epoch_loss)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "▶ " + "        loss.backward()" in html
    printed = _printed(at)
    assert printed["max |w - w_step| for step, add_, formula"][:2] == [0, 0]
    np.testing.assert_allclose(printed["epoch loss"], run.epoch_loss, rtol=2e-5)


def test_deep_link_sets_every_widget():
    query = {"bs": "16", "shuffle": "false", "lr": "0.1", "epochs": "6", "seed": "7",
             "epoch": "3", "batch": "2", "stage": "step", "k": "5", "lecture": "true"}
    at = open_page(PAGE, query=query)
    assert not at.exception
    assert at.select_slider(key="bs").value == 16 and at.toggle(key="shuffle").value is False
    assert at.select_slider(key="lr").value == 0.1 and at.slider(key="epochs").value == 6
    assert at.number_input(key="seed").value == 7
    assert (at.number_input(key="epoch").value, at.number_input(key="batch").value) == (3, 2)
    assert at.segmented_control(key="stage").value == "step"
    assert at.slider(key="k").value == 5
    run = tl.train(batch_size=16, shuffle=False, lr=0.1, epochs=6, seed=7)
    step = 2 * 4 + 1
    figs = _figs(at)
    after = tl.unflatten(run.params_after[step])
    np.testing.assert_allclose(_heat(figs["state"], "1.weight"), after["1.weight"], atol=1e-6)
    acc = tl.accumulate(k=5, batch_size=16, shuffle=False, seed=7)
    np.testing.assert_allclose(array(figs["accumulate"]["data"][1]["x"]), acc.accumulated[-1])
    printed = _printed(at)
    assert printed["step (epoch batch)"] == [3, 2]
    np.testing.assert_allclose(printed["params after step"], run.params_after[step], rtol=2e-5,
                               atol=1e-6)


def test_stepping_through_the_stages_changes_what_is_shown():
    at = open_page(PAGE, query={"epochs": "3"})
    run = tl.train(batch_size=8, shuffle=True, lr=0.05, epochs=3, seed=0)
    at.number_input(key="batch").set_value(4)
    at.segmented_control(key="stage").set_value("zero_grad").run()
    grads = [t for t in _figs(at)["state"]["data"] if t["name"].endswith(".grad")]
    assert all(cell == "None" for t in grads for row in t["text"] for cell in row)
    assert at.metric[0].value == "—"
    at.segmented_control(key="stage").set_value("loss").run()
    assert at.metric[0].value == f"{run.loss[3]:.4g}"
    at.segmented_control(key="stage").set_value("step").run()
    np.testing.assert_allclose(_heat(_figs(at)["state"], "0.bias"), [run.params_after[3][8:10]],
                               atol=1e-6)
    loss_fig = _figs(at)["loss"]
    assert array(loss_fig["data"][2]["y"])[0] == run.loss[3], "the diamond marks this batch"


def test_forgetting_zero_grad_is_compared_with_the_loop_that_clears_it():
    at = open_page(PAGE)
    forget = _figs(at)["forget"]
    without = tl.train(batch_size=8, lr=0.05, epochs=20, seed=0, zero_grad=False)
    lines = [t for t in forget["data"] if t["name"] == "without zero_grad"]
    np.testing.assert_allclose(array(lines[0]["y"]), without.loss)
    np.testing.assert_allclose(array(lines[1]["y"]), without.grad_norm)
    assert "blows up" in " ".join(m.value for m in at.markdown)


def test_diverging_settings_warn_and_stay_finite():
    at = open_page(PAGE, query={"bs": "2", "lr": "0.1", "epochs": "5"})
    assert not at.exception
    assert any("diverged" in w.value for w in at.warning)
    for fig in _figs(at).values():
        for trace in fig["data"]:
            for key in ("x", "y", "z"):
                if key not in trace or isinstance(trace[key], list) and \
                        any(isinstance(v, str) for v in trace[key]):
                    continue  # category labels ("0.weight[0,0]")
                values = array(trace[key]).astype(float)
                assert np.isfinite(values).all()


def test_manual_update_is_shown_next_to_optimizer_step_with_zero_difference():
    at = open_page(PAGE)
    cmp = tl.compare_updates(batch_size=8, shuffle=True, lr=0.05, seed=0)
    metrics = [m for m in at.metric if m.label.startswith("max |w")]
    assert [m.value for m in metrics][:2] == ["reference", "0"]
    assert metrics[2].value == f"{cmp.max_diff[2]:.3g}" and cmp.max_diff[2] < 1e-5
    assert any("w.add_(w.grad, alpha=-lr)" in c.value for c in at.code)
    assert any("w.copy_(w - lr * w.grad)" in c.value for c in at.code)
    table = at.table[-1].value
    assert list(table.columns) == ["parameter", *tl.MANUAL_FORMS]
    assert list(table["optimizer.step()"]) == list(table["w.add_(w.grad, alpha=-lr)"])
    np.testing.assert_allclose(table["optimizer.step()"].astype(float), cmp.final[0],
                               rtol=1e-8)


_notices = link_notices


def _assert_clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert len(_figs(at)) == 4


@pytest.mark.parametrize(("query", "notice"), [
    ({"epoch": "inf"}, "Epoch “inf” is not a finite number: using 1 instead."),
    ({"batch": "inf"}, "Batch “inf” is not a finite number: using 1 instead."),
    ({"seed": "1e400"}, "Seed “1e400” is not a finite number: using 0 instead."),
    # the bounds of epoch and batch follow the run: 1 … epochs, 1 … 64 / batch size
    ({"epochs": "3", "epoch": "4"}, "Epoch “4” is outside 1 … 3: using 1 instead."),
    ({"bs": "32", "batch": "3"}, "Batch “3” is outside 1 … 2: using 1 instead."),
    ({"bs": "5"}, "Batch size “5” is not one of 2, 4, 8, 16, 32, 64: using 8 instead."),
])
def test_bad_link_values_get_one_exact_notice_and_a_clean_page(query, notice):
    at = open_page(PAGE, query=query)
    _assert_clean(at)
    assert _notices(at) == [notice]
    assert at.number_input(key="epoch").value == 1 and at.number_input(key="batch").value == 1
    assert at.number_input(key="seed").value == 0
    assert _printed(at)["step (epoch batch)"] == [1, 1]


def test_every_batch_size_and_learning_rate_label_is_a_valid_link():
    bs, lr = SETTINGS["bs"], SETTINGS["lr"]
    for size, rate in zip(tl.BATCH_SIZES, tl.LRS, strict=True):
        query = {"bs": bs.label_of(size), "lr": lr.label_of(rate), "epochs": "2",
                 "batch": str(tl.N_SAMPLES // size)}  # the last batch of this batch size
        at = open_page(PAGE, query=query)
        _assert_clean(at)
        assert not _notices(at), query
        assert at.select_slider(key="bs").value == size
        assert at.select_slider(key="lr").value == rate
        assert _printed(at)["step (epoch batch)"] == [1, tl.N_SAMPLES // size]


def test_a_smaller_batch_count_moves_the_batch_back_to_its_default():
    at = open_page(PAGE, query={"bs": "2", "batch": "30", "epochs": "2"})
    assert at.number_input(key="batch").value == 30
    at.select_slider(key="bs").set_value(32).run()
    _assert_clean(at)
    assert at.number_input(key="batch").value == 1 and at.number_input(key="batch").max == 2
    assert _printed(at)["step (epoch batch)"] == [1, 1]


# --- the loss curve's player, the charts' text alternatives -----------------------------------

def test_the_loss_player_draws_the_whole_run_then_the_epochs_a_link_asks_for():
    at = open_page(PAGE, query={"epochs": "6"})
    run = tl.train(batch_size=8, shuffle=True, lr=0.05, epochs=6, seed=0)
    assert at.slider(key="step").value == 6 and at.slider(key="step").max == 6
    assert at.toggle(key="step_play").value is False
    loss = _figs(at)["loss"]
    assert not loss.get("frames") and "updatemenus" not in loss["layout"]
    np.testing.assert_allclose(array(loss["data"][1]["y"]), run.epoch_loss)
    at = open_page(PAGE, query={"epochs": "6", "step": "2"})
    assert at.slider(key="step").value == 2
    loss = _figs(at)["loss"]
    np.testing.assert_allclose(array(loss["data"][0]["y"]), run.loss[:2 * 8])
    np.testing.assert_allclose(array(loss["data"][1]["y"]), run.epoch_loss[:2])
    at.slider(key="step").set_value(5).run()
    np.testing.assert_allclose(array(_figs(at)["loss"]["data"][1]["y"]), run.epoch_loss[:5])
    caption = " ".join(rendered(c.value) for c in at.caption)
    assert f"over 5 of 6 epochs: {run.epoch_loss[0]:.3g} in epoch 1, " \
           f"{run.epoch_loss[4]:.3g} in epoch 5" in caption


def test_a_new_number_of_epochs_shows_its_whole_run():
    at = open_page(PAGE, query={"epochs": "6"})
    at.slider(key="epochs").set_value(10).run()
    assert at.slider(key="step").value == 10, "not the 6 epochs of the old run"
    at.slider(key="epochs").set_value(4).run()
    assert at.slider(key="step").value == 4 and at.slider(key="step").max == 4
    run = tl.train(batch_size=8, shuffle=True, lr=0.05, epochs=4, seed=0)
    np.testing.assert_allclose(array(_figs(at)["loss"]["data"][1]["y"]), run.epoch_loss)


def test_every_chart_has_a_summary_with_its_numbers():
    at = open_page(PAGE)
    run = tl.train(batch_size=8, shuffle=True, lr=0.05, epochs=20, seed=0)
    captions = [rendered(c.value) for c in at.caption if c.value.startswith("Chart: ")]
    assert len(captions) == 4
    state, loss, accumulate, forget = captions
    assert "After loss.backward() at epoch 1, batch 1" in state
    assert f"‖.grad‖ = {np.linalg.norm(run.grads[0]):.3g}" in state
    assert "over 20 of 20 epochs" in loss
    assert "After 3 backward passes without zero_grad" in accumulate
    without = tl.train(batch_size=8, lr=0.05, epochs=20, seed=0, zero_grad=False)
    epoch, batch = divmod(without.diverged_at, without.steps_per_epoch)
    assert f"without it, it starts at batch loss {without.loss[0]:.3g} and diverges at " \
           f"epoch {epoch + 1}, batch {batch + 1}" in forget
    assert f"ends at {run.loss[-1]:.3g}" in forget


def test_the_step_controls_are_in_the_main_area_above_the_main_figure():
    at = open_page(PAGE)
    main = [w.key for w in at.main.number_input] + [w.key for w in at.main.segmented_control]
    assert {"epoch", "batch", "stage"} <= set(main)
    assert {"bs", "lr", "epochs", "seed"} <= {w.key for kind in (
        "select_slider", "slider", "number_input") for w in at.sidebar.get(kind)}
