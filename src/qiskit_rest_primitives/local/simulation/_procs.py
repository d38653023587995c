"""Simulation processes: start, feed, watch and kill the interpreters that run Aer.

Why not ``concurrent.futures.ProcessPoolExecutor``: it cannot stop one running task (``cancel``
only drops queued ones), and killing one of its processes breaks the whole pool. Cancelling a
running job, a ``cost`` overrun and a worker lost to the kernel's OOM killer all need exactly
that: end one simulation now and carry on with the others. Why not ``multiprocessing.Process``:
under ``spawn`` and ``forkserver`` each child re-imports the parent's ``__main__`` script, so a
user script that starts ``LocalRuntimeServer()`` without an ``if __name__ == "__main__"`` guard
would start servers in its workers; ``fork`` copies a process whose uvicorn and scheduler threads
hold locks (unsafe, and deprecated in Python 3.12). So each worker is a fresh interpreter started
with ``subprocess`` on our own entry point (:func:`._child.main`),
fed length-prefixed pickles on its stdin and answering on its stdout. Starting one takes about as
long as importing Qiskit and Aer, so the :class:`Launcher` keeps a warm spare: a killed worker is
replaced at once.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import IO, Any

_HEADER = struct.Struct("!Q")
# The worker's first lines, before any import: on Linux, ask the kernel to SIGKILL this process
# when the thread that started it ends. A simulation holds the GIL for its whole run, so no
# watchdog thread could notice a dead parent; and importing Qiskit takes long enough for a
# server to die meanwhile, hence the parent check. Elsewhere an orphaned worker ends at its next
# read of stdin. First of all, SIGINT is ignored: Ctrl-C in a terminal signals the whole
# foreground process group, workers included, and each would print a KeyboardInterrupt
# traceback; the server stops its workers itself.
_BOOT = """import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
if sys.platform.startswith("linux"):
    import ctypes
    ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    if str(os.getppid()) != os.environ["QRP_PARENT_PID"]:
        os._exit(0)
from qiskit_rest_primitives.local.simulation._child import main
main()
"""
#: The first message a worker sends once Qiskit and Aer are imported.
READY = "ready"


def write_frame(stream: IO[bytes], message: Any) -> None:
    """Send one pickled message, length first."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """Receive one message; ``EOFError`` once the other side is gone."""
    header = _read_exactly(stream, _HEADER.size)
    return pickle.loads(_read_exactly(stream, _HEADER.unpack(header)[0]))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("the other end of the pipe closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class Died:
    """What a worker's reader thread reports when the process is gone."""

    description: str


def describe_exit(returncode: int | None) -> str:
    """``killed by SIGKILL`` / ``exit code 3``: how a worker process ended."""
    if returncode is None:
        return "still running"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


class WorkerProcess:
    """One simulation interpreter: send it a task, wait for the answer, or kill it."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        env = {**os.environ, **(env or {}), "QRP_PARENT_PID": str(os.getpid())}
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True)
        self._answers: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.ready = threading.Event()
        #: Backends (name -> id of the object) this process has been sent, not built in.
        self.sent: dict[str, int] = {}
        self._reader = threading.Thread(target=self._read, name=f"local-runtime-pipe-{self.pid}",
                                        daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        """The operating-system process id."""
        return self._proc.pid

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self._proc.poll() is None

    def send(self, task: Any) -> None:
        """Hand a task to the process (a dead one answers :class:`Died` in :meth:`answer`)."""
        try:
            assert self._proc.stdin is not None
            write_frame(self._proc.stdin, task)
        except (BrokenPipeError, OSError, ValueError):
            pass  # the reader thread reports the death

    def answer(self, timeout: float | None) -> Any:
        """The next answer (or :class:`Died`); ``queue.Empty`` after ``timeout`` seconds."""
        return self._answers.get(timeout=timeout)

    def kill(self) -> None:
        """End the process at once (SIGKILL), whatever it is doing."""
        with contextlib.suppress(OSError):  # already reaped
            self._proc.kill()

    def close(self) -> None:
        """Kill the process and reap it."""
        self.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL cannot be ignored
            self._proc.wait(timeout=5)
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # broken pipe on close
                    stream.close()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        try:
            while True:
                message = read_frame(self._proc.stdout)
                if message == READY:
                    self.ready.set()
                else:
                    self._answers.put(message)
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            pass
        self.ready.set()
        self._answers.put(Died(describe_exit(self._proc.wait())))


class Launcher:
    """Starts worker processes from one long-lived thread and keeps ``spares`` warm ones ready.

    Processes start from this thread only: on Linux a worker asks the kernel to kill it when the
    thread that started it ends (``PR_SET_PDEATHSIG``), so workers never outlive the server,
    even one killed with ``kill -9``.
    """

    def __init__(self, spares: int = 1, env: dict[str, str] | None = None) -> None:
        self._env = env
        self._stock: queue.SimpleQueue[WorkerProcess] = queue.SimpleQueue()
        self._orders: queue.SimpleQueue[bool] = queue.SimpleQueue()
        self._started: list[WorkerProcess] = []
        self._lock = threading.Lock()
        for _ in range(spares):
            self._orders.put(True)
        self._thread = threading.Thread(target=self._loop, name="local-runtime-launcher",
                                        daemon=True)
        self._thread.start()

    def take(self) -> WorkerProcess:
        """A started process (a warm spare when there is one); orders its replacement."""
        self._orders.put(True)
        return self._stock.get()

    def close(self) -> None:
        """Stop launching and kill every process this launcher started."""
        self._orders.put(False)
        self._thread.join(timeout=10)
        with self._lock:
            started, self._started = self._started, []
        for process in started:
            process.close()

    def _loop(self) -> None:
        while self._orders.get():
            process = WorkerProcess(self._env)
            with self._lock:
                self._started = [p for p in self._started if p.alive()]
                self._started.append(process)
            self._stock.put(process)
