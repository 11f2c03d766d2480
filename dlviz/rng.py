"""torch's global random generator, shared safely by the server's threads.

Model initialisation (`nn.Linear`), `nn.init.*_` and dropout draw from torch's one global
generator, and every session's script thread shares it. Two sessions seeding it at the same
time would draw from each other's stream: a "seed 0" result that is neither seed's, cached and
shown to everyone, and a "Reproduce in PyTorch" script printing other numbers. `seeded` makes
a seeded block exclusive process-wide; keep every global-RNG draw of a computation inside it.
Draws that can take a private `torch.Generator` should take one instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_LOCK = threading.RLock()  # re-entrant: a seeded block may call a function with its own


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """`torch.manual_seed(seed)` for the block, one block at a time in this process; the
    caller's generator state is restored afterwards (`torch.random.fork_rng`).

    Seeds the CPU generator, which is what `torch.manual_seed` does on a machine without
    an accelerator, minus its queueing of a lazy seed for CUDA, XPU and MTIA: each of those
    formats the caller's whole stack (`traceback.format_stack`), deep in a Streamlit script
    thread, on every call."""
    with _LOCK, torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(int(seed))
        yield
