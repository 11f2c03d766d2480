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
