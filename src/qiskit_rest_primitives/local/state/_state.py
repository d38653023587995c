"""Shared server state: store, tokens, worker, request log, injected faults, captured errors."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ..api._iam import FailedAttempts, TokenIssuer
from ..circuits._limits import Limits
from ..simulation._waits import FinishWaits
from ..simulation._worker import Worker
from ._backends import BackendRegistry
from ._store import Store

_REDACTED = "<redacted>"
_API_KEY = re.compile(r"[A-Za-z0-9._~-]{16,256}")


class Headers(dict[str, str]):
    """Request headers with case-insensitive lookup (keys are stored lower-case)."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


@dataclass
class LoggedRequest:
    """One request as the server received it; the repr hides credentials.

    ``status`` is the response status the server sent (None while still being handled).
    """

    method: str
    path: str
    query: dict[str, Any]
    headers: Headers
    body: bytes
    status: int | None = None

    def json(self) -> Any:
        """The body parsed as JSON."""
        import json

        return json.loads(self.body)

    def __repr__(self) -> str:
        return (f"LoggedRequest(method={self.method!r}, path={self.path!r}, "
                f"query={self.query!r}, status={self.status!r})")


@dataclass
class Fault:
    """A scripted misbehaviour for the next ``count`` requests matching method and path."""

    method: str | None
    path_regex: re.Pattern[str]
    status: int | None
    count: int
    retry_after: float | None = None
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request (and still has uses left)."""
        method_ok = self.method in (None, "*") or self.method.upper() == method.upper()
        return self.count > 0 and method_ok and self.path_regex.search(path) is not None


@dataclass(frozen=True)
class Instance:
    """A service instance: its name, API key and CRN, plus its limits."""

    name: str
    api_key: str = field(repr=False)
    crn: str
    backends: tuple[str, ...] = ("ANY",)
    instance_limit_seconds: int | None = None
    usage_allocation_seconds: int | None = None


def new_instance_row(name: str, *, backends: list[str], instance_limit_seconds: int | None,
                     usage_allocation_seconds: int | None, is_default: bool,
                     account: str | None = None, region: str = "us-east",
                     **resource: Any) -> dict[str, Any]:
    """A fresh instance row: instance GUID, API key and (unless given) a new account.

    ``resource`` may set ``resource_group_id``, ``resource_plan_id``, ``tags`` and
    ``parameters`` (the Resource Controller's view of the instance).
    """
    account = account or secrets.token_hex(16)
    crn = f"crn:v1:bluemix:public:quantum-computing:{region}:a/{account}:{uuid.uuid4()}::"
    return {"crn": crn, "name": name, "api_key": secrets.token_urlsafe(33), "account": account,
            "backends": list(backends), "instance_limit_seconds": instance_limit_seconds,
            "usage_allocation_seconds": usage_allocation_seconds, "is_default": int(is_default),
            **resource}


def instance_from_row(row: dict[str, Any]) -> Instance:
    """The public ``Instance`` view of a stored row."""
    return Instance(row["name"], row["api_key"], row["crn"], tuple(row["backends"]),
                    row["instance_limit_seconds"], row["usage_allocation_seconds"])


def fixed_crn(instance: str) -> tuple[str, str]:
    """``(name, crn)`` for ``--instance``: a CRN as given, else a CRN derived from the name.

    The same name always gives the same CRN, so fixed credentials survive a restart without
    a database file.
    """
    if instance.startswith("crn:"):
        return "local-default", instance
    digest = hashlib.sha256(f"qiskit-rest-primitives:{instance}".encode()).hexdigest()
    guid = uuid.uuid5(uuid.NAMESPACE_URL, f"qiskit-rest-primitives:{instance}")
    return instance, f"crn:v1:bluemix:public:quantum-computing:us-east:a/{digest[:32]}:{guid}::"


def provision_default(store: Store, api_key: str | None, instance: str | None) -> None:
    """Make sure the default instance exists; with ``api_key``/``instance`` given, fix them."""
    current = store.default_instance()
    if api_key is None and instance is None:
        if current is None:
            store.add_instance(new_instance_row(
                "local-default", backends=["ANY"], instance_limit_seconds=None,
                usage_allocation_seconds=None, is_default=True))
        return
    if api_key is not None and not _API_KEY.fullmatch(api_key):
        raise ValueError("The API key must be 16 to 256 characters from A-Z a-z 0-9 . _ ~ -")
    name, crn = fixed_crn(instance or (current["name"] if current else "local-default"))
    if instance is None and current is not None:
        crn = current["crn"]
    holder = store.instance(api_key=api_key) if api_key is not None else None
    if holder is not None and holder["crn"] != crn:
        raise ValueError(f"The API key is already the key of instance {holder['name']!r}.")
    if current is not None and current["crn"] != crn:
        store.update_instance(current["crn"], is_default=0)
    if store.instance(crn=crn) is None:
        row = new_instance_row(name, backends=["ANY"], instance_limit_seconds=None,
                               usage_allocation_seconds=None, is_default=True,
                               account=crn.split("/")[1].split(":")[0] if "/" in crn else None)
        store.add_instance({**row, "crn": crn, "api_key": api_key or row["api_key"]})
    else:
        fields: dict[str, Any] = {"is_default": 1}
        if instance is not None and not instance.startswith("crn:"):
            fields["name"] = name
        if api_key is not None:
            fields["api_key"] = api_key
        store.update_instance(crn, **fields)


class ServerState:
    """Everything the routes and the middleware share."""

    def __init__(self, *, db: str | None, noise: bool, token_ttl: int, seed: int | None,
                 limits: Limits | None = None, workers: int = 1, api_key: str | None = None,
                 instance: str | None = None, request_log: int = 10_000) -> None:
        self.limits = limits or Limits()
        self.store = Store(db)
        # Kept in the database (0600) so tokens issued before a restart stay valid.
        secret = bytes.fromhex(self.store.meta("iam_signing_secret", secrets.token_hex(32)))
        self.issuer = TokenIssuer(token_ttl, secret=secret)
        self.iam_failures = FailedAttempts(self.limits.max_iam_failures)
        self.backends = BackendRegistry()
        self.worker = Worker(self.store, noise=noise, seed=seed, backends=self.backends,
                             workers=workers, limits=self.limits)
        self.finish_waits = FinishWaits()
        self.worker.on_finish = self.finish_waits.notify
        # The most recent requests only: a long-running server would otherwise keep every body.
        self.requests: deque[LoggedRequest] = deque(maxlen=request_log)
        self.faults: list[Fault] = []
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        provision_default(self.store, api_key, instance)

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault matching this request."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    return fault
        return None

    def log(self, request: LoggedRequest) -> None:
        """Append to the request log."""
        with self.lock:
            self.requests.append(request)

    def record_error(self, exc: BaseException) -> None:
        """Keep a handler's crash for ``check_errors()``, once even if reported twice (the
        500 handler records it before answering, the recorder again when it is re-raised)."""
        if not getattr(exc, "_recorded_by_server", False):
            exc._recorded_by_server = True  # type: ignore[attr-defined]
            self.errors.append(exc)
