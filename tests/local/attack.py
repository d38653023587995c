"""Helpers for hostile-input tests: raw-socket requests and a fresh ``serve`` subprocess."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import requests

from .conftest import API_VERSION

H = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


def nested_gates(levels: int, comment: bool = True) -> str:
    """``levels`` gate definitions, each calling the previous one twice (2**levels cx)."""
    lines = [H + "gate g0 a, b { cx a, b; cx a, b; }"]
    lines += [f"gate g{i} a, b {{ g{i - 1} a, b; g{i - 1} a, b; }}" for i in range(1, levels)]
    lines += ["bit[2] c;", f"g{levels - 1} $0, $1;", "c[0] = measure $0;"]
    return "\n".join(lines) + ("\n// nested\n" if comment else "\n")


def raw_request(port: int, head: bytes, chunks: Iterable[bytes] = (),
                timeout: float = 10.0) -> bytes:
    """Send ``head`` then ``chunks`` on one connection (stopping when the server closes it);
    return everything the server answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(head)
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:  # the server answered and closed while we were still sending
            pass
        answer = b""
        with contextlib.suppress(OSError):
            while data := sock.recv(65536):
                answer += data
        return answer


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP answer."""
    return int(answer.split(b" ", 2)[1])


@dataclass
class Served:
    """A ``qiskit-rest-primitives serve`` subprocess and its credentials."""

    proc: subprocess.Popen[str]
    url: str
    base_url: str
    port: int
    api_key: str
    crn: str

    def headers(self) -> dict[str, str]:
        """Authorization (a fresh token), Service-CRN and IBM-API-Version."""
        token = requests.post(self.base_url + "/identity/token", timeout=10, data={
            "grant_type": "urn:ibm:params:oauth:grant-type:apikey",
            "apikey": self.api_key}).json()["access_token"]
        return {"Authorization": f"Bearer {token}", "Service-CRN": self.crn,
                "IBM-API-Version": API_VERSION}


@contextlib.contextmanager
def serve(*flags: str) -> Iterator[Served]:
    """Run ``serve --port 0 *flags`` and stop it with SIGINT afterwards."""
    command = [sys.executable, "-m", "qiskit_rest_primitives.local._cli", "serve", "--port", "0",
               "--log-level", "warning", *flags]  # stderr is not read: no request log
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        try:
            banner: dict[str, str] = {}
            while len(banner) < 4:
                line = proc.stdout.readline()  # type: ignore[union-attr]
                assert line, proc.stderr.read()  # type: ignore[union-attr]
                key, _, value = line.partition(":")
                banner[key.strip()] = value.strip()
            url = banner["Runtime API"]
            base = url.removesuffix("/api/v1")
            yield Served(proc, url, base, int(base.rsplit(":", 1)[1]), banner["API key"],
                         banner["CRN"])
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:  # pragma: no cover - only on a hung server
                proc.kill()
                proc.wait()
