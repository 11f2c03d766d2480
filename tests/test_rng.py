"""torch's global RNG under the server's threads: seeded blocks are exclusive."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

import torch

from dlviz import finetune, rng

ROOT = Path(__file__).resolve().parent.parent


def _draws(seed: int) -> torch.Tensor:
    with rng.seeded(seed):
        first = torch.rand(64)
        time.sleep(0.002)  # another session's thread runs here
        return torch.cat([first, torch.rand(64)])


def test_concurrent_seeded_blocks_draw_their_own_stream():
    expected = {seed: _draws(seed) for seed in range(6)}
    got: dict[int, torch.Tensor] = {}

    def session(seed: int) -> None:
        got[seed] = _draws(seed)

    threads = [threading.Thread(target=session, args=(s,)) for s in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed, want in expected.items():
        assert torch.equal(got[seed], want), f"seed {seed} drew another session's numbers"


def test_seeded_leaves_the_callers_generator_alone_and_nests():
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    with rng.seeded(1):
        a = finetune.seeded_model(2)  # a seeded block inside another (re-entrant)
        torch.rand(3)
    assert torch.equal(torch.random.get_rng_state(), before)
    b = finetune.seeded_model(2)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_app_code_seeds_the_global_generator_only_through_rng_seeded():
    """A bare torch.manual_seed or fork_rng in dlviz would be a race between sessions."""
    offenders = []
    for path in sorted((ROOT / "dlviz").glob("*.py")):
        if path.name == "rng.py" or path.name.endswith("_script.py"):  # scripts run alone
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"manual_seed", "fork_rng"}:
                call_owner = node.value
                is_generator = isinstance(call_owner, ast.Call)  # torch.Generator().manual_seed
                if not is_generator:
                    offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders
