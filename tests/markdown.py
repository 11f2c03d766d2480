"""What a markdown source renders as, for assertions on text the app escapes."""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def rendered(source: str) -> str:
    """Undo CommonMark backslash escapes and drop the invisible word joiners that break
    autolinks (dlviz.safe_text): the characters a reader sees."""
    return _ESCAPE.sub(r"\1", source).replace("\u2060", "")


def link_notices(at) -> list[str]:
    """The lines of a page's link notice under its title, as rendered; [] when none."""
    lines = []
    for w in at.warning:
        text = rendered(w.value)
        if text.startswith("**Some settings in this link could not be used.**"):
            lines += [line.removeprefix("- ") for line in text.split("\n\n")[1:]]
    return lines
