"""Server limits for a public host, on a real `streamlit run` server (loopback only).

`server.maxMessageSize` bounds every websocket message both ways: it must stay above the
largest message the app itself sends (with room to spare) and refuse what no page needs.
"""

from __future__ import annotations

import tomllib
import urllib.request

import pytest
import websocket

from benchmarks.server import ROOT, streamlit_server
from benchmarks.wsclient import Session, process_rss_mb
from dlviz import catalog

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
LIMIT_MB = CONFIG["server"]["maxMessageSize"]


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as (url, proc):
        yield url, proc


def test_the_limit_is_tight():
    assert 2 <= LIMIT_MB <= 8, "a few MB: the app's own messages are about 1.3 MB at most"


@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
def test_every_page_fits_in_half_the_limit(server, lecture):
    url, _ = server
    for spec in catalog.live_pages():
        s = Session(url, page=spec.url_path, query="lecture=true" if lecture else "")
        try:
            result = s.run()
        finally:
            s.close()
        assert result.exceptions == 0, spec.key
        assert result.largest_bytes <= LIMIT_MB * 1e6 / 2, (spec.key, result.largest_bytes)


def test_an_oversized_inbound_frame_is_refused(server):
    url, proc = server
    before = process_rss_mb(proc.pid)
    for _ in range(3):
        ws = websocket.create_connection(url.replace("http://", "ws://") + "/_stcore/stream",
                                         subprotocols=["streamlit"], origin=url, timeout=30)
        try:
            # the server closes the connection instead of reading the frame or answering
            with pytest.raises((websocket.WebSocketConnectionClosedException,
                                ConnectionError, websocket.WebSocketException)):
                ws.send_binary(b"\0" * int((LIMIT_MB + 1) * 1024 * 1024))
                for _ in range(50):
                    ws.recv()
        finally:
            ws.close()
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:
        assert r.status == 200
    assert process_rss_mb(proc.pid) - before < 100
