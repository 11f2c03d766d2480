"""User text is data: make it inert before it reaches Streamlit's markdown.

Streamlit renders markdown in warnings, toasts, captions, metric labels and `st.markdown`:
`![](…)` becomes an image the browser fetches, `[…](…)` a link, `:red[…]` styled text,
`$…$` LaTeX, and a backtick closes a code span. CommonMark lets a backslash escape any ASCII
punctuation character, so escaping all of them leaves nothing for markdown to act on.
"""

from __future__ import annotations

import string

JOINER = "\u2060"
_ESCAPES = {ord(c): "\\" + c for c in string.punctuation}
_ESCAPES.update({ord(c): "\\" + c + JOINER for c in ":.@"})
_ESCAPES.update({ord("\n"): " ", ord("\r"): " ", ord("\t"): " "})


def md(text: object) -> str:
    """`text` as markdown that renders as exactly those characters, on one line."""
    return str(text).translate(_ESCAPES)
