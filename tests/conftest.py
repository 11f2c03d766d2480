"""Shared test fixtures: the page registry and an AppTest factory."""

from __future__ import annotations

import os

# As in streamlit_app.py, before torch loads: OpenMP's thread count is per thread, and AppTest
# runs each page on a new script thread that torch.set_num_threads in this one does not reach.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from dlviz import catalog  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
# Every page the navigation registers: the home page plus the live catalog pages. New pages
# are covered by adding their file; no test needs editing.
PAGE_FILES = ["pages/home.py"] + [spec.file for spec in catalog.live_pages()]
CONCEPT_PAGES = [spec.file for spec in catalog.live_pages()]


def page_id(file: str) -> str:
    return Path(file).stem


def open_page(file: str, *, query: dict | None = None, timeout: float = 60) -> AppTest:
    """Run the app shell, switch to `file` with `query` in the URL, and run it."""
    at = AppTest.from_file(APP, default_timeout=timeout)

    def arrive_with_query():
        # Like opening a bookmarked URL: the query string arrives with the page's first run.
        for key, value in (query or {}).items():
            at.query_params[key] = value

    arrive_with_query()
    at.run()  # the first run registers the navigation's pages (and their url_paths)
    if file == "pages/home.py":  # the default page: that run was the page load
        return at
    at.switch_page(file)
    arrive_with_query()  # the page's own widgets read it on its first run
    return at.run()


def open_chart_data(at: AppTest) -> AppTest:
    """Open every "Chart data" expander, as a student's click does (its open state reaches
    the server, which then draws the table and the download), and rerun."""
    keys = [e.proto.id.split("-", 2)[2] for e in at.expander
            if e.label.startswith("Chart data") and e.proto.id.count("-") >= 2]
    assert keys, "no keyed Chart data expander on the page"
    for key in keys:
        at.session_state[key] = True
    return at.run()


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """As in the app (streamlit_app.py): tiny tensors run fastest on one thread."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(params=PAGE_FILES, ids=page_id)
def page_file(request) -> str:
    return request.param


@pytest.fixture(autouse=True)
def _figures_are_valid_plotly(monkeypatch):
    """style.finish builds figures without plotly's validation (it was most of a new
    setting's figure time). Every figure it returns in the test suite is rebuilt here with
    validation: it must be valid plotly (a bad property name or value raises) and validation
    must change nothing in what the browser would be sent."""
    import json

    import plotly.graph_objects as go
    import plotly.io as pio

    from dlviz import style

    fast = style.finish

    def sent(fig) -> dict:  # the JSON st.plotly_chart sends, read back
        return json.loads(pio.to_json(fig, validate=False))

    def differences(a, b, path="") -> list[str]:
        if isinstance(a, dict) and isinstance(b, dict):
            return [d for k in sorted(set(a) | set(b), key=str)
                    for d in differences(a.get(k), b.get(k), f"{path}.{k}")]
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                    for d in differences(x, y, f"{path}[{i}]")]
        if a == b or {repr(a), repr(b)} <= {"None", "[]", "{}"}:  # plotly drops empty ones
            return []
        return [f"{path}: {str(a)[:80]} (validated) vs {str(b)[:80]}"]

    def checked(fig, **kwargs):
        out = fast(fig, **kwargs)
        quick = out.to_dict()  # what the app sends: the dict converted without plotly's objects
        out.data  # noqa: B018 - builds the figure's object tree, as a test's read does
        diff = differences(json.loads(pio.to_json(quick, validate=False)), sent(out))
        assert not diff, f"the quick dict differs from plotly's: {diff[:5]}"
        diff = differences(sent(go.Figure(out.to_dict())), sent(out))
        assert not diff, f"validation changes this figure: {diff[:5]}"
        return out

    monkeypatch.setattr(style, "finish", checked)
