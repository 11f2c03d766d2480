"""The playground's classic lessons, each a preset with the outcome it predicts.

A preset fixes the data set and a `NetSpec`; `expect` says what the run must show, with a
threshold measured on seeds 0–5 (or 0–7) and set with a margin; `outcome` runs the preset and
checks it, so the tests (and the page) can hold each lesson to its claim. The L1 and L2
presets compare against the same network without the penalty (`baseline`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from dlviz import playground as pg
from dlviz import playground_data as pdata
from dlviz.playground_net import FEATURES, NetSpec

ALL = tuple(FEATURES)
# kind → what `outcome` measures and how it compares with the threshold t
EXPECT_KINDS = {
    "acc_at_most": "test accuracy ≤ t",
    "acc_at_least": "test accuracy ≥ t",
    "fails": "diverged, or test accuracy ≤ t",
    "diverges": "training stopped at a non-finite or exploding loss (t unused)",
    "zeros_at_least": "share of weights exactly 0 ≥ t (the baseline's: none)",
    "norm_below": "‖W‖ ≤ t · the baseline's ‖W‖",
}


@dataclass(frozen=True)
class Preset:
    title: str  # the pill's label, and the preset's value in the URL
    dataset: str  # playground_data.DATASETS key
    spec: NetSpec  # the network and its training
    expect: tuple[str, float]  # (EXPECT_KINDS key, threshold t)
    claim: str  # the lesson, one sentence
    observe: str  # what to look at on the page
    noise: float = 0.0  # the data's noise


@dataclass(frozen=True)
class Outcome:
    ok: bool  # the claim held
    value: float  # what was measured: test accuracy, the epoch that diverged (0: none),
    # the share of zero weights or the norm ratio
    run: pg.PlaygroundRun  # the preset's run
    baseline: pg.PlaygroundRun | None  # the same network without the penalty (L1/L2 kinds)


_LINEAR = NetSpec(hidden=(), epochs=50)
_SPIRAL = NetSpec(features=ALL, optimizer="adam", lr=0.01, epochs=200)
_WIDE = NetSpec(hidden=(8,), features=ALL, epochs=100)

PRESETS: dict[str, Preset] = {
    "linear_xor": Preset(
        "Linear model on XOR", "xor", _LINEAR, ("acc_at_most", 0.7),
        "Without a hidden layer, X₁ and X₂ give one straight boundary: XOR's four "
        "quadrants cannot be separated.",
        "The boundary is a line; about half the test points stay on the wrong side "
        "(measured 0.41–0.59)."),
    "cross_xor": Preset(
        "XOR with X₁X₂", "xor", replace(_LINEAR, features=("x1x2",)), ("acc_at_least", 0.9),
        "The same linear model with the input X₁X₂ separates XOR: its sign is the label.",
        "One weight on X₁X₂ does it; the boundary follows the axes (measured 1.0)."),
    "linear_circle": Preset(
        "Linear model on the circle", "circle", _LINEAR, ("acc_at_most", 0.7),
        "A straight line cannot cut a disc out of a ring.",
        "The boundary is a line through the data; test accuracy stays near chance "
        "(measured 0.36–0.61)."),
    "squares_circle": Preset(
        "Circle with X₁², X₂²", "circle", replace(_LINEAR, features=("x1_sq", "x2_sq")),
        ("acc_at_least", 0.9),
        "With X₁² and X₂² a linear model draws a circle: w·(X₁² + X₂²) + b = 0.",
        "Two equal negative weights and a positive bias (measured 1.0)."),
    "spiral_small": Preset(
        "Spiral, 2 units", "spiral", replace(_SPIRAL, hidden=(2,)), ("acc_at_most", 0.8),
        "All seven inputs and one hidden layer of two units are too little for the spiral.",
        "The boundary curls part of the way, then cuts across the arms (measured 0.60–0.77)."),
    "spiral_deep": Preset(
        "Spiral, 3 × 8 units", "spiral", replace(_SPIRAL, hidden=(8, 8, 8)),
        ("acc_at_least", 0.9),
        "The same inputs with three hidden layers of eight units fit the spiral.",
        "Later units combine the first layer's stripes into the arms (measured 0.96–1.0)."),
    "lr_too_large": Preset(
        "Learning rate 10", "circle", NetSpec(lr=10.0), ("fails", 0.65),
        "Playground's default network on the circle, which lr 0.03 solves, fails at lr 10: "
        "each step overshoots.",
        "The loss jumps instead of falling; the tanh units saturate and test accuracy stays "
        "near chance (measured 0.48–0.61)."),
    "lr_diverges": Preset(
        "Learning rate 1, linear units", "circle",
        NetSpec(hidden=(8, 8), features=ALL, activation="linear", lr=1.0, epochs=20),
        ("diverges", 0.0),
        "Without a squashing activation nothing bounds the outputs: at lr 1 the inputs X₁² "
        "and X₂² (up to 36) blow the loss up in the first epoch.",
        "Training stops at epoch 1; the pictures show the network as initialised."),
    "l1_zeros": Preset(
        "L1 sets weights to 0", "circle",
        replace(_WIDE, regularization="l1", reg_rate=0.03), ("zeros_at_least", 0.25),
        "L1's proximal step sets small weights to exactly 0 and keeps the useful ones.",
        "Links vanish from the network; accuracy stays (measured 29–37 of 64 weights at 0, "
        "none without L1).", noise=0.2),
    "l2_shrinks": Preset(
        "L2 shrinks weights", "circle",
        replace(_WIDE, regularization="l2", reg_rate=0.03), ("norm_below", 0.75),
        "L2 pulls every weight towards 0 without making any exactly 0.",
        "Thinner links everywhere (measured ‖W‖ 0.54–0.59 of the unpenalised run's).",
        noise=0.2),
}


def final_weights(run: pg.PlaygroundRun) -> np.ndarray:
    """(n_weights,) float64 every Linear weight (no bias) at the run's last snapshot."""
    return np.concatenate([w[-1].ravel() for w in run.frames.weights]).astype(np.float64)


def _check(kind: str, t: float, run: pg.PlaygroundRun,
           base: pg.PlaygroundRun | None) -> tuple[float, bool]:
    """(the measured value, whether the claim holds) for an EXPECT_KINDS `kind`."""
    acc = run.test_acc
    if kind == "acc_at_most":
        return acc, acc <= t
    if kind == "acc_at_least":
        return acc, acc >= t
    if kind == "fails":
        return acc, run.diverged_at is not None or acc <= t
    if kind == "diverges":
        return float(run.diverged_at or 0), run.diverged_at is not None
    w, w0 = final_weights(run), final_weights(base)
    if kind == "zeros_at_least":
        share = float(np.mean(w == 0))
        return share, share >= t and not np.any(w0 == 0)
    ratio = float(np.linalg.norm(w) / np.linalg.norm(w0))
    return ratio, ratio <= t


def baseline(key: str) -> NetSpec | None:
    """The unpenalised network a penalty lesson compares with, or None."""
    p = PRESETS[key]
    if p.expect[0] not in ("zeros_at_least", "norm_below"):
        return None
    return replace(p.spec, regularization="none", reg_rate=0.0)


def judge(key: str, run: pg.PlaygroundRun, base: pg.PlaygroundRun | None) -> Outcome:
    """Preset `key`'s claim checked on its run (and its baseline's, for L1 and L2)."""
    kind, t = PRESETS[key].expect
    value, ok = _check(kind, t, run, base)
    return Outcome(ok=ok, value=value, run=run, baseline=base)


def outcome(key: str, *, seed: int = 0) -> Outcome:
    """Run preset `key` with `seed` (data and network) and check its claim."""
    p = PRESETS[key]
    data = pdata.make(dataset=p.dataset, noise=p.noise, seed=seed)
    base = baseline(key)
    jobs = [pg.Job(data, p.spec, seed)] + ([pg.Job(data, base, seed)] if base else [])
    runs = pg.run_jobs(jobs)  # together: one batched computation where they share shapes
    return judge(key, runs[0], runs[1] if base else None)
