"""A simulation worker process: read a task from stdin, simulate it with Aer, answer on stdout.

Started by :mod:`._procs` (which calls :func:`main`); never by hand.
Answers are ``("ok", text, seconds)`` or ``("error", kind, message)`` with ``kind`` one of
``validation`` (the stored params no longer decode), ``simulation`` (Aer refused the job) or
``internal`` (a bug; the message carries the traceback).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback
from typing import IO, Any

from ._procs import READY, read_frame, write_frame


def _protocol_streams() -> tuple[IO[bytes], IO[bytes]]:
    """Keep stdin/stdout for the protocol and send anything else printed to stderr.

    A C library writing to file descriptor 1 would otherwise corrupt the answer frames.
    """
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return sys.stdin.buffer, answers


_ADDED: dict[str, Any] = {}  # backends the server added at run time, as it sent them


def _run(task: dict[str, Any]) -> tuple[Any, ...]:
    import json

    from qiskit.exceptions import QiskitError

    from ..api._errors import ApiError
    from ..circuits._pubs import prepare
    from ..state._backends import load_backend
    from ._runner import run_job

    if "backend_info" in task:
        _ADDED[task["backend"]] = task["backend_info"]
    backend = _ADDED.get(task["backend"]) or load_backend(task["backend"])
    try:
        prepared = prepare(task["program"], json.loads(task["params"]), backend, task["limits"])
    except ApiError as exc:
        return ("error", "validation", exc.message)
    if task.get("delay"):
        time.sleep(float(task["delay"]))
    try:
        output = run_job(prepared, backend, noise=bool(task["noise"]), seed=task["seed"])
    except QiskitError as exc:  # the simulator refused the job (size, memory...)
        return ("error", "simulation", str(exc))
    return ("ok", output.text, output.seconds)


def main() -> None:
    """Serve tasks until stdin closes."""
    tasks, answers = _protocol_streams()
    if hasattr(os, "nice"):  # the server's own threads (the API) go first on a busy machine
        with contextlib.suppress(OSError):
            os.nice(10)
    from ..state._backends import backend_names, load_backend
    from ._runner import run_job  # noqa: F401 - import Qiskit and Aer before saying ready

    for name in backend_names():
        load_backend(name)
    write_frame(answers, READY)
    while True:
        try:
            task = read_frame(tasks)
        except EOFError:
            return
        try:
            answer = _run(task)
        except Exception:  # a bug: report it with its traceback, stay alive
            answer = ("error", "internal", traceback.format_exc())
        write_frame(answers, answer)

