"""Bounded parsing of what users type: text is data, never code."""

from __future__ import annotations

import math
import re


class InputError(ValueError):
    """A user input that cannot be used, with a message fit for the page."""


_SPLIT = re.compile(r"[,\s;]+")


def parse_floats(
    text: str, *, min_count: int = 1, max_count: int = 10, bound: float = 1e3,
    max_chars: int = 200,
) -> tuple[float, ...]:
    """"0.1, 6.0, -2" → (0.1, 6.0, -2.0); every value finite and within ±bound."""
    if len(text) > max_chars:
        raise InputError(f"Too long: at most {max_chars} characters.")
    parts = [p for p in _SPLIT.split(text.strip().strip("[]()")) if p]
    if not min_count <= len(parts) <= max_count:
        raise InputError(f"Give between {min_count} and {max_count} numbers "
                         f"separated by commas (got {len(parts)}).")
    values = []
    for i, part in enumerate(parts, start=1):
        try:
            value = float(part)
        except ValueError:
            raise InputError(f"Number {i}, {part[:20]!r}, is not a number.") from None
        if not math.isfinite(value) or abs(value) > bound:
            raise InputError(f"Number {i}, {part[:20]!r}, must lie within ±{bound:g}.")
        values.append(value)
    return tuple(values)
