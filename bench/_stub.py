"""A loopback server that answers ``POST /jobs`` at once and passes every other call upstream.

Used to time ``Sampler.run`` alone (validation, encoding and the POST): the job body is read
in full and answered with a job id, without the parsing and checks the local server does.

    python bench/_stub.py <upstream base URL, e.g. http://127.0.0.1:8000>

Prints ``Stub: http://127.0.0.1:<port>`` once it listens; stops on SIGTERM.
"""

from __future__ import annotations

import http.client
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


def handler_for(upstream: str) -> type[BaseHTTPRequestHandler]:
    """A request handler class forwarding to ``upstream`` (``http://host:port``)."""
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes
        jobs = 0

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self, method: str) -> None:
            body = self._body()
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            connection.request(method, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            connection.close()
            self._answer(response.status, data,
                         response.getheader("Content-Type") or "application/json")

        def do_GET(self) -> None:
            self._forward("GET")

        def do_POST(self) -> None:
            if self.path.split("?")[0].rstrip("/").endswith("/jobs"):
                self._body()
                Handler.jobs += 1
                answer = {"id": f"stub-{Handler.jobs}", "backend": "stub"}
                self._answer(200, json.dumps(answer).encode(), "application/json")
            else:
                self._forward("POST")

    return Handler


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(sys.argv[1]))
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"Stub: http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
