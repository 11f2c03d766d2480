"""The theory section's script, run as a subprocess: autograd's Hessian and the formulas print
what the page's Theory holds, the measured rate of a real torch.optim.SGD run included."""

import subprocess
import sys

import pytest

from dlviz import lr_momentum_theory as theory
from dlviz import lr_momentum_theory_script as code
from dlviz.reproduce import close, format_prints, parse_prints

CASES = [  # (objective, κ, start)
    ("course", None, (2.5,)),  # local theory: no measured rate
    ("quadratic", 100.0, (-2.5, 1.5)),  # exact, measured over 300 steps
    ("quadratic", 1.0, (1.0, -1.0)),  # κ = 1: rate 0, one step lands on the minimum
    ("d2l_quadratic", None, (-5.0, -2.0)),
    ("distill", None, (-1.21, 0.853)),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_script_prints_the_theory(case, tmp_path):
    f, kappa, start = case
    th = theory.theory(f, condition=kappa, start=start)
    src = code.script(surface=f, start=start, condition=kappa)
    assert src.startswith("# dlviz") and "import dlviz" not in src and "from dlviz" not in src
    path = tmp_path / "theory.py"
    path.write_text(src)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-1000:]
    got, want = parse_prints(run.stdout), parse_prints(format_prints(code.prints(th)))
    assert list(got) == list(want)
    for label, values in want.items():
        assert len(got[label]) == len(values), label
        assert all(close(a, b) for a, b in zip(got[label], values, strict=True)), label
    assert ("measured rate" in want) == th.quadratic


def test_prints_hold_the_pages_numbers():
    th = theory.theory("quadratic", condition=100.0)
    out = code.prints(th)
    assert out["Hessian eigenvalues"] == pytest.approx([1.0, 100.0])
    assert (out["L"], out["kappa"], out["GD stable for lr below 2/L"]) == pytest.approx(
        (100.0, 100.0, 0.02))
    assert out["alpha*, beta*"] == pytest.approx([(2 / 11) ** 2, (9 / 11) ** 2])
    assert out["rate"] == pytest.approx(9 / 11) and out["GD rate"] == pytest.approx(99 / 101)
    assert out["exact (the objective is quadratic)"] == 1
    assert out["measured rate"] == th.measured_rate


@pytest.mark.parametrize("f", ["himmelblau", "saddle"])
def test_no_script_where_the_theory_does_not_apply(f):
    assert theory.theory(f) is None
    with pytest.raises(ValueError, match="no quadratic theory"):
        code.script(surface=f, start=(0.0, 0.0))
