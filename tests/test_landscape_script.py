"""The loss-landscape reproduce script, run as a subprocess, prints what dlviz.landscape says."""

import subprocess
import sys

import pytest
import torch

from dlviz import landscape
from dlviz import landscape_script as code
from dlviz.reproduce import close, format_prints, parse_prints

CASES = [("random", 11, 0), ("pca", 11, 0), ("random", 13, 4), ("pca", 11, 2)]
LABELS = ["weights", "initial loss", "trained loss", "accuracy", "a range", "b range",
          "lowest loss on the plane", "highest loss on the plane", "loss at (a min, b min)",
          "loss at (a max, b max)"]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # as the app runs
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("case", CASES, ids=[f"{p}-{r}-seed{s}" for p, r, s in CASES])
def test_script_prints_the_landscape(case, tmp_path):
    plane, resolution, seed = case
    land = landscape.landscape(plane=plane, resolution=resolution, seed=seed)
    src = code.script(plane=plane, resolution=resolution, seed=seed)
    assert src.startswith("# dlviz · Loss surfaces: a real network's loss landscape")
    assert "import dlviz" not in src and "from dlviz" not in src
    path = tmp_path / "run.py"
    path.write_text(src)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-1000:]
    got, want = parse_prints(run.stdout), parse_prints(format_prints(code.prints(land)))
    labels = LABELS[:4] + ["explained"] + LABELS[4:] if plane == "pca" else LABELS
    assert list(got) == list(want) == labels
    for label, values in want.items():
        assert len(got[label]) == len(values), label
        assert all(close(a, b) for a, b in zip(got[label], values, strict=True)), label
    assert want["weights"] == [354.0]
    assert want["trained loss"][0] < want["initial loss"][0]
    if plane == "random":  # odd resolution: the middle grid point is θ* itself
        assert want["a range"] == want["b range"] == [-1.0, 1.0]
        assert land.loss[resolution // 2, resolution // 2] == pytest.approx(land.center_loss)


def test_prints_are_the_landscapes_numbers():
    land = landscape.landscape(plane="pca", resolution=5, seed=1)
    p = code.prints(land)
    assert p["trained loss"] == land.center_loss and p["accuracy"] == land.accuracy
    assert p["explained"] == list(land.explained)
    assert p["lowest loss on the plane"] == land.loss.min()
    assert p["loss at (a max, b max)"] == land.loss[-1, -1]


def test_fixed_settings_are_dlvizs_defaults():
    defaults = landscape.landscape.__kwdefaults__
    assert {k: defaults[k] for k in code.FIXED} == code.FIXED
    assert landscape.train.__kwdefaults__["momentum"] == code.MOMENTUM


@pytest.mark.parametrize("bad", [dict(plane="hessian"), dict(resolution=2),
                                 dict(resolution=202)])
def test_script_refuses_what_landscape_refuses(bad):
    args = dict(plane="random", resolution=11, seed=0) | bad
    with pytest.raises(ValueError):
        code.script(**args)
    with pytest.raises(ValueError):
        landscape.landscape(**args)
