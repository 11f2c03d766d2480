"""The Loss-functions page's settings: one table, from which come its widgets, its URL and
the tests' domain sweeps (dlviz.settings). The scores are text, read by `scores_and_label`;
a label past the last score is the page's to correct, since the scores set the classes."""

from __future__ import annotations

from dlviz import losses
from dlviz import settings as cfg
from dlviz.inputs import InputError, parse_floats

DEFAULT_SCORES = ", ".join(f"{s:g}" for s in losses.COURSE_SCORES)  # "0.1, 6, -2, 3.2"
SCORE_BOUND = 100.0
MAX_CLASSES = 10

SETTINGS = cfg.Table((
    cfg.Text("scores", f"Scores of the last layer (2 to {MAX_CLASSES} numbers, each within "
             f"±{SCORE_BOUND:g})", DEFAULT_SCORES, max_chars=200),
    cfg.Number("label", "True class (label y)", losses.COURSE_LABEL, lo=0, hi=MAX_CLASSES - 1,
               step=1, integer=True, widget="number"),
    cfg.Number("pred", "Prediction", losses.COURSE_PRED, lo=-1000.0, hi=1000.0, step=0.5,
               widget="number"),
    cfg.Number("target", "Target", losses.COURSE_TARGET, lo=-1000.0, hi=1000.0, step=0.5,
               widget="number"),
), name="LossesSettings")


def scores_and_label(s) -> tuple[tuple[tuple[float, ...], int], list[str]]:
    """((scores, label), problems): the course's scores if the text cannot be used, and the
    label moved to the last class if there are fewer scores; a plain-text line for each."""
    problems = []
    try:
        scores = parse_floats(s.scores, min_count=2, max_count=MAX_CLASSES, bound=SCORE_BOUND)
    except InputError as err:
        problems.append(f"Scores: {err} Showing the course's scores {DEFAULT_SCORES} "
                        "meanwhile.")
        scores = losses.COURSE_SCORES
    label = s.label
    if label >= len(scores):
        problems.append(f"Label {label} is not a class of {len(scores)} scores (classes 0 to "
                        f"{len(scores) - 1}); using class {len(scores) - 1}.")
        label = len(scores) - 1
    return (tuple(scores), label), problems
