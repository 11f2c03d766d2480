"""Issue 17: replicas behind Debian's nginx, on loopback (deploy/dlviz-cluster and
deploy/nginx-dlviz.conf as shipped).

Clients bind distinct source addresses in 127.0.0.0/8, so `hash $remote_addr consistent` has
distinct clients to spread. nginx names the replica that answered in `X-Dlviz-Replica`.
1. Spread and stickiness: sessions land on every replica; one client's reconnects (and its
   HTTP requests) land on the same one; the same config on a second nginx (another machine)
   routes every client to the same replica.
2. Downloads: every download button of every page answers through the balancer.
3. XSRF, CORS and abuse (a crafted Host, a foreign Origin, very large headers) are refused
   through nginx as they are by a replica reached directly, and no refusal takes a replica
   out of the rotation.
4. Failover: a replica killed during a load run; its clients reconnect to live replicas and
   their pages rebuild from the URL, the other clients see no failure, and
   `dlviz-cluster check` restarts it. In Chromium: a deep link through nginx survives the
   kill of its replica; the time to a working page is printed.
"""

from __future__ import annotations

import csv
import http.client
import io
import os
import signal
import socket
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest
import torch
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.balancer import NGINX, REPLICA, cluster
from benchmarks.storm import own_query
from benchmarks.wsclient import Session
from dlviz import catalog
from tests.test_browser import _visit, browser  # noqa: F401 (fixture)

REPLICAS = 3
CLIENTS = [f"127.0.0.{11 + i}" for i in range(24)]  # hash $remote_addr: 24 distinct clients
KILL_LIMIT_S = 10  # a killed replica's client works again within this (measured: see README)


@pytest.fixture(scope="module")
def lb(tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.fail("Debian's nginx is missing: apt-get install -y nginx")
    with cluster(REPLICAS, directory=tmp_path_factory.mktemp("cluster")) as c:
        yield c


def request(url: str, path: str = "/_stcore/health", *, method: str = "GET",
            headers: dict | None = None, source: str | None = None, body: bytes | None = None):
    """(status, headers, body) of one HTTP request, from client address `source`."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


def raw(url: str, lines: list[str], path: str = "/_stcore/health") -> str:
    """The status line a hand-written request gets, or 'closed' if none comes."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as s:
        try:
            s.sendall("\r\n".join([f"GET {path} HTTP/1.1", *lines, "", ""]).encode())
            answer = s.recv(4096)
        except (ConnectionResetError, BrokenPipeError):
            return "closed"
    return answer.split(b"\r\n", 1)[0].decode() if answer else "closed"


def answered(headers) -> str:
    """The replica that answered: the last one nginx tried (after a failover it names two)."""
    return headers[REPLICA].split(", ")[-1]


def replica_of(c, source: str) -> str:
    _, headers, _ = request(c.url, source=source)
    return answered(headers)


def live_spread(c) -> dict[str, str]:
    """client address → the replica that answers it now."""
    return {a: replica_of(c, a) for a in CLIENTS}


def open_session(c, source: str, path: str = "", query: str = "") -> tuple[Session, str]:
    s = Session(c.url, page=path, query=query, source_address=source, timeout=120)
    return s, answered(s.ws.getheaders())


# --- spread and stickiness ----------------------------------------------------------------------

def test_the_launcher_reports_every_replica(lb):
    status = lb.launcher("status")
    lines = status.stdout.splitlines()[1:]
    assert [line.split()[0] for line in lines] == [f"replica{i + 1}" for i in range(REPLICAS)] \
        + ["nginx"], status.stdout
    for line in lines:
        _, port, pid, health, rss, log = line.split()
        assert health == "ok" and float(rss) > 0 and os.path.exists(log), line
    site = (lb.dir / "nginx" / "dlviz.conf").read_text()
    assert lb.launcher("config", str(REPLICAS)).stdout == site, "`config` prints what runs"


def test_sessions_land_on_every_replica(lb):
    landed = {}
    for address in CLIENTS:
        s, replica = open_session(lb, address)
        try:
            assert s.run().exceptions == 0
        finally:
            s.close()
        landed[address] = replica
    assert set(landed.values()) == set(lb.replicas), landed
    assert max(list(landed.values()).count(r) for r in lb.replicas) <= len(CLIENTS) * 0.7


def test_a_clients_reconnects_stay_on_its_replica(lb):
    for address in CLIENTS[:6]:
        seen = set()
        for _ in range(4):
            s, replica = open_session(lb, address, "surfaces")
            s.run()
            s.close()
            seen |= {replica, replica_of(lb, address)}
        assert len(seen) == 1, (address, seen)


def test_the_same_config_on_another_machine_routes_alike(lb, tmp_path):
    """Machine B's nginx, rendered with the same replicas, sends each client where A does."""
    with cluster(0, directory=tmp_path, upstream=tuple(lb.replicas)) as b:
        upstream = [(lb.dir / "nginx" / "dlviz.conf"), (b.dir / "nginx" / "dlviz.conf")]
        blocks = [p.read_text().split("upstream dlviz", 1)[1].split("}", 1)[0] for p in upstream]
        assert blocks[0] == blocks[1]
        assert live_spread(b) == live_spread(lb)


# --- downloads ----------------------------------------------------------------------------------

def _download_buttons(fwd: ForwardMsg, found: list) -> None:
    if fwd.WhichOneof("type") == "delta" and fwd.delta.WhichOneof("type") == "new_element":
        element = fwd.delta.new_element
        if element.WhichOneof("type") == "download_button":
            found.append(element.download_button)


@pytest.mark.parametrize("key", [p.key for p in catalog.live_pages()])
def test_every_download_button_works_through_the_balancer(lb, key):
    address = CLIENTS[0]
    own = urlencode(own_query(key, 23), doseq=True)  # a setting no other test uses
    s, replica = open_session(lb, address, catalog.BY_KEY[key].url_path, own)
    buttons: list = []
    try:
        assert s.run(on_message=lambda f: _download_buttons(f, buttons)).exceptions == 0
        assert buttons, "every page has its Reproduce-in-PyTorch download"
        urls = []
        for button in buttons:
            # a chart's CSV is made on the click (a deferred download): ask for it as the
            # frontend does, through the same websocket, then fetch it through nginx
            url = s.deferred_url(button.deferred_file_id) if button.deferred_file_id \
                else button.url
            assert url.startswith("/media/"), button
            urls.append(url)
            status, headers, body = request(lb.url, url, source=address)
            assert status == 200 and body, (button.label, status)
            assert answered(headers) == replica
            name = headers["Content-Disposition"].split("filename=", 1)[1].strip('"')
            if name.endswith(".py"):
                compile(body.decode(), name, "exec")  # a whole script, not a fragment
            elif name.endswith(".csv"):  # a chart's data: a header and every row
                rows = list(csv.reader(io.StringIO(body.decode())))
                assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows), name
            else:
                assert name.endswith(".pt")
                state = torch.load(io.BytesIO(body), weights_only=True)
                assert state and all(isinstance(v, torch.Tensor) for v in state.values())
        # Why routing must be sticky: the files live in that replica's memory only (named by
        # their content: another replica has only those it made itself).
        other = next(a for a in CLIENTS if replica_of(lb, a) != replica)
        assert 404 in {request(lb.url, url, source=other)[0] for url in urls}
    finally:
        s.close()


# --- XSRF, CORS and abuse: refused through nginx as without it ----------------------------------

def _targets(c) -> dict[str, str]:
    return {"direct": c.direct_url(next(iter(c.replicas))), "nginx": c.url}


@pytest.mark.parametrize("via", ["direct", "nginx"])
def test_xsrf_and_cors_hold_behind_the_proxy(lb, via):
    url = _targets(lb)[via]
    status, headers, _ = request(url, headers={"Origin": "https://evil.example"},
                                 source=CLIENTS[1])
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    cookie = headers["Set-Cookie"].split(";", 1)[0]  # the XSRF cookie, through nginx too
    assert cookie.startswith("_streamlit_xsrf=")
    upload = "/_stcore/upload_file/no-such-session/file"
    assert request(url, upload, method="PUT", body=b"x", source=CLIENTS[1])[0] == 403
    token = cookie.split("=", 1)[1]
    status = request(url, upload, method="PUT", body=b"x", source=CLIENTS[1],
                     headers={"Cookie": cookie, "X-Xsrftoken": token})[0]
    assert status not in (403, 502), "a valid token passes the XSRF check behind nginx"


_WS = ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol: streamlit"]


def _refused(answer: str) -> bool:
    return answer == "closed" or answer.split()[1] in {"400", "403", "414", "431", "444"}


@pytest.mark.parametrize("via", ["direct", "nginx"])
def test_abuse_is_refused_through_the_proxy_as_without_it(lb, via):
    url = _targets(lb)[via]
    host = urlsplit(url).netloc
    own = [f"Host: {host}", f"Origin: http://{host}"]
    assert raw(url, own + _WS, "/_stcore/stream").startswith("HTTP/1.1 101"), "control"
    attacks = {
        # DNS rebinding: the attacker's name, pointing here, in both Host and Origin
        "crafted Host": ["Host: evil.example", "Origin: http://evil.example"] + _WS,
        "foreign Origin": [f"Host: {host}", "Origin: https://evil.example"] + _WS,
        "300 kB header": [f"Host: {host}", "X-Big: " + "a" * 300_000],
        "3,000 headers": [f"Host: {host}"] + [f"X-{i}: {'a' * 100}" for i in range(3000)],
    }
    for name, lines in attacks.items():
        path = "/_stcore/stream" if "Upgrade: websocket" in lines else "/_stcore/health"
        answer = raw(url, lines, path)
        assert _refused(answer), (name, answer)


def test_nginx_passes_only_what_a_replica_accepts(lb):
    """What nginx forwards never makes a replica fail, so abuse cannot mark replicas down."""
    host = urlsplit(lb.url).netloc
    biggest = [f"Host: {host}"] + [f"X-{i}: {'a' * 7000}" for i in range(3)]
    direct = _targets(lb)["direct"]
    assert raw(lb.url, biggest).startswith("HTTP/1.1 200")
    assert raw(direct, [f"Host: {urlsplit(direct).netloc}"] + biggest[1:]).startswith(
        "HTTP/1.1 200")
    assert raw(lb.url, [f"Host: {host}", "X-Big: " + "a" * 9000]).startswith("HTTP/1.1 400")
    log = (lb.dir / "logs" / "nginx-error.log").read_text()
    assert "temporarily disabled" not in log, "no refusal took a replica out"
    assert set(live_spread(lb).values()) == set(lb.replicas)


# --- failover -----------------------------------------------------------------------------------

FAILOVER_PAGE, FAILOVER_QUERY = "training_loop", "epochs=12&seed=7&epoch=3"


def _wait_for_rotation(c, replicas: set[str], timeout: float = 30) -> None:
    """Until nginx sends clients to every one of `replicas` again (after fail_timeout)."""
    deadline = time.monotonic() + timeout
    while set(live_spread(c).values()) != replicas:
        assert time.monotonic() < deadline, "a restarted replica did not rejoin the rotation"
        time.sleep(1)


def test_a_killed_replicas_sessions_move_and_the_others_see_nothing(lb):
    stop = threading.Event()
    killed_at: list[float] = []
    results: dict[str, dict] = {}

    def student(address: str) -> None:
        mine = results[address] = {"replicas": [], "failures": [], "errors": 0,
                                   "back_after": None}
        s = None
        while not stop.is_set():
            try:
                if s is None:
                    s, replica = open_session(lb, address, FAILOVER_PAGE, FAILOVER_QUERY)
                    mine["replicas"].append(replica)
                result = s.run()
                if result.exceptions:
                    mine["failures"].append(f"{result.exceptions} exception(s)")
                elif killed_at and mine["errors"] and mine["back_after"] is None:
                    mine["back_after"] = time.monotonic() - killed_at[0]
                time.sleep(0.3)
            except Exception as err:  # the replica died under this session: reconnect
                mine["errors"] += 1
                mine["failures"].append(f"{type(err).__name__}: {err}"[:120])
                if s:
                    s.close()
                s = None
                time.sleep(0.2)
        if s:
            s.close()

    clients = CLIENTS[:12]
    threads = [threading.Thread(target=student, args=(a,), daemon=True) for a in clients]
    for t in threads:
        t.start()
    time.sleep(6)  # every session has run its page a few times
    first = {a: results[a]["replicas"][0] for a in clients}
    victim = max(lb.replicas, key=lambda r: list(first.values()).count(r))
    killed_at.append(time.monotonic())
    os.kill(lb.replicas[victim], signal.SIGKILL)
    try:
        time.sleep(KILL_LIMIT_S)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        _check_the_moves(lb, clients, results, first, victim)
    finally:
        stop.set()
        check = lb.launcher("check", check=False)  # the active check restarts the victim
    assert check.returncode == 0 and "restarted" in check.stdout, check.stdout + check.stderr
    assert lb.launcher("status", check=False).returncode == 0
    _wait_for_rotation(lb, set(lb.replicas))


def _check_the_moves(lb, clients, results, first, victim) -> None:

    moved = [a for a in clients if first[a] == victim]
    stayed = [a for a in clients if first[a] != victim]
    assert moved and stayed
    for a in stayed:
        assert results[a]["failures"] == [] and results[a]["replicas"] == [first[a]], (
            a, results[a])
    for a in moved:
        r = results[a]
        assert r["replicas"][-1] != victim and r["replicas"][-1] in lb.replicas, (a, r)
        assert r["back_after"] is not None and r["back_after"] < KILL_LIMIT_S, (a, r)
        assert all("exception" not in f for f in r["failures"]), (a, r)
    backs = sorted(round(results[a]["back_after"], 2) for a in moved)
    print(f"\nfailover ({len(moved)} of {len(clients)} websocket clients moved): working "
          f"again after {backs} s")


_FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY}
_CHART_SIG_JS = """() => JSON.stringify([...document.querySelectorAll('.js-plotly-plot')]
    .map(gd => gd.data.map(t => [t.x, t.y].map(a => a && a.length
        ? [a.length, a[0], a[a.length - 1]] : a))))"""
_STATUS_JS = """() => document.querySelector('[data-testid="stStatusWidget"]')?.textContent || ''"""
_IDLE_WITH_CHARTS_JS = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelectorAll('.js-plotly-plot .main-svg').length > 0"""


@pytest.mark.browser
def test_a_deep_link_survives_the_kill_of_its_replica_in_chromium(lb, browser):  # noqa: F811
    """The frontend reconnects (through nginx, to a live replica) and keeps the page on
    screen; it reruns on the next interaction, which the new replica builds from the
    page's widgets and URL, as a fresh load of that URL would."""
    url = f"{lb.url}/{FAILOVER_PAGE}?{FAILOVER_QUERY}"
    for replica in lb.replicas:  # the class opened the lecturer's link on every replica
        s = Session(lb.direct_url(replica), page=FAILOVER_PAGE, query=FAILOVER_QUERY,
                    timeout=120)
        s.run()
        s.close()
    page, _ = _visit(browser, url, (1280, 720), charts=True)
    try:
        victim = replica_of(lb, "127.0.0.1")  # Chromium connects from 127.0.0.1
        sockets, finished = [], []

        def watch(ws) -> None:
            def frame(payload) -> None:
                msg = ForwardMsg()
                msg.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
                if msg.WhichOneof("type") == "script_finished" and \
                        msg.script_finished in _FINISHED:
                    finished.append(time.monotonic())
            sockets.append(ws)
            ws.on("framereceived", frame)

        page.on("websocket", watch)
        killed = time.monotonic()
        os.kill(lb.replicas[victim], signal.SIGKILL)
        while not sockets or "Connecting" in page.evaluate(_STATUS_JS):
            assert time.monotonic() - killed < KILL_LIMIT_S, "no reconnection"
            page.wait_for_timeout(50)
        reconnected = time.monotonic() - killed
        assert replica_of(lb, "127.0.0.1") != victim
        box = page.locator(".st-key-epoch input")  # the student's next move: epoch 3 → 4
        box.fill("4")
        box.press("Enter")
        while not finished:
            assert time.monotonic() - killed < KILL_LIMIT_S, "no run on the new replica"
            page.wait_for_timeout(50)
        page.wait_for_function(_IDLE_WITH_CHARTS_JS, timeout=30_000)
        working = time.monotonic() - killed
        query = dict(q.split("=") for q in urlsplit(page.url).query.split("&"))
        assert query | {"epoch": "4"} == dict(q.split("=") for q in FAILOVER_QUERY.split("&")) \
            | {"epoch": "4"} and query["epoch"] == "4", page.url
        assert page.locator('[data-testid="stException"]').count() == 0
        after = page.evaluate(_CHART_SIG_JS)
        fresh, _ = _visit(browser, page.url, (1280, 720), charts=True)
        try:
            assert after == fresh.evaluate(_CHART_SIG_JS), "as a fresh load of the URL"
        finally:
            fresh.context.close()
        print(f"\nfailover (Chromium, {FAILOVER_PAGE}): reconnected {reconnected:.2f} s and "
              f"a working page {working:.2f} s after the kill")
    finally:
        page.context.close()
        lb.launcher("check", check=False)
        _wait_for_rotation(lb, set(lb.replicas))
