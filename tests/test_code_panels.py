"""Every page's "Reproduce in PyTorch" script, run as a script, prints the page's numbers."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dlviz.reproduce import close, parse_prints
from tests.conftest import CONCEPT_PAGES, open_page, page_id


def _panels(at) -> list[tuple[str, str]]:
    """(script, expected output) pairs: each python block marked "# dlviz" and the next text."""
    blocks = list(at.code)
    pairs = []
    for i, block in enumerate(blocks):
        if block.language == "python" and block.value.startswith("# dlviz"):
            expected = next(b for b in blocks[i + 1:] if b.language == "text")
            pairs.append((block.value, expected.value))
    return pairs


@pytest.mark.parametrize("file", CONCEPT_PAGES, ids=page_id)
def test_script_prints_the_pages_numbers(file, tmp_path):
    at = open_page(file)
    panels = _panels(at)
    assert panels, "the page has a code panel"
    for n, (script, expected_text) in enumerate(panels):
        path = tmp_path / f"panel{n}.py"
        path.write_text(script)
        run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                             timeout=120, cwd=tmp_path)
        assert run.returncode == 0, run.stderr[-2000:]
        got, expected = parse_prints(run.stdout), parse_prints(expected_text)
        assert expected, "the page shows what the script prints"
        assert list(got) == list(expected), "same labels, same order"
        for label, values in expected.items():
            assert len(got[label]) == len(values), label
            for a, b in zip(got[label], values, strict=True):
                assert close(a, b), f"{label}: script {a} vs page {b}"
