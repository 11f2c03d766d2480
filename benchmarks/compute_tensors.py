"""Compute cases of the Tensors & linear layers page at default settings (with figures)."""

from __future__ import annotations

from collections.abc import Callable

from dlviz import tensors, tensors_plots


def _linear():
    return tensors_plots.linear_figure(tensors.linear_layer(x=tensors.COURSE_INPUT, seed=0))


def _stack():
    return tensors_plots.stack_figure(tensors.stack(sizes=tensors.COURSE_STACK, seed=0))


def _head():
    return tensors_plots.head_figure(tensors.course_head(head="softmax", seed=0))


CASES: dict[str, Callable[[], object]] = {
    "tensor": lambda: tensors.make_tensor(rows=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
                                          maker="tensor"),
    "linear": lambda: tensors.linear_layer(x=tensors.COURSE_INPUT, seed=0),
    "stack": lambda: tensors.stack(sizes=tensors.COURSE_STACK, seed=0),
    "head": lambda: tensors.course_head(head="softmax", seed=0),
    "linear+figure": _linear,
    "stack+figure": _stack,
    "head+figure": _head,
}
