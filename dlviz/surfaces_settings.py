"""The Loss-surfaces page's settings: widget bounds, and clear messages for URL values that
the widgets would otherwise drop silently (Streamlit ignores out-of-range query params)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from dlviz import landscape, optim, surfaces

# key → (min, max): the URL parameter names are the widget keys
BOUNDS: dict[str, tuple[float, float]] = {
    "lr": (1e-5, 10.0),
    "mom": (0.0, 0.999),
    "steps": (1, 2000),
    "grid": (21, 201),
    "lres": (11, 51),
}
LABELS = {"lr": "Learning rate", "mom": "Momentum", "steps": "Steps", "grid": "Grid",
          "lres": "Landscape grid", "x0": "Start x", "y0": "Start y"}
KAPPAS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)  # condition numbers offered


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def query_problems(query: Mapping[str, object], *, titles: Mapping[str, str]) -> list[str]:
    """Messages for the URL's values that lie outside the page's bounds (or don't parse).

    `query` maps a key to its text (or a list of texts: the last counts); `titles` maps the
    surface names to the labels the selectbox shows (and the URL carries).
    """
    def last(key):
        value = query.get(key)
        return value[-1] if isinstance(value, list) and value else value

    problems = []
    name = None
    f = last("f")
    if f is not None:
        by_title = {t: n for n, t in titles.items()}
        name = by_title.get(str(f), str(f) if str(f) in titles else None)
        if name is None:
            problems.append(f"Unknown objective {str(f)[:40]!r} in the link; showing the "
                            "default one.")
    bounds = dict(BOUNDS)
    surface = surfaces.SURFACES.get(name or "")
    if surface is not None:
        bounds["x0"] = surface.domain[0]
        if surface.dim == 2:
            bounds["y0"] = surface.domain[1]
    for key, (lo, hi) in bounds.items():
        text = last(key)
        if text is None:
            continue
        value = _number(str(text))
        if value is None or not lo <= value <= hi:
            problems.append(f"{LABELS[key]} {str(text)[:20]!r} from the link is outside "
                            f"[{lo:g}, {hi:g}]; using the default instead.")
    plane = last("plane")
    if plane is not None and str(plane) not in landscape.PLANES:
        problems.append(f"Plane {str(plane)[:20]!r} must be one of {', '.join(landscape.PLANES)}.")
    opt = last("opt")
    labels = set(optim.OPTIMIZERS) | {cls.__name__ for cls in optim.OPTIMIZERS.values()}
    if opt is not None and str(opt) not in labels:
        problems.append(f"Optimizer {str(opt)[:20]!r} must be one of "
                        f"{', '.join(optim.OPTIMIZERS)}.")
    return problems
