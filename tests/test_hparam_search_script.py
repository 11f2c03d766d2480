"""The reproduce script trains each trial the ordinary way and prints the page's numbers."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from dlviz import hparam_search as hs
from dlviz import hparam_search_script as code
from dlviz.reproduce import close, parse_prints

torch.set_num_threads(1)


def test_script_prints_the_same_numbers_as_the_batched_search(tmp_path):
    result = hs.search(trials=4, epochs=10, seed=5)
    path = tmp_path / "search.py"
    path.write_text(code.script(trials=4, epochs=10, seed=5))
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    got, expected = parse_prints(run.stdout), code.prints(result)
    assert list(got) == list(expected)
    for label, values in expected.items():
        assert len(got[label]) == len(values), label
        for a, b in zip(got[label], values, strict=True):
            assert close(a, b), f"{label}: script {a} vs page {b}"


def test_script_carries_the_settings_and_no_dlviz():
    src = code.script(trials=25, epochs=15, seed=123)
    assert "TRIALS, EPOCHS, SEED = 25, 15, 123" in src
    assert "dlviz import" not in src and "import dlviz" not in src
    assert "torch.optim.SGD(" in src
    compile(src, "script", "exec")  # valid Python


def test_prints_label_the_best_point():
    result = hs.search(trials=4, epochs=5, seed=0)
    out = code.prints(result)
    g = result.grid
    assert out["best grid (lr, momentum, val loss)"] == [g.lr[g.best], g.momentum[g.best],
                                                         g.val_loss[g.best]]
    assert len(out["random lr"]) == 4


def test_script_refuses_unbounded_settings():
    with pytest.raises(ValueError):
        code.script(trials=1000, epochs=10, seed=0)
