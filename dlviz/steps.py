"""A training step's autograd and torch.optim calls without their per-call Python wrappers.

The stacked models here are tiny, so a step costs Python overhead, not arithmetic. Two of the
wrappers around the real work cost a quarter of a step and compute nothing (measured on the
playground's default stack, 16 networks 2 → 4 → 2 → 1, batch 10: 145 µs a step with
`loss.backward(ones)` and `opt.step()`, 110 µs with these):
- `torch.autograd.backward` checks and normalises its arguments (`_make_grads`: shapes and
  dtypes of the output gradients) before it calls autograd's engine. `backward` calls the
  same engine on the same graph with the output gradient given.
- `Optimizer.step` is wrapped, when the first optimizer of a class is made, in a profiler
  scope (`record_function`) and a loop over the step hooks. `step` calls the class's own
  step (SGD's, Adam's: `torch.optim` itself, `_use_grad` and all) and keeps `opt.step()`
  where any step hook is registered.
`zero_grad` is `opt.zero_grad()` (set_to_none) without its profiler scope. Results are the
same bit for bit (tests/test_steps.py).
"""

from __future__ import annotations

import torch
from torch.autograd.graph import _engine_run_backward
from torch.optim import optimizer as _optimizer


def backward(loss: torch.Tensor, grad: torch.Tensor | None = None) -> None:
    """`loss.backward(grad)`: accumulate ∂(Σ grad·loss)/∂leaf into every leaf's `.grad`.
    `grad` has `loss`'s shape and dtype; None for a scalar loss (`loss.backward()`)."""
    if grad is None:
        if loss.dim():
            raise ValueError(f"a loss of shape {tuple(loss.shape)} needs its grad")
        grad = torch.ones_like(loss)
    elif grad.shape != loss.shape or grad.dtype != loss.dtype:
        raise ValueError(f"grad {tuple(grad.shape)} {grad.dtype} does not match loss "
                         f"{tuple(loss.shape)} {loss.dtype}")
    _engine_run_backward((loss,), (grad,), False, False, (), allow_unreachable=True,
                         accumulate_grad=True)


def _hooked(opt: torch.optim.Optimizer) -> bool:
    return bool(opt._optimizer_step_pre_hooks or opt._optimizer_step_post_hooks
                or _optimizer._global_optimizer_pre_hooks
                or _optimizer._global_optimizer_post_hooks)


def step(opt: torch.optim.Optimizer) -> None:
    """`opt.step()`: the optimizer class's own update, without the profiler scope."""
    method = type(opt).step
    if getattr(method, "hooked", False) and not _hooked(opt):
        method.__wrapped__(opt)
    else:
        opt.step()


def zero_grad(opt: torch.optim.Optimizer) -> None:
    """`opt.zero_grad()` (set_to_none=True): every parameter of the optimizer's groups."""
    for group in opt.param_groups:
        for p in group["params"]:
            p.grad = None
