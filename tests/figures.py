"""Read arrays back out of plotly JSON (plotly 7 writes numpy arrays as base64 typed arrays)."""

from __future__ import annotations

import base64

import numpy as np


def array(value) -> np.ndarray:
    """A trace attribute from figure JSON (list, or {"dtype", "bdata", "shape"}) as numpy."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            dims = [int(s) for s in str(shape).split(",")] if not isinstance(shape, list) else shape
            data = data.reshape(dims)
        return data
    return np.asarray(value, dtype=float)


def all_finite(node) -> bool:
    """True when no number anywhere in `node` (figure JSON data) is NaN or ±inf."""
    if isinstance(node, dict):
        if "bdata" in node:
            arr = array(node)
            return not np.issubdtype(arr.dtype, np.floating) or bool(np.isfinite(arr).all())
        return all(all_finite(v) for v in node.values())
    if isinstance(node, list):
        return all(all_finite(v) for v in node)
    if isinstance(node, float):
        return bool(np.isfinite(node))
    return True
