"""The reproduce script, run as a script, prints the page's numbers at non-default settings
(the lead's code-panel test covers the defaults)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dlviz import training_loop as tl
from dlviz import training_loop_script as code
from dlviz.reproduce import close, format_prints, parse_prints


@pytest.mark.parametrize("settings, step", [
    (dict(batch_size=16, shuffle=False, lr=0.02, epochs=4, seed=5), (3, 2, "loss")),
    (dict(batch_size=2, shuffle=True, lr=0.1, epochs=3, seed=0), (3, 32, "step")),  # diverges
], ids=["no-shuffle", "diverging"])
def test_script_prints_what_the_page_shows(settings, step, tmp_path):
    trace = tl.train(**settings)
    without = tl.train(**settings, zero_grad=False)
    snap = tl.snapshot(trace, epoch=step[0], batch=step[1], stage=step[2])
    k = 5
    acc = tl.accumulate(k=k, batch_size=settings["batch_size"], shuffle=settings["shuffle"],
                        seed=settings["seed"])
    cmp = tl.compare_updates(batch_size=settings["batch_size"], shuffle=settings["shuffle"],
                             lr=settings["lr"], seed=settings["seed"])
    expected = parse_prints(format_prints(code.prints(trace=trace, snap=snap, without=without,
                                                      acc=acc, comparison=cmp)))
    path = tmp_path / "script.py"
    path.write_text(code.script(**settings, snap=snap, k=k, compare_steps=tl.COMPARE_STEPS))
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    got = parse_prints(run.stdout)
    assert list(got) == list(expected)
    for label, values in expected.items():
        assert len(got[label]) == len(values), label
        assert all(close(a, b) for a, b in zip(got[label], values, strict=True)), label
    if step[2] == "step" and trace.diverged_at is not None:
        assert snap.step == trace.steps - 1, "a step past the divergence is clamped"
