"""What jobs, backends and sessions need from the service that made them, as Protocols.

``QiskitRuntimeService`` satisfies these structurally. Modules below the service type against
them instead of importing the service class, so there is no import circle between
``_backend``, ``_job`` and ``_service`` (not even for type checking), and a test or another
host can stand in with only these few members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .._config import PollPolicy, RetryPolicy
    from .._transport._http import HttpClient
    from .._transport._rest import RestClient
    from ._backend import RuntimeBackend

JSON = dict[str, Any]


class JobHost(Protocol):
    """What a job asks its service for: REST calls, the instance, and backends by name."""

    @property
    def _rest(self) -> RestClient:
        """The REST client of the service's instance."""

    @property
    def _http(self) -> HttpClient:
        """The transport under it (retry policy and base URL, for messages and re-reads)."""

    @property
    def instance(self) -> str | None:
        """The instance CRN the service talks as."""

    def backend(self, name: str) -> RuntimeBackend:
        """A backend by name."""


class ServiceLink(JobHost, Protocol):
    """What a backend hands on to sessions and primitives: a job host that also submits."""

    @property
    def url(self) -> str:
        """The API base URL."""

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy (session creation follows it too)."""

    @property
    def poll(self) -> PollPolicy:
        """How jobs poll for their status."""

    def _submit_job(self, body: JSON) -> JSON:
        """POST a job exactly once; the create response (``id``, ``backend``...)."""

    def _service_for(self, instance: str | None) -> ServiceLink:
        """The service itself, or a view of it that talks as ``instance`` (None: its own)."""
