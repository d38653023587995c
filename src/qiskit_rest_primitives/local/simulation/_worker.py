"""The job scheduler: N slots, each driving one simulation process, fed by the fair-share queue.

Simulations run in worker processes (see :mod:`._procs`), so the API answers while they run and
one can be stopped at once: a cancelled job or a ``cost`` overrun kills its process and a warm
spare takes its place; a process that dies (out of memory, a crash) fails its job with the reason.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import threading
from collections.abc import Callable
from typing import Any

from ..circuits._limits import Limits
from ..state._backends import BackendRegistry, backend_names
from ..state._store import Store, now_iso
from ._fairqueue import FairQueue
from ._procs import Died, Launcher, WorkerProcess

__all__ = ["FairQueue", "Worker", "close_if_drained"]

REASON_TOO_LONG = 1305
REASON_VALIDATION = 1002
REASON_SIMULATION = 1003
REASON_INTERNAL = 9999

_KIND_CODES = {"validation": REASON_VALIDATION, "simulation": REASON_SIMULATION}
_log = logging.getLogger("qiskit_rest_primitives.local")


class _Slot:
    """One worker: its process (None until needed) and the job it runs."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.process: WorkerProcess | None = None
        self.job_id: str | None = None
        self.killed = False  # the process was killed for its job: replace it before the next


class Worker:
    """Runs queued jobs on ``workers`` processes and records their outcome.

    Jobs start in fair-share order across instances (an instance's weight is its
    ``usage_allocation_seconds``); jobs of one session run one at a time, in submission order.
    """

    def __init__(self, store: Store, *, noise: bool, seed: int | None,
                 backends: BackendRegistry, workers: int = 1,
                 limits: Limits | None = None) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._store = store
        self._backends = backends
        self._limits = limits
        self._noise = noise
        self._seed = seed
        self._queue = FairQueue(self._allocation)
        self._slots = [_Slot(i) for i in range(workers)]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._launcher: Launcher | None = None
        self._threads: list[threading.Thread] = []
        self.job_delay = 0.0  # extra simulated seconds per job (a test control)
        self.errors: list[BaseException] = []
        #: Called with a job's id each time the worker finishes one (wakes results polls).
        self.on_finish: Callable[[str], None] | None = None

    def _allocation(self, crn: str) -> float | None:
        """An instance's fair-share weight: its ``usage_allocation_seconds``."""
        row = self._store.instance(crn=crn)
        return None if row is None or row["usage_allocation_seconds"] is None else float(
            row["usage_allocation_seconds"])

    @property
    def workers(self) -> int:
        """How many jobs may run at once."""
        return len(self._slots)

    def start(self) -> None:
        """Start the processes and slots; re-queue jobs a previous server run left unfinished."""
        for job_id in self._store.pending_job_ids():
            self._store.update_job(job_id, status="Queued")
            self._enqueue(job_id)
        # Several workers share the cores: each simulation of a large circuit gets its part.
        threads = max(1, (os.cpu_count() or 1) // self.workers) if self.workers > 1 else 0
        self._launcher = Launcher(spares=1, env={"QRP_SIM_THREADS": str(threads)})
        for slot in self._slots:
            thread = threading.Thread(target=self._loop, args=(slot,), daemon=True,
                                      name=f"local-runtime-slot-{slot.index}")
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop every slot and kill the processes; running jobs stay Running (re-run on restart)."""
        self._stop.set()
        self._running.set()
        self._queue.wake()
        if self._launcher is not None:
            self._launcher.close()
        for thread in self._threads:
            thread.join(timeout=30)
        for slot in self._slots:
            if slot.process is not None:
                slot.process.close()

    def submit(self, job_id: str, lane: str | None = None, key: str | None = None) -> None:
        """Queue a stored job; ``lane`` is its instance CRN and ``key`` its session, if any.

        Without ``lane`` both are read from the store.
        """
        if lane is None:
            self._enqueue(job_id)
        else:
            self._queue.put(lane, job_id, key)

    def _enqueue(self, job_id: str) -> None:
        row = self._store.job(job_id)
        if row is not None:
            self._queue.put(row["crn"], job_id, row.get("session_id") or None)

    def cancel(self, job_id: str) -> bool:
        """End the simulation of a running job now (its row is already final); True if it ran."""
        with self._lock:
            for slot in self._slots:
                if slot.job_id == job_id and slot.process is not None:
                    slot.process.kill()
                    slot.killed = True
                    return True
        return False

    def clear(self) -> None:
        """Drop queued jobs and kill running simulations (before a store reset)."""
        self._queue.clear()
        with self._lock:
            for slot in self._slots:
                if slot.job_id is not None and slot.process is not None:
                    slot.process.kill()
                    slot.killed = True

    def pause(self) -> None:
        """Hold queued jobs (tests use this to observe Queued jobs, cancel them, etc.)."""
        self._running.clear()

    def resume(self) -> None:
        """Let queued jobs run again."""
        self._running.set()

    def _loop(self, slot: _Slot) -> None:
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
                self._execute(slot, job_id)
            except Exception as exc:  # a bug in the server: keep it for check_errors()
                self.errors.append(exc)
                self._finish(job_id, "Failed", reason=f"Internal error: {exc}",
                             reason_code=REASON_INTERNAL)
            finally:
                with self._lock:
                    slot.job_id = None
                self._queue.done(job_id)

    def _execute(self, slot: _Slot, job_id: str) -> None:
        """Run one job on the slot's process and record the outcome."""
        row = self._store.job(job_id)
        if row is None:
            return
        process = self._process(slot)
        with self._lock:  # before Running, so a cancel that sees Running finds the process
            slot.job_id = job_id
        if not self._store.transition(job_id, ("Queued",), status="Running", running=now_iso()):
            return
        self._touch_session(row.get("session_id"), last_job_started=now_iso())
        backend = self._backends.get(row["backend"])
        if backend is None:  # stored by an earlier run that offered more backends
            self._finish(job_id, "Failed", reason=f"Backend {row['backend']!r} is gone",
                         reason_code=REASON_VALIDATION)
            return
        cost: int | None = row.get("cost")
        if cost == 0:
            self._too_long(job_id, 0)
            return
        _log.info("job %s running on worker pid %d", job_id, process.pid)
        task = {"program": row["program_id"], "params": row["params"], "backend": backend.name,
                "noise": self._noise if backend.noise is None else backend.noise,
                "seed": self._seed, "delay": self.job_delay, "limits": self._limits}
        # Built-in backends load from the package in the worker; others travel once per
        # process (and again if a different backend took the name).
        if backend.name not in backend_names() and process.sent.get(backend.name) != id(backend):
            task["backend_info"] = backend
            process.sent[backend.name] = id(backend)
        process.send(task)
        try:
            answer = process.answer(timeout=None if cost is None else float(cost))
        except queue.Empty:  # wire-format §7: max execution time exceeded
            self._replace(slot)
            self._too_long(job_id, int(cost or 0))
            return
        self._record(slot, job_id, row["crn"], cost, answer)

    def _process(self, slot: _Slot) -> WorkerProcess:
        """The slot's live process, taking a fresh one if it has none or it died."""
        assert self._launcher is not None
        with self._lock:
            if slot.killed and slot.process is not None:
                slot.process.close()
                slot.process = None
            slot.killed = False
        for _ in range(3):
            if slot.process is not None and slot.process.alive():
                break
            if slot.process is not None:
                slot.process.close()
            slot.process = self._launcher.take()
        assert slot.process is not None
        return slot.process

    def _replace(self, slot: _Slot) -> None:
        """Kill the slot's process; the next job gets a fresh one."""
        with self._lock:
            process, slot.process = slot.process, None
        if process is not None:
            process.close()

    def _record(self, slot: _Slot, job_id: str, lane: str, cost: int | None,
                answer: Any) -> None:
        if isinstance(answer, Died):
            self._replace(slot)
            if self._stop.is_set():
                return  # shutting down: the job stays Running and re-runs on restart
            self._finish(job_id, "Failed", reason_code=REASON_SIMULATION, reason=(
                f"The simulation process ended unexpectedly ({answer.description}); "
                "it may have run out of memory."))
            return
        status, *rest = answer
        if status == "ok":
            text, seconds = rest
            if cost is not None and seconds > cost:
                self._too_long(job_id, cost)
                return
            usage = max(1, math.ceil(seconds))
            self._queue.charge(lane, usage - 1)  # one unit was charged when it started
            self._finish(job_id, "Completed", result=text, usage=usage)
            return
        kind, message = rest
        if kind == "internal":
            self.errors.append(RuntimeError(f"simulation worker error:\n{message}"))
            message = message.strip().splitlines()[-1]
            self._finish(job_id, "Failed", reason=f"Internal error: {message}",
                         reason_code=REASON_INTERNAL)
        elif kind == "simulation":
            self._finish(job_id, "Failed", reason=f"Simulation failed: {message}",
                         reason_code=REASON_SIMULATION)
        else:
            self._finish(job_id, "Failed", reason=message, reason_code=_KIND_CODES[kind])

    def _too_long(self, job_id: str, cost: int) -> None:
        # wire-format §7: max execution time exceeded → Cancelled, reason_code 1305.
        self._finish(job_id, "Cancelled", reason="Ran too long", reason_code=REASON_TOO_LONG,
                     usage=max(1, cost), result="Job ran longer than its maximum execution time "
                     "(cost).")

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
        finished = self._store.transition(job_id, ("Running", "Queued"), **fields)
        if finished:
            _log.info("job %s %s%s", job_id, status, f" ({reason})" if reason else "")
            row = self._store.job(job_id, ("crn", "session_id"))
            if row is not None:
                self._touch_session(row.get("session_id"), last_job_completed=now_iso())
        # Woken last, so a waiting results poll answers once the session shows the job done
        # too (a session closes when its last job ends). Also when a cancel came first.
        if self.on_finish is not None:
            self.on_finish(job_id)

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
