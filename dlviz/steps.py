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

torch._dynamo, the compiler's front end, is imported by a process's first optimizer: by the
methods of `Optimizer` that exclude themselves from compilation (`torch._disable_dynamo`:
`add_param_group` in the constructor, `zero_grad`, `state_dict`, `load_state_dict`) and by
`_use_grad`, the grad-mode wrapper of every class's step, which marks a graph break for the
compiler. In a process that never compiles all of them are no-ops, and the import costs
2.3 s and 70 MB of heap (measured with torch 2.13: 152 → 221 MB anonymous memory), in the
server and again in its worker. `without_dynamo()` (run once by `import dlviz`) gives the
disabled methods their eager selves, and `step` sets the grad mode as `_use_grad` does, so no
dlviz computation imports the compiler. Nothing in dlviz calls `torch.compile`.
"""

from __future__ import annotations

import torch
from torch import _compile
from torch.autograd.graph import _engine_run_backward
from torch.optim import optimizer as _optimizer

_DISABLED_CODE = _compile._disable_dynamo(lambda: None).__code__  # torch._disable_dynamo's wrapper
_USE_GRAD_CODE = _optimizer._use_grad_for_differentiable(lambda: None).__code__  # step's wrapper


def without_dynamo() -> list[str]:
    """Let `Optimizer`'s methods wrapped by `torch._disable_dynamo` call themselves instead of
    importing torch._dynamo on their first call; the names of the methods it applied to.

    The wrapper caches `torch._dynamo.disable(fn)` on `fn` at its first call and calls that
    from then on; in eager mode that is `fn` itself (with a compiler hook switched off that is
    not on). The cache is filled here with `fn`: eager results are unchanged, the import is
    not made. A method already cached (the compiler imported) is left as it is."""
    done = []
    for name, attr in vars(torch.optim.Optimizer).items():
        if getattr(attr, "__code__", None) is not _DISABLED_CODE:
            continue
        fn = attr.__closure__[attr.__code__.co_freevars.index("fn")].cell_contents
        if getattr(fn, "__dynamo_disable", None) is None:
            setattr(fn, "__dynamo_disable", fn)
        done.append(name)
    return done


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
    """`opt.step()`: the optimizer class's own update in the grad mode `_use_grad` sets,
    without the profiler scope and the compiler's graph break."""
    method = type(opt).step
    if not getattr(method, "hooked", False) or _hooked(opt):
        opt.step()
        return
    use_grad = method.__wrapped__  # torch.optim's _use_grad_for_differentiable(Class.step)
    own = getattr(use_grad, "__wrapped__", None)
    if (getattr(use_grad, "__code__", None) is not _USE_GRAD_CODE or own is None
            or "differentiable" not in opt.defaults):
        use_grad(opt)
        return
    with torch.set_grad_enabled(opt.defaults["differentiable"]):
        own(opt)


def zero_grad(opt: torch.optim.Optimizer) -> None:
    """`opt.zero_grad()` (set_to_none=True): every parameter of the optimizer's groups."""
    for group in opt.param_groups:
        for p in group["params"]:
            p.grad = None
