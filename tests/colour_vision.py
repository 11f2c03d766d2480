"""Colour-vision simulation for the figure tests (independent of dlviz.style).

Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
vision deficiency", severity 1.0 matrices, applied to linear sRGB; distances are CIELAB
ΔE*ab (CIE 1976, D65). Contrast is WCAG 2's relative-luminance ratio.
"""

from __future__ import annotations

import re

import numpy as np

MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}
VISIONS = ("normal", *MACHADO)
_NAMED = {"black": "#000000", "white": "#FFFFFF", "grey": "#808080", "gray": "#808080"}
_SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                         [0.2126729, 0.7151522, 0.0721750],
                         [0.0193339, 0.1191920, 0.9503041]])
_WHITE = np.array([0.95047, 1.0, 1.08883])


def rgb(colour: str) -> tuple[np.ndarray, float]:
    """A plotly colour string → (sRGB in 0…255, alpha). Hex, rgb(), rgba() and a few names;
    anything else raises (the figure should say its colour exactly)."""
    text = _NAMED.get(colour.strip().lower(), colour.strip())
    if text.startswith("#") and len(text) in (4, 7):
        h = text[1:] if len(text) == 7 else "".join(c * 2 for c in text[1:])
        return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], float), 1.0
    m = re.fullmatch(r"rgba?\(([^)]*)\)", text.replace(" ", ""))
    if m:
        parts = [float(p) for p in m.group(1).split(",")]
        return np.array(parts[:3]), parts[3] if len(parts) > 3 else 1.0
    raise ValueError(f"unparsed colour {colour!r}")


def on_white(colour: str) -> np.ndarray:
    """The colour as seen on a white background (alpha blended), sRGB 0…255."""
    c, a = rgb(colour)
    return c * a + 255.0 * (1 - a)


def _linear(c: np.ndarray) -> np.ndarray:
    c = c / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(srgb: np.ndarray, vision: str = "normal") -> np.ndarray:
    lin = _linear(srgb)
    if vision != "normal":
        lin = np.clip(MACHADO[vision] @ lin, 0.0, 1.0)
    xyz = _SRGB_TO_XYZ @ lin / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distance(a: str, b: str, vision: str) -> float:
    """ΔE*ab between two colours (on white) as seen with `vision`."""
    return float(np.linalg.norm(lab(on_white(a), vision) - lab(on_white(b), vision)))


def contrast(colour: str) -> float:
    """WCAG contrast ratio of the colour (on white) against white."""
    y = float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(on_white(colour)))
    return 1.05 / (y + 0.05)
