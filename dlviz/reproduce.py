"""The contract between a page's numbers and its "Reproduce in PyTorch" script.

A page shows `format_prints(numbers)` under its script; the script prints the same lines,
`label: v1 v2 …`, computed by plain torch. The code-panel test runs every page's script and
compares the two outputs with `parse_prints`, label by label, number by number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

Number = float | int
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan")


def fmt(value: Number) -> str:
    """One number as scripts print it: 6 significant digits, ints exact."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return f"{float(value):.6g}"


def format_prints(numbers: Mapping[str, Number | Iterable[Number]]) -> str:
    """`{"loss": 0.5, "w": [1, 2]}` → "loss: 0.5\\nw: 1 2"."""
    lines = []
    for label, value in numbers.items():
        values = [value] if isinstance(value, (int, float)) else list(value)
        lines.append(f"{label}: " + " ".join(fmt(v) for v in values))
    return "\n".join(lines)


def parse_prints(text: str) -> dict[str, list[float]]:
    """Inverse of `format_prints`; lines without "label:" are ignored."""
    out: dict[str, list[float]] = {}
    for line in text.splitlines():
        label, sep, rest = line.partition(":")
        if not sep or not label.strip():
            continue
        out[label.strip()] = [float(m) for m in _NUMBER.findall(rest)]
    return out


def close(a: float, b: float, *, rtol: float = 2e-5, atol: float = 2e-6) -> bool:
    """Equal up to the 6-significant-digit printing of both sides."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def literal(value) -> str:
    """A Python literal for a validated setting, for filling script templates.

    Only numbers, bools, None, plain strings and tuples/lists of those: settings reach
    scripts as literals, never as code.
    """
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"non-finite setting {value!r} cannot go into a script")
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(literal(v) for v in value)
        if isinstance(value, tuple) and len(value) == 1:
            inner += ","
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    raise TypeError(f"unsupported setting type {type(value).__name__}")
