"""A ``qiskit-rest-primitives serve`` subprocess for tests where a crash or a kill is the point."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

SRC = str(Path(__file__).resolve().parents[2] / "src")


class Served:
    """The server process, its JSON banner and every line it wrote to stderr so far."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, umask: int = -1) -> None:
        full_env = {**os.environ, "PYTHONPATH": SRC, **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qiskit_rest_primitives.local._cli", "serve", "--port", "0",
             "--json", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env, umask=umask)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"serve did not start: {self.proc.stderr.read()}")
        self.banner: dict[str, Any] = json.loads(line)
        self.url: str = self.banner["url"]
        self.iam_url: str = self.banner["iam_url"]
        self.api_key: str = self.banner["api_key"]
        self.instance: str = self.banner["instance"]
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def log_text(self) -> str:
        """Everything logged so far."""
        return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        """The first logged line matching ``pattern`` (waiting for it)."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            for line in list(self.lines):
                found = regex.search(line)
                if found:
                    return found
            time.sleep(0.02)
        raise AssertionError(f"no log line matched {pattern!r}:\n{self.log_text()}")

    def stop(self) -> int:
        """SIGINT, like Ctrl-C; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=20)
        finally:
            self._reader.join(timeout=5)
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def pid_gone(pid: int, timeout: float = 5.0) -> bool:
    """Whether process ``pid`` has ended (and is not a zombie) within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.02)
    return False


def long_qasm(layers: int) -> str:
    """An ISA circuit for ``ibmq_manila`` whose mid-circuit measurements make Aer simulate shot
    by shot: about ``layers`` x shots x 10 gate applications (400 layers at 100000 shots run for
    tens of seconds), in a small body."""
    layer = "".join(f"sx ${q};\n" for q in range(5))
    layer += "cx $0, $1;\ncx $1, $2;\ncx $3, $4;\nc[0] = measure $0;\n"
    return 'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[1] c;\n' + layer * layers
