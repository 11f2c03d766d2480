"""The playground's "Reproduce in PyTorch" script, run without dlviz, prints the engine's
numbers: every data set, activation and optimizer, L1 and L2, dropout, the student's points
and a run that blows up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dlviz import playground as pg
from dlviz import playground_data as pdata
from dlviz import playground_script as code
from dlviz.playground_net import FEATURES, NetSpec
from dlviz.reproduce import close, format_prints, parse_prints

CASES = {
    "defaults": dict(dataset="circle", noise=0.0, train_share=0.5, seed=0, points=(),
                     spec=NetSpec()),
    "xor_l1_dropout_points": dict(
        dataset="xor", noise=0.1, train_share=0.3, seed=3,
        points=((1.5, -2.0, 1), (0.3, 4.1, 0), (-6.0, 6.0, 1)),
        spec=NetSpec(features=("x1", "x2", "x1x2"), hidden=(5, 3), activation="relu",
                     dropout=0.2, optimizer="adam", lr=0.01, epochs=30, regularization="l1",
                     reg_rate=0.3)),
    "moons_l2_momentum": dict(
        dataset="moons", noise=0.3, train_share=0.7, seed=5, points=(),
        spec=NetSpec(hidden=(8,), activation="sigmoid", optimizer="momentum", batch_size=7,
                     epochs=20, regularization="l2", reg_rate=0.03)),
    "spiral_linear_model": dict(
        dataset="spiral", noise=0.2, train_share=0.5, seed=1, points=((0.0, 0.0, 0),),
        spec=NetSpec(features=("x1", "x2", "x1_sq", "x2_sq"), hidden=(), lr=1.0, epochs=20)),
    "gauss_diverges": dict(
        dataset="gauss", noise=0.5, train_share=0.9, seed=2, points=(),
        spec=NetSpec(features=tuple(FEATURES), hidden=(8, 8), activation="linear", lr=1.0,
                     epochs=20)),
}


def _engine(case: dict) -> tuple[pg.PlaygroundRun, pg.OverfitRun]:
    data = pdata.make(dataset=case["dataset"], noise=case["noise"],
                      train_share=case["train_share"], seed=case["seed"], extra=case["points"])
    return (pg.train(data, case["spec"], seed=case["seed"]),
            pg.overfit_one_batch(data, case["spec"], seed=case["seed"]))


@pytest.mark.parametrize("name", list(CASES))
def test_script_prints_the_engines_numbers(name, tmp_path):
    case = CASES[name]
    run, over = _engine(case)
    path = tmp_path / "dlviz_playground.py"
    path.write_text(code.script(**case))
    # a clean directory and no PYTHONPATH: the script cannot import dlviz
    done = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    got, want = parse_prints(done.stdout), parse_prints(format_prints(code.prints(run, over)))
    assert list(got) == list(want)
    for label, values in want.items():
        assert len(got[label]) == len(values), label
        for a, b in zip(got[label], values, strict=True):
            assert close(a, b), f"{label}: script {a} vs engine {b}"
    if name == "gauss_diverges":
        assert want["diverged at epoch"] == [1] == [run.diverged_at]
    if name == "xor_l1_dropout_points":
        assert want["zero weights"][0] > 0  # L1's proximal step made exact zeros


def test_the_script_holds_only_literals_and_the_chosen_parts():
    script = code.script(**CASES["xor_l1_dropout_points"])
    assert "import dlviz" not in script and "from dlviz" not in script
    assert "x * x[:, 1]" not in script and "# XOR" in script and "# Circle" not in script
    assert "w.sub_(w.clamp(" in script and "weight_decay" not in script
    assert "torch.optim.Adam(model.parameters(), lr=lr, fused=True)" in script
    l2 = code.script(**CASES["moons_l2_momentum"])
    assert '"weight_decay": reg_rate' in l2 and "momentum=0.9" in l2 and "clamp" not in l2


@pytest.mark.parametrize("bad", [dict(dataset="nope"), dict(points=((0.0, 0.0, 2),)),
                                 dict(spec=NetSpec(lr=0.5))])
def test_the_script_refuses_settings_the_engine_refuses(bad):
    with pytest.raises(ValueError):
        code.script(**{**CASES["defaults"], **bad})
