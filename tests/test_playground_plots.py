"""The Network playground's figures against the runs they draw: every array in the figure
(read back from its JSON) equals the result's array it stands for."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from dlviz import playground as pg
from dlviz import playground_data as pdata
from dlviz import playground_net as net
from dlviz import playground_plots as plots
from dlviz import playground_presets as presets
from tests.figures import all_finite, array

EXTRA = [(1.0, 1.0, 0), (-3.0, 2.0, 1), (4.5, -5.0, 1)]


def _json(fig) -> dict:
    return json.loads(fig.to_json())


def _named(fig: dict, name: str) -> dict:
    (trace,) = [t for t in fig["data"] if t.get("name") == name]
    return trace


@pytest.fixture(scope="module")
def default():
    data = pdata.make(extra=EXTRA)
    return pg.train(data, seed=0), data


@pytest.fixture(scope="module")
def largest():
    """The largest network at the caps: 6 × 8 units, all 7 inputs, 0.9 train share, the most
    extra points, as many epochs as the step budget allows."""
    extra = [(5 * np.cos(i), 5 * np.sin(i), i % 2) for i in range(pdata.MAX_EXTRA)]
    data = pdata.make(train_share=0.9, extra=extra)
    spec = net.NetSpec(features=tuple(net.FEATURES), hidden=(net.MAX_UNITS,) * net.MAX_LAYERS,
                       dropout=0.5, optimizer="adam", regularization="l1", reg_rate=0.001,
                       batch_size=8, epochs=net.max_epochs(n_train=len(data.x_train),
                                                           batch_size=8))
    return pg.train(data, spec, seed=0), data


@pytest.mark.parametrize("lecture", [False, True])
def test_every_frame_shows_its_snapshot(default, lecture):
    run, data = default
    fr = run.frames
    last = _json(plots.boundary_figure(run, data, lecture=lecture))
    last_loss = _json(plots.loss_figure(run, lecture=lecture))
    for f, e in enumerate(fr.epoch.tolist()):
        fig = _json(plots.boundary_figure(run, data, f, lecture=lecture))
        loss = _json(plots.loss_figure(run, f, lecture=lecture))
        for one in (fig, loss):  # stepped by the page (ui.player), not by plotly
            assert "frames" not in one
            assert not {"sliders", "updatemenus"} & one["layout"].keys()
        heat = fig["data"][0]
        assert heat["type"] == "contour" and heat["contours"]["coloring"] == "heatmap"
        np.testing.assert_array_equal(array(heat["z"]), fr.prob[f])
        np.testing.assert_allclose(array(heat["x"]), fr.grid, rtol=1e-6)
        np.testing.assert_allclose(array(heat["y"]), fr.grid, rtol=1e-6)
        assert (heat["zmin"], heat["zmax"]) == (0, 1)
        np.testing.assert_array_equal(array(fig["data"][-1]["customdata"]), fr.prob[f].ravel())
        dot = _named(loss, "epoch shown")
        assert dot["x"] == [e, e]
        assert dot["y"] == [run.train_loss[e], run.test_loss[e]]
        # only the snapshot's traces differ from the last snapshot's figures
        for t, u in zip(fig["data"][1:-1], last["data"][1:-1], strict=True):
            assert t == u
        assert loss["data"][:-1] == last_loss["data"][:-1]
    assert (fig, loss) == (last, last_loss)


def test_points_are_the_data_and_classes_differ_by_symbol(default):
    run, data = default
    fig = _json(plots.boundary_figure(run, data))
    n_own = len(data.x_train) - data.n_extra
    sets = {"train": (data.x_train[:n_own], data.y_train[:n_own]),
            "test": (data.x_test, data.y_test),
            "yours": (data.x_train[n_own:], data.y_train[n_own:])}
    assert data.n_extra == len(EXTRA)
    for label, (x, y) in sets.items():
        symbols = []
        for cls in (0, 1):
            t = _named(fig, f"class {cls} · {label}")
            np.testing.assert_allclose(array(t["x"]), x[y == cls, 0], rtol=1e-6)
            np.testing.assert_allclose(array(t["y"]), x[y == cls, 1], rtol=1e-6)
            assert t["marker"]["color"] == plots.CLASS_COLORS[cls]
            assert t["legendgroup"] == f"class {cls}"  # one series per class
            symbols.append(t["marker"]["symbol"])
        assert symbols[0] != symbols[1]  # never colour alone
    assert _named(fig, "class 0 · test")["marker"]["symbol"].endswith("-open")
    yours = _named(fig, "class 1 · yours")["marker"]
    assert yours["symbol"] in plots.STUDENT_SYMBOLS
    assert yours["size"] > _named(fig, "class 1 · train")["marker"]["size"]
    # no student points: no "yours" traces
    plain = _json(plots.boundary_figure(run, pdata.make()))
    assert not [t for t in plain["data"] if "yours" in t["name"]]


def test_loss_curves_and_click_targets(default):
    run, data = default
    loss = _json(plots.loss_figure(run))
    for name, values, dash in (("train loss", run.train_loss, "solid"),
                               ("test loss", run.test_loss, "dash")):
        t = _named(loss, name)
        np.testing.assert_array_equal(array(t["x"]), run.epoch)
        np.testing.assert_allclose(array(t["y"]), values, rtol=1e-6)
        assert t["line"]["dash"] == dash  # not colour alone
    assert loss["layout"]["showlegend"] is True
    assert _json(plots.loss_figure(run, half=True))["layout"]["showlegend"] is False
    fig = _json(plots.boundary_figure(run, data, title="a title"))
    click = fig["data"][-1]
    assert click["name"] == plots.CLICK_NAME and click["marker"]["color"] == "rgba(0,0,0,0)"
    cx, cy = array(click["x"]), array(click["y"])
    assert (cx.min(), cx.max(), cy.min(), cy.max()) == (-6, 6, -6, 6)
    assert len(np.unique(cx)) == len(np.unique(cy)) == len(run.frames.grid)
    # the hover P at (x₁, x₂) is frames.prob at that lattice point
    i, j = 7, 31
    k = np.flatnonzero(np.isclose(cx, run.frames.grid[j]) & np.isclose(cy, run.frames.grid[i]))
    assert array(click["customdata"])[k] == pytest.approx(run.frames.prob[-1, i, j])
    assert fig["layout"]["title"]["text"] == "a title"
    assert fig["layout"]["clickmode"] == "event+select"
    half = _json(plots.boundary_figure(run, data, title="a title", half=True))
    assert half["layout"]["showlegend"] is False and half["data"][0]["showscale"] is False


def test_clicked_point_reads_the_selection_event():
    event = {"selection": {"points": [{"x": 3.0612, "y": -7.2, "curve_number": 9}]}}
    assert plots.clicked_point(event) == (3.06, -6.0)
    for bad in (None, {}, {"selection": {"points": []}}, {"selection": {"points": [{"x": 1}]}},
                {"selection": {"points": [{"x": "nan", "y": 0}]}}, "junk"):
        assert plots.clicked_point(bad) is None


def _link_styles(fig: dict) -> list[tuple[str, float, str] | None]:
    """For each link, in the hover markers' order, (colour, width, dash) of the line trace that
    draws it, or None when no line does."""
    style = {}
    for t in fig["data"]:
        if t["type"] == "scatter" and t["mode"] == "lines":
            xs, ys = t["x"], t["y"]
            for s in range(0, len(xs), 3):
                at = plots.HOVER_AT
                mid = (round(xs[s] + at * (xs[s + 1] - xs[s]), 6),
                       round(ys[s] + at * (ys[s + 1] - ys[s]), 6))
                assert mid not in style  # each link drawn once
                style[mid] = (t["line"]["color"], t["line"]["width"], t["line"]["dash"])
    hover = fig["data"][-1]
    assert len(set(zip(hover["x"], hover["y"], strict=True))) == len(hover["x"])  # apart
    return [style.get((round(x, 6), round(y, 6))) for x, y in zip(
        array(hover["x"]), array(hover["y"]), strict=True)]


def _weights(run, frame) -> np.ndarray:
    return np.concatenate([w[frame].ravel() for w in run.frames.weights])


@pytest.mark.parametrize("frame", [0, -1])
def test_network_heatmaps_are_the_unit_maps(default, frame):
    run, _ = default
    fr = run.frames
    fig = _json(plots.network_figure(run, frame))
    heat = [t for t in fig["data"] if t["type"] == "heatmap"]
    maps = list(fr.feature_maps) + [m for layer in fr.units for m in layer[frame]]
    assert len(heat) == len(maps) + 1 == len(run.spec.features) + sum(run.spec.hidden) + 1
    for t, m in zip(heat, maps, strict=False):
        np.testing.assert_array_equal(array(t["z"]), m)
        # centred on 0, at least Playground's ±1, wide enough for every value
        assert t["zmin"] == -t["zmax"] and t["zmax"] >= max(1, np.abs(m).max())
    np.testing.assert_array_equal(array(heat[-1]["z"]), fr.prob[frame])
    assert (heat[-1]["zmin"], heat[-1]["zmax"]) == (0, 1)
    assert fig["layout"]["title"]["text"] == f"epoch {fr.epoch[frame]}"
    assert [a["text"] for a in fig["layout"]["annotations"]][:4] == [
        "input", "layer 1", "layer 2", "output"]
    hover = fig["data"][-1]
    np.testing.assert_allclose(array(hover["customdata"]), _weights(run, frame), rtol=1e-6)
    assert hover["text"][0] == "X₁ → layer 1 · unit 1"


@pytest.mark.parametrize("frame", [0, -1])
def test_chart_data_are_the_figures_numbers(default, frame):
    run, data = default
    rows = plots.points_data(data)
    fig = _json(plots.boundary_figure(run, data, frame))
    for label in ("train", "test", "yours"):
        for cls in (0, 1):
            pick = [k for k, (s, c) in enumerate(zip(rows["set"], rows["class"], strict=True))
                    if s == label and c == cls]
            t = _named(fig, f"class {cls} · {label}")
            np.testing.assert_allclose(array(t["x"]), rows["x₁"][pick], rtol=1e-6)
            np.testing.assert_allclose(array(t["y"]), rows["x₂"][pick], rtol=1e-6)
    hover = _json(plots.network_figure(run, frame))["data"][-1]
    rows = plots.weights_data(run, frame)
    assert rows["link"] == hover["text"]  # the links in the hover's order and names
    np.testing.assert_array_equal(rows["w"], _weights(run, frame))
    losses = plots.loss_data(run)
    np.testing.assert_array_equal(losses["epoch"], run.epoch)
    np.testing.assert_array_equal(losses["test loss"], run.test_loss)
    over = pg.overfit_one_batch(pdata.make(), max_steps=20)
    steps = plots.overfit_data(over)
    np.testing.assert_array_equal(steps["step"], np.arange(len(over.loss)))
    np.testing.assert_array_equal(steps["batch loss"], over.loss)


@pytest.mark.parametrize("lecture", [False, True])
def test_links_colour_by_sign_and_widen_with_the_weight(default, lecture):
    run, _ = default
    f = len(run.frames.epoch) - 1
    w0 = run.frames.weights[0].copy()
    w0[f, 0, 0], w0[f, 1, 0], w0[f, 2, 1] = 5.0, 0.0, -0.05  # widest, zero, thinnest
    run = dataclasses.replace(run, frames=dataclasses.replace(
        run.frames, weights=(w0, *run.frames.weights[1:])))
    fig = _json(plots.network_figure(run, f, lecture=lecture))
    w, styles = _weights(run, f), _link_styles(fig)
    widths = plots.LECTURE_LINK_WIDTHS if lecture else plots.LINK_WIDTHS
    for v, st in zip(w, styles, strict=True):
        if v == 0:
            assert st is None  # a zero weight is not drawn
            continue
        colour, width, dash = st
        assert colour == (plots.POSITIVE if v > 0 else plots.NEGATIVE)
        assert dash == ("solid" if v > 0 else plots.NEGATIVE_DASH)  # never colour alone
        assert width == widths[np.digitize(abs(v), plots.WEIGHT_EDGES)]
    drawn = [(abs(v), st[1]) for v, st in zip(w, styles, strict=True) if st]
    ordered = [width for _, width in sorted(drawn)]
    assert ordered == sorted(ordered)  # monotone in |w|
    n_in = len(run.spec.features)
    assert styles[0] == (plots.POSITIVE, max(widths), "solid")  # 5.0: the widest bucket
    assert styles[n_in] is None  # w0[1, 0] = 0
    assert styles[2 * n_in + 1] == (plots.NEGATIVE, min(widths), plots.NEGATIVE_DASH)  # −0.05
    assert min(widths) >= (3 if lecture else 0.5) and max(widths) <= 8


def test_l1_zeros_vanish_from_the_network():
    p = presets.PRESETS["l1_zeros"]
    run = pg.train(pdata.make(dataset=p.dataset, noise=p.noise, seed=0), p.spec, seed=0)
    w = _weights(run, -1)
    assert (w == 0).sum() >= 10
    styles = _link_styles(_json(plots.network_figure(run, -1)))
    assert [s is None for s in styles] == (w == 0).tolist()


def test_overfit_figure_draws_the_loss_and_the_tolerance():
    data = pdata.make()
    over = pg.overfit_one_batch(data, dataclasses.replace(pg.DEFAULT, optimizer="adam", lr=0.1))
    assert over.reached_at is not None
    fig = _json(plots.overfit_figure(over))
    loss = fig["data"][0]
    np.testing.assert_allclose(array(loss["y"]), over.loss, rtol=1e-6)
    np.testing.assert_array_equal(array(loss["x"]), np.arange(len(over.loss)))
    tol = fig["data"][1]
    assert tol["y"] == [pg.OVERFIT_TOL] * 2 and tol["line"]["dash"] == "dash"
    star = fig["data"][2]
    assert star["x"] == [over.reached_at] and star["y"] == [over.loss[over.reached_at]]
    assert fig["layout"]["yaxis"]["type"] == "log"
    slow = pg.overfit_one_batch(data, max_steps=50)
    assert slow.reached_at is None
    fig = _json(plots.overfit_figure(slow))
    assert len(fig["data"]) == 2 and "not below" in fig["layout"]["title"]["text"]


def test_a_diverged_run_draws_without_nan():
    p = presets.PRESETS["lr_diverges"]
    data = pdata.make(dataset=p.dataset, noise=p.noise, seed=0)
    run = pg.train(data, p.spec, seed=0)
    assert run.diverged_at is not None
    over = pg.overfit_one_batch(data, p.spec)
    figs = [plots.loss_figure(run), plots.boundary_figure(run, data),
            plots.overfit_figure(over)] + [
        plots.network_figure(run, f, lecture=lecture)
        for f in range(len(run.frames.epoch)) for lecture in (False, True)]
    for fig in figs:
        assert all_finite(_json(fig)["data"]) and all_finite(_json(fig).get("frames", []))
    notes = _json(figs[0])["layout"]["annotations"]
    assert any(f"diverged at epoch {run.diverged_at}" in a["text"] for a in notes)


def test_payload_of_the_largest_network_fits_the_page(largest):
    run, data = largest
    boundary = len(plots.boundary_figure(run, data).to_json())
    network = len(plots.network_figure(run, -1).to_json())
    over = len(plots.overfit_figure(pg.overfit_one_batch(data, run.spec)).to_json())
    assert boundary <= 1.5e6 and boundary + network + over <= 2e6
    heat = [t for t in _json(plots.network_figure(run, -1))["data"] if t["type"] == "heatmap"]
    assert len(heat) == 7 + 6 * 8 + 1
    assert len(_json(plots.network_figure(run, -1))["data"]) <= len(heat) + 2 * 5 + 1
