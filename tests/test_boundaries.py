"""The architecture's rules, as tests: they fail the moment a rule is broken."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    p for d in ("dlviz", "pages", "benchmarks") for p in (ROOT / d).rglob("*.py")
) + [ROOT / "streamlit_app.py"]
PAGES = sorted((ROOT / "pages").glob("*.py"))
# Widgets that hold state, and so must be keyed and bound to the URL. Buttons, data editors
# and chart selections hold no bookmarkable value of their own (pages keep that in a bound
# widget or in the URL text they edit).
BOUND_WIDGETS = {
    "slider", "select_slider", "number_input", "text_input", "text_area", "selectbox",
    "multiselect", "radio", "checkbox", "toggle", "segmented_control", "pills",
    "color_picker", "date_input", "time_input", "feedback",
}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "dlviz").rglob("*.py")), ids=lambda p: p.name)
def test_dlviz_never_imports_streamlit_except_ui(path):
    if path.relative_to(ROOT / "dlviz").parts[0] == "ui":  # the page-helper package
        return
    assert "streamlit" not in _imports(_tree(path)), f"{path.name} imports streamlit"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_execution_on_data(path):
    """No eval/exec/compile, pickle loads or sympy parsing anywhere in the app."""
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(
                f, ast.Attribute) else ""
            # builtins by bare name (`model.eval()` and `re.compile` are not code execution)
            if isinstance(f, ast.Name):
                assert name not in {"eval", "exec", "compile", "__import__"}, (
                    f"{path.name}:{node.lineno} calls {name}")
            assert name not in {"parse_expr", "sympify"}, f"{path.name}:{node.lineno}"
            if name in {"load", "loads"} and isinstance(f, ast.Attribute):
                owner = f.value.id if isinstance(f.value, ast.Name) else ""
                assert owner not in {"pickle", "marshal", "dill"}, f"{path.name}:{node.lineno}"


def _widget_calls(tree: ast.Module) -> list[tuple[int, str]]:
    return [(node.lineno, node.func.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in BOUND_WIDGETS]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_draw_stateful_widgets_only_from_their_settings_table(path):
    """A page's state is declared once, in its table (dlviz/<key>_settings.py); `ui.widget`
    draws it keyed and bound to the URL. A widget called directly would bypass the URL
    checks (OverflowError on `inf`, silent clamping) and the tests' domain sweeps."""
    assert not _widget_calls(_tree(path)), f"{path.name}: {_widget_calls(_tree(path))}"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_show_messages_through_the_escaping_helpers(path):
    """Warnings, toasts and infos quote user input: pages use `ui.problem`, which escapes
    its whole message, so a link cannot draw its own markdown in the app's voice."""
    found = [(node.lineno, node.func.attr) for node in ast.walk(_tree(path))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in {"warning", "toast", "info"}]
    assert not found, f"{path.name}: {found}"


def test_every_drawn_widget_is_in_the_table_and_bound():
    """At run time: each keyed widget of every page is a setting of its table (or the
    shell's lecture switch), and Streamlit binds it to the URL parameter of that name. The
    one exception is a player's Play toggle (`<frame setting>_play`): the frame is in the
    URL, whether it is playing is not, so a link never opens playing."""
    from dlviz import catalog
    from dlviz.ui.player import PLAY_SUFFIX
    from tests.conftest import open_page

    for spec in catalog.live_pages():
        at = open_page(spec.file)
        keys = set(spec.settings.keys) | {"lecture"}
        for kind in BOUND_WIDGETS:
            for w in at.get(kind):
                if getattr(w, "key", None) is None:
                    continue
                if w.key.endswith(PLAY_SUFFIX) and w.key[: -len(PLAY_SUFFIX)] in keys:
                    assert not w.proto.query_param_key, f"{spec.key}: {w.key} is in the URL"
                    continue
                assert w.key in keys, f"{spec.key}: widget {w.key!r} is not in the table"
                assert w.proto.query_param_key == w.key, f"{spec.key}: {w.key} is not bound"


def _unbounded_caches(tree: ast.Module) -> list[int]:
    """Lines where st.cache_data / st.cache_resource is used without max_entries or ttl."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if isinstance(target, ast.Attribute) and target.attr in {"cache_data",
                                                                     "cache_resource"}:
                keywords = {k.arg for k in dec.keywords} if isinstance(dec, ast.Call) else set()
                if not keywords & {"max_entries", "ttl"}:
                    lines.append(dec.lineno)
    return lines


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cache_is_bounded(path):
    """A hosted app's caches hold every setting anyone asked for: each needs a bound."""
    assert not _unbounded_caches(_tree(path)), f"{path.name}: unbounded cache at lines " \
        f"{_unbounded_caches(_tree(path))}"


def test_the_rules_catch_violations():
    """The checks above can fail: feed them a page that breaks every rule."""
    bad = ast.parse("import streamlit as st\nst.slider('x', 0, 1)\neval(t)\n")
    assert "streamlit" in _imports(bad)
    assert _widget_calls(bad) == [(2, "slider")]
    calls = [n for n in ast.walk(bad) if isinstance(n, ast.Call)]
    assert any(isinstance(c.func, ast.Name) and c.func.id == "eval" for c in calls)
    slider = next(c for c in calls if isinstance(c.func, ast.Attribute))
    assert "key" not in {k.arg for k in slider.keywords}
    caches = ast.parse("@st.cache_data\ndef a(): pass\n@st.cache_resource(show_spinner=False)\n"
                       "def b(): pass\n@st.cache_data(ttl=60)\ndef c(): pass\n")
    assert _unbounded_caches(caches) == [1, 3]
