"""The fair-share job queue: one FIFO lane per instance, lanes served by weighted turns."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Collection


class FairQueue:
    """FIFO per instance; the next job comes from the lane with the least weighted service.

    Stride scheduling: serving a lane advances its *pass* by ``1 / weight`` (``charge`` adds
    the rest of a long job's usage), and the lane with the lowest pass goes next, oldest head
    job first on ties. With equal weights this is round robin; with weights 3:1 the lanes
    start jobs 3:1 while both are busy. A lane that was idle rejoins at the current virtual
    time, so it cannot bank credit, yet a new lane still goes before the lane just served.
    Jobs of one instance keep their submission order.

    ``weight(lane)`` gives a lane's share (the instance's ``usage_allocation_seconds``);
    lanes without one get the mean weight of the waiting lanes that have one (1 if none).

    A job may carry a ``key`` (its session): from ``get`` until ``done(job)`` the key is busy
    and its other jobs are passed over, so with several workers the jobs of one session still
    run one at a time, in order, while other jobs go ahead.
    """

    def __init__(self, weight: Callable[[str], float | None] | None = None) -> None:
        self._lanes: dict[str, deque[tuple[int, str, str | None]]] = {}
        self._pass: dict[str, float] = {}  # lane -> weighted service so far (kept when empty)
        self._now = 0.0  # virtual time: the pass of the lane served last, before serving
        # what the last get changed: lane, its pass, the virtual time, the job's key
        self._undo: tuple[str, float, float, str | None] = ("", 0.0, 0.0, None)
        self._busy: dict[str, str] = {}  # job taken and not yet done -> its key
        self._weight = weight or (lambda _lane: None)
        self._arrivals = itertools.count()
        self._ready = threading.Condition()

    def put(self, lane: str, job_id: str, key: str | None = None) -> None:
        """Append a job to its instance's lane."""
        with self._ready:
            if lane not in self._lanes:
                self._pass[lane] = max(self._pass.get(lane, 0.0), self._now)
            self._lanes.setdefault(lane, deque()).append((next(self._arrivals), job_id, key))
            # One job, one taker: waking every idle slot would cost each a thread switch.
            self._ready.notify()

    def get(self, timeout: float) -> tuple[str, str] | None:
        """``(lane, job)``: the first job with a free key, lanes by lowest pass; None if none.

        Waits up to ``timeout`` seconds for one.
        """
        deadline = time.monotonic() + timeout
        with self._ready:
            while True:
                found = self._take(set(self._busy.values()))
                remaining = deadline - time.monotonic()
                if found is not None or remaining <= 0:
                    return found
                self._ready.wait(remaining)

    def _take(self, busy: Collection[str]) -> tuple[str, str] | None:
        order = sorted(self._lanes, key=lambda name: (self._pass[name], self._lanes[name][0][0]))
        for lane in order:
            jobs = self._lanes[lane]
            for index, (_, job_id, key) in enumerate(jobs):
                if key is not None and key in busy:
                    continue
                del jobs[index]
                if not jobs:
                    del self._lanes[lane]
                self._undo = (lane, self._pass[lane], self._now, key)
                self._now = self._pass[lane]
                self._pass[lane] += 1.0 / self._weights([lane, *self._lanes])[lane]
                if key is not None:
                    self._busy[job_id] = key
                return lane, job_id
        return None

    def charge(self, lane: str, units: float) -> None:
        """Count ``units`` more service to a lane (a job's usage beyond the one unit charged)."""
        with self._ready:
            if units > 0 and lane in self._pass:
                self._pass[lane] += units / self._weights([lane, *self._lanes])[lane]

    def unget(self, lane: str, job_id: str) -> None:
        """Undo ``get``: the job goes back to the head of its lane, which is served next."""
        with self._ready:
            key = self._busy.pop(job_id, None)
            self._lanes.setdefault(lane, deque()).appendleft((-1, job_id, key))
            if self._undo[0] == lane:
                _, self._pass[lane], self._now, _ = self._undo
            self._ready.notify_all()

    def done(self, job_id: str) -> None:
        """A job from ``get`` has finished: the next job of its key (session) may run."""
        with self._ready:
            if self._busy.pop(job_id, None) is not None:
                self._ready.notify_all()

    def wake(self) -> None:
        """Let waiting ``get`` calls look again (used when stopping)."""
        with self._ready:
            self._ready.notify_all()

    def clear(self) -> None:
        """Drop every queued job (the lanes' passes are kept)."""
        with self._ready:
            self._lanes.clear()

    def _weights(self, lanes: list[str]) -> dict[str, float]:
        given = {lane: self._weight(lane) for lane in lanes}
        known = [w for w in given.values() if w is not None and w > 0]
        fallback = sum(known) / len(known) if known else 1.0
        return {lane: w if w is not None and w > 0 else fallback for lane, w in given.items()}
