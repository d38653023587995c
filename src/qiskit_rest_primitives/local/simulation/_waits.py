"""Bounded waits for a job to finish: a results poll that arrives just early is answered at once.

A worker thread finishes jobs; request handlers run on the event loop. A handler registers a
future for the job, the worker wakes it through the loop's thread-safe call, and the handler
never blocks the loop (it awaits, with a time bound, then answers as before).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

#: How long ``GET /jobs/{id}/results`` waits for a running job before answering 204.
RESULT_WAIT_SECONDS = 0.25


class FinishWaits:
    """Futures of handlers waiting for jobs, woken when the worker finishes those jobs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]]] = {}

    async def wait(self, job_id: str, timeout: float, done: Callable[[], bool]) -> None:
        """Return once ``job_id`` finishes, ``done()`` is already true, or after ``timeout``."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        entry = (loop, future)
        with self._lock:  # registered before looking, so a finish in between is not missed
            self._waiting.setdefault(job_id, []).append(entry)
        try:
            if not done():
                await asyncio.wait({future}, timeout=timeout)
        finally:
            with self._lock:
                entries = self._waiting.get(job_id, [])
                if entry in entries:
                    entries.remove(entry)
                if not entries:
                    self._waiting.pop(job_id, None)

    def notify(self, job_id: str) -> None:
        """Wake every handler waiting for ``job_id`` (called from any thread)."""
        with self._lock:
            entries = self._waiting.pop(job_id, [])
        for loop, future in entries:
            loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
