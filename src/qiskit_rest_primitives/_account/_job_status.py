"""A job document's status and failure: the client status, the reason code, and the error.

wire-format §7.2: statuses may come in either case and the reason code as ``reasonCode``;
a job cancelled for running too long (reason 1305) is a failed job to the user.
"""

from __future__ import annotations

from typing import Any

from qiskit.providers import JobStatus

from .._transport._retry import describe
from ..exceptions import (
    APIError,
    RuntimeJobCancelledError,
    RuntimeJobFailureError,
    RuntimeJobMaxTimeoutError,
    RuntimeJobTimeoutError,
)

JSON = dict[str, Any]
FINAL_STATUSES = frozenset({"DONE", "ERROR", "CANCELLED"})
_STATUS_MAP = {"QUEUED": "QUEUED", "RUNNING": "RUNNING", "COMPLETED": "DONE", "FAILED": "ERROR",
               "CANCELLED": "CANCELLED", "CANCELLED - RAN TOO LONG": "ERROR"}
RAN_TOO_LONG = 1305


class StatusName(str):
    """A job status spelled as the official client spells it (``"DONE"``), which also equals
    the member of qiskit's :class:`~qiskit.providers.JobStatus` of that name, so code written
    for qiskit's reference primitives (``job.status() == JobStatus.DONE``, ``job.status() in
    JOB_FINAL_STATES``) works too."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JobStatus):
            return str.__eq__(self, other.name)
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__


def job_status(document: JSON) -> str:
    """The client status (``QUEUED``, ``RUNNING``, ``DONE``, ``ERROR``, ``CANCELLED``) of a job
    document, tolerant of upper-case statuses and camelCase ``reasonCode`` (wire-format §7.2)."""
    state = document.get("state") or {}
    raw = str(state.get("status") or document.get("status") or "QUEUED").upper()
    status = _STATUS_MAP.get(raw, raw)
    if status == "CANCELLED" and reason_code(document) == RAN_TOO_LONG:
        status = "ERROR"
    return status


def reason_code(document: JSON) -> int | None:
    """``state.reason_code`` (or ``reasonCode``) as an int, if any."""
    state = document.get("state") or {}
    code = state.get("reason_code", state.get("reasonCode"))
    return None if code is None else int(code)


def reason_text(document: JSON) -> str:
    """The failure's reason, with its code when there is one."""
    state = document.get("state") or {}
    code = reason_code(document)
    reason = state.get("reason") or "no reason given"
    return f"Error code {code}; {reason}" if code is not None else str(reason)


def final_error(status: str, document: JSON, job_id: str) -> Exception:
    """The error ``result()`` raises for a job that ended (``status``) without a result."""
    if status == "CANCELLED":
        return RuntimeJobCancelledError(f"Job {job_id} was cancelled", job_id=job_id)
    code = reason_code(document)
    message = f"Job {job_id} failed: {reason_text(document)}"
    cls = RuntimeJobMaxTimeoutError if code == RAN_TOO_LONG else RuntimeJobFailureError
    return cls(message, job_id=job_id, reason_code=code)


def timeout_error(job_id: str, timeout: float | None, cause: APIError | None) -> Exception:
    """The error of a wait that ran out of time, naming the last failed poll if any."""
    message = f"Timed out after {timeout} s waiting for job {job_id}"
    if cause is not None:
        message += f"; the last poll failed: {describe(cause)}"
    error = RuntimeJobTimeoutError(message, job_id=job_id)
    error.__cause__ = cause
    return error
