"""Every exception the package raises, in one tree, under our names and the official ones.

``QiskitRestError`` (a :class:`qiskit.exceptions.QiskitError`; official name ``IBMError``) is
the root. The official client's names are bases or aliases inside this tree, so an ``except``
written for either catches the same failures:

* ``IBMInputValueError`` (a ``ValueError``): bad input, raised before any I/O.

  * ``ConfigurationError``: bad account, region, mode or options.

    * ``IBMAccountError`` → ``AccountsError``: an account cannot be used;
      ``InvalidAccountError`` (bad channel, region, token...), ``AccountNotFoundError`` (nothing
      saved under that name, no credentials anywhere), ``AccountAlreadyExistsError`` (saving
      over an account, or a second default, without ``overwrite=True``),
      ``CloudResourceNameResolutionError`` (no instance of that name).

  * ``ValidationError``: a pub the backend cannot run (non-ISA instruction, wrong observable
    width, wrong parameter count, bad shots or precision); names the pub and the fix.

* ``IBMNotAuthorizedError``: the credentials were refused (401) or may not do this (403).
* ``IBMApiError``: talking to the service failed; every ``APIError`` below is one too.
* ``IBMBackendError``: a backend cannot do what was asked; ``IBMBackendValueError`` (also a
  ``ValueError``), ``IBMBackendApiError``, ``IBMBackendApiProtocolError``, and
  ``BackendRunNotSupportedError`` (also a ``NotImplementedError``) for ``backend.run()``.
* ``IBMRuntimeError``: the service failed us, or a job or session is in the wrong state.

  * ``APIError`` (also an ``IBMApiError``): anything that went wrong talking to the service;
    carries method and URL.

    * ``APIConnectionError``: the request did not get an HTTP answer.

      * ``APITimeoutError``: connecting or reading timed out.

    * ``APIResponseError``: a 2xx answer whose body could not be read (truncated, corrupt, an
      HTML page), still unreadable after the bounded re-reads.
    * ``UnconfirmedCreationError``: a job or session was maybe created, maybe not; says what
      is known (the submission tag, any candidates found) so nothing is lost or duplicated.
    * ``APIStatusError``: the service answered with an error status; carries ``status_code``,
      ``code``, ``message``, ``trace``, ``more_info``, ``retry_after`` and the raw ``body``.

      * ``BadRequestError`` 400, ``AuthenticationError`` 401 (IAM failures too; also an
        ``IBMNotAuthorizedError``), ``PermissionDeniedError`` 403 (likewise),
        ``NotFoundError`` 404, ``ConflictError`` 409 (also a ``RuntimeInvalidStateError``),
        ``RateLimitError`` 429, ``ServerError`` 5xx.
      * ``RuntimeJobNotFound`` (a ``NotFoundError``): no such job.
      * ``RuntimeProgramNotFound`` (a ``NotFoundError``): a submission's program not found.
      * ``BackendNotFoundError`` (a ``NotFoundError`` and qiskit's
        ``QiskitBackendNotFoundError``): no such backend, or none matches.

  * ``RuntimeInvalidStateError``: the job or session is in the wrong state for the call.
  * ``RuntimeJobError``: a job did not produce a result.

    * ``RuntimeJobFailureError`` (also a qiskit ``JobError``): the job failed; ``reason_code``.

      * ``RuntimeJobMaxTimeoutError``: cancelled by the service after its maximum execution
        time (reason code 1305).

    * ``RuntimeJobCancelledError`` (also a ``RuntimeInvalidStateError``): the job was cancelled.
    * ``RuntimeJobTimeoutError`` (also a qiskit ``JobTimeoutError``): waiting timed out locally.

  * ``SessionClosedError``: a job was submitted to a session or batch that is closed.
* ``BackendPropertyError`` (also a ``KeyError``): a backend has no such calibration property.
"""

from __future__ import annotations

from typing import Any

from qiskit.exceptions import QiskitError
from qiskit.providers.exceptions import JobError, JobTimeoutError, QiskitBackendNotFoundError


class QiskitRestError(QiskitError):
    """Base class of every error raised by qiskit-rest-primitives."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


#: The official client's root exception is ours.
IBMError = QiskitRestError


class IBMInputValueError(QiskitRestError, ValueError):
    """An input is invalid; nothing was sent."""


class ConfigurationError(IBMInputValueError):
    """Account, region, mode or options are invalid; nothing was sent."""


class IBMAccountError(ConfigurationError):
    """An account cannot be used (official name)."""


class AccountsError(IBMAccountError):
    """Saving, finding or reading an account failed (official name)."""


class InvalidAccountError(AccountsError):
    """An account's channel, token, URL, region or preferences are invalid."""


class AccountNotFoundError(AccountsError):
    """No account under that name, or no credentials anywhere."""


class AccountAlreadyExistsError(AccountsError):
    """An account (or a default account) exists and ``overwrite`` was not given."""


class CloudResourceNameResolutionError(AccountsError):
    """No instance of that name: its CRN cannot be found."""


class ValidationError(IBMInputValueError):
    """A pub cannot run on the target backend; nothing was sent."""


class IBMNotAuthorizedError(QiskitRestError):
    """The service refused the credentials, or they may not do this."""


class IBMRuntimeError(QiskitRestError):
    """The service failed the call, or a job or session is in the wrong state for it."""


class IBMApiError(QiskitRestError):
    """Talking to the service failed (official name; every ``APIError`` is one)."""


class IBMBackendError(QiskitRestError):
    """A backend cannot do what was asked (official name)."""


class IBMBackendValueError(IBMBackendError, ValueError):
    """A value given to a backend is invalid (official name)."""


class IBMBackendApiError(IBMBackendError):
    """A backend's documents could not be fetched (official name)."""


class IBMBackendApiProtocolError(IBMBackendError):
    """A backend's document from the service cannot be read (official name)."""


class BackendRunNotSupportedError(IBMBackendError, NotImplementedError):
    """``backend.run()``: circuits go through ``SamplerV2`` or ``EstimatorV2`` instead."""


class RuntimeInvalidStateError(IBMRuntimeError):
    """The job or session is in the wrong state for the call (official name)."""


class APIError(IBMRuntimeError, IBMApiError):
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


class APIResponseError(APIError):
    """A 2xx answer whose body could not be read (truncated, corrupt or not JSON)."""


class UnconfirmedCreationError(APIError):
    """A ``POST /jobs`` or ``POST /sessions`` may or may not have taken effect.

    Raised instead of posting again when the client could not find out (the lookup failed,
    or several candidates match). ``kind`` is ``"job"`` or ``"session"``; ``tag`` is the
    job's submission tag (find it later with ``service.jobs(job_tags=[tag])`` or the
    journal); ``candidates`` are ids that may be the one created.
    """

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None,
                 kind: str = "job", tag: str | None = None,
                 candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message, method=method, url=url)
        self.kind = kind
        self.tag = tag
        self.candidates = candidates


class APIStatusError(APIError):
    """The service answered with an error status.

    ``retry_after`` is the answer's ``Retry-After`` in seconds (from seconds or an HTTP
    date), or ``None``.
    """

    status_code: int = 0
    retry_after: float | None = None

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
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        if status_code is not None:
            self.status_code = status_code
        self.retry_after = retry_after
        self.code = code
        self.trace = trace
        self.more_info = more_info
        self.body = body


class BadRequestError(APIStatusError):
    """400: the request was rejected as invalid."""

    status_code = 400


class AuthenticationError(APIStatusError, IBMNotAuthorizedError):
    """401: missing, invalid or expired credentials (IAM failures too)."""

    status_code = 401


class PermissionDeniedError(APIStatusError, IBMNotAuthorizedError):
    """403: the credentials may not do this (unknown instance, backend not allowed)."""

    status_code = 403


class NotFoundError(APIStatusError):
    """404: no such job, session, backend or program."""

    status_code = 404


class RuntimeJobNotFound(NotFoundError):
    """404 for a job: no such job on this instance (official name)."""


class RuntimeProgramNotFound(NotFoundError):
    """404 on job submission: no such program (or backend) for this instance (official name)."""


class BackendNotFoundError(NotFoundError, QiskitBackendNotFoundError):
    """No such backend, or none matches the filters (also qiskit's ``QiskitBackendNotFoundError``).

    Raised on a 404 from a backend endpoint, and before any call when no listed backend
    matches (then ``status_code`` is 404 and ``method``/``url`` are ``None``).
    """


class ConflictError(APIStatusError, RuntimeInvalidStateError):
    """409: the resource is in the wrong state, or the instance's usage limit is reached."""

    status_code = 409


class RateLimitError(APIStatusError):
    """429: too many requests."""

    status_code = 429


class ServerError(APIStatusError):
    """5xx: the service failed."""

    status_code = 500


class RuntimeJobError(IBMRuntimeError):
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


class RuntimeJobCancelledError(RuntimeJobError, RuntimeInvalidStateError):
    """The job was cancelled before it produced a result."""


class RuntimeJobTimeoutError(RuntimeJobError, JobTimeoutError):
    """Waiting for the job timed out locally; the job itself goes on."""


class SessionClosedError(IBMRuntimeError):
    """The session or batch no longer accepts jobs."""


class BackendPropertyError(QiskitRestError, KeyError):
    """A backend's properties hold no such qubit, gate or measured quantity."""
