"""What a markdown source renders as, for assertions on text the app escapes."""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def rendered(source: str) -> str:
    """Undo CommonMark backslash escapes and drop the invisible word joiners that break
    autolinks (dlviz.safe_text): the characters a reader sees."""
    return _ESCAPE.sub(r"\1", source).replace("\u2060", "")
