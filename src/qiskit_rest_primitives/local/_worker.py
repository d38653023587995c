"""The job worker: one daemon thread running queued jobs, round-robin across instances."""

from __future__ import annotations

import itertools
import json
import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import Any

from qiskit.exceptions import QiskitError

from ._backends import BackendInfo, BackendRegistry
from ._errors import ApiError
from ._pubs import PreparedJob, prepare
from ._runner import run_job
from ._store import Store, now_iso

REASON_TOO_LONG = 1305
REASON_VALIDATION = 1002
REASON_SIMULATION = 1003
REASON_INTERNAL = 9999


class FairQueue:
    """FIFO per instance; the next job comes from the lane with the least weighted service.

    Stride scheduling: serving a lane advances its *pass* by ``1 / weight`` (``charge`` adds
    the rest of a long job's usage), and the lane with the lowest pass goes next, oldest head
    job first on ties. With equal weights this is round robin; with weights 3:1 the lanes
    start jobs 3:1 while both are busy. A lane that was idle rejoins at the current virtual
    time, so it cannot bank credit, yet a new lane still goes before the lane just served.
    Jobs of one instance (hence of one session) keep their submission order.

    ``weight(lane)`` gives a lane's share (the instance's ``usage_allocation_seconds``);
    lanes without one get the mean weight of the waiting lanes that have one (1 if none).
    """

    def __init__(self, weight: Callable[[str], float | None] | None = None) -> None:
        self._lanes: dict[str, deque[tuple[int, str]]] = {}
        self._pass: dict[str, float] = {}  # lane -> weighted service so far (kept when empty)
        self._now = 0.0  # virtual time: the pass of the lane served last, before serving
        self._undo: tuple[str, float, float] = ("", 0.0, 0.0)  # what the last get changed
        self._weight = weight or (lambda _lane: None)
        self._arrivals = itertools.count()
        self._ready = threading.Condition()

    def put(self, lane: str, job_id: str) -> None:
        """Append a job to its instance's lane."""
        with self._ready:
            if lane not in self._lanes:
                self._pass[lane] = max(self._pass.get(lane, 0.0), self._now)
            self._lanes.setdefault(lane, deque()).append((next(self._arrivals), job_id))
            self._ready.notify()

    def get(self, timeout: float) -> tuple[str, str] | None:
        """``(lane, job)``: the head job of the lane with the lowest pass, or None."""
        with self._ready:
            if not self._lanes:
                self._ready.wait(timeout)
            if not self._lanes:
                return None
            lane = min(self._lanes, key=lambda name: (self._pass[name], self._lanes[name][0][0]))
            jobs = self._lanes[lane]
            job_id = jobs.popleft()[1]
            if not jobs:
                del self._lanes[lane]
            self._undo = (lane, self._pass[lane], self._now)
            self._now = self._pass[lane]
            self._pass[lane] += 1.0 / self._weights([lane, *self._lanes])[lane]
            return lane, job_id

    def charge(self, lane: str, units: float) -> None:
        """Count ``units`` more service to a lane (a job's usage beyond the one unit charged)."""
        with self._ready:
            if units > 0 and lane in self._pass:
                self._pass[lane] += units / self._weights([lane, *self._lanes])[lane]

    def unget(self, lane: str, job_id: str) -> None:
        """Undo ``get``: the job goes back to the head of its lane, which is served next."""
        with self._ready:
            self._lanes.setdefault(lane, deque()).appendleft((-1, job_id))
            if self._undo[0] == lane:
                _, self._pass[lane], self._now = self._undo

    def _weights(self, lanes: list[str]) -> dict[str, float]:
        given = {lane: self._weight(lane) for lane in lanes}
        known = [w for w in given.values() if w is not None and w > 0]
        fallback = sum(known) / len(known) if known else 1.0
        return {lane: w if w is not None and w > 0 else fallback for lane, w in given.items()}


class _Helpers:
    """Daemon threads reused across simulations; a new one starts only when all are busy.

    Starting a thread per job costs more than a tiny simulation; daemon threads (unlike a
    ``ThreadPoolExecutor``'s) never hold up interpreter exit behind an overrunning simulation.
    """

    def __init__(self) -> None:
        self._tasks: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0
        self._threads = 0

    def run(self, task: Callable[[], None]) -> None:
        """Run ``task`` on an idle helper thread, or on a new one."""
        with self._lock:
            start = self._idle == 0
            if start:
                self._threads += 1
            else:
                self._idle -= 1
        if start:
            threading.Thread(target=self._loop, name="local-runtime-sim", daemon=True).start()
        self._tasks.put(task)

    def close(self) -> None:
        """Let every helper thread exit once it is idle."""
        with self._lock:
            count, self._threads, self._idle = self._threads, 0, 0
        for _ in range(count):
            self._tasks.put(None)

    def _loop(self) -> None:
        while (task := self._tasks.get()) is not None:
            task()  # tasks catch their own exceptions
            with self._lock:
                self._idle += 1


class Worker:
    """Runs jobs one at a time (so jobs of a session run in order) and records their outcome."""

    def __init__(self, store: Store, *, noise: bool, seed: int | None,
                 backends: BackendRegistry) -> None:
        self._store = store
        self._backends = backends
        self._noise = noise
        self._seed = seed
        self._queue = FairQueue(self._allocation)
        self._prepared: dict[str, PreparedJob] = {}
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.job_delay = 0.0  # extra simulated seconds per job (a test control)
        self.errors: list[BaseException] = []
        self._helpers = _Helpers()
        self._thread = threading.Thread(target=self._loop, name="local-runtime-worker", daemon=True)

    def _allocation(self, crn: str) -> float | None:
        """An instance's fair-share weight: its ``usage_allocation_seconds``."""
        row = self._store.instance(crn=crn)
        return None if row is None or row["usage_allocation_seconds"] is None else float(
            row["usage_allocation_seconds"])

    def start(self) -> None:
        """Start the thread and re-queue jobs left unfinished by a previous server run."""
        for job_id in self._store.pending_job_ids():
            self._store.update_job(job_id, status="Queued")
            self._enqueue(job_id)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current job; waits for the thread."""
        self._stop.set()
        self._running.set()
        self._thread.join(timeout=30)
        self._helpers.close()

    def submit(self, job_id: str, prepared: PreparedJob, lane: str | None = None) -> None:
        """Queue a stored job; ``prepared`` saves decoding the params a second time.

        ``lane`` is the job's instance CRN (looked up in the store when not given).
        """
        self._prepared[job_id] = prepared
        if lane is None:
            self._enqueue(job_id)
        else:
            self._queue.put(lane, job_id)

    def _enqueue(self, job_id: str) -> None:
        row = self._store.job(job_id)
        self._queue.put(row["crn"] if row else "", job_id)

    def pause(self) -> None:
        """Hold queued jobs (tests use this to observe Queued jobs, cancel them, etc.)."""
        self._running.clear()

    def resume(self) -> None:
        """Let queued jobs run again."""
        self._running.set()

    def forget(self) -> None:
        """Drop cached prepared pubs (after a store reset)."""
        self._prepared.clear()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if not self._running.wait(timeout=0.05):
                continue
            item = self._queue.get(timeout=0.05)
            if item is None:
                continue
            if self._stop.is_set():
                return
            if not self._running.is_set():  # paused meanwhile: keep the job's place
                self._queue.unget(*item)
                continue
            job_id = item[1]
            try:
                self._execute(job_id)
            except Exception as exc:  # a bug in the server: keep it for check_errors()
                self.errors.append(exc)
                self._finish(job_id, "Failed", reason=f"Internal error: {exc}",
                             reason_code=REASON_INTERNAL)

    def _execute(self, job_id: str) -> None:
        prepared = self._prepared.pop(job_id, None)
        row = self._store.job(job_id)
        if row is None or not self._store.transition(
            job_id, ("Queued",), status="Running", running=now_iso()
        ):
            return
        self._touch_session(row.get("session_id"), last_job_started=now_iso())
        backend = self._backends.get(row["backend"])
        if backend is None:  # stored by an earlier run that offered more backends
            self._finish(job_id, "Failed", reason=f"Backend {row['backend']!r} is gone",
                         reason_code=REASON_VALIDATION)
            return
        try:
            if prepared is None:
                prepared = prepare(row["program_id"], json.loads(row["params"]), backend)
        except ApiError as exc:
            self._finish(job_id, "Failed", reason=exc.message, reason_code=REASON_VALIDATION)
            return
        cost = row.get("cost")
        try:
            output = self._run_bounded(prepared, backend, cost)
        except QiskitError as exc:  # the simulator refused the job (size, memory...): job fails
            self._finish(job_id, "Failed", reason=f"Simulation failed: {exc}",
                         reason_code=REASON_SIMULATION)
            return
        if output is None or (cost is not None and output.seconds > cost):
            # wire-format §7: max execution time exceeded → Cancelled, reason_code 1305.
            self._finish(job_id, "Cancelled", reason="Ran too long",
                         reason_code=REASON_TOO_LONG, usage=max(1, cost or 0),
                         result="Job ran longer than its maximum execution time (cost).")
            return
        usage = max(1, math.ceil(output.seconds))
        self._queue.charge(row["crn"], usage - 1)  # one unit was charged when it started
        self._finish(job_id, "Completed", result=output.text, usage=usage)

    def _run_bounded(self, prepared: PreparedJob, backend: BackendInfo,
                     cost: int | None) -> Any:
        """Run the simulation in a helper thread; None if it outlives ``cost`` seconds.

        Aer cannot be interrupted, so an overrunning simulation finishes in the background
        and its output is dropped; the job is final as soon as the deadline passes.
        """
        future: Future[Any] = Future()
        delay = self.job_delay

        def target() -> None:
            try:
                if delay:
                    time.sleep(delay)
                noise = self._noise if backend.noise is None else backend.noise
                future.set_result(run_job(prepared, backend, noise=noise, seed=self._seed))
            except BaseException as exc:  # handed to the worker thread below
                future.set_exception(exc)

        self._helpers.run(target)
        try:
            return future.result(timeout=None if cost is None else float(cost))
        except FutureTimeoutError:  # the builtin TimeoutError only from Python 3.11 on
            return None

    def _finish(self, job_id: str, status: str, *, reason: str | None = None,
                reason_code: int | None = None, result: str | None = None,
                usage: float = 0) -> None:
        fields: dict[str, Any] = {"status": status, "finished": now_iso(), "reason": reason,
                                  "reason_code": reason_code, "usage_seconds": usage,
                                  "logs": f"{now_iso()} job {job_id} finished: {status}\n"}
        if result is not None:
            fields["result"] = result
        elif reason is not None:
            fields["result"] = f"Error code {reason_code}; {reason}"
        if self._store.transition(job_id, ("Running", "Queued"), **fields):
            row = self._store.job(job_id)
            if row is not None:
                self._touch_session(row.get("session_id"), last_job_completed=now_iso())

    def _touch_session(self, session_id: str | None, **fields: Any) -> None:
        if not session_id:
            return
        session = self._store.session(session_id)
        if session is None:
            return
        if "last_job_started" in fields and session["state"] == "open":
            fields.update(state="active", activated=now_iso())
        self._store.update_session(session_id, **fields)
        close_if_drained(self._store, session_id)


def close_if_drained(store: Store, session_id: str) -> None:
    """A session not accepting jobs closes as soon as no job of it is pending (wire-format §9)."""
    session = store.session(session_id)
    if (session and not session["accepting_jobs"] and session["state"] != "closed"
            and not store.pending_job_ids(session_id)):
        store.update_session(session_id, state="closed", closed=now_iso())
