"""The page's presets: each reproduces one claim from the course, d2l or Distill.

A preset fixes the objective, the start and up to four runs; `expect` says, per run, which
`lr_momentum.outcome` the claim predicts, so the tests (and the page) can check the claim.
`widget_state` is what a preset sets: the page's settings table takes its defaults from the
chosen preset's, so `?preset=<title>` alone is a link to the preset.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType

from dlviz import lr_momentum as lm
from dlviz.lr_momentum import RunSpec


@dataclass(frozen=True)
class Preset:
    title: str  # the pill's label, and the preset's value in the URL (?preset=…)
    surface: str  # SURFACES name
    runs: tuple[RunSpec, ...]  # 1 … MAX_RUNS
    expect: tuple[str, ...]  # the predicted outcome of each run (lr_momentum.OUTCOMES keys)
    claim: str  # what the preset reproduces, one sentence
    observe: str  # what to look at on the page
    start: tuple[float, ...] | None = None  # None: the surface's default start
    map_decades: tuple[int, int] = (-4, 1)  # the map's lr range, 10^lo … 10^hi


EXTRA_MOMENTUM = 0.9  # a lane past a preset's runs: its first run with this momentum


def _sgd(lr: float, steps: int, momentum: float = 0.0) -> RunSpec:
    return RunSpec("sgd", lr, momentum, False, steps)


PRESETS: dict[str, Preset] = {
    "course_lr": Preset(
        "Course: lr", "course",
        (_sgd(0.01, 10), _sgd(0.05, 10), _sgd(0.1, 10)),
        ("local", "global", "diverged"),
        "Ten SGD steps on x⁴ + x³ − 5x² from x = 2.5: lr 0.01 is too small, 0.05 is good, "
        "0.1 is too large.",
        "lr 0.01 creeps into the right-hand (local) minimum at 1.25 and stays; lr 0.05 jumps "
        "over the hump and ends at the global minimum −2; lr 0.1 overshoots and blows up. "
        "On the map, the stable band of lr is narrow.",
        start=(2.5,), map_decades=(-3, 0)),
    "course_momentum": Preset(
        "Course: momentum", "course",
        (_sgd(0.01, 20), _sgd(0.01, 20, 0.5), _sgd(0.01, 20, 0.8)),
        ("local", "local", "global"),
        "lr 0.01 for 20 steps from x = 2.5: without momentum SGD gets stuck at 1.25; "
        "momentum 0.8 carries it into the global basin.",
        "Momentum 0 and 0.5 settle in the local minimum; with 0.8 the velocity built up "
        "on the way down carries the ball over the hump at 0 to the global minimum near −2.",
        start=(2.5,), map_decades=(-3, 0)),
    "d2l_bowl": Preset(
        "d2l: x²", "bowl",
        (_sgd(0.2, 10), _sgd(0.05, 10), _sgd(1.1, 10)),
        ("global", "on the way", "growing"),
        "Gradient descent on x² from x = 10 (d2l): lr 0.2 converges in 10 steps, 0.05 is too "
        "slow, 1.1 diverges.",
        "Each step multiplies x by (1 − 2·lr): 0.6 for lr 0.2, 0.9 for lr 0.05 and −1.2 for "
        "lr 1.1, which flips sign and grows. The map's stability bound lr < 2/L = 1 "
        "separates the two regimes.",
        start=(10.0,), map_decades=(-3, 1)),
    "d2l_valley": Preset(
        "d2l: valley", "d2l_quadratic",
        (_sgd(0.4, 20), _sgd(0.6, 20), _sgd(0.6, 20, 0.5)),
        ("on the way", "growing", "global"),
        "On 0.1x² + 2y² (d2l), GD with lr 0.4 is slow along x, lr 0.6 diverges along y, and "
        "momentum 0.5 with lr 0.6 converges.",
        "The steep y-direction (curvature 4) limits plain GD to lr < 2/4 = 0.5, too small "
        "for the flat x-direction (curvature 0.2). Momentum raises the bound to "
        "2(1 + μ)/L = 0.75, so lr 0.6 is stable again and x moves quickly.",
        start=(-5.0, -2.0), map_decades=(-3, 1)),
    "distill": Preset(
        "Distill's hero", "distill",
        (_sgd(0.003, 150, 0.74), _sgd(0.003, 150)),
        ("global", "on the way"),
        "Distill's 'Why Momentum Really Works': step size α = 0.003 and momentum β = 0.74 "
        "on (1 − x)² + 20(3y − x²)² reach the minimum (1, 1/3) in 150 steps.",
        "With β = 0.74 the path swings down the valley and settles near (1, 1/3); the same "
        "step without momentum is still crawling along the valley floor after 150 steps.",
        start=(-1.21, 0.853), map_decades=(-4, -1)),
    "rosenbrock": Preset(
        "Rosenbrock", "rosenbrock",
        (_sgd(0.001, 1000), _sgd(0.001, 1000, 0.9), RunSpec("adam", 0.5, 0.0, False, 1000)),
        ("on the way", "global", "global"),
        "On Rosenbrock's curved valley from (−2, 2), plain SGD (lr 0.001) is still far from "
        "(1, 1) after 1000 steps; momentum 0.9 and Adam (lr 0.5) get there.",
        "Plain SGD reaches the valley floor fast, then crawls: the gradient along the floor "
        "is tiny. Momentum accumulates those small steps; Adam rescales each coordinate's "
        "step, so it moves at about lr per step whatever the gradient's size.",
        start=(-2.0, 2.0), map_decades=(-5, -1)),
}


def format_start(start: tuple[float, ...]) -> str:
    """A start point as the page's text field shows it: "-1.21, 0.853"."""
    return ", ".join(f"{v:g}" for v in start)


def lane(key: str, slot: int) -> RunSpec:
    """Run `slot` (1-based) of preset `key`. A lane past the preset's runs holds its first run
    with momentum EXTRA_MOMENTUM, ready to compare (the course's lr preset: its momentum run)."""
    runs = PRESETS[key].runs
    if slot <= len(runs):
        return runs[slot - 1]
    first = runs[0]
    return RunSpec("sgd", first.lr, EXTRA_MOMENTUM, False, first.steps)


@functools.cache
def widget_state(key: str) -> MappingProxyType:
    """The page's widget values (by widget key) that reproduce preset `key`, every run lane
    included (lanes past n are inactive). The page's settings take their defaults from it."""
    p = PRESETS[key]
    state = {"f": p.surface, "start": format_start(p.start) if p.start else "",
             "n": len(p.runs), "noise": 0.0, "mlr": p.map_decades}
    for slot in range(1, lm.MAX_RUNS + 1):
        state |= run_state(slot, lane(key, slot))
    return MappingProxyType(state)


def run_state(slot: int, spec: RunSpec) -> dict:
    """The widget values of run `slot` (1-based) for `spec`."""
    return {f"opt{slot}": spec.optimizer, f"lr{slot}": spec.lr, f"mom{slot}": spec.momentum,
            f"nest{slot}": spec.nesterov, f"steps{slot}": spec.steps}


def matching(surface: str, start: tuple[float, ...], runs: tuple[RunSpec, ...],
             noise_std: float) -> str | None:
    """The preset these settings reproduce exactly, if any (its claim then applies)."""
    for key, p in PRESETS.items():
        if (p.surface == surface and tuple(p.runs) == tuple(runs) and noise_std == 0
                and (p.start is None or tuple(p.start) == tuple(start))):
            return key
    return None
