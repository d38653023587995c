"""Constants, the region → URL table, and frozen transport settings."""

from __future__ import annotations

from dataclasses import dataclass

#: ``IBM-API-Version`` sent on every call (wire-format §3: the official client 0.51.0 sends this).
API_VERSION = "2026-04-15"

#: API base per region (wire-format §1).
REGION_URLS: dict[str, str] = {
    "us-east": "https://quantum.cloud.ibm.com/api/v1",
    "eu-de": "https://eu-de.quantum.cloud.ibm.com/api/v1",
}
DEFAULT_REGION = "us-east"
IAM_URL = "https://iam.cloud.ibm.com/identity/token"
#: The official client's default ``url``: IBM Cloud's base, resolved per region (wire-format §1).
CLOUD_URL = "https://cloud.ibm.com"
#: Path of the IAM token exchange under an ``IAM_URL`` base.
IAM_TOKEN_PATH = "/identity/token"
IAM_GRANT_TYPE = "urn:ibm:params:oauth:grant-type:apikey"
#: IBM Cloud APIs for instances (instances.md §2, wire-format §5): where they live and the
#: Qiskit Runtime offering's id in the catalog.
RESOURCE_CONTROLLER_URL = "https://resource-controller.cloud.ibm.com"
QISKIT_RUNTIME_RESOURCE_ID = "b6049020-80f4-11eb-a0f7-e35ec9b4054f"

#: Environment variables read when arguments are not given.
ENV_TOKEN = "QISKIT_IBM_TOKEN"
ENV_INSTANCE = "QISKIT_IBM_INSTANCE"
ENV_CHANNEL = "QISKIT_IBM_CHANNEL"
ENV_URL = "QISKIT_IBM_URL"
#: IAM base URL override (the official client reads it too), e.g. ``http://127.0.0.1:8000``.
ENV_IAM_URL = "IAM_URL"

#: Refresh a token 10 s before its ``exp`` or after 80 % of its lifetime (wire-format §2.2).
TOKEN_EXPIRY_MARGIN_S = 10.0
TOKEN_REFRESH_FRACTION = 0.8

#: Service defaults (wire-format §6.4).
DEFAULT_SHOTS = 4096
DEFAULT_PRECISION = 0.015625

USER_AGENT = "qiskit-rest-primitives"
VERSION = "0.1.0"


@dataclass(frozen=True)
class Timeouts:
    """Per-request ``(connect, read)`` timeouts in seconds; never ``None`` by default."""

    connect: float = 10.0
    read: float = 120.0
    submit_read: float = 300.0

    def pair(self, *, submit: bool = False) -> tuple[float, float]:
        """``(connect, read)`` seconds for a call (job submission reads longer)."""
        return (self.connect, self.submit_read if submit else self.read)


@dataclass(frozen=True)
class RetryPolicy:
    """How idempotent calls are retried (urllib3 ``Retry``) and how long job polls wait.

    The defaults follow the official client (wire-format §4.2): 5 attempts on 5xx, backoff
    0.5 s doubling, ``Retry-After`` honoured and capped.
    """

    total: int = 5
    connect: int = 3
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    backoff_jitter: float = 0.1
    retry_after_max: float = 60.0
    status_forcelist: tuple[int, ...] = (429, 500, 502, 503, 504, 520, 521, 522, 524)
    #: After a creation call (``POST /jobs``, ``POST /sessions``) timed out or got a 504, the
    #: server may still be working on it: look it up for up to this many seconds before
    #: posting again.
    submit_lookup_s: float = 60.0
    #: After any other ambiguous failure of a creation call (a 5xx, a 429, a reset, an
    #: unreadable 2xx body) the server has stopped working on it: look it up for this long.
    submit_settle_s: float = 1.0
    #: Unreadable 2xx bodies (truncated, corrupt, an HTML page) read again at most this often.
    body_retries: int = 3


@dataclass(frozen=True)
class PollPolicy:
    """Job status polling: start fast, back off geometrically, never exceed ``max_interval``.

    From 2 ms growing by 1.6x, a 10 ms job is seen done after ~3 polls and a one-minute job
    costs about 44 polls in all. ``result()`` polls ``GET /results`` alone while the interval
    is below ``results_only_below`` seconds, then alternates it with the job's status.
    """

    initial_interval: float = 0.002
    factor: float = 1.6
    max_interval: float = 2.0
    results_only_below: float = 0.1
    #: While the service or IAM is unreachable, polls back off from this many seconds
    #: (doubling, with jitter, up to ``max_interval`` or a ``Retry-After``)...
    outage_initial: float = 0.5
    #: ...until the caller's timeout; without one, an outage longer than this many seconds
    #: raises its last error.
    outage_max: float = 600.0

    def intervals(self) -> _Intervals:
        """An iterator of successive sleep intervals."""
        return _Intervals(self)


class _Intervals:
    def __init__(self, policy: PollPolicy) -> None:
        self._next = policy.initial_interval
        self._policy = policy

    def __iter__(self) -> _Intervals:
        return self

    def __next__(self) -> float:
        current = self._next
        self._next = min(current * self._policy.factor, self._policy.max_interval)
        return current
