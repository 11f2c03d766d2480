"""The Learning-rate & momentum page's prose and tables: what each section says, filled with
its numbers."""

from __future__ import annotations

import numpy as np

from dlviz import lr_momentum as lm
from dlviz.lr_momentum import Comparison
from dlviz.lr_momentum_map import METRICS, LrMomentumMap
from dlviz.lr_momentum_plots import frame_steps, outcome_text, run_name
from dlviz.lr_momentum_presets import PRESETS
from dlviz.lr_momentum_theory import Theory

RUNS = (
    "Each run is a real `torch.optim` optimizer from the same start; turn on Play, or move "
    "the frame slider (arrow keys step by one), to step through them together.",
    "Pick a preset above to reproduce a claim from the course, d2l or Distill, set the "
    "objective and each run in the sidebar, or click a cell of the map below to add that "
    "setting as a run.")

WHY_MOMENTUM = (
    "Why momentum helps: in a narrow valley the steep direction caps the learning rate, so "
    "plain GD crawls along the flat one; momentum adds up the small, consistent gradient "
    "along the valley while the zig-zag across it cancels out, and the velocity it builds "
    "can carry a run over the hump out of a shallow local minimum.",
    "With noisy gradients (σ > 0) the velocity is a running average of the noise as well, "
    "so a momentum run's path is smoother, but its effective step lr/(1 − μ) sets how far "
    "it jitters around the minimum.")

NO_THEORY = ("This objective has no single global minimum with positive curvature, so the "
             "quadratic theory does not apply.")


def runs(comp: Comparison, matched: str | None) -> tuple[str, str]:
    """The runs' explanation: with settings that are exactly a preset's (`matched`), its
    claim and whether these runs bear it out."""
    if matched is None:
        return RUNS
    p = PRESETS[matched]
    held = [r.outcome for r in comp.runs] == list(p.expect)
    verdict = "Reproduced here ✓" if held else "Not reproduced with these settings."
    return f"**{p.title}.** {p.claim} {verdict}", f"**What to observe:** {p.observe}"


def diverged(comp: Comparison) -> list[str]:
    """One message per run that diverged."""
    return [f"Run {i} ({r.spec.label()}) diverged at step {r.diverged_at}: its path is drawn "
            f"up to step {r.diverged_at - 1}. A smaller learning rate keeps it."
            for i, r in enumerate(comp.runs, start=1) if r.diverged_at is not None]


def rows(comp: Comparison) -> list[dict]:
    """The runs' table: one row per run."""
    return [{"run": run_name(i, comp), "outcome": outcome_text(comp, i),
             "final point": ", ".join(f"{v:.4g}" for v in r.points[-1]),
             "final loss": f"{r.losses[-1]:.5g}",
             "distance shrink / step": "—" if r.rate is None else f"{r.rate:.4f}"}
            for i, r in enumerate(comp.runs)]


def map_explain(steps: int) -> tuple[str, str]:
    return (
        f"Each cell is plain SGD (heavy-ball momentum) for {steps} steps from the same start; "
        "grey cells diverged. Click a cell to add it as a run.",
        "The map is one batched `torch` sweep over all 40 × 40 settings, without gradient "
        "noise. Rings mark the current SGD runs. On a quadratic the dashed line is the "
        "stability bound lr = 2(1 + μ)/L: to its right every run diverges, and at μ = 0 it is "
        "GD's 2/L.")


def theory_metrics(th: Theory) -> list[tuple[str, str, str]]:
    """The theory's metrics: (label, value, the line under it)."""
    measured = "—" if th.measured_rate is None else f"measured {th.measured_rate:.4f}"
    return [("L (top curvature)", f"{th.L:.4g}", f"κ = {th.kappa:.4g}"),
            ("GD stable for lr <", f"{th.lr_bound:.4g}", "2 / L"),
            ("Best α*, β*", f"{th.alpha_star:.3g}, {th.beta_star:.3g}", "Distill"),
            ("Rate (√κ−1)/(√κ+1)", f"{th.rate:.4f}", measured)]


def theory_caption(th: Theory) -> str:
    where = "exact: the objective is quadratic" if th.quadratic else (
        "local: the quadratic that matches the objective at its global minimum")
    return (f"Theory {where}. Hessian eigenvalues from autograd: "
            f"{', '.join(f'{v:.4g}' for v in th.eigenvalues)}. Plain GD at its best lr "
            f"shrinks the error by (κ−1)/(κ+1) = {th.gd_rate:.4f} per step.")


# --- the charts' text alternatives (one sentence each) and the numbers behind them -------------

def _g(value: float, digits: int = 4) -> str:
    """A number for a sentence, with a real minus sign (a screen reader says "minus")."""
    return f"{value:.{digits}g}".replace("-", "−")


def _point(p) -> str:
    return f"x = {_g(p[0])}" if len(p) == 1 else "(" + ", ".join(_g(v) for v in p) + ")"


def _minimum(comp: Comparison) -> str:
    minima = lm.global_minima(lm.surface_for(comp.surface, comp.condition))
    if not len(minima):
        return "this objective lists no global minimum"
    where = " and ".join(_point(m) for m in minima[:2]) + (" …" if len(minima) > 2 else "")
    return f"the global minimum is at {where} with loss {_g(comp.f_star)}"


def paths_summary(comp: Comparison, frame: int) -> str:
    """The runs' chart at animation frame `frame`: where each run's ball is, and the minimum."""
    k = frame_steps(comp)[frame]
    parts = []
    for i, r in enumerate(comp.runs, start=1):
        j = min(k, len(r.points) - 1)
        if r.diverged_at is not None and k >= r.diverged_at:
            parts.append(f"run {i} diverged at step {r.diverged_at} (last at "
                         f"{_point(r.points[j])})")
        else:
            parts.append(f"run {i} is at {_point(r.points[j])} with loss {_g(r.losses[j])}")
    return (f"After step {k} of {frame_steps(comp)[-1]} from {_point(comp.start)}: "
            f"{'; '.join(parts)}; {_minimum(comp)}.")


def paths_data(comp: Comparison) -> dict:
    """Every run's iterates: run, step, the coordinates and the loss, one row a step."""
    cols: dict = {"run": [], "step": []}
    dim = len(comp.start)
    names = ("x",) if dim == 1 else ("x", "y")
    for name in names:
        cols[name] = []
    cols["loss"] = []
    for i, r in enumerate(comp.runs, start=1):
        n = len(r.points)
        cols["run"] += [i] * n
        cols["step"] += list(range(n))
        for d, name in enumerate(names):
            cols[name] += r.points[:, d].tolist()
        cols["loss"] += r.losses.tolist()
    return cols


def curves_summary(comp: Comparison) -> str:
    """The curves' chart: each run's last loss gap (and distance to the minimum)."""
    if comp.f_star is None:
        return ("The loss per step of each run: " + "; ".join(
            f"run {i} ends at {_g(r.losses[-1])} after {len(r.losses) - 1} steps"
            for i, r in enumerate(comp.runs, start=1)) + ".")
    return ("Loss − f* and distance to the global minimum per step (log scales): " + "; ".join(
        f"run {i} ends {_g(r.gap[-1], 3)} above f* at distance {_g(r.distance[-1], 3)} "
        + (f"after {len(r.gap) - 1} steps" if r.diverged_at is None else
           f"at step {len(r.gap) - 1}, before it diverged")
        for i, r in enumerate(comp.runs, start=1)) + ".")


def curves_data(comp: Comparison) -> dict:
    """The curves' numbers: run, step, loss − f* and distance, one row a step."""
    cols: dict = {"run": [], "step": [], "loss − f*": [], "distance": []}
    for i, r in enumerate(comp.runs, start=1):
        cols["run"] += [i] * len(r.gap)
        cols["step"] += list(range(len(r.gap)))
        cols["loss − f*"] += r.gap.tolist()
        cols["distance"] += r.distance.tolist()
    if comp.f_star is None:  # no minimum: the plotted "gap" is the loss, distances are 0
        cols = {"run": cols["run"], "step": cols["step"], "loss": cols["loss − f*"]}
    return cols


def map_summary(the_map: LrMomentumMap, metric: str) -> str:
    """The map's chart: how many settings diverged, and the best cell for `metric`."""
    n = the_map.diverged.size
    grid = (f"SGD for {the_map.steps} steps at {len(the_map.lrs)} × {len(the_map.momentums)} "
            f"settings (lr {the_map.lrs[0]:g} … {the_map.lrs[-1]:g}, μ "
            f"{the_map.momentums[0]:g} … {the_map.momentums[-1]:g})")
    diverged = f"{int(the_map.diverged.sum())} of {n} diverged"
    if metric == "steps":
        conv = the_map.steps_to_converge
        if not (conv >= 0).any():
            return f"{grid}: {diverged}, and none converged."
        i, j = np.unravel_index(np.argmin(np.where(conv >= 0, conv, np.iinfo(int).max)),
                                conv.shape)
        return (f"{grid}: {diverged}; {int((conv >= 0).sum())} converged, the fastest in "
                f"{int(conv[i, j])} steps at lr {the_map.lrs[i]:g}, μ {the_map.momentums[j]:g}.")
    gap = np.where(the_map.diverged, np.inf, the_map.gap)
    if not np.isfinite(gap).any():
        return f"{grid}: all {n} diverged."
    i, j = np.unravel_index(np.argmin(gap), gap.shape)
    what = "final loss − f*" if the_map.f_star is not None else "final loss"
    return (f"{grid}: {diverged}; the lowest {what}, {_g(gap[i, j], 3)}, is at lr "
            f"{the_map.lrs[i]:g}, μ {the_map.momentums[j]:g}.")


def map_data(the_map: LrMomentumMap) -> dict:
    """One row per cell: lr, momentum, final loss, loss − f*, diverged, steps to converge."""
    lr, mom = np.meshgrid(the_map.lrs, the_map.momentums, indexing="ij")  # (n_lr, n_mom)
    return {"lr": lr.ravel().tolist(), "momentum μ": mom.ravel().tolist(),
            "final loss": the_map.final_loss.ravel().tolist(),
            "loss − f*": the_map.gap.ravel().tolist(),
            "diverged": the_map.diverged.ravel().tolist(),
            METRICS["steps"]: [int(v) if v >= 0 else None
                               for v in the_map.steps_to_converge.ravel()]}
