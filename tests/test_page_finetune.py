"""AppTests of the Freezing & fine-tuning page, driven by widget keys and by the URL."""

from __future__ import annotations

import io
import json

import numpy as np
import torch
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import app_test

from dlviz import finetune as ft
from dlviz import init_schemes as ini
from dlviz.reproduce import parse_prints
from dlviz.safe_text import md
from tests.conftest import open_page
from tests.figures import array
from tests.markdown import rendered

PAGE = "pages/finetune.py"
SHORT = {"epochs": "5"}  # short runs keep the suite fast; the defaults are run by test_apps


def _figs(at) -> dict[str, dict]:
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec)
            for c in at.get("plotly_chart")}


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_defaults_freeze_two_layers_and_plot_the_four_runs():
    at = open_page(PAGE)
    assert not at.exception
    assert at.slider(key="k").value == 2 and at.select_slider(key="lr").value == 0.01
    expected = ft.compare(frozen_layers=2, lr=0.01, epochs=30, seed=0)
    run = expected.runs["freeze"]
    assert _metrics(at)["Trainable"] == f"{run.trainable:,}"
    assert _metrics(at)["Frozen"] == f"{run.total - run.trainable:,}"
    figs = _figs(at)
    losses = figs["losses"]["data"]
    assert len(losses) == 4
    for trace, r in zip(losses, expected.runs.values(), strict=True):
        np.testing.assert_allclose(array(trace["y"]), [r.initial_loss, *r.losses], rtol=1e-6)
    code = [c.value for c in at.code if "requires_grad = False" in c.value]
    assert code and "'0.weight', '0.bias'" in code[0] and "'2.weight', '2.bias'" in code[0]
    assert "'4.weight'" not in code[0]


def test_deep_link_with_per_layer_toggles():
    query = {"mode": "per layer", "f1": "false", "f2": "true", "f3": "false", "f4": "true",
             "lr": "0.03", "seed": "3", "init": "zeros", "depth": "8", "lecture": "true",
             **SHORT}
    at = open_page(PAGE, query=query)
    assert not at.exception
    assert [at.toggle(key=f"f{i}").value for i in range(1, 5)] == [False, True, False, True]
    assert at.selectbox(key="init").value == "zeros"
    assert at.select_slider(key="lr").value == 0.03 and at.number_input(key="seed").value == 3
    expected = ft.compare(frozen_layers=[1, 3], lr=0.03, epochs=5, seed=3).runs["freeze"]
    assert _metrics(at)["Trainable"] == f"{expected.trainable:,}"
    rows = array(_figs(at)["delta"]["data"][0]["z"])[::-1]
    for i, row in enumerate(rows):
        z = row[:ft.LAYER_SIZES[i + 1]]
        assert (z == 0).all() == (i in (1, 3))  # frozen rows are exactly zero, others not
        np.testing.assert_allclose(z, expected.unit_change[i], atol=1e-6)
    code = next(c.value for c in at.code if "requires_grad = False" in c.value)
    assert "'2.weight', '2.bias'" in code and "'6.weight', '6.bias'" in code
    assert "'0.weight'" not in code
    std = _figs(at)["std"]["data"]
    assert len(array(std[0]["y"])) == 8


def test_moving_k_changes_the_counts():
    at = open_page(PAGE, query=SHORT)
    counts = []
    for k in range(ft.N_LAYERS + 1):
        at.slider(key="k").set_value(k).run()
        assert not at.exception
        counts.append(int(_metrics(at)["Trainable"].replace(",", "")))
    assert counts == sorted(counts, reverse=True) and counts[-1] == 0
    assert any("Every layer is frozen" in rendered(w.value) for w in at.warning)


def test_init_panel_follows_the_scheme():
    at = open_page(PAGE, query=SHORT | {"init": "uniform"})
    hist = _figs(at)["hist"]["data"]
    expected = ini.weight_histograms("uniform", seed=0)
    for trace, counts in zip(hist, expected.counts, strict=True):
        np.testing.assert_array_equal(array(trace["y"]), counts)
    assert min(array(t["x"]).min() for t in hist) > 0  # uniform_: all weights in [0, 1)
    at.selectbox(key="init").set_value("constant").run()
    sym = _figs(at)["symmetry"]
    z = array(sym["data"][1]["z"])
    assert (z == z[:, :1]).all()  # constant init: all hidden units identical after training
    assert any("constant_(layer.weight, 0.1)" in c.value for c in at.code)


def test_the_downloaded_weights_load_into_the_model(monkeypatch):
    stores: list[MemoryMediaFileStorage] = []
    managers: list[MediaFileManager] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    class RecordingManager(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Recording)
    monkeypatch.setattr(app_test, "MediaFileManager", RecordingManager)
    at = open_page(PAGE, query=SHORT | {"k": "3"})
    button = next(b for b in at.get("download_button") if b.proto.id.endswith("download_pt"))
    assert button.proto.ignore_rerun  # on_click="ignore": downloading does not rerun
    # made on the click (a deferred download): the click runs it, as the server does
    assert button.proto.deferred_file_id and not button.proto.url
    url = managers[-1].execute_deferred(button.proto.deferred_file_id)
    content = stores[-1].get_file(url.rsplit("/", 1)[-1].split(".")[0]).content
    state = torch.load(io.BytesIO(content), weights_only=True)
    model = ft.build_model()
    model.load_state_dict(state)
    expected = ft.compare(frozen_layers=3, lr=0.01, epochs=5, seed=0).runs["freeze"]
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), expected.state[name])


def test_bad_seed_in_a_link_gets_the_exact_notice():
    at = open_page(PAGE, query=SHORT | {"seed": "inf"})
    assert not at.exception
    assert [rendered(w.value) for w in at.warning] == [
        "**Some settings in this link could not be used.**\n\n"
        "- Seed “inf” is not a finite number: using 0 instead."]
    assert at.number_input(key="seed").value == 0
    at.run()
    assert not at.warning, "the notice is shown on the link's run only"


def test_valid_link_values_raise_no_notice():
    query = {"mode": "per layer", "f1": "true", "lr": "0.1", "epochs": "5", "seed": "7",
             "init": "kaiming", "sigma": "1", "const": "-0.5", "depth": "30"}
    at = open_page(PAGE, query=query)
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.slider(key="depth").value == 30 and at.slider(key="const").value == -0.5


def test_init_section_has_its_own_reproduce_script():
    at = open_page(PAGE, query=SHORT | {"init": "uniform", "depth": "30", "seed": "2"})
    scripts = [c.value for c in at.code if c.language == "python"
               and c.value.startswith("# dlviz")]
    assert len(scripts) == 2 and "torch.nn.init" in scripts[1]
    assert "SCHEME = 'uniform'" in scripts[1] and "DEPTH = 30" in scripts[1]
    printed = parse_prints([c.value for c in at.code if c.language == "text"][-1])
    stds = ini.activation_std(depth=30, seed=2)
    uniform = list(stds.schemes).index("uniform")
    np.testing.assert_allclose(printed["activation std per layer (uniform)"],
                               stds.std[uniform], rtol=2e-5)
    assert np.isnan(printed["activation std per layer (uniform)"][-1]), "float32 overflowed"
    std = _figs(at)["std"]["data"]
    np.testing.assert_allclose(array(std[uniform]["y"])[:5], stds.std[uniform][:5], rtol=1e-6)


def test_charts_have_summaries_and_freezing_sits_above_the_losses():
    from dlviz import finetune_text as text

    at = open_page(PAGE, query=SHORT)
    expected = ft.compare(frozen_layers=2, lr=0.01, epochs=5, seed=0)
    captions = [c.value for c in at.caption]
    assert "Chart: " + md(text.losses_summary(expected)) in captions
    hist = ini.weight_histograms("default", seed=0)
    assert "Chart: " + md(text.histograms_summary(hist)) in captions
    assert sum(c.startswith("Chart: ") for c in captions) == 6, "every chart has its summary"
    assert {w.key for w in at.main.slider} >= {"k"}
    assert [w.key for w in at.main.select_slider] == ["lr"]
    assert {w.key for w in at.sidebar.slider} == {"epochs"}
