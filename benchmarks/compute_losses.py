"""Compute cases of the Loss functions page at default settings (with figures)."""

from __future__ import annotations

from collections.abc import Callable

from dlviz import losses, losses_plots


def _walk():
    return losses_plots.walk_figure(losses.cross_entropy_walk(scores=losses.COURSE_SCORES,
                                                              label=losses.COURSE_LABEL))


def _curves():
    return losses_plots.curves_figure(losses.ce_curve(classes=4), 3.15e-4, 8.06)


def _mse():
    return losses_plots.mse_figure(losses.mse_curve(pred=10.0, target=1.0))


CASES: dict[str, Callable[[], object]] = {
    "walk": lambda: losses.cross_entropy_walk(scores=losses.COURSE_SCORES,
                                              label=losses.COURSE_LABEL),
    "ce_curve": lambda: losses.ce_curve(classes=4),
    "mse_curve": lambda: losses.mse_curve(pred=10.0, target=1.0),
    "walk+figure": _walk,
    "curves+figure": _curves,
    "mse+figure": _mse,
}
