"""RuntimeJob: a submitted primitive job, polled over REST until it has a result."""

from __future__ import annotations

import copy
import dataclasses
import logging
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qiskit.circuit import QuantumCircuit
from qiskit.primitives import BasePrimitiveJob, PrimitiveResult

from .._codec._decode import parse_datetime
from .._codec._inputs import job_inputs
from .._codec._validate import check_job_tags, check_timeout
from .._config import PollPolicy
from .._transport._retry import Outage, is_transient
from ..exceptions import (
    APIError,
    APIResponseError,
    ConflictError,
)
from ._job_result import (
    add_shots,
    decode_or_none,
    fetch_result,
    restore_circuit_metadata,
    restore_register_names,
)
from ._job_status import (
    FINAL_STATUSES,
    StatusName,
    final_error,
    job_status,
    reason_text,
    timeout_error,
)

if TYPE_CHECKING:
    from .._backends._backend import RuntimeBackend
    from .._backends._link import JobHost

JSON = dict[str, Any]
logger = logging.getLogger(__name__)


class RuntimeJob(BasePrimitiveJob[PrimitiveResult[Any], str]):
    """A Sampler or Estimator job on the service (a qiskit ``BasePrimitiveJob``).

    ``status()`` returns ``"QUEUED"``, ``"RUNNING"``, ``"DONE"``, ``"ERROR"`` or ``"CANCELLED"``.
    ``result()`` waits, then decodes the payload into qiskit's own result classes.
    """

    def __init__(self, job_id: str, service: JobHost, *, program_id: str | None = None,
                 backend_name: str | None = None, session_id: str | None = None,
                 circuit_metadata: list[dict[str, Any]] | None = None,
                 pub_shots: list[int] | None = None,
                 register_names: list[list[str]] | None = None,
                 poll: PollPolicy | None = None, tags: list[str] | None = None,
                 circuits: list[QuantumCircuit] | None = None) -> None:
        super().__init__(job_id)
        self._circuits = circuits
        self._submitted_tags = list(tags or [])
        self._service = service
        self._program_id = program_id
        self._backend_name = backend_name
        self._session_id = session_id
        self._circuit_metadata = circuit_metadata
        self._pub_shots = pub_shots
        self._register_names = register_names
        self._poll = poll or PollPolicy()
        self._document: JSON = {}
        self._status = "INITIALIZING"
        self._result: PrimitiveResult[Any] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_document(cls, document: JSON, service: JobHost,
                      poll: PollPolicy | None = None) -> RuntimeJob:
        """A job object for a document the service returned (``GET /jobs[/{id}]``)."""
        job = cls(str(document["id"]), service, poll=poll)
        job._update(document)
        return job

    def __repr__(self) -> str:
        return f"<RuntimeJob('{self._job_id}', '{self._program_id}')>"

    # status
    def status(self) -> str:
        """Refresh and return the job's status (no request once it is final)."""
        if self._status not in FINAL_STATUSES:
            self._update(self._service._rest.get_job(self._job_id))
        return StatusName(self._status)

    def _update(self, document: JSON) -> None:
        self._document = document
        self._status = job_status(document)
        self._program_id = self._program_id or (document.get("program") or {}).get("id")
        self._backend_name = self._backend_name or document.get("backend")
        self._session_id = self._session_id or document.get("session_id")

    def done(self) -> bool:
        """Whether the job finished successfully."""
        return self.status() == "DONE"

    def running(self) -> bool:
        """Whether the job is running now."""
        return self.status() == "RUNNING"

    def cancelled(self) -> bool:
        """Whether the job was cancelled."""
        return self.status() == "CANCELLED"

    def in_final_state(self) -> bool:
        """Whether the job is done, failed or cancelled."""
        return self.status() in FINAL_STATUSES

    def errored(self) -> bool:
        """Whether the job failed."""
        return self.status() == "ERROR"

    def wait_for_final_state(self, timeout: float | None = None,
                             poll_interval: float | None = None) -> None:
        """Poll, starting fast and backing off, until the job is final.

        ``poll_interval`` polls every that many seconds instead (as the official client does).

        Raises:
            RuntimeJobTimeoutError: ``timeout`` seconds passed first (the job goes on).
        """
        policy = self._wait_policy(timeout, poll_interval)
        self._poll_until_final(timeout, policy, results=False)

    def _wait_policy(self, timeout: float | None, poll_interval: float | None) -> PollPolicy:
        """The polling policy of one wait, its arguments checked first: the job's own, or a
        fixed ``poll_interval`` (a per-call policy, so concurrent waits do not mix)."""
        check_timeout(timeout, zero_ok=True)
        check_timeout(poll_interval, "poll_interval")
        if poll_interval is None:
            return self._poll
        return dataclasses.replace(self._poll, initial_interval=poll_interval, factor=1.0,
                                   max_interval=poll_interval)

    # results
    def result(self, timeout: float | None = None,
               poll_interval: float | None = None) -> PrimitiveResult[Any]:
        """Wait for the job and return its :class:`PrimitiveResult`, a fresh copy per call
        (changing one result does not change the next, as with the official client).

        ``poll_interval`` polls every that many seconds instead of the job's policy.

        Raises:
            RuntimeJobFailureError: the job failed (``reason_code`` says why).
            RuntimeJobMaxTimeoutError: it ran longer than its maximum execution time.
            RuntimeJobCancelledError: it was cancelled.
            RuntimeJobTimeoutError: ``timeout`` passed first.
        """
        policy = self._wait_policy(timeout, poll_interval)
        with self._lock:
            if self._result is not None:
                return copy.deepcopy(self._result)
            result = self._poll_until_final(timeout, policy, results=True)
            if result is None:  # final without a result: failed or cancelled
                raise final_error(self._status, self._document, self._job_id)
            restore_circuit_metadata(result, self._circuit_metadata)
            add_shots(result, self._pub_shots)
            result = restore_register_names(result, self._register_names)
            self._result = result
            return copy.deepcopy(result)

    def _poll_until_final(self, timeout: float | None, policy: PollPolicy, *,
                          results: bool) -> Any:
        """Poll until the job is final; with ``results``, the decoded result if a probe got it.

        ``results`` polls ask ``GET /results`` (204 until there is a final result, so a short
        job is done in one call instead of a status call and a results call); once the
        interval reaches ``PollPolicy.results_only_below`` they alternate with
        ``GET /jobs/{id}``, which notices cancelled jobs (a failed job's ``/results`` answers
        200 with its error). Without ``results`` every poll reads the job's status. With
        ``results``, a job already known to be done is polled for its result only. A failed
        poll pauses the wait rather than ending it (see :meth:`_poll_tolerant`).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        intervals = policy.intervals()
        # Just submitted: a status poll waits one interval first; a results poll goes at once,
        # since a service may hold it until a short job ends (the local server does, briefly).
        if self._status == "INITIALIZING" and not results:
            time.sleep(next(intervals))
        probe_results = results
        outage = Outage(policy)
        for interval in intervals:
            if self._status in FINAL_STATUSES:
                if not (results and self._status == "DONE"):
                    return None
                probe_results = True  # done: only the result is still to be read
            finished, result, pause = self._poll_tolerant(results, probe_results, outage,
                                                          deadline)
            if finished:
                return result
            interval = interval if pause is None else pause
            probe_results = results and (not probe_results
                                         or interval < policy.results_only_below)
            time.sleep(self._until_deadline(interval, deadline, timeout, outage))
        return None  # pragma: no cover - the intervals never end

    def _poll_tolerant(self, results: bool, probe_results: bool, outage: Outage,
                       deadline: float | None
                       ) -> tuple[bool, PrimitiveResult[Any] | None, float | None]:
        """One poll that survives a transient failure: whether the wait is over, the result
        if a results probe got it, and after a failed poll the seconds to pause instead of
        the next interval.

        A poll that fails transiently (service or IAM down, 5xx or 429 after the transport's
        own retries) does not end the wait: polls back off with jitter, honouring
        ``Retry-After``, until the deadline; without one, until an outage lasts
        ``PollPolicy.outage_max`` seconds. An unreadable body was already read again
        (bounded), so it is raised, not treated as an outage.
        """
        try:
            finished, result = self._poll_once(results, probe_results)
        except APIError as exc:
            if (not is_transient(exc) or isinstance(exc, APIResponseError)
                    or (deadline is None and outage.too_long())):
                raise
            return False, None, outage.pause(exc)
        if not finished:
            outage.end()
        return finished, result, None

    def _poll_once(self, results: bool,
                   probe_results: bool) -> tuple[bool, PrimitiveResult[Any] | None]:
        """One poll: whether the wait is over, and the result if a results probe got it."""
        if probe_results:
            result = self._probe_result()
            return result is not None, result
        final = self.status() in FINAL_STATUSES and not (results and self._status == "DONE")
        return final, None

    def _until_deadline(self, interval: float, deadline: float | None, timeout: float | None,
                        outage: Outage) -> float:
        """``interval``, shortened to the time left before ``deadline``.

        Raises:
            RuntimeJobTimeoutError: the deadline has passed.
        """
        if deadline is None:
            return interval
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise timeout_error(self._job_id, timeout, outage.error)
        return min(interval, remaining)

    def _probe_result(self) -> PrimitiveResult[Any] | None:
        """``GET /results``: the result if the job completed, else None (status read if final).

        A 200 whose body is no result is a failed job's message (wire-format §7.3), or a
        corrupt body: the status tells which, and a done job's result is read again.
        """
        raw = self._service._rest.get_job_results(self._job_id)
        if raw is None:  # 204: no final result yet
            return None
        result = decode_or_none(raw)
        if isinstance(result, PrimitiveResult):
            self._status = "DONE"
            return result
        if self.status() == "DONE":
            return fetch_result(self._service, self._job_id)
        return None

    def error_message(self) -> str | None:
        """Why the job failed, or ``None`` if it did not."""
        if self.status() != "ERROR":
            return None
        return f"Job {self._job_id} has failed: {reason_text(self._document)}"

    # actions
    def cancel(self) -> None:
        """Ask the service to cancel the job (409 → ``ConflictError`` if already final).

        The request is repeated after a lost answer; a 409 for a job that is cancelled by
        then confirms it. If it fails, calling ``cancel()`` again tries again.
        """
        try:
            self._service._rest.cancel_job(self._job_id)
        except ConflictError:
            if self.status() != "CANCELLED":
                raise
        self._status = "CANCELLED"

    def update_tags(self, new_tags: list[str]) -> list[str]:
        """Replace the job's tags; returns the tags the service now holds."""
        check_job_tags(new_tags)
        self._service._rest.replace_job_tags(self._job_id, list(new_tags))
        self._update(self._service._rest.get_job(self._job_id))
        return self.tags

    # details
    def metrics(self) -> JSON:
        """The job's metrics (timestamps, usage, execution time)."""
        return self._service._rest.get_job_metrics(self._job_id)

    def usage(self) -> float:
        """QPU seconds charged (0 while usage is still pending)."""
        usage = self.metrics().get("usage") or {}
        if usage.get("status", "pending") == "pending":
            return 0.0
        return float(usage.get("qpu_charge_time_seconds") or usage.get("quantum_seconds") or 0)

    def logs(self) -> str:
        """The job's log text."""
        return self._service._rest.get_job_logs(self._job_id)

    @property
    def inputs(self) -> JSON:
        """The job's ``params`` (re-read from the service), each pub holding its circuit.

        A job submitted from this object holds the user's own circuits; one read back by id
        holds circuits parsed from its OpenQASM 3 (with ``qiskit-qasm3-import`` installed;
        else the OpenQASM 3 text).
        """
        document = self._service._rest.get_job(self._job_id, exclude_params=False)
        return job_inputs(document.get("params") or {}, self._circuits)

    @property
    def usage_estimation(self) -> JSON:
        """``{"quantum_seconds": …}``: the service's estimate of the job's QPU time, if any."""
        if "estimated_running_time_seconds" not in self._document:
            self._update(self._service._rest.get_job(self._job_id))
        return {"quantum_seconds": self._document.get("estimated_running_time_seconds")}

    @property
    def instance(self) -> str | None:
        """The CRN of the instance the job runs in."""
        return self._service.instance

    @property
    def image(self) -> str:
        """The runtime image the job asked for (``""``: the default)."""
        return str(self._document.get("runtime") or "")

    @property
    def private(self) -> bool:
        """Whether the job is private (its inputs and results are not kept)."""
        return bool(self._document.get("private", False))

    def properties(self, refresh: bool = False) -> Any:
        """The properties of the job's backend (re-read if ``refresh``)."""
        backend = self.backend()
        return None if backend is None else backend.properties(refresh=refresh)

    @property
    def session_id(self) -> str | None:
        """The session or batch the job runs in, if any."""
        return self._session_id

    @property
    def program_id(self) -> str | None:
        """``"sampler"`` or ``"estimator"``."""
        return self._program_id

    @property
    def primitive_id(self) -> str | None:
        """Alias of :attr:`program_id` (the official client's name)."""
        return self._program_id

    @property
    def tags(self) -> list[str]:
        """The job's tags as last read (without the client's submission tag)."""
        tags = self._document.get("tags", self._submitted_tags) or []
        return [t for t in tags if not t.startswith("qrp-submit-")]

    @property
    def creation_date(self) -> datetime | None:
        """When the service created the job."""
        if not self._document.get("created"):
            self._update(self._service._rest.get_job(self._job_id))
        created = self._document.get("created")
        return parse_datetime(str(created)) if created else None

    def backend(self) -> RuntimeBackend | None:
        """The backend the job runs on."""
        return self._service.backend(self._backend_name) if self._backend_name else None

