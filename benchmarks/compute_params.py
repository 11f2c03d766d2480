"""Compute timings of the Counting-parameters page (for `python -m benchmarks.compute`)."""

from __future__ import annotations

from dlviz import params

DEFAULT = ("nn.Sequential(nn.Linear(10, 18), nn.ReLU(), nn.Linear(18, 20), nn.ReLU(), "
           "nn.Linear(20, 5))")
BIG = "nn.Sequential(" + ", ".join(["nn.Linear(1000000, 1000000)", "nn.ReLU()"] * 30) + ")"
HOSTILE = "nn.Sequential(" + "nn.Linear(1, 1), " * 230 + ")"  # under the length cap

CASES = {
    "analyse default": lambda: params.analyse(DEFAULT),
    "analyse 30 layers of 10^12 parameters": lambda: params.analyse(BIG),
    "refuse 230 layers": lambda: _refused(HOSTILE),
}


def _refused(text: str) -> bool:
    try:
        params.parse_architecture(text)
    except params.ArchitectureError:
        return True
    return False
