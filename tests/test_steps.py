"""dlviz.steps: a training step without the Python wrappers gives the same numbers, bit for
bit, as `opt.zero_grad(); loss.backward(); opt.step()`, and keeps what the wrappers are for
(step hooks, argument checks)."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.optim import optimizer

from dlviz import steps

OPTIMIZERS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd momentum, weight decay": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9,
                                                             weight_decay=1e-3),
    "sgd fused, nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                                      fused=True),
    "adam foreach": lambda p: torch.optim.Adam(p, lr=0.01, foreach=True, weight_decay=1e-3),
    "adam fused": lambda p: torch.optim.Adam(p, lr=0.01, fused=True),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5),
}


def _train(make_opt, fast: bool, stacked_loss: bool, n_steps: int = 40):
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    x, y = torch.randn(16, 3, dtype=torch.float64), torch.randn(16, 1, dtype=torch.float64)
    opt = make_opt(list(model.parameters()))
    params = list(model.parameters())
    ones = torch.ones(16, 1, dtype=torch.float64)
    for _ in range(n_steps):
        loss = (model(x) - y) ** 2  # (16, 1): the stacked trainers' per-lane losses
        if fast:
            steps.zero_grad(opt)
            steps.backward(loss, ones) if stacked_loss else steps.backward(loss.sum())
            steps.step(opt)
        else:
            opt.zero_grad()
            loss.backward(ones) if stacked_loss else loss.sum().backward()
            opt.step()
    return [p.detach().clone() for p in params], opt.state_dict()["state"]


@pytest.mark.parametrize("stacked_loss", [False, True], ids=["scalar loss", "loss per lane"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_step_without_the_wrappers_gives_the_same_numbers(name, stacked_loss):
    plain, plain_state = _train(OPTIMIZERS[name], False, stacked_loss)
    fast, fast_state = _train(OPTIMIZERS[name], True, stacked_loss)
    assert all(torch.equal(a, b) for a, b in zip(plain, fast, strict=True))
    for k, state in plain_state.items():  # momentum buffers, Adam's moments and step count
        for key, value in state.items():
            other = fast_state[k][key]
            assert torch.equal(value, other) if torch.is_tensor(value) else value == other
    start, _ = _train(OPTIMIZERS[name], True, stacked_loss, n_steps=0)
    assert not all(torch.equal(a, b) for a, b in zip(start, fast, strict=True))  # it trained


def test_step_hooks_still_run():
    """Where a step hook is registered (an optimizer's or a global one), `steps.step` is
    `opt.step()` itself, hooks and all."""
    w = torch.ones(2, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.5)
    seen = []
    handle = opt.register_step_post_hook(lambda o, args, kwargs: seen.append("post"))
    w.grad = torch.ones(2)
    steps.step(opt)
    assert seen == ["post"] and torch.equal(w.detach(), torch.full((2,), 0.5))
    handle.remove()
    handle = optimizer.register_optimizer_step_pre_hook(
        lambda o, args, kwargs: seen.append("global pre"))
    try:
        steps.step(opt)
    finally:
        handle.remove()
    assert seen == ["post", "global pre"] and torch.equal(w.detach(), torch.zeros(2))
    steps.step(opt)  # no hook left: the quick path, the same update
    assert seen == ["post", "global pre"] and torch.equal(w.detach(), torch.full((2,), -0.5))


def test_backward_checks_the_output_gradient():
    w = torch.ones(3, requires_grad=True)
    loss = w * 2
    with pytest.raises(ValueError, match="needs its grad"):
        steps.backward(loss)
    with pytest.raises(ValueError, match="does not match"):
        steps.backward(loss, torch.ones(2))
    with pytest.raises(ValueError, match="does not match"):
        steps.backward(loss, torch.ones(3, dtype=torch.float64))
    steps.backward(loss, torch.tensor([1.0, 0.0, 2.0]))
    assert torch.equal(w.grad, torch.tensor([2.0, 0.0, 4.0]))
    steps.backward((w * w).sum())  # a scalar: accumulates, as loss.backward() does
    assert torch.equal(w.grad, torch.tensor([4.0, 2.0, 6.0]))


class _Recording(torch.optim.SGD):
    """SGD whose step, wrapped by torch.optim as every class's step is, records the grad mode
    it ran in."""

    modes: list[bool] = []

    @optimizer._use_grad_for_differentiable
    def step(self, closure=None):
        self.modes.append(torch.is_grad_enabled())
        return super().step.__wrapped__(self, closure)


@pytest.mark.parametrize("differentiable", [False, True])
def test_step_runs_in_the_grad_mode_torch_optim_sets(differentiable):
    """`_use_grad` runs a step with autograd off (on for differentiable optimizers) and
    restores the caller's mode; `steps.step` does the same without it."""
    leaf = torch.ones(2, requires_grad=True)
    w = leaf * 1 if differentiable else leaf  # a differentiable step updates a non-leaf
    opt = _Recording([w], lr=0.5, differentiable=differentiable)
    w.grad = torch.ones(2)
    _Recording.modes.clear()
    with torch.no_grad() if differentiable else torch.enable_grad():
        before = torch.is_grad_enabled()
        steps.step(opt)
        assert torch.is_grad_enabled() == before
    assert _Recording.modes == [differentiable]
    opt.step()  # torch.optim's own path agrees
    assert _Recording.modes == [differentiable, differentiable]


def test_without_dynamo_fills_the_disabled_methods_with_themselves():
    """The methods of Optimizer wrapped by torch._disable_dynamo (the constructor's
    add_param_group among them) call themselves; calling it again changes nothing."""
    names = steps.without_dynamo()
    assert {"add_param_group", "zero_grad", "state_dict", "load_state_dict"} <= set(names)
    for name in names:
        wrapper = vars(torch.optim.Optimizer)[name]
        fn = wrapper.__closure__[wrapper.__code__.co_freevars.index("fn")].cell_contents
        assert getattr(fn, "__dynamo_disable") is fn
    assert steps.without_dynamo() == names


def test_no_page_computation_imports_the_compiler():
    """In a fresh process, every page's default computation (the compute benchmark's cases)
    trains with torch.optim and never imports torch._dynamo: 2.3 s and 70 MB the server and
    its worker do not pay. Fails if a trainer calls `opt.step()` (its `_use_grad` imports the
    compiler) or if `import dlviz` no longer runs `steps.without_dynamo()`."""
    import subprocess
    import sys

    code = ("import sys, torch; import benchmarks.compute as bc\n"
            "cases = bc.discover(); ran = 0\n"
            "for name, fn in cases.items():\n"
            "    if 'cap' in name or '30' in name: continue\n"
            "    fn(); ran += 1\n"
            "    assert 'torch._dynamo' not in sys.modules, name\n"
            "assert ran >= 30, ran\n"
            "opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n"
            "opt.step(); assert 'torch._dynamo' in sys.modules  # the check can see it\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
