"""The reproduce script, run as a subprocess, prints what the page's trace says."""

import subprocess
import sys

import pytest

from dlviz import data, optim, surfaces
from dlviz import surfaces_script as code
from dlviz.reproduce import close, format_prints, parse_prints

CASES = [  # (surface, optimizer, lr, momentum, nesterov, steps, kappa)
    ("course", "sgd", 0.01, 0.8, False, 20, 10.0),
    ("rosenbrock", "sgd", 1e-3, 0.9, True, 200, 10.0),
    ("quadratic", "sgd", 0.01, 0.5, False, 50, 100.0),
    ("beale", "adam", 0.1, 0.0, False, 100, 10.0),
    ("rastrigin", "rmsprop", 0.01, 0.3, False, 80, 10.0),
    ("regression", "adagrad", 0.5, 0.0, False, 60, 10.0),
    ("bowl", "sgd", 1.1, 0.0, False, 100, 10.0),  # diverges
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_script_prints_the_trace(case, tmp_path):
    name, opt, lr, mom, nest, steps, kappa = case
    s = surfaces.get(name, condition=kappa)
    t = optim.trace(s, start=s.start, optimizer=opt, lr=lr, momentum=mom, nesterov=nest,
                    steps=steps)
    src = code.script(name=name, start=s.start, optimizer=opt, lr=lr, momentum=mom,
                      nesterov=nest, steps=steps, kappa=kappa, title=s.title)
    assert src.startswith("# dlviz") and "import dlviz" not in src and "from dlviz" not in src
    path = tmp_path / "run.py"
    path.write_text(src)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr[-1000:]
    got, want = parse_prints(run.stdout), parse_prints(format_prints(code.prints(t)))
    assert list(got) == list(want) == ["start", "final point", "final loss", "steps run",
                                       "diverged at"]
    for label, values in want.items():
        assert len(got[label]) == len(values)
        assert all(close(a, b) for a, b in zip(got[label], values, strict=True)), label
    if name == "bowl":
        assert want["diverged at"] == [64.0]


def test_every_surface_has_a_formula():
    assert set(code.FORMULAS) == set(surfaces.SURFACES)


def test_regression_data_block_matches_dlviz_data():
    assert data.linear_regression.__kwdefaults__ == {
        k: v for k, v in code.REGRESSION_DATA.items()}
