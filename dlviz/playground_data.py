"""TensorFlow Playground's 2-D classification sets, seeded, split into train / val / test.

The generators follow Playground's `dataset.ts` (REFERENCE.md, "TensorFlow Playground"): 500
points drawn for the square [−6, 6]², noise 0 … 0.5. Playground's label +1 is class 1 here and
−1 is class 0 (torch's `BCEWithLogitsLoss` wants 0/1 targets). Points are not clipped to the
square, as in Playground (a few Gaussian points at noise 0.5 fall outside it); only the
student's own points are. All draws use a private `numpy.random.Generator`, so torch's global
RNG is untouched.

The split, as Playground's: shuffle all points, the first `train_share` of them train and the
rest is the **test** set. The last VAL_SHARE (20 %) of the training share becomes the
**validation** set (for the train/validation panel of chapter 4), so at the default 50 % there
are 200 training, 50 validation and 250 test points. The student's points are then appended to
the training set (at most MAX_EXTRA).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dlviz import data

N_POINTS = 500  # Playground's number of points
HALF = 6.0  # the square [−HALF, HALF]² that the pictures show
NOISE = (0.0, 0.5)  # Playground's 0 … 50 %
TRAIN_SHARE = (0.1, 0.9)  # Playground's 10 … 90 %
VAL_SHARE = 0.2  # of the training share, held out for validation
MAX_EXTRA = 50  # the student's own points
MOONS_SCALE = 3.0  # dlviz.data.moons spans [−1.5, 1.5] × [−0.75, 0.75]; ×3 fills the square
MOONS_NOISE = 0.5  # Playground's noise 0 … 0.5 → a Gaussian std of 0 … 0.25 moon radii

Generator = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class PlaygroundData:
    dataset: str  # DATASETS key
    x_train: np.ndarray  # (n_train, 2) float64; the last n_extra rows are the student's
    y_train: np.ndarray  # (n_train,) int64, 0 or 1
    x_val: np.ndarray  # (n_val, 2)
    y_val: np.ndarray  # (n_val,)
    x_test: np.ndarray  # (n_test, 2)
    y_test: np.ndarray  # (n_test,)
    n_extra: int  # the student's points at the end of the training set


def _uniform(g: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return g.uniform(lo, hi, n)


def _circle(g: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Radius 5: half the points at r ~ U[0, 2.5], half at U[3.5, 5]; the label is whether the
    point plus a noise offset U[−5, 5]·noise per coordinate lies within 2.5 (class 1)."""
    radius, half = 5.0, n // 2
    r = np.concatenate([_uniform(g, 0, radius * 0.5, half),
                        _uniform(g, radius * 0.7, radius, n - half)])
    angle = _uniform(g, 0, 2 * math.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], 1)  # (n, 2)
    shifted = x + g.uniform(-radius, radius, (n, 2)) * noise
    return x, (np.hypot(shifted[:, 0], shifted[:, 1]) < radius * 0.5).astype(np.int64)


def _xor(g: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """x, y ~ U[−5, 5], each pushed 0.3 away from 0; class 1 where x·y ≥ 0, judged on the
    point plus a noise offset U[−5, 5]·noise per coordinate."""
    x = g.uniform(-5, 5, (n, 2))
    x = x + np.where(x > 0, 0.3, -0.3)
    shifted = x + g.uniform(-5, 5, (n, 2)) * noise
    return x, (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int64)


def _gauss(g: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussians: centre (2, 2) class 1, (−2, −2) class 0; the variance goes linearly
    from 0.5 at noise 0 to 4 at noise 0.5 (the same for both coordinates)."""
    variance = 0.5 + noise / 0.5 * (4 - 0.5)
    half = n // 2
    centres = np.repeat(np.array([[2.0, 2.0], [-2.0, -2.0]]), [half, n - half], axis=0)
    x = centres + math.sqrt(variance) * g.standard_normal((n, 2))
    return x, np.repeat(np.array([1, 0], dtype=np.int64), [half, n - half])


def _spiral(g: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two arms of n/2 points: point i has r = 5i/m, t = 1.75·2π·i/m (+π for the second arm,
    class 0), x = r·sin t, y = r·cos t, plus U[−1, 1]·noise per coordinate (m = n/2)."""
    m = n // 2
    i = np.arange(m) / m
    arms = []
    for delta in (0.0, math.pi):
        t = 1.75 * 2 * math.pi * i + delta
        arms.append(np.stack([5 * i * np.sin(t), 5 * i * np.cos(t)], 1))
    x = np.concatenate(arms) + g.uniform(-1, 1, (2 * m, 2)) * noise
    return x, np.repeat(np.array([1, 0], dtype=np.int64), [m, m])


def _moons(g: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """dlviz.data.moons with a Gaussian std of MOONS_NOISE·noise moon radii (0.25 at most, as
    noisy as the overfitting page's), scaled ×3 onto the square: the upper moon is class 0,
    the lower class 1. Not a Playground set."""
    x, y = data.moons(n=n, noise=MOONS_NOISE * noise, seed=int(g.integers(2**31)))
    return x.double().numpy() * MOONS_SCALE, y.numpy()


DATASETS: dict[str, Generator] = {
    "circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral, "moons": _moons,
}


def _check_number(name: str, value: float, bounds: tuple[float, float]) -> None:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (number and bounds[0] <= value <= bounds[1]):  # NaN fails the comparison
        raise ValueError(f"{name} must lie in [{bounds[0]}, {bounds[1]}], got {value!r}")


def extra_points(points: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """The student's `(x1, x2, label)` triples → ((k, 2) float64 clipped to the square,
    (k,) int64). At most MAX_EXTRA; a label must be 0 or 1, coordinates finite."""
    rows = [tuple(p) for p in points]
    if len(rows) > MAX_EXTRA:
        raise ValueError(f"at most {MAX_EXTRA} extra points, got {len(rows)}")
    if any(len(r) != 3 for r in rows):
        raise ValueError("each extra point must be (x1, x2, label)")
    arr = np.array(rows, dtype=np.float64).reshape(-1, 3)
    if not np.isfinite(arr).all():
        raise ValueError("extra points must have finite coordinates")
    if not np.isin(arr[:, 2], (0, 1)).all():
        raise ValueError("an extra point's label must be 0 or 1")
    return np.clip(arr[:, :2], -HALF, HALF), arr[:, 2].astype(np.int64)


def make(*, dataset: str = "circle", noise: float = 0.0, train_share: float = 0.5,
         seed: int = 0, n: int = N_POINTS,
         extra: Sequence[Sequence[float]] = ()) -> PlaygroundData:
    """`n` seeded points of `dataset`, shuffled, split train / val / test (module docstring),
    with the student's `extra` points appended to the training set."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {dataset!r}")
    _check_number("noise", noise, NOISE)
    _check_number("train_share", train_share, TRAIN_SHARE)
    if not (isinstance(n, int) and 20 <= n <= N_POINTS):
        raise ValueError(f"n must be an integer in [20, {N_POINTS}], got {n!r}")
    if not (isinstance(seed, int) and 0 <= seed < 2**32):
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    ex, ey = extra_points(extra)
    g = np.random.default_rng(seed)
    x, y = DATASETS[dataset](g, n, float(noise))
    order = g.permutation(n)
    x, y = x[order], y[order]
    n_share = math.floor(n * train_share + 1e-9)  # Playground's split index (0.29·500 → 145)
    n_train = n_share - max(1, round(n_share * VAL_SHARE))
    return PlaygroundData(
        dataset=dataset, x_train=np.concatenate([x[:n_train], ex]),
        y_train=np.concatenate([y[:n_train], ey]), x_val=x[n_train:n_share],
        y_val=y[n_train:n_share], x_test=x[n_share:], y_test=y[n_share:], n_extra=len(ex))
