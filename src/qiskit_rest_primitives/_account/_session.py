"""Session and Batch: execution modes that group jobs on one backend."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any, ClassVar

from .._backends._backend import RuntimeBackend
from .._backends._local_mode import is_foreign_backend, local_backend
from .._transport._create import create_once, lookup_waits
from ..exceptions import (
    APIError,
    ConfigurationError,
    IBMRuntimeError,
    NotFoundError,
    SessionClosedError,
    UnconfirmedCreationError,
)
from ._service import QiskitRuntimeService

JSON = dict[str, Any]
_CURRENT: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "qiskit_rest_primitives_session", default=None)
_DURATION_RE = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
logger = logging.getLogger(__name__)
#: ``GET /workloads`` names a dedicated session's mode "session".
_WORKLOAD_MODE = {"dedicated": "session", "batch": "batch"}
#: How far back a lost creation is looked for: the service's clock may differ from ours.
_CLOCK_SKEW = timedelta(minutes=5)
#: Sessions this process created or attached to: never taken for a lost creation's result.
_KNOWN: set[str] = set()
#: One session creation at a time per process, so a lookup never sees a sibling's session
#: before its creator has recorded it.
_CREATING = threading.Lock()
#: ``details()`` keys → the session document's fields (as the official client maps them).
_DETAILS = {"id": "id", "backend_name": "backend_name", "interactive_timeout": "interactive_ttl",
            "max_time": "max_ttl", "active_timeout": "active_ttl", "state": "state",
            "accepting_jobs": "accepting_jobs", "last_job_started": "last_job_started",
            "last_job_completed": "last_job_completed", "started_at": "started_at",
            "closed_at": "closed_at", "activated_at": "activated_at", "mode": "mode",
            "usage_time": "elapsed_time"}


def current_session() -> Session | None:
    """The session or batch of the innermost active ``with`` block, if any."""
    return _CURRENT.get()


def parse_max_time(max_time: int | str | None) -> int | None:
    """Seconds from an int or a ``"1h30m"``-style string."""
    if max_time is None or isinstance(max_time, int):
        if isinstance(max_time, int) and max_time <= 0:
            raise ConfigurationError(f"max_time must be positive, got {max_time}")
        return max_time
    match = _DURATION_RE.match(max_time.strip())
    if not match or not any(match.groups()):
        raise ConfigurationError(f"max_time {max_time!r} is not seconds or like '1h30m20s'")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


class Session:
    """A dedicated session: jobs run back to back on one backend.

    Use it as a context manager; primitives built inside it without ``mode`` join it, and it
    is closed (no new jobs; queued ones still run) on exit.

    Args:
        backend: a backend from :meth:`QiskitRuntimeService.backend`, or its name (then of
            ``service``, else of ``QiskitRuntimeService()``, the saved or environment account).
        max_time: the session's maximum time, seconds or ``"1h30m"``.
        create_new: ``False`` makes no session on the service (``from_id`` attaches one).
        service: the service a backend name belongs to.
        session_id: attach to this existing session instead of creating one.
    """

    mode: ClassVar[str] = "dedicated"

    def __init__(self, backend: RuntimeBackend | str | None = None,
                 max_time: int | str | None = None, *, create_new: bool | None = True,
                 service: QiskitRuntimeService | None = None,
                 session_id: str | None = None) -> None:
        if isinstance(backend, str):
            backend = (service or QiskitRuntimeService()).backend(backend)
        elif is_foreign_backend(backend):  # local testing mode: the embedded local server
            backend = local_backend(backend)
        if backend is None or not isinstance(backend, RuntimeBackend):
            raise ConfigurationError(
                f"{type(self).__name__} needs a backend from QiskitRuntimeService.backend(), or "
                f"its name; got {type(backend).__name__}")
        self._backend = backend
        linked = service or backend.service
        if not isinstance(linked, QiskitRuntimeService):
            raise ConfigurationError(f"{type(self).__name__}: the backend has no service")
        self._service = linked
        self._max_time = parse_max_time(max_time)
        self._active = True
        self._closed = False  # the service confirmed it no longer accepts jobs
        self._token: contextvars.Token[Session | None] | None = None
        self._session_id = session_id or (self._create() if create_new else None)
        if self._session_id is not None:
            _KNOWN.add(self._session_id)

    def _create(self) -> str:
        """``POST /sessions`` exactly once (see :func:`create_once` and :meth:`_find_created`)."""
        body: JSON = {"mode": self.mode, "backend": self._backend.name}
        if self._service.instance:
            body["instance"] = self._service.instance
        if self._max_time is not None:
            body["max_ttl"] = self._max_time
        rest = self._service._rest
        with _CREATING:
            since = datetime.now(timezone.utc) - _CLOCK_SKEW
            created = create_once(lambda: rest.create_session(body),
                                  lambda window: self._find_created(since, window),
                                  policy=self._service.retry, kind="session")
            session_id = str(created["id"])
            _KNOWN.add(session_id)
        return session_id

    def _find_created(self, since: datetime, window: float) -> JSON | None:
        """The session a lost ``POST /sessions`` made, looked for within ``window`` seconds.

        The API has no client token for sessions, so ``GET /workloads`` lists open sessions of
        this mode and backend created since ``since``; those this process knows are not it.
        One left is taken as ours; several cannot be told apart and are reported.
        """
        query: list[tuple[str, Any]] = [
            ("mode", _WORKLOAD_MODE[self.mode]), ("backend", self._backend.name),
            ("created_after", since.isoformat()), ("limit", 100)]
        for pause in lookup_waits(window):
            time.sleep(pause)
            items = self._service._rest.list_workloads(query).get("workloads") or []
            candidates = sorted({str(w["id"]) for w in items if str(w.get("id")) not in _KNOWN
                                 and str(w.get("status", "")).lower() != "closed"})
            if len(candidates) == 1:
                return {"id": candidates[0]}
            if candidates:
                raise UnconfirmedCreationError(
                    f"POST /sessions: the answer was lost and {len(candidates)} open "
                    f"{self.mode} sessions on {self._backend.name} could be the one created: "
                    f"{', '.join(candidates)}; close those that are not yours",
                    method="POST", url=f"{self._service.url}/sessions", kind="session",
                    candidates=tuple(candidates))
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}('{self._session_id}', backend='{self._backend.name}')>"

    @classmethod
    def from_id(cls, session_id: str, service: QiskitRuntimeService,
                use_fractional_gates: bool = False, calibration_id: str | None = None
                ) -> Session:
        """Attach to an existing session (its mode must match the class).

        Raises:
            IBMInputValueError: no such session, or it is of the other mode.
            IBMRuntimeError: the session has no backend yet.
        """
        try:
            details = service._rest.get_session(session_id)
        except NotFoundError as exc:
            raise ConfigurationError(f"Session {session_id} not found") from exc
        if details.get("mode", cls.mode) != cls.mode:
            raise ConfigurationError(
                f"Session {session_id} is a {details.get('mode')!r} session, not {cls.mode!r}")
        name = details.get("backend_name") or details.get("backend")
        if not name:
            raise IBMRuntimeError(f"Session {session_id} has no backend yet; run a job first")
        backend = service.backend(name, use_fractional_gates=use_fractional_gates,
                                  calibration_id=calibration_id)
        session = cls(backend, service=service, session_id=session_id)
        session._active = bool(details.get("accepting_jobs", True)) and \
            details.get("state") != "closed"
        session._closed = not session._active
        return session

    @property
    def session_id(self) -> str | None:
        """The service's id for this session (``None`` with ``create_new=False``)."""
        return self._session_id

    def backend(self) -> str:
        """The name of the backend every job of the session runs on (official: a method)."""
        return str(self._backend.name)

    @property
    def service(self) -> QiskitRuntimeService:
        """The service the session belongs to."""
        return self._service

    @property
    def accepting_jobs(self) -> bool:
        """Whether this object still submits jobs."""
        return self._active

    def check_open(self) -> None:
        """Raise :class:`SessionClosedError` if the session was closed or cancelled here."""
        if not self._active:
            raise SessionClosedError(f"{type(self).__name__} {self._session_id} is closed")

    def close(self) -> None:
        """Stop accepting jobs; jobs already submitted still run.

        This object refuses new jobs at once. If the request fails (after the transport's
        retries), the error is raised and calling ``close()`` again sends it again, until the
        service confirms.
        """
        self._active = False
        if self._closed or self._session_id is None:
            return
        # wire-format §5: a 404 means the session is already gone; nothing left to close.
        with contextlib.suppress(NotFoundError):
            self._service._rest.close_session(self._session_id)
        self._closed = True

    def cancel(self) -> None:
        """Stop accepting jobs and cancel the queued ones (again on each call until it worked)."""
        self._active = False
        if self._session_id is not None:
            self._service._rest.cancel_session(self._session_id)
        self._closed = True

    def details(self) -> JSON | None:
        """The session's details, keyed as the official client keys them (``None`` without an id).

        ``id``, ``backend_name``, ``interactive_timeout``, ``max_time``, ``active_timeout``,
        ``state``, ``accepting_jobs``, ``last_job_started``, ``last_job_completed``,
        ``started_at``, ``closed_at``, ``activated_at``, ``mode``, ``usage_time``, ``timestamps``.
        """
        if self._session_id is None:
            return None
        raw = self._service._rest.get_session(self._session_id)
        return {key: raw.get(wire) for key, wire in _DETAILS.items()} | {
            "timestamps": raw.get("timestamps", [])}

    def status(self) -> str | None:
        """A readable status, as the official client words it (``None`` without an id)."""
        details = self.details()
        if details is None:
            return None
        state = str(details.get("state", "")).lower()
        accepting = bool(details.get("accepting_jobs", True))
        if state in ("open", "inactive"):
            return "Pending"
        if (state == "active" and accepting) or state == "pending_inactive":
            return "In progress, accepting new jobs"
        if state in ("active", "pending_closed"):
            return "In progress, not accepting new jobs"
        return state.capitalize()

    def usage(self) -> float | None:
        """Seconds of usage the session has taken so far (``None`` without an id)."""
        details = self.details()
        return None if details is None else details["usage_time"]

    def __enter__(self) -> Session:
        self._token = _CURRENT.set(self)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._token is not None:
            _CURRENT.reset(self._token)
            self._token = None
        try:
            self.close()
        except APIError:
            if exc is None:
                raise
            # Do not hide the block's own error; the session is still reported.
            logger.warning("Could not close %r; call close() again to retry", self)


class Batch(Session):
    """A batch: jobs submitted together and run as the backend sees fit."""

    mode: ClassVar[str] = "batch"
