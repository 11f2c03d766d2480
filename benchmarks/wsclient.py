"""A minimal Streamlit browser session over the real websocket protocol (for benchmarks).

It speaks what the frontend speaks: protobuf `BackMsg.rerun_script` up, `ForwardMsg`s down
until `script_finished`, and it reports the hashes of the cacheable messages it already holds,
as a browser does, so the server can send references instead of repeats.
"""

from __future__ import annotations

import socket
import time
import uuid
from dataclasses import dataclass

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

_DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


@dataclass
class RunResult:
    seconds: float  # from sending the rerun request to the final script_finished
    received_bytes: int  # websocket payload received
    exceptions: int  # exception elements the page drew
    status: int  # the final ScriptFinishedStatus
    largest_bytes: int = 0  # the largest single message received


class Session:
    """One browser tab: connect, run a page, rerun it."""

    def __init__(self, base_url: str, *, page: str = "", query: str = "", timeout: float = 60,
                 source_address: str | None = None):
        ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        sock = None
        if source_address:  # one client of many behind a balancer that hashes the address
            host, port = base_url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
            sock = socket.create_connection((host, int(port)), timeout=timeout,
                                            source_address=(source_address, 0))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # TCP_NODELAY as browsers set it: without it, Nagle + delayed ACK add ~40 ms a run.
        self.ws = websocket.create_connection(
            ws_url, subprotocols=["streamlit"], timeout=timeout, origin=base_url,
            sockopt=((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),), socket=sock)
        self.page, self.query = page, query
        self.page_hash = ""
        self.session_id = ""  # the server's id of this session (from its new_session)
        self.cached: set[str] = set()

    def run(self, on_message=None) -> RunResult:
        """Request a (re)run of the page and read messages until the run has finished.

        `on_message(fwd)`, if given, sees every ForwardMsg of the run (e.g. to collect elements).
        """
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        state.page_script_hash = self.page_hash
        state.cached_message_hashes.extend(sorted(self.cached))
        start = time.perf_counter()
        self.ws.send_binary(msg.SerializeToString())
        received = exceptions = largest = 0
        while True:
            data = self.ws.recv()
            received += len(data)
            largest = max(largest, len(data))
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if on_message:
                on_message(fwd)
            if fwd.metadata.cacheable and fwd.hash:
                self.cached.add(fwd.hash)
            if kind == "new_session" and fwd.new_session.initialize.session_id:
                self.session_id = fwd.new_session.initialize.session_id
            if kind == "new_session" and fwd.new_session.page_script_hash:
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "page_info_changed" and fwd.page_info_changed.query_string:
                self.query = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                exceptions += fwd.delta.new_element.WhichOneof("type") == "exception"
            elif kind == "script_finished" and fwd.script_finished in _DONE:
                return RunResult(time.perf_counter() - start, received, exceptions,
                                 fwd.script_finished, largest)

    def deferred_url(self, file_id: str) -> str:
        """The media URL of a deferred download (`st.download_button` given a callable), as
        the frontend asks for it on a click: a backend operation over the websocket."""
        request_id = uuid.uuid4().hex
        msg = BackMsg()
        msg.backend_operation_request.request_id = request_id
        msg.backend_operation_request.session_id = self.session_id
        msg.backend_operation_request.deferred_file.file_id = file_id
        self.ws.send_binary(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv())
            reply = fwd.backend_operation_response
            if fwd.WhichOneof("type") == "backend_operation_response" \
                    and reply.request_id == request_id:
                if reply.error_msg:
                    raise RuntimeError(f"deferred download {file_id}: {reply.error_msg}")
                return reply.deferred_file.url

    def close(self) -> None:
        try:
            self.ws.close()
        except OSError:
            pass


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    import os

    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
