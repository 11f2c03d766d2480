"""The Overfitting page's reproduce script prints the page's numbers, for non-default settings
too (the lead's generic test runs the page at its defaults)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from dlviz import overfitting as of
from dlviz import overfitting_script as code
from dlviz.reproduce import close, format_prints, parse_prints

SETTINGS = dict(dataset="spirals", n_train=90, noise=0.15, width=16, depth=2, dropout=0.3,
                weight_decay=1e-3, epochs=40, jitter=0.1, seed=7)


def test_script_prints_the_computed_numbers(tmp_path):
    result = of.train(**SETTINGS)
    diagnosis = of.diagnose(train_loss=result.train_loss, val_loss=result.val_loss,
                            train_acc=result.train_acc, val_acc=result.val_acc)
    demo = of.dropout_demo(seed=3)
    expected = parse_prints(format_prints(code.prints(result, diagnosis, demo)))
    path = tmp_path / "dlviz_overfitting.py"
    path.write_text(code.script(**SETTINGS, dropout_seed=3))
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=240, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    got = parse_prints(run.stdout)
    assert list(got) == list(expected)
    for label, values in expected.items():
        assert len(got[label]) == len(values), label
        for a, b in zip(got[label], values, strict=True):
            assert close(a, b), f"{label}: script {a} vs page {b}"


def test_script_is_standalone_and_filled_in():
    src = code.script(**SETTINGS, dropout_seed=3)
    assert src.startswith("# dlviz")
    tree = ast.parse(src)
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree)
                 if isinstance(n, ast.ImportFrom) and n.module}
    assert imported == {"math", "torch"}
    assert "dataset, n_train, n_val, noise, seed = 'spirals', 90, 200, 0.15, 7" in src
    assert "width, depth, dropout, weight_decay = 16, 2, 0.3, 0.001" in src


def test_script_refuses_settings_outside_the_bounds():
    with pytest.raises(ValueError):
        code.script(**(SETTINGS | {"dataset": "x'); import os; ('"}), dropout_seed=0)
    with pytest.raises(ValueError):
        code.script(**(SETTINGS | {"epochs": 10_000}), dropout_seed=0)
