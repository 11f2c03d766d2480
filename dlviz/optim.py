"""The optimizer engine: real `torch.optim` runs on a surface, one at a time or a whole grid.

`trace` runs one optimizer from one start point and keeps every iterate. `traces_many` runs
several such runs for several seeds (a class's sessions, coalesced) as one computation with
the same numbers, bit for bit: each run is a stacked (seeds, dim) parameter with one real
torch.optim optimizer. `sweep` runs a grid of (lr, momentum) settings at once as one batched
torch computation and keeps the final loss.

SGD in PyTorch's form (dampening 0):  v ← μ·v + g  (v₁ = g₁);  w ← w − lr·v
Nesterov:                             v ← μ·v + g;  w ← w − lr·(g + μ·v)

Divergence is a result, never an exception. A run diverges at the first step k whose point
has a non-finite coordinate or one with |coordinate| > COORD_BOUND, or whose loss is
non-finite or has |loss| > LOSS_BOUND; `points` and `losses` then stop at step k − 1.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dlviz import surfaces
from dlviz.steps import step as optimizer_step

COORD_BOUND = 1e6  # |coordinate| beyond this counts as diverged
LOSS_BOUND = 1e12  # |loss| beyond this counts as diverged
GRAD_TOL = 1e-3  # converged: ‖∇f‖ ≤ GRAD_TOL from this step to the end of the run

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}
HAS_MOMENTUM = ("sgd", "rmsprop")  # the optimizers that take torch's `momentum=` argument

Objective = str | Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Trace:
    points: np.ndarray  # (n, dim) float64, n = steps + 1 unless diverged; points[0] = start
    losses: np.ndarray  # (n,) f(points)
    grads: np.ndarray  # (n, dim) ∇f(points) from autograd, without any added noise
    diverged_at: int | None  # first step k that left the bounds; points stop at k − 1
    converged_at: int | None  # first step from which ‖∇f‖ ≤ GRAD_TOL up to the end


@dataclass(frozen=True)
class Sweep:
    lrs: np.ndarray  # (n_lr,)
    momentums: np.ndarray  # (n_mom,)
    final_loss: np.ndarray  # (n_lr, n_mom) loss at the last finite step (= trace.losses[-1])
    final_point: np.ndarray  # (n_lr, n_mom, dim)
    diverged: np.ndarray  # (n_lr, n_mom) bool
    diverged_at: np.ndarray  # (n_lr, n_mom) int, −1 where the run did not diverge


def resolve(f: Objective) -> tuple[Callable[[torch.Tensor], torch.Tensor], bool]:
    """`f` → (function, batched?). Registry surfaces evaluate a (..., dim) batch in one call."""
    if isinstance(f, str):
        return surfaces.get(f).fn, True
    if isinstance(f, surfaces.Surface):
        return f.fn, True
    if callable(f):
        return f, False
    raise TypeError("f must be a SURFACES name or a callable")


def make_optimizer(params, optimizer: str, *, lr: float, momentum: float = 0.0,
                   nesterov: bool = False, **options) -> torch.optim.Optimizer:
    """The real torch.optim class; `momentum`/`nesterov` only where torch has them."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
    if optimizer in HAS_MOMENTUM:
        options["momentum"] = momentum
    elif momentum:
        raise ValueError(f"{optimizer} has no momentum argument (use betas for adam)")
    if optimizer == "sgd":
        options["nesterov"] = nesterov
    elif nesterov:
        raise ValueError("nesterov applies to sgd only")
    return OPTIMIZERS[optimizer](params, lr=lr, **options)


_warm_up_lock = threading.Lock()
_warm_up_started = False


def start_warm_up(then: Callable[[], None] | None = None) -> threading.Thread | None:
    """Run `warm_up` once per process on a daemon thread, then `then` (if given) there too;
    later calls return None at once."""
    global _warm_up_started
    with _warm_up_lock:
        if _warm_up_started:
            return None
        _warm_up_started = True
    def run() -> None:
        warm_up()
        if then is not None:
            then()

    thread = threading.Thread(target=run, name="dlviz-warm-up", daemon=True)
    thread.start()
    return thread


def warm_up() -> None:
    """Pay torch's one-time costs of a first training step off a student's run. It was 2.3 s
    while the first `torch.optim` optimizer of a process imported torch._dynamo; dlviz's
    optimizers no longer do (dlviz.steps) and a first step costs about 1 ms. The app runs
    this once, on a background thread."""
    w = torch.zeros(2, requires_grad=True)
    opt = make_optimizer([w], "sgd", lr=0.1, momentum=0.9)
    (w * w).sum().backward()
    optimizer_step(opt)


def _out_of_bounds(point: torch.Tensor, loss: torch.Tensor) -> torch.Tensor:
    """(...,) bool: non-finite or beyond COORD_BOUND / LOSS_BOUND (NaN compares False)."""
    coords_ok = (point.abs() <= COORD_BOUND).all(-1)
    return ~(coords_ok & (loss.abs() <= LOSS_BOUND))


def _start_tensor(start: Sequence[float]) -> torch.Tensor:
    x = torch.tensor([float(s) for s in start], dtype=torch.float64)
    if x.ndim != 1 or len(x) == 0 or not torch.isfinite(x).all():
        raise ValueError("start must be a non-empty sequence of finite numbers")
    if bool((x.abs() > COORD_BOUND).any()):
        raise ValueError(f"start must lie within ±{COORD_BOUND:g}")
    return x


def trace(f: Objective, *, start: Sequence[float], optimizer: str = "sgd", lr: float,
          steps: int, momentum: float = 0.0, nesterov: bool = False, noise_std: float = 0.0,
          seed: int = 0, **options) -> Trace:
    """Run `steps` updates of a torch.optim optimizer from `start` on `f`.

    Each step: loss = f(w); loss.backward(); [w.grad += noise_std·ε]; optimizer.step().
    The noise ε ~ N(0, I) comes from `torch.Generator().manual_seed(seed)`, one
    `torch.randn(dim, generator=g, dtype=torch.float64)` per step (a stand-in for minibatch
    noise); the recorded `grads` are the exact ones. `options` (betas, alpha, eps,
    weight_decay, dampening, …) go straight to the torch.optim class.
    """
    if steps < 0:
        raise ValueError("steps must be ≥ 0")
    fn, _ = resolve(f)
    w = _start_tensor(start).requires_grad_(True)
    opt = make_optimizer([w], optimizer, lr=lr, momentum=momentum, nesterov=nesterov,
                         **options)
    gen = torch.Generator().manual_seed(int(seed)) if noise_std else None
    points, losses, grads = [], [], []
    diverged_at = None
    for k in range(steps + 1):
        opt.zero_grad()
        loss = fn(w)
        value, coords = float(loss.detach()), w.detach().tolist()
        if not (abs(value) <= LOSS_BOUND and max(map(abs, coords)) <= COORD_BOUND):
            diverged_at = k  # (NaN fails every comparison, so it lands here too)
            break
        loss.backward()
        points.append(coords)
        losses.append(value)
        grads.append(w.grad.detach().clone())
        if k == steps:
            break
        if gen is not None:
            w.grad.add_(noise_std * torch.randn(len(w), generator=gen, dtype=torch.float64))
        optimizer_step(opt)
    return _trace_result(points, losses, grads, diverged_at, len(w))


def _trace_result(points: list, losses: list, grads: list, diverged_at: int | None,
                  dim: int) -> Trace:
    point_arr = np.array(points, dtype=np.float64).reshape(-1, dim)
    grad_arr = torch.stack(grads).numpy() if grads else np.empty((0, dim))
    return Trace(point_arr, np.array(losses, dtype=np.float64), grad_arr, diverged_at,
                 _converged_at(grad_arr, diverged_at))


def traces(f: Objective, *, start: Sequence[float], runs: Sequence[Mapping],
           noise_std: float = 0.0, seed: int = 0,
           progress: Callable[[float], None] | None = None) -> list[Trace]:
    """`[trace(f, start=start, noise_std=noise_std, seed=seed, **run) for run in runs]`, run
    in lockstep: the same numbers, but one batched forward and one backward per step for all
    runs instead of one each (the autograd and Python overhead of a 2-D step is most of its
    cost). `run` holds trace's keywords: optimizer, lr, steps, momentum, nesterov, options.
    This is `traces_many` for one seed; a non-batched objective runs the traces one by one.
    """
    return traces_many(f, start=start, runs=runs, seeds=[seed], noise_std=noise_std,
                       progress=progress)[0]


@dataclass
class _Rows:
    """One run of `traces_many` for every seed: row s of `w` is seed s's parameter."""
    w: torch.Tensor  # (S, dim)
    opt: torch.optim.Optimizer  # the run's torch.optim class over the stacked parameter
    steps: int
    alive: torch.Tensor  # (S,) bool: not diverged yet
    ok: list  # per step (S,) bool: alive at that step
    points: list  # per step (S, dim)
    losses: list  # per step (S,)
    grads: list  # per step (S, dim)


def traces_many(f: Objective, *, start: Sequence[float], runs: Sequence[Mapping],
                seeds: Sequence[int], noise_std: float = 0.0,
                progress: Callable[[float], None] | None = None) -> list[list[Trace]]:
    """`[traces(f, start=start, runs=runs, noise_std=noise_std, seed=s) for s in seeds]`, as
    one computation: run r of every seed is one row of a stacked (S, dim) parameter with one
    torch.optim optimizer of the run's class (every update here is elementwise, so a row steps
    exactly as a lone (dim,) parameter does), and every row of every run shares one batched
    forward and backward per step. Seed s's noise is its own: ε from
    `torch.Generator().manual_seed(s)`, one `torch.randn(dim)` per step, the same for each
    of its runs (as each run of `trace` draws it). A row that diverges keeps stepping without
    being read (elementwise, so it never touches another row); a run stops when it has taken
    its steps or all its rows have diverged. Without noise the seed changes nothing: the runs
    are computed once and every seed gets them.
    """
    fn, batched = resolve(f)
    seeds = [int(s) for s in seeds]
    if not batched:
        return [[trace(f, start=start, noise_std=noise_std, seed=s, **r) for r in runs]
                for s in seeds]
    if not noise_std and len(seeds) > 1:
        return traces_many(f, start=start, runs=runs, seeds=seeds[:1], progress=progress
                           ) * len(seeds)
    x0 = _start_tensor(start)
    n_seeds, dim = len(seeds), len(x0)
    if not n_seeds:
        return []
    rows = []
    for r in runs:
        options = dict(r)
        steps, optimizer = int(options.pop("steps")), options.pop("optimizer", "sgd")
        if steps < 0:
            raise ValueError("steps must be ≥ 0")
        w = x0.expand(n_seeds, dim).clone().requires_grad_(True)
        rows.append(_Rows(w, make_optimizer([w], optimizer, **options), steps,
                          torch.ones(n_seeds, dtype=torch.bool), [], [], [], []))
    noise = _noise(seeds, dim, max((r.steps for r in rows), default=0)) if noise_std else None
    total, done = n_seeds * sum(r.steps + 1 for r in rows), 0
    active, k = list(rows), 0
    while active:
        for r in active:
            r.opt.zero_grad()
        loss = fn(torch.cat([r.w for r in active]))  # (runs · S,), row i = f(w_i)
        loss.sum().backward()  # ∂(Σ f(w_i))/∂w_i = ∇f(w_i): each row gets its own gradient
        still = []
        for i, r in enumerate(active):
            _record(r, loss[i * n_seeds:(i + 1) * n_seeds].detach())
            if k == r.steps or not bool(r.alive.any()):
                continue
            if noise is not None:
                r.w.grad.add_(noise_std * noise[:, k])
            optimizer_step(r.opt)
            still.append(r)
        done += n_seeds * len(active)
        if progress is not None:
            progress(done / total)
        active, k = still, k + 1
    per_run = [_row_traces(r) for r in rows]  # [run][seed]
    return [[traces_of_run[s] for traces_of_run in per_run] for s in range(n_seeds)]


def _noise(seeds: Sequence[int], dim: int, steps: int) -> torch.Tensor:
    """(S, steps, dim): seed s's ε for each step, drawn one step at a time as `trace` draws."""
    out = []
    for seed in seeds:
        gen = torch.Generator().manual_seed(seed)
        draws = [torch.randn(dim, generator=gen, dtype=torch.float64) for _ in range(steps)]
        out.append(torch.stack(draws) if draws else torch.zeros(0, dim, dtype=torch.float64))
    return torch.stack(out)


def _record(r: _Rows, values: torch.Tensor) -> None:
    """Keep this step of every row; a row whose point or loss leaves the bounds (or a NaN,
    which fails every comparison) has diverged from this step on."""
    point = r.w.detach().clone()
    r.alive &= ~_out_of_bounds(point, values)
    r.ok.append(r.alive.clone())
    r.points.append(point)
    r.losses.append(values)
    r.grads.append(r.w.grad.detach().clone())


def _row_traces(r: _Rows) -> list[Trace]:
    """Run r's Trace for each seed: its steps up to the last finite one (own arrays)."""
    points = torch.stack(r.points, 1).numpy()  # (S, steps + 1, dim)
    losses = torch.stack(r.losses, 1).numpy()  # (S, steps + 1)
    grads = torch.stack(r.grads, 1).numpy()  # (S, steps + 1, dim)
    finite = torch.stack(r.ok, 1).sum(1).tolist()  # (S,) steps kept: ok is True up to k − 1
    out = []
    for s, n in enumerate(finite):
        diverged_at = None if n == len(r.ok) else n
        g = grads[s, :n].copy()
        out.append(Trace(points[s, :n].copy(), losses[s, :n].copy(), g, diverged_at,
                         _converged_at(g, diverged_at)))
    return out


def _converged_at(grads: np.ndarray, diverged_at: int | None) -> int | None:
    if diverged_at is not None or not len(grads):
        return None
    small = np.linalg.norm(grads, axis=1) <= GRAD_TOL  # (n,)
    if not small[-1]:
        return None
    big = np.flatnonzero(~small)
    return int(big[-1] + 1) if len(big) else 0


def sweep(f: Objective, *, start: Sequence[float], lrs: Sequence[float],
          momentums: Sequence[float], steps: int, optimizer: str = "sgd",
          progress: Callable[[float], None] | None = None, **options) -> Sweep:
    """Final loss of every (lr, momentum) run of `steps` steps from `start`, all at once.

    Cell (i, j) equals `trace(f, start=start, lr=lrs[i], momentum=momentums[j], steps=steps,
    optimizer=optimizer, **options).losses[-1]`. Plain SGD (no options) is one batched
    tensor: parameters (n_lr·n_mom, dim), with the update above applied row-wise with
    per-row lr and μ; the tests check each cell against a real torch.optim.SGD loop. Other
    optimizers (or SGD with options) use the real torch.optim class with one parameter group
    per cell, so its own update runs (slower: a Python loop over groups inside torch).
    A non-batched callable `f` is evaluated row by row.
    """
    lr_arr = np.asarray(lrs, dtype=np.float64)
    mom_arr = np.asarray(momentums, dtype=np.float64)
    if lr_arr.ndim != 1 or mom_arr.ndim != 1 or not len(lr_arr) or not len(mom_arr):
        raise ValueError("lrs and momentums must be non-empty 1-D sequences")
    if optimizer not in HAS_MOMENTUM and np.any(mom_arr != 0):
        raise ValueError(f"{optimizer} has no momentum argument: pass momentums=[0.0]")
    fn, batched = resolve(f)
    if not batched:
        fn = _rowwise(fn)
    start_t = _start_tensor(start)
    grid_lr = torch.tensor(lr_arr).repeat_interleave(len(mom_arr))  # (n,) row-major cells
    grid_mom = torch.tensor(mom_arr).repeat(len(lr_arr))  # (n,)
    run = _sweep_sgd if optimizer == "sgd" and not options else _sweep_torch
    final_loss, final_point, div_at = run(fn, start_t, grid_lr, grid_mom, steps, optimizer,
                                          options, progress or (lambda _: None))
    shape = (len(lr_arr), len(mom_arr))
    return Sweep(lr_arr, mom_arr, final_loss.reshape(shape).numpy(),
                 final_point.reshape(*shape, -1).numpy(), (div_at >= 0).reshape(shape).numpy(),
                 div_at.reshape(shape).numpy())


def _sweep_sgd(fn, start, lr, mom, steps, optimizer, options, progress):
    """Batched torch.optim.SGD (momentum, dampening 0): rows are independent runs."""
    n = len(lr)
    w = start.expand(n, -1).clone().requires_grad_(True)  # (n, dim)
    buf = None  # (n, dim) momentum buffer, created from the first gradient as torch does
    best_loss = torch.zeros(n, dtype=torch.float64)
    best_point = start.expand(n, -1).clone()
    div_at = torch.full((n,), -1, dtype=torch.int64)
    active = torch.ones(n, dtype=torch.bool)
    lr_c, mom_c = lr.unsqueeze(1), mom.unsqueeze(1)  # (n, 1)
    for k in range(steps + 1):
        w.grad = None
        loss = fn(w)  # (n,)
        bad = active & _out_of_bounds(w.detach(), loss.detach())
        div_at[bad] = k
        active &= ~bad
        keep = active.unsqueeze(1)
        best_loss = torch.where(active, loss.detach(), best_loss)
        best_point = torch.where(keep, w.detach(), best_point)
        if k == steps or not bool(active.any()):
            break
        torch.where(active, loss, torch.zeros_like(loss)).sum().backward()
        with torch.no_grad():
            g = torch.where(keep, w.grad, torch.zeros_like(w.grad))
            buf = g.clone() if buf is None else buf.mul_(mom_c).add_(g)
            step = torch.where(mom_c != 0, buf, g)  # torch skips the buffer when μ = 0
            w.addcmul_(step, -lr_c)  # w + (−lr)·step, fused like torch's add_(alpha=−lr)
            w.copy_(torch.where(keep, w, best_point))  # frozen rows stay finite
        progress((k + 1) / steps)
    return best_loss, best_point, div_at


def _sweep_torch(fn, start, lr, mom, steps, optimizer, options, progress):
    """One torch.optim optimizer, one parameter group (and tensor) per cell."""
    n = len(lr)
    params = [start.clone().requires_grad_(True) for _ in range(n)]
    groups = [{"params": [p], "lr": float(a)} for p, a in zip(params, lr, strict=True)]
    if optimizer in HAS_MOMENTUM:
        for grp, m in zip(groups, mom, strict=True):
            grp["momentum"] = float(m)
    opt = make_optimizer(groups, optimizer, lr=float(lr[0]), momentum=float(mom[0]),
                         **options)
    best_loss = torch.zeros(n, dtype=torch.float64)
    best_point = start.expand(n, -1).clone()
    div_at = torch.full((n,), -1, dtype=torch.int64)
    active = torch.ones(n, dtype=torch.bool)
    for k in range(steps + 1):
        opt.zero_grad(set_to_none=True)
        w = torch.stack(params)  # (n, dim), differentiable into each cell's tensor
        loss = fn(w)
        bad = active & _out_of_bounds(w.detach(), loss.detach())
        div_at[bad] = k
        active &= ~bad
        best_loss = torch.where(active, loss.detach(), best_loss)
        best_point = torch.where(active.unsqueeze(1), w.detach(), best_point)
        if k == steps or not bool(active.any()):
            break
        torch.where(active, loss, torch.zeros_like(loss)).sum().backward()
        with torch.no_grad():
            for i in torch.nonzero(bad).flatten().tolist():
                params[i].copy_(best_point[i])  # finite again, and never stepped (grad None)
            for i in torch.nonzero(~active).flatten().tolist():
                params[i].grad = None
        optimizer_step(opt)
        progress((k + 1) / steps)
    return best_loss, best_point, div_at


def _rowwise(f: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[torch.Tensor], torch.Tensor]:
    """A scalar function of a (dim,) tensor → a function of an (n, dim) batch, row by row."""
    def batched(p: torch.Tensor) -> torch.Tensor:
        return torch.stack([f(row) for row in p])
    return batched
