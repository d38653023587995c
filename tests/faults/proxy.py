"""A loopback HTTP proxy that forwards to the local server and scripts per-request faults.

It stands where a gateway or a flaky network would: between the client and the server, so a
fault can strike *before* the server saw a request (it never learns of it) or *after* the
server processed it (the client alone loses the answer). Stripe tests its idempotency keys
the same way. Loopback only; every loop is bounded by the script or a socket timeout.
"""

from __future__ import annotations

import http.client
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: What a fault does. ``*_before``: the server never sees the request. ``*_after``: the server
#: answers, and the client gets something else.
KINDS = frozenset({
    "status_before", "status_after", "reset_before", "reset_after", "truncate", "corrupt",
    "html", "slow",
})
_HOP_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length",
                          "date", "server"})
_UPSTREAM_TIMEOUT = 30.0


@dataclass
class Fault:
    """The next ``count`` requests matching ``method`` and ``path`` (a regex) get ``kind``."""

    kind: str
    method: str | None = None
    path: str = ""
    count: int = 1
    status: int = 503
    retry_after: str | None = None
    delay: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")

    def matches(self, method: str, path: str) -> bool:
        return (self.count > 0 and (self.method in (None, method))
                and re.search(self.path, path) is not None)


@dataclass
class Seen:
    """One request the proxy handled: what it was, which fault struck, what the client got."""

    method: str
    path: str
    fault: str | None
    status: int | None
    at: float = field(default_factory=time.monotonic)


class FaultProxy:
    """``with FaultProxy(upstream_port) as proxy:`` point the client at ``proxy.base_url``."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.seen: list[Seen] = []
        self._down_until = 0.0
        self._down_path = ""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, kind: str, method: str | None = None, path: str = "", **options: Any) -> None:
        """Script a fault for the next matching requests (see :class:`Fault`)."""
        with self._lock:
            self._faults.append(Fault(kind, method, path, **options))

    def outage(self, seconds: float, path: str = "") -> None:
        """Reset every connection to a matching path for the next ``seconds`` (a dead server)."""
        with self._lock:
            self._down_until = time.monotonic() + seconds
            self._down_path = path

    def is_down(self, path: str) -> bool:
        with self._lock:
            return (time.monotonic() < self._down_until
                    and re.search(self._down_path, path) is not None)

    def clear(self) -> None:
        """Drop every scripted fault and the request record."""
        with self._lock:
            self._faults.clear()
            self.seen.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if any (its count goes down by one)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    return fault
        return None

    def record(self, method: str, path: str, fault: Fault | None, status: int | None) -> None:
        with self._lock:
            self.seen.append(Seen(method, path, fault.kind if fault else None, status))

    def requests(self, method: str | None = None, path: str = "") -> list[Seen]:
        """Requests seen, optionally those of one method whose path matches a regex."""
        with self._lock:
            return [s for s in self.seen if method in (None, s.method)
                    and re.search(path, s.path) is not None]


def _handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        owner = proxy

    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: FaultProxy

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads :attr:`FaultProxy.seen` instead."""

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = self.owner.take(self.command, self.path)
        kind = fault.kind if fault else None
        if fault is not None and kind == "status_before":
            self._reply(fault.status, *_error(fault), fault)
            return
        if kind == "reset_before" or (fault is None and self.owner.is_down(self.path)):
            self.owner.record(self.command, self.path, fault, None)
            self._reset()
            return
        try:
            status, headers, content = self._forward(body)
        except OSError:  # the server is down: answer as a gateway does
            self._reply(502, {"Content-Type": "text/plain"}, b"Bad Gateway", None)
            return
        if fault is None:
            self._reply(status, headers, content, None)
        elif kind == "status_after":
            self._reply(fault.status, *_error(fault), fault)
        elif kind == "reset_after":
            self.owner.record(self.command, self.path, fault, None)
            self._reset()
        elif kind == "slow":
            self.owner.record(self.command, self.path, fault, status)
            time.sleep(fault.delay)
            self._reply(status, headers, content, None, record=False)
        elif kind == "truncate":
            self._reply(status, headers, content, fault, cut=max(1, len(content) // 2))
        elif kind == "corrupt":
            self._reply(status, headers, _scramble(content), fault)
        elif kind == "html":
            self._reply(200, {"Content-Type": "text/html"},
                        b"<html><body><h1>Service temporarily unavailable</h1></body></html>",
                        fault)

    def _forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.owner.upstream_port,
                                                timeout=_UPSTREAM_TIMEOUT)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            content = response.read()
            return (response.status,
                    {k: v for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS},
                    content)
        finally:
            connection.close()

    def _reply(self, status: int, headers: dict[str, str], content: bytes, fault: Fault | None,
               *, cut: int | None = None, record: bool = True) -> None:
        if record:
            self.owner.record(self.command, self.path, fault, status)
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content if cut is None else content[:cut])
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up (read timeout)
            return
        if cut is not None:
            self._reset()

    def _reset(self) -> None:
        """Drop the connection with a TCP reset (SO_LINGER 0), as a crashing gateway would."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


def _error(fault: Fault) -> tuple[dict[str, str], bytes]:
    headers = {"Content-Type": "application/json"}
    if fault.retry_after is not None:
        headers["Retry-After"] = fault.retry_after
    body = (b'{"errors":[{"code":"9999","message":"Injected by the fault proxy",'
            b'"more_info":"https://quantum.cloud.ibm.com/docs/errors"}],"trace":"proxy"}')
    return headers, body


def _scramble(content: bytes) -> bytes:
    """The same length of bytes, no longer valid JSON (or any envelope)."""
    if not content:
        return b"\x00garbage"
    middle = len(content) // 2
    return b"{\x00" + content[2:middle] + b"\xff\xfe" + content[middle + 2:]
