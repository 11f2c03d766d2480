"""The lr × momentum map's script, run as a subprocess: one torch.optim.SGD loop per cell
prints what the page's batched sweep says."""

import subprocess
import sys

import pytest

from dlviz import lr_momentum_map as lmap
from dlviz import lr_momentum_map_script as code
from dlviz import optim
from dlviz.reproduce import close, format_prints, parse_prints

CASES = [  # (objective, start, steps, lr decades, κ)
    ("course", (2.5,), 10, (-3, 0), None),  # the page's default: some cells converge
    ("saddle", (-1.8, 0.05), 5, (-4, 1), None),  # no minimum: nothing converges
    ("quadratic", (-2.5, 1.5), 30, (-3, 0), 100.0),  # κ reaches the script
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_script_prints_the_maps_numbers(case, tmp_path):
    f, start, steps, decades, kappa = case
    the_map = lmap.lr_momentum_map(f, start=start, steps=steps, lr_decades=decades,
                                   condition=kappa)
    src = code.script(the_map, lr_decades=decades, condition=kappa)
    assert src.startswith("# dlviz") and "import dlviz" not in src and "from dlviz" not in src
    path = tmp_path / "map.py"
    path.write_text(src)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-1000:]
    got, want = parse_prints(run.stdout), parse_prints(format_prints(code.prints(the_map)))
    assert list(got) == list(want)
    for label, values in want.items():
        assert len(got[label]) == len(values), label
        assert all(close(a, b) for a, b in zip(got[label], values, strict=True)), label
    assert want["cells"] == [1600] and want["diverged cells"] == [the_map.diverged.sum()]
    if f == "saddle":
        assert want["converged cells"] == [0] and "fastest to converge" not in " ".join(want)


def test_prints_name_the_shown_cells_and_the_fastest():
    the_map = lmap.lr_momentum_map("course", start=(2.5,), steps=10, lr_decades=(-3, 0))
    cells = code.shown_cells(the_map)
    assert cells == [(0, 0), (20, 0), (20, 36), (39, 39)]
    assert the_map.momentums[36] == 0.9
    out = code.prints(the_map)
    lr, mom, steps = out["fastest to converge (lr, momentum, steps)"]
    conv = the_map.steps_to_converge
    assert steps == conv[conv >= 0].min()
    i, j = list(the_map.lrs).index(lr), list(the_map.momentums).index(mom)
    assert conv[i, j] == steps and not (conv[:i] == steps).any()  # the first, in lr order
    assert out["lr 0.001, momentum 0 final loss"] == [the_map.final_loss[0, 0]]
    assert out["converged cells"] == (conv >= 0).sum()


def test_script_constants_are_the_engines():
    the_map = lmap.lr_momentum_map("bowl", start=(10.0,), steps=3, lr_decades=(-3, 1))
    src = code.script(the_map, lr_decades=(-3, 1))
    assert f"LRS = {the_map.lrs.tolist()}" in src
    assert "MOMENTUMS = [round(0.025 * j, 6) for j in range(40)]" in src
    assert [round(0.025 * j, 6) for j in range(40)] == lmap.map_momentums().tolist()
    assert "F_STAR = 0.0 " in src and f"CONVERGED = {lmap.CONVERGED!r} " in src
    assert "<= 1e6" in src and "<= 1e12" in src
    assert (optim.COORD_BOUND, optim.LOSS_BOUND) == (1e6, 1e12)
    assert "return x**2" in src and "START, STEPS = [10.0], 3" in src
