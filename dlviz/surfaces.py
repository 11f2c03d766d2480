"""The objectives: a registry of loss surfaces in 1 or 2 variables, as batched torch functions.

Every `Surface.fn` takes a float64 tensor of shape (..., dim) and returns the loss, shape (...),
built from torch ops only, so autograd gives the gradient and one call evaluates a whole grid
or a whole batch of optimizer runs. A `Surface` is itself callable: `surface(x)` with x of
shape (dim,) is a scalar tensor, so it can be handed to `dlviz.optim.trace` like any function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import torch

from dlviz import data

Tensor = torch.Tensor


@dataclass(frozen=True)
class Minimum:
    point: tuple[float, ...]  # (dim,)
    value: float  # f(point)
    kind: str  # "global" or "local"


@dataclass(frozen=True)
class Preset:
    """Settings that tell this surface's story; the page loads them when it is chosen."""
    lr: float
    momentum: float = 0.0
    steps: int = 100
    optimizer: str = "sgd"


@dataclass(frozen=True)
class Surface:
    name: str  # registry key
    title: str  # for the selectbox
    dim: int  # 1 or 2
    fn: Callable[[Tensor], Tensor] = field(repr=False)  # (..., dim) float64 → (...)
    start: tuple[float, ...]  # default start point, (dim,)
    domain: tuple[tuple[float, float], ...]  # plotting range per coordinate: ((lo, hi), …)
    minima: tuple[Minimum, ...]  # every minimum inside the domain, global ones marked
    description: str  # one line
    latex: str  # the formula
    log_color: bool = False  # the loss spans many decades: colour by log10(f − min + ε)
    convex: bool = False
    preset: Preset = Preset(lr=0.01)

    def __call__(self, x: Tensor) -> Tensor:
        return self.fn(x)

    def value(self, point) -> float:
        """f at one point (a tuple or list), as a float."""
        return float(self.fn(torch.as_tensor(point, dtype=torch.float64)))


def _xy(p: Tensor) -> tuple[Tensor, Tensor]:
    return p[..., 0], p[..., 1]


def _course(p: Tensor) -> Tensor:
    x = p[..., 0]
    # (x²)² rather than x**4: torch's general pow rounds differently on long (vectorised)
    # tensors than on short ones, squares never do, so a run's numbers stay the same bits
    # however many runs are evaluated with it (dlviz.optim.traces_many)
    return (x**2) ** 2 + x**3 - 5 * x**2


def _bowl(p: Tensor) -> Tensor:
    return p[..., 0] ** 2


def _rosenbrock(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _distill(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return (1 - x) ** 2 + 20 * (3 * y - x**2) ** 2


def _himmelblau(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _rastrigin(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return 20 + x**2 - 10 * torch.cos(2 * math.pi * x) + y**2 - 10 * torch.cos(2 * math.pi * y)


def _beale(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _saddle(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return x**2 - y**2


def _d2l_quadratic(p: Tensor) -> Tensor:
    x, y = _xy(p)
    return 0.1 * x**2 + 2 * y**2


def _newton_1d(df: Callable[[float], float], d2f: Callable[[float], float], x: float) -> float:
    for _ in range(50):
        x -= df(x) / d2f(x)
    return x


def _himmelblau_minima() -> tuple[Minimum, ...]:
    """The four global minima (f = 0), refined by Newton's method from rough guesses."""
    out = []
    for x, y in ((3.0, 2.0), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8)):
        for _ in range(30):  # solve g1 = x²+y−11 = 0, g2 = x+y²−7 = 0
            g1, g2 = x * x + y - 11, x + y * y - 7
            det = 2 * x * 2 * y - 1
            x, y = x - (2 * y * g1 - g2) / det, y - (2 * x * g2 - g1) / det
        out.append(Minimum((x, y), 0.0, "global"))
    return tuple(out)


def _rastrigin_minima(half_width: int = 4) -> tuple[Minimum, ...]:
    """Rastrigin is separable: its minima are all pairs of the 1-D minima near each integer."""
    def df(x):
        return 2 * x + 20 * math.pi * math.sin(2 * math.pi * x)

    def d2f(x):
        return 2 + 40 * math.pi**2 * math.cos(2 * math.pi * x)

    def g(x):
        return x * x - 10 * math.cos(2 * math.pi * x) + 10

    ones = [_newton_1d(df, d2f, float(k)) for k in range(-half_width, half_width + 1)]
    return tuple(Minimum((a, b), g(a) + g(b), "global" if a == b == 0 else "local")
                 for a in ones for b in ones)


def quadratic(condition: float = 10.0) -> Surface:
    """The bowl ½(x² + κ·y²): Hessian eigenvalues 1 and κ, condition number κ (1 … 1000)."""
    if not 1.0 <= condition <= 1000.0:
        raise ValueError("condition must lie in [1, 1000]")
    kappa = float(condition)

    def fn(p: Tensor) -> Tensor:
        x, y = _xy(p)
        return 0.5 * (x**2 + kappa * y**2)

    return Surface(
        "quadratic", "Bowl ½(x² + κy²), condition κ", 2, fn, (-2.5, 1.5),
        ((-3.0, 3.0), (-2.0, 2.0)), (Minimum((0.0, 0.0), 0.0, "global"),),
        f"A convex bowl with condition number κ = {kappa:g}: plain GD is stable only for "
        f"lr < 2/κ = {2 / kappa:.3g}.",
        r"f(x,y) = \tfrac12\,(x^2 + \kappa\,y^2)", log_color=kappa >= 100, convex=True,
        preset=Preset(lr=round(1.5 / kappa, 6), steps=60))


def regression(seed: int = 0) -> Surface:
    """MSE of y = w·x + b on `dlviz.data.linear_regression(seed=seed)`, over (w, b)."""
    x32, y32 = data.linear_regression(seed=seed)
    x, y = x32.double().squeeze(1), y32.double().squeeze(1)  # (n,), (n,)

    def fn(p: Tensor) -> Tensor:
        w, b = _xy(p)
        pred = w.unsqueeze(-1) * x + b.unsqueeze(-1)  # (..., n)
        return ((pred - y) ** 2).mean(-1)

    design = torch.stack([x, torch.ones_like(x)], 1)  # (n, 2)
    best = torch.linalg.lstsq(design, y.unsqueeze(1)).solution.squeeze(1)
    w0, b0 = float(best[0]), float(best[1])
    return Surface(
        "regression", "Linear regression: MSE over (w, b)", 2, fn, (-0.5, 1.5),
        ((w0 - 3, w0 + 3), (b0 - 3, b0 + 3)),
        (Minimum((w0, b0), float(fn(best)), "global"),),
        f"The course's regression as a loss surface: MSE of y = w·x + b on {len(x)} seeded "
        "points. Convex, with one minimum: the least-squares fit.",
        r"L(w,b) = \frac1n\sum_i (w x_i + b - y_i)^2", convex=True,
        preset=Preset(lr=0.1, steps=60))


def _entry(name, title, dim, fn, start, domain, minima, description, latex, **kw) -> Surface:
    minima = tuple(Minimum(tuple(map(float, pt)), v, k) for pt, v, k in minima)
    return Surface(name, title, dim, fn, tuple(map(float, start)), domain, minima,
                   description, latex, **kw)


_COURSE_LOCAL = 1.25**4 + 1.25**3 - 5 * 1.25**2  # ≈ −3.418

SURFACES: dict[str, Surface] = {s.name: s for s in (
    _entry("course", "Course: x⁴ + x³ − 5x² (1-D)", 1, _course, (2.5,), ((-3.0, 3.0),),
           [((-2.0,), -12.0, "global"), ((1.25,), _COURSE_LOCAL, "local")],
           "The course's non-convex function: a global minimum at x = −2 and a local one at "
           "x = 1.25, with a maximum at 0 between them.",
           r"f(x) = x^4 + x^3 - 5x^2", preset=Preset(lr=0.01, steps=20)),
    _entry("bowl", "Bowl: x² (1-D)", 1, _bowl, (10.0,), ((-11.0, 11.0),),
           [((0.0,), 0.0, "global")],
           "The simplest convex function (d2l): lr < 1 converges, lr > 1 diverges.",
           r"f(x) = x^2", convex=True, preset=Preset(lr=0.2, steps=10)),
    quadratic(10.0),
    _entry("d2l_quadratic", "Ill-conditioned bowl 0.1x² + 2y² (d2l)", 2, _d2l_quadratic,
           (-5.0, -2.0), ((-5.5, 5.5), (-3.0, 3.0)), [((0.0, 0.0), 0.0, "global")],
           "d2l's ill-conditioned quadratic: lr 0.4 is slow along x, 0.6 diverges along y; "
           "momentum 0.5 with lr 0.6 converges.",
           r"f(x,y) = 0.1\,x^2 + 2\,y^2", convex=True,
           preset=Preset(lr=0.4, steps=20)),
    _entry("rosenbrock", "Rosenbrock", 2, _rosenbrock, (-2.0, 2.0), ((-2.0, 2.0), (-1.0, 3.0)),
           [((1.0, 1.0), 0.0, "global")],
           "A long curved valley: easy to fall into, slow to follow to the minimum at (1, 1).",
           r"f(x,y) = (1-x)^2 + 100\,(y-x^2)^2", log_color=True,
           preset=Preset(lr=5e-4, momentum=0.9, steps=500)),
    _entry("distill", "Distill momentum function", 2, _distill, (-1.21, 0.853),
           ((-1.5, 1.5), (-0.4, 1.1)), [((1.0, 1.0 / 3.0), 0.0, "global")],
           "The hero function of Distill's 'Why Momentum Really Works': a bent valley where "
           "momentum shines.",
           r"f(x,y) = (1-x)^2 + 20\,(3y-x^2)^2", log_color=True,
           preset=Preset(lr=0.003, momentum=0.74, steps=150)),
    _entry("himmelblau", "Himmelblau", 2, _himmelblau, (0.0, 0.0), ((-5.0, 5.0), (-5.0, 5.0)),
           [(m.point, m.value, m.kind) for m in _himmelblau_minima()],
           "Four global minima of equal depth: the start point decides which one you reach.",
           r"f(x,y) = (x^2+y-11)^2 + (x+y^2-7)^2", log_color=True,
           preset=Preset(lr=0.01, steps=100)),
    _entry("rastrigin", "Rastrigin", 2, _rastrigin, (-2.0, 3.5), ((-4.5, 4.5), (-4.5, 4.5)),
           [(m.point, m.value, m.kind) for m in _rastrigin_minima()],
           "An egg-crate of local minima around one global minimum at (0, 0): gradient "
           "descent stops in the nearest dimple.",
           r"f(x,y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
           preset=Preset(lr=0.005, momentum=0.5, steps=100)),
    _entry("beale", "Beale", 2, _beale, (3.0, 4.0), ((-4.5, 4.5), (-4.5, 4.5)),
           [((3.0, 0.5), 0.0, "global")],
           "Flat plateaus and steep walls: the loss spans many orders of magnitude.",
           r"f(x,y) = (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2", log_color=True,
           preset=Preset(lr=0.1, steps=300, optimizer="adam")),
    _entry("saddle", "Saddle x² − y²", 2, _saddle, (-1.8, 0.05), ((-2.0, 2.0), (-2.0, 2.0)), [],
           "A saddle point at (0, 0): the gradient vanishes there, yet it is no minimum. "
           "Unbounded below, so every run eventually leaves along y.",
           r"f(x,y) = x^2 - y^2", preset=Preset(lr=0.05, steps=40)),
    regression(0),
)}


def get(name: str, *, condition: float | None = None) -> Surface:
    """The registry entry `name`; the `quadratic` bowl with a chosen condition number."""
    if name not in SURFACES:
        raise KeyError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}")
    if name == "quadratic" and condition is not None:
        return quadratic(condition)
    return SURFACES[name]


def nearest_minimum(surface: Surface, point) -> tuple[Minimum, float] | None:
    """The listed minimum closest (Euclidean) to `point`, and the distance; None if none."""
    if not surface.minima:
        return None
    dist = [math.dist(m.point, tuple(point)) for m in surface.minima]
    i = min(range(len(dist)), key=dist.__getitem__)
    return surface.minima[i], dist[i]


def start_from_selection(surface: Surface, selection: Mapping | None,
                         *, decimals: int = 2) -> tuple[float, ...] | None:
    """A click on the contour (Streamlit's `on_select` event) → a start point, or None.

    The event looks like {"selection": {"points": [{"x": 1.0, "y": 2.0, …}], …}}. The first
    point is clipped to the surface's domain and rounded to `decimals` (the sliders' step).
    Anything else (no click, a click without coordinates, NaN) gives None.
    """
    try:
        points = (selection or {}).get("selection", {}).get("points", [])
        first = points[0]
        coords = [float(first["x"])] if surface.dim == 1 else [float(first["x"]),
                                                                 float(first["y"])]
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    if not all(math.isfinite(c) for c in coords):
        return None
    return tuple(round(min(max(c, lo), hi), decimals)
                 for c, (lo, hi) in zip(coords, surface.domain, strict=True))
