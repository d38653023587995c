"""Every exception the package raises, in one tree.

``QiskitRestError`` (a :class:`qiskit.exceptions.QiskitError`) is the root:

* ``ConfigurationError``: bad account, region, mode or options; raised before any I/O.
* ``ValidationError``: a pub the backend cannot run (non-ISA instruction, wrong observable
  width, wrong parameter count, bad shots or precision); names the pub and the fix.
* ``APIError``: anything that went wrong talking to the service; carries method and URL.

  * ``APIConnectionError``: the request did not get an HTTP answer.

    * ``APITimeoutError``: connecting or reading timed out.

  * ``APIStatusError``: the service answered with an error status; carries ``status_code``,
    ``code``, ``message``, ``trace``, ``more_info`` and the raw ``body``.

    * ``BadRequestError`` 400, ``AuthenticationError`` 401 (IAM failures too),
      ``PermissionDeniedError`` 403, ``NotFoundError`` 404, ``ConflictError`` 409,
      ``RateLimitError`` 429, ``ServerError`` 5xx.

* ``RuntimeJobError``: a job did not produce a result.

  * ``RuntimeJobFailureError`` (also a qiskit ``JobError``): the job failed; ``reason_code``.
  * ``RuntimeJobCancelledError``: the job was cancelled.
  * ``RuntimeJobMaxTimeoutError``: cancelled by the service after its maximum execution
    time (reason code 1305).
  * ``RuntimeJobTimeoutError`` (also a qiskit ``JobTimeoutError``): waiting timed out locally.

* ``SessionClosedError``: a job was submitted to a session or batch that is closed.
"""

from __future__ import annotations

from typing import Any

from qiskit.exceptions import QiskitError
from qiskit.providers.exceptions import JobError, JobTimeoutError


class QiskitRestError(QiskitError):
    """Base class of every error raised by qiskit-rest-primitives."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigurationError(QiskitRestError, ValueError):
    """Account, region, mode or options are invalid; nothing was sent."""


class ValidationError(QiskitRestError, ValueError):
    """A pub cannot run on the target backend; nothing was sent."""


class APIError(QiskitRestError):
    """The service could not be talked to, or answered with an error."""

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """No HTTP answer was received (connection refused, reset or dropped).

    ``request_sent`` is ``False`` only when the request surely never reached the server
    (the connection could not be made); otherwise its fate is unknown.
    """

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None,
                 request_sent: bool = True) -> None:
        super().__init__(message, method=method, url=url)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """Connecting or reading timed out."""


class APIStatusError(APIError):
    """The service answered with an error status."""

    status_code: int = 0

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        status_code: int | None = None,
        code: str | None = None,
        trace: str | None = None,
        more_info: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        if status_code is not None:
            self.status_code = status_code
        self.code = code
        self.trace = trace
        self.more_info = more_info
        self.body = body


class BadRequestError(APIStatusError):
    """400: the request was rejected as invalid."""

    status_code = 400


class AuthenticationError(APIStatusError):
    """401: missing, invalid or expired credentials (IAM failures too)."""

    status_code = 401


class PermissionDeniedError(APIStatusError):
    """403: the credentials may not do this (unknown instance, backend not allowed)."""

    status_code = 403


class NotFoundError(APIStatusError):
    """404: no such job, session, backend or program."""

    status_code = 404


class ConflictError(APIStatusError):
    """409: the resource is in the wrong state, or the instance's usage limit is reached."""

    status_code = 409


class RateLimitError(APIStatusError):
    """429: too many requests."""

    status_code = 429


class ServerError(APIStatusError):
    """5xx: the service failed."""

    status_code = 500


class RuntimeJobError(QiskitRestError):
    """A job ended without a result."""

    def __init__(self, message: str, *, job_id: str | None = None) -> None:
        super().__init__(message)
        self.job_id = job_id


class RuntimeJobFailureError(RuntimeJobError, JobError):
    """The job failed; ``reason_code`` is the service's error code when it gave one."""

    def __init__(
        self, message: str, *, job_id: str | None = None, reason_code: int | None = None
    ) -> None:
        super().__init__(message, job_id=job_id)
        self.reason_code = reason_code


class RuntimeJobMaxTimeoutError(RuntimeJobFailureError):
    """The service cancelled the job after its maximum execution time (code 1305)."""


class RuntimeJobCancelledError(RuntimeJobError):
    """The job was cancelled before it produced a result."""


class RuntimeJobTimeoutError(RuntimeJobError, JobTimeoutError):
    """Waiting for the job timed out locally; the job itself goes on."""


class SessionClosedError(QiskitRestError):
    """The session or batch no longer accepts jobs."""
