"""The Counting-parameters page's settings: one table, from which come its widgets, its URL
and the tests' domain sweeps (dlviz.settings). The shorthand comes first, so that a link's
shorthand alone is the code's default (dlviz.params_views); which layers can be frozen
depends on the code."""

from __future__ import annotations

from dlviz import params_views as views
from dlviz import settings as cfg

CODE_CHARS, SHORT_CHARS = 2000, 300  # the parser takes up to 4000

SETTINGS = cfg.Table((
    cfg.Text("short", "Layer sizes (Linear layers)", views.DEFAULT_SHORT,
             "8, 4, 2 means nn.Linear(8, 4) then nn.Linear(4, 2). Activations between the "
             "layers are kept.", max_chars=SHORT_CHARS,
             placeholder="not a stack of Linear layers: edit it as a table or as code"),
    cfg.Text("code", "nn.Sequential(…), one layer, or sizes",
             lambda k: views.default_code(k["short"]),
             "Pasted PyTorch is read, never run: only nn layers with literal numbers are "
             "accepted.", max_chars=CODE_CHARS, widget="area", height=230),
    cfg.Multi("freeze", "Freeze layers (requires_grad = False)", (),
              "Frozen parameters still count, but are not trained.",
              options=lambda k: views.freezable(k["code"])),
    cfg.Text("answer", "Your model", "", max_chars=SHORT_CHARS,
             placeholder="sizes such as 8, 16, 16, 16, 2, or nn.Sequential(...) code"),
    cfg.Text("other", "A second architecture", views.DEFAULT_OTHER,
             "Sizes or code; compared with the model above.", max_chars=SHORT_CHARS),
), name="ParamsSettings")


def link_changes(query) -> dict:
    """On a link's first run, before its widgets: a code that came without its shorthand
    brings the shorthand that follows it (a link's own shorthand would win over a setting)."""
    if "short" in query or "code" not in query:
        return {}
    short = views.view(SETTINGS.parse({"code": list(query["code"])}).values["code"])
    return {} if short is None else {"short": short}
