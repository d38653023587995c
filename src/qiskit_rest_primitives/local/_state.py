"""Shared server state: store, tokens, worker, request log, injected faults, captured errors."""

from __future__ import annotations

import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from ._backends import BackendRegistry
from ._iam import TokenIssuer
from ._limits import Limits
from ._store import Store
from ._worker import Worker

_REDACTED = "<redacted>"


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


class ServerState:
    """Everything the routes and the middleware share."""

    def __init__(self, *, db: str | None, noise: bool, token_ttl: int, seed: int | None,
                 limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.store = Store(db)
        self.issuer = TokenIssuer(token_ttl)
        self.backends = BackendRegistry()
        self.worker = Worker(self.store, noise=noise, seed=seed, backends=self.backends)
        self.requests: list[LoggedRequest] = []
        self.faults: list[Fault] = []
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        if self.store.default_instance() is None:
            self.store.add_instance(new_instance_row(
                "local-default", backends=["ANY"], instance_limit_seconds=None,
                usage_allocation_seconds=None, is_default=True))

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
