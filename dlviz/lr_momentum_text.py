"""The Learning-rate & momentum page's prose and tables: what each section says, filled with
its numbers."""

from __future__ import annotations

from dlviz.lr_momentum import Comparison
from dlviz.lr_momentum_plots import outcome_text, run_name
from dlviz.lr_momentum_presets import PRESETS
from dlviz.lr_momentum_theory import Theory

RUNS = (
    "Each run is a real `torch.optim` optimizer from the same start; press ▶ to step through "
    "them together.",
    "Pick a preset in the sidebar to reproduce a claim from the course, d2l or Distill, or "
    "click a cell of the map below to add that setting as a run.")

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
