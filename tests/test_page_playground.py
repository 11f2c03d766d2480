"""AppTests of the Network playground: every setting from a link and from its widget, the
figures' arrays against the engine's results, the lessons' checked claims, clicks that add
points to the URL, and bad points text."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates

from dlviz import playground as pg
from dlviz import playground_data as pdata
from dlviz import playground_presets as presets
from dlviz import playground_settings as ps
from dlviz import playground_text as text
from dlviz.playground_net import NetSpec
from dlviz.reproduce import close, parse_prints
from tests.conftest import open_page
from tests.figures import array
from tests.markdown import rendered

PAGE = "pages/playground.py"


def _clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _charts(at) -> dict[str, dict]:
    """Each chart's figure JSON by its key (the element id ends in "-<key>")."""
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec)
            for c in at.get("plotly_chart")}


def _text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def _warnings(at) -> str:
    return rendered(" ".join(w.value for w in at.warning))


def _notices(at) -> list[str]:
    return [rendered(w.value) for w in at.warning if w.icon == ":material/link_off:"]


def _query(at) -> dict:
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def _prints(at) -> dict[str, list[float]]:
    return parse_prints(next(c.value for c in at.code if c.language == "text"))


def _captions(at) -> str:
    return " ".join(rendered(c.value) for c in at.caption)


def _network_epoch(at) -> str:
    """The network figure's title, lifted by ui.chart into page text ("epoch N")."""
    (title,) = [m.value.strip("*") for m in at.markdown if m.value.startswith("**epoch ")]
    return title


def _trace(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t.get("name") == name)


def _engine(*, dataset="circle", noise=0.0, train_share=0.5, seed=0, extra=(),
            spec=pg.DEFAULT) -> tuple[pdata.PlaygroundData, pg.PlaygroundRun]:
    data = pdata.make(dataset=dataset, noise=noise, train_share=train_share, seed=seed,
                      extra=extra)
    return data, pg.train(data, spec, seed=seed)


def _assert_boundary_is(fig: dict, data: pdata.PlaygroundData, run: pg.PlaygroundRun,
                        frame: int = -1, loss: dict | None = None) -> None:
    """The map at snapshot `frame` (no plotly animation: the page's player steps it); the
    points; with `loss`, the loss chart's curves and its marker at the snapshot's epoch."""
    assert "frames" not in fig and not {"sliders", "updatemenus"} & fig["layout"].keys()
    np.testing.assert_allclose(array(fig["data"][0]["z"]), run.frames.prob[frame], atol=0)
    np.testing.assert_allclose(array(fig["data"][-1]["customdata"]),
                               run.frames.prob[frame].ravel(), atol=0)
    if loss is not None:
        assert "frames" not in loss
        e = int(run.frames.epoch[frame])
        assert _trace(loss, "epoch shown")["x"] == [e, e]
        np.testing.assert_allclose(array(_trace(loss, "train loss")["y"]), run.train_loss,
                                   rtol=1e-6)
        np.testing.assert_allclose(array(_trace(loss, "test loss")["y"]), run.test_loss,
                                   rtol=1e-6)
    n_own = len(data.x_train) - data.n_extra
    ones = data.x_train[:n_own][data.y_train[:n_own] == 1]
    np.testing.assert_allclose(array(_trace(fig, "class 1 · train")["x"]), ones[:, 0],
                               rtol=1e-6)
    names = [t.get("name") for t in fig["data"]]
    assert names[-1] == "click to add a point"
    for cls in (0, 1):
        mine = data.x_train[n_own:][data.y_train[n_own:] == cls]
        if len(mine):
            np.testing.assert_allclose(array(_trace(fig, f"class {cls} · yours")["x"]),
                                       mine[:, 0], rtol=1e-6)
        elif f"class {cls} · yours" in names:  # drawn empty beside the other class's
            assert not len(array(_trace(fig, f"class {cls} · yours")["x"]))


def _reloads_the_same(at) -> None:
    """The page's URL, opened fresh: the same settings, figures and numbers, no notice."""
    again = open_page(PAGE, query=_query(at))
    _clean(again)
    assert not _notices(again)
    assert _query(again) == _query(at)
    assert _prints(again) == _prints(at)
    a, b = _charts(at), _charts(again)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key]["data"] == b[key]["data"], key


def test_defaults_are_playgrounds_and_the_figures_are_the_engines():
    at = open_page(PAGE)
    _clean(at)
    assert not at.warning
    data, run = _engine()
    charts = _charts(at)
    assert list(charts) == ["pick", "loss", "network", "overfit"]
    _assert_boundary_is(charts["pick"], data, run, loss=charts["loss"])
    net = charts["network"]
    assert _network_epoch(at) == "epoch 100"
    output = next(t for t in net["data"] if t.get("name") == "output")
    np.testing.assert_allclose(array(output["z"]), run.frames.prob[-1], atol=0)
    over = pg.overfit_one_batch(data, NetSpec(), seed=0)
    np.testing.assert_allclose(array(charts["overfit"]["data"][0]["y"]), over.loss, rtol=1e-6)
    printed = _prints(at)
    assert printed["parameters"] == [25] and printed["epochs trained"] == [100]
    assert close(printed["final test loss"][0], float(run.test_loss[-1]))
    assert close(printed["one-batch loss"][0], float(over.loss[-1]))
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert metrics["Test accuracy"] == (f"{run.test_acc:.1%}", f"loss {run.test_loss[-1]:.4f}")
    assert metrics["Validation accuracy"][0] == f"{run.val_acc:.1%}"
    assert "not below 0.001" in _text(at)  # SGD at lr 0.03 is slow on one batch
    assert _query(at) == {}
    said = _captions(at)  # every chart's text alternative, from the run's numbers
    for summary in (text.boundary_summary(run, -1), text.loss_summary(run, -1),
                    text.network_summary(run, -1), text.overfit_summary(over)):
        assert f"Chart: {summary}" in said
    assert at.slider(key="frame").value == at.slider(key="frame").max == 20
    assert at.toggle(key="frame_play").value is False
    assert [e.label for e in at.expander if e.label.startswith("Chart data")]


EVERY = {"data": "XOR", "noise": "10", "train": "70", "seed": "3", "points": "1,2,1; -3,4.5,0",
         "cls": "class 0 (orange)", "feats": ["x₁", "x₂", "x₁x₂"], "layers": "3", "u1": "5",
         "u2": "3", "u3": "2", "act": "ReLU", "drop": "0.1", "opt": "Adam", "lr": "0.01",
         "bs": "15", "epochs": "30", "reg": "L1", "rate": "0.003", "frame": "10",
         "cmp": "true", "feats2": ["x₁", "x₂"], "act2": "tanh", "lr2": "0.03"}
EVERY_SPEC = NetSpec(features=("x1", "x2", "x1x2"), hidden=(5, 3, 2), activation="relu",
                     dropout=0.1, optimizer="adam", lr=0.01, batch_size=15, epochs=30,
                     regularization="l1", reg_rate=0.003)


def test_a_link_sets_every_setting():
    at = open_page(PAGE, query=EVERY)
    _clean(at)
    assert not at.warning, _warnings(at)
    assert _query(at) == {k: v if isinstance(v, list) else [v] for k, v in EVERY.items()}
    assert at.selectbox(key="act").value == "relu" and at.slider(key="u3").value == 2
    assert at.multiselect(key="feats").value == ["x1", "x2", "x1x2"]
    assert at.slider(key="frame").value == 10  # snapshot 10 of 0 … 20: epoch 15
    extra = ((1.0, 2.0, 1), (-3.0, 4.5, 0))
    kw = dict(dataset="xor", noise=0.1, train_share=0.7, seed=3, extra=extra)
    data, run = _engine(**kw, spec=EVERY_SPEC)
    second = replace(EVERY_SPEC, features=("x1", "x2"), activation="tanh", lr=0.03)
    _, run2 = _engine(**kw, spec=second)
    charts = _charts(at)
    assert list(charts) == ["pick", "loss", "second", "loss2", "network", "overfit"]
    _assert_boundary_is(charts["pick"], data, run, 10, charts["loss"])
    _assert_boundary_is(charts["second"], data, run2, ps.snapshot(10, run2.frames.epoch, 20),
                        charts["loss2"])
    assert _network_epoch(at) == "epoch 15"
    assert f"Chart: {text.network_summary(run, 10)}" in _captions(at)
    assert _prints(at)["zero weights"] == [int((presets.final_weights(run) == 0).sum())]
    table = next(t.value for t in at.table if "test acc" in t.value.columns)
    assert list(table["test acc"]) == [f"{run.test_acc:.1%}", f"{run2.test_acc:.1%}"]
    _reloads_the_same(at)


def test_every_widget_drives_the_run():
    at = open_page(PAGE)
    at.selectbox(key="data").set_value("gauss").run()
    at.slider(key="noise").set_value(20).run()
    at.slider(key="train").set_value(60).run()
    at.number_input(key="seed").set_value(4).run()
    at.text_area(key="points").set_value("0.5, 0.5, 0").run()
    at.segmented_control(key="cls").set_value(0).run()
    at.multiselect(key="feats").set_value(["x1", "x2_sq", "sin_x1"]).run()
    at.slider(key="layers").set_value(1).run()
    at.slider(key="u1").set_value(6).run()
    at.selectbox(key="act").set_value("sigmoid").run()
    at.slider(key="drop").set_value(0.2).run()
    at.selectbox(key="opt").set_value("momentum").run()
    at.select_slider(key="lr").set_value(0.1).run()
    at.slider(key="bs").set_value(20).run()
    at.slider(key="epochs").set_value(40).run()
    at.segmented_control(key="reg").set_value("l2").run()
    at.select_slider(key="rate").set_value(0.03).run()
    _clean(at)
    assert at.slider(key="frame").value == 20  # the last snapshot: epoch 40
    assert _network_epoch(at) == "epoch 40"
    at.slider(key="frame").set_value(10).run()
    spec = NetSpec(features=("x1", "x2_sq", "sin_x1"), hidden=(6,), activation="sigmoid",
                   dropout=0.2, optimizer="momentum", lr=0.1, batch_size=20, epochs=40,
                   regularization="l2", reg_rate=0.03)
    data, run = _engine(dataset="gauss", noise=0.2, train_share=0.6, seed=4,
                        extra=((0.5, 0.5, 0),), spec=spec)
    charts = _charts(at)
    _assert_boundary_is(charts["pick"], data, run, 10, charts["loss"])  # map, loss and
    assert _network_epoch(at) == "epoch 20"  # network: the same snapshot
    at.toggle(key="cmp").set_value(True).run()
    at.multiselect(key="feats2").set_value(["x1x2"]).run()
    at.selectbox(key="act2").set_value("linear").run()
    at.select_slider(key="lr2").set_value(0.3).run()
    _clean(at)
    _, run2 = _engine(dataset="gauss", noise=0.2, train_share=0.6, seed=4,
                      extra=((0.5, 0.5, 0),), spec=replace(spec, features=("x1x2",),
                                                           activation="linear", lr=0.3))
    shown = ps.snapshot(10, run2.frames.epoch, 20)  # diverged: fewer snapshots, spread
    assert run2.diverged_at is not None and shown == round(10 * (len(run2.frames.epoch) - 1)
                                                           / 20)
    _assert_boundary_is(_charts(at)["second"], data, run2, shown, _charts(at)["loss2"])
    _reloads_the_same(at)


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_a_lesson_sets_its_settings_and_its_claim_holds(key):
    p = presets.PRESETS[key]
    at = open_page(PAGE, query={"seed": "0", "points": "1,1,1", "train": "80"})
    at.selectbox(key="preset").set_value(key).run()
    _clean(at)
    state = ps.preset_state(key)
    assert at.selectbox(key="data").value == p.dataset
    assert at.slider(key="noise").value == round(100 * p.noise)
    assert at.slider(key="train").value == 50 and at.text_area(key="points").value == ""
    assert tuple(at.multiselect(key="feats").value) == p.spec.features
    assert at.slider(key="layers").value == len(p.spec.hidden)
    assert [at.slider(key=f"u{i}").value for i in range(1, len(p.spec.hidden) + 1)] == list(
        p.spec.hidden)
    assert at.select_slider(key="lr").value == p.spec.lr
    assert at.slider(key="epochs").value == state["epochs"] == p.spec.epochs
    assert at.selectbox(key="opt").value == p.spec.optimizer
    assert at.segmented_control(key="reg").value == p.spec.regularization
    assert _query(at) == {"preset": [p.title]}  # the lesson's values are its defaults
    assert f"**{p.title}.**" in _text(at) and "Reproduced here ✓" in _text(at)
    outcome = presets.outcome(key, seed=0)
    data = pdata.make(dataset=p.dataset, noise=p.noise, seed=0)
    charts = _charts(at)
    _assert_boundary_is(charts["pick"], data, outcome.run, loss=charts["loss"])
    _reloads_the_same(at)


def test_a_changed_lesson_makes_no_claim_and_a_failing_seed_says_so():
    at = open_page(PAGE, query={"preset": "Linear model on XOR", "lr": "0.1"})
    _clean(at)
    assert "Reproduced" not in _text(at) and "Not reproduced" not in _text(at)
    at.select_slider(key="lr").set_value(0.03).run()  # back to the lesson's settings
    assert "Reproduced here ✓" in _text(at)
    # another seed is another data set and init: the page says what this run shows
    ok = presets.outcome("spiral_small", seed=1).ok
    at = open_page(PAGE, query={"preset": "Spiral, 2 units", "seed": "1"})
    _clean(at)
    assert ("Reproduced here ✓" if ok else "Not reproduced with these settings") in _text(at)


def _click(at, x: float, y: float):
    """A click on the boundary map at (x, y), as the browser sends it: the chart's selection
    state in the next run's widget states (its on_select callback runs)."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("-pick"))
    states = WidgetStates()
    states.CopyFrom(at._tree.get_widget_states())
    click = states.widgets.add()
    click.id = chart.proto.id
    click.string_value = json.dumps({"selection": {
        "points": [{"x": x, "y": y, "curve_number": 9, "point_index": 0}],
        "point_indices": [0], "box": [], "lasso": []}})
    return at._run(states)


def test_a_click_adds_a_point_of_the_chosen_class_to_the_url():
    at = open_page(PAGE)
    _click(at, 2.3456, -1.04)
    _clean(at)
    assert at.query_params["points"] == "2.35,-1.04,1"
    data, run = _engine(extra=((2.35, -1.04, 1),))
    _assert_boundary_is(_charts(at)["pick"], data, run)
    _reloads_the_same(at)
    at.segmented_control(key="cls").set_value(0).run()
    _click(at, -7.5, 0.25)  # outside the square: clipped onto its edge
    assert at.query_params["points"] == "2.35,-1.04,1; -6,0.25,0"
    assert at.text_area(key="points").value == "2.35,-1.04,1; -6,0.25,0"
    data, run = _engine(extra=((2.35, -1.04, 1), (-6.0, 0.25, 0)))
    _assert_boundary_is(_charts(at)["pick"], data, run)
    again = open_page(PAGE, query=_query(at))
    _assert_boundary_is(_charts(again)["pick"], data, run)
    at.button(key="clear").click().run()
    _clean(at)
    assert "points" not in at.query_params and at.text_area(key="points").value == ""


def test_the_fifty_first_click_replaces_the_oldest_point():
    full = "; ".join(f"{i / 10:g},0,1" for i in range(pdata.MAX_EXTRA))
    at = open_page(PAGE, query={"points": full})
    _clean(at)
    assert not at.warning
    _click(at, 5, 5)
    got = ps.parse_points(at.text_area(key="points").value).points
    assert len(got) == pdata.MAX_EXTRA and got[0] == (0.1, 0.0, 1) and got[-1] == (5, 5, 1)


@pytest.mark.parametrize(("typed", "read", "says"), [
    ("1,2", (), "point 1 “1,2” needs x₁, x₂ and a class"),
    ("1,2,1; a,b,0", ((1.0, 2.0, 1),), "point 2 “a,b,0” holds something that is not a number"),
    ("9,0,1; 1,1,1", ((1.0, 1.0, 1),), "point 1 “9,0,1” lies outside the square −6 … 6"),
    ("1,1,2", (), "has a class other than 0 or 1"),
    ("nan,1,1", (), "holds a number that is not finite"),
    ("[x](https://evil.example)", (), "“[x](https://evil.example)” needs x₁, x₂ and a class"),
])
def test_bad_points_text_gets_a_clear_message_and_the_points_it_could_read(typed, read, says):
    at = open_page(PAGE, query={"points": typed})
    _clean(at)
    assert says in _warnings(at)
    assert (f"using the {len(read)} point that could be read" if read else
            "none of them is used") in _warnings(at)
    data, run = _engine(extra=read)
    _assert_boundary_is(_charts(at)["pick"], data, run)


def test_too_many_points_use_the_first_fifty():
    text = "; ".join(f"{i % 12 - 6},1,0" for i in range(60))
    assert len(text) <= ps.POINTS_CHARS
    at = open_page(PAGE, query={"points": text})
    _clean(at)
    assert "only the first 50 of 60 points are used" in _warnings(at)
    assert _charts(at)["pick"]["data"][1:]  # drawn
    assert len(array(_trace(_charts(at)["pick"], "class 0 · yours")["x"])) == 50


def test_no_inputs_gets_a_message_and_the_default_inputs():
    at = open_page(PAGE, query={"preset": "XOR with X₁X₂"})
    at.multiselect(key="feats").set_value([]).run()
    _clean(at)
    assert "The network needs at least one input: using x₁x₂ meanwhile." in _warnings(at)
    assert "Reproduced here ✓" in _text(at)
    at.toggle(key="cmp").set_value(True).run()
    at.multiselect(key="feats2").set_value([]).run()
    assert "The second network needs at least one input: using x₁, x₂, x₁x₂" in _warnings(at)


def test_epochs_are_capped_by_the_step_budget():
    at = open_page(PAGE, query={"bs": "1", "train": "90"})
    _clean(at)
    cap = ps.epoch_cap({"train": 90, "points": "", "bs": 1})
    assert cap == 4000 // 360 == 11
    assert at.slider(key="epochs").value == cap and at.slider(key="epochs").max == cap
    at = open_page(PAGE, query={"bs": "1", "epochs": "100"})
    assert any("“100” is outside 1 … 20" in n for n in _notices(at))


def test_a_diverging_lesson_says_where_it_stopped():
    at = open_page(PAGE, query={"preset": "Learning rate 1, linear units"})
    _clean(at)
    assert "training stopped at epoch 1" in _warnings(at)
    assert _prints(at)["diverged at epoch"] == [1]
    assert _network_epoch(at) == "epoch 0"


def test_a_short_run_steps_through_each_of_its_snapshots():
    at = open_page(PAGE, query={"epochs": "5", "frame": "3"})
    _clean(at)
    assert at.slider(key="frame").max == 5 and at.slider(key="frame").value == 3
    assert _network_epoch(at) == "epoch 3"
    data, run = _engine(spec=NetSpec(epochs=5))
    _assert_boundary_is(_charts(at)["pick"], data, run, 3, _charts(at)["loss"])
    at = open_page(PAGE, query={"epochs": "5", "frame": "9"})  # beyond the last: said so
    assert any("“9” is outside 0 … 5" in n for n in _notices(at))
    assert at.slider(key="frame").value == 5 and _network_epoch(at) == "epoch 5"
