"""The theory section's "Reproduce in PyTorch" script: the Hessian at the global minimum by
autograd, and the quadratic theory's numbers from its eigenvalues (lr_momentum_theory).

For a quadratic objective the script also runs torch.optim.SGD at (α*, β*) and measures the
distance's shrink per step as the page does.
"""

from __future__ import annotations

from dlviz import lr_momentum_theory as theory
from dlviz.lr_momentum import surface_for
from dlviz.lr_momentum_script import FORMULAS
from dlviz.lr_momentum_theory import Theory
from dlviz.reproduce import literal

_TEMPLATE = '''\
# dlviz · Learning rate & momentum: the theory for quadratics, from torch.autograd.
import math

import torch

torch.set_default_dtype(torch.float64)
KAPPA = {kappa}  # condition number (the "quadratic" bowl only)


def f(w):
    x, y = w[0], w[-1]  # a 1-D objective uses x only
    return {formula}


W_STAR = {minimum}  # the global minimum
START = {start}  # where the measuring run starts
# The theory is exact when the Hessian is the same everywhere; it is compared at W_STAR, the
# objective's usual start and a corner of its plotting domain.
ELSEWHERE = {elsewhere}


def hessian_eigenvalues(point):
    h = torch.autograd.functional.hessian(f, torch.tensor(point))  # (dim, dim)
    return torch.linalg.eigvalsh(h).tolist()  # ascending


lam = hessian_eigenvalues(W_STAR)
lo, L = lam[0], lam[-1]
sk = math.sqrt(L / lo)  # √κ
alpha = (2 / (math.sqrt(lo) + math.sqrt(L))) ** 2  # Distill's best step size α*
rate = (sk - 1) / (sk + 1)  # error factor per step at (α*, β*)
beta = rate**2  # best momentum β*
quadratic = all(abs(a - b) <= 1e-12 + 1e-9 * abs(b)
                for p in ELSEWHERE for a, b in zip(hessian_eigenvalues(p), lam))
print("Hessian eigenvalues:", " ".join(f"{{v:.6g}}" for v in lam))
print("L:", f"{{L:.6g}}")
print("kappa:", f"{{L / lo:.6g}}")
print("GD stable for lr below 2/L:", f"{{2 / L:.6g}}")
print("alpha*, beta*:", f"{{alpha:.6g}} {{beta:.6g}}")
print("rate:", f"{{rate:.6g}}")
print("GD rate:", f"{{(sk * sk - 1) / (sk * sk + 1):.6g}}")
print("exact (the objective is quadratic):", int(quadratic))

if quadratic:  # measure: SGD at (α*, β*), v <- β*·v + g; w <- w - α*·v
    w = torch.tensor(START, requires_grad=True)
    opt = torch.optim.SGD([w], lr=alpha, momentum=beta)
    distances = []
    for step in range({rate_steps_long} if rate > 0.05 else {rate_steps_short}):
        distances.append(math.sqrt(sum((a - b) ** 2 for a, b in zip(w.tolist(), W_STAR))))
        opt.zero_grad()
        f(w).backward()
        opt.step()
    distances.append(math.sqrt(sum((a - b) ** 2 for a, b in zip(w.tolist(), W_STAR))))
    if distances[0] > 0:
        # only distances above float64's resolution of W_STAR count; of those, the second half
        resolution = {precision} * math.sqrt(sum(v * v for v in W_STAR))
        floor = max(resolution, {rate_floor} * distances[0])
        end = next((k for k, d in enumerate(distances) if d <= floor), len(distances)) - 1
        if end < 4:  # converged almost at once: the average shrink up to the floor
            k = end + 1 if end + 1 < len(distances) else end
            measured = (distances[k] / distances[0]) ** (1 / k) if k > 0 else 1.0
        else:
            mid = end // 2
            measured = (distances[end] / distances[mid]) ** (1 / (end - mid))
        print("measured rate:", f"{{measured:.6g}}")
'''


def script(*, surface: str, start, condition: float | None = None) -> str:
    """A self-contained script printing the same lines as `prints(theory(surface, …))`, for
    an objective whose theory applies."""
    s = surface_for(surface, condition)
    glob = [m for m in s.minima if m.kind == "global"]
    if surface not in FORMULAS or len(glob) != 1:
        raise ValueError(f"no quadratic theory for {surface!r}")
    elsewhere = [list(s.start), [lo for lo, _ in s.domain]]
    return _TEMPLATE.format(
        kappa=literal(float(condition if condition is not None else 10.0)),
        formula=FORMULAS[surface], minimum=literal([float(v) for v in glob[0].point]),
        start=literal([float(v) for v in start]),
        elsewhere=literal([[float(v) for v in p] for p in elsewhere]),
        rate_steps_long=theory.RATE_STEPS, rate_steps_short=40,
        precision=literal(theory.PRECISION), rate_floor=literal(theory.RATE_FLOOR))


def prints(th: Theory) -> dict[str, float | int | list[float]]:
    """What the script prints, from the page's own theory."""
    out: dict[str, float | int | list[float]] = {
        "Hessian eigenvalues": [float(v) for v in th.eigenvalues],
        "L": th.L, "kappa": th.kappa, "GD stable for lr below 2/L": th.lr_bound,
        "alpha*, beta*": [th.alpha_star, th.beta_star], "rate": th.rate,
        "GD rate": th.gd_rate, "exact (the objective is quadratic)": int(th.quadratic)}
    if th.measured_rate is not None:
        out["measured rate"] = th.measured_rate
    return out
