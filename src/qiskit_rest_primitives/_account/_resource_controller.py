"""ResourceController: create, read, update, list and delete Qiskit Runtime instances.

IBM Cloud's Resource Controller API is separate from the Runtime API (instances.md §2); this
client shares the Runtime client's IAM token handling, retries, timeouts, proxies and errors.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .._codec._validate import check_timeout, check_url
from .._config import (
    API_VERSION,
    ENV_TOKEN,
    IAM_URL,
    QISKIT_RUNTIME_RESOURCE_ID,
    RESOURCE_CONTROLLER_URL,
    RetryPolicy,
    Timeouts,
)
from .._transport._auth import BearerAuth
from .._transport._http import HttpClient, iam_session, make_pool
from .._transport._rest import ResourceControllerRest
from ..exceptions import ConfigurationError

JSON = dict[str, Any]
_SECONDS = ("instance_limit_seconds", "usage_allocation_seconds")
_UPDATABLE = ("name", "resource_plan_id", *_SECONDS, "backends")


@dataclass(frozen=True)
class InstanceExtensions:
    """An instance's settings as the service applies them (``extensions``, not ``parameters``).

    Attributes:
        instance_limit_seconds: usage after which no new job starts; None: no limit.
        usage_allocation_seconds: the fair-share allocation; None: none set.
        backends: the allow-list: backend names, ``["ANY"]`` (every backend of the plan) or
            ``[]`` (none).
    """

    instance_limit_seconds: int | None
    usage_allocation_seconds: int | None
    backends: list[str]

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> InstanceExtensions:
        """Read ``extensions`` (missing keys: no limit, no allocation, every backend)."""
        data = data or {}
        return cls(_optional_int(data.get("instance_limit_seconds")),
                   _optional_int(data.get("usage_allocation_seconds")),
                   list(data.get("backends", ["ANY"])))


@dataclass(frozen=True)
class ResourceInstance:
    """A Qiskit Runtime instance as the Resource Controller describes it.

    ``plan`` is the ``resource_plan_id``; ``document`` keeps the whole answer.
    """

    crn: str
    guid: str
    name: str
    state: str
    plan: str
    region: str
    resource_group_id: str | None
    tags: list[str]
    extensions: InstanceExtensions
    document: JSON = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, doc: JSON) -> ResourceInstance:
        """Build from a ``ResourceInstance`` document."""
        return cls(crn=doc["crn"], guid=doc.get("guid") or doc["crn"].split(":")[7],
                   name=doc.get("name", ""), state=doc.get("state", ""),
                   plan=doc.get("resource_plan_id", ""), region=doc.get("region_id", ""),
                   resource_group_id=doc.get("resource_group_id"), tags=list(doc.get("tags") or []),
                   extensions=InstanceExtensions.from_json(doc.get("extensions")), document=doc)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def instance_parameters(values: Mapping[str, Any]) -> JSON:
    """Validate settings and write them as the API wants: seconds as digit strings or null.

    Raises:
        ConfigurationError: naming the parameter, before anything is sent.
    """
    out: JSON = {}
    for key, value in values.items():
        if key in _SECONDS:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 0):
                raise ConfigurationError(
                    f"{key} must be a non-negative integer number of seconds or None, "
                    f"got {value!r}")
            out[key] = None if value is None else str(value)
        elif key == "backends":
            out[key] = _backends(value)
        else:
            raise ConfigurationError(
                f"Unknown instance parameter {key!r}; allowed: {', '.join(_UPDATABLE)}")
    return out


def _backends(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(
            isinstance(name, str) and name for name in value):
        raise ConfigurationError(
            f"backends must be a list of backend names, ['ANY'] or [], got {value!r}")
    if "ANY" in value and list(value) != ["ANY"]:
        raise ConfigurationError("backends: 'ANY' means every backend; do not add names to it")
    return list(value)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{name} must be a non-empty string, got {value!r}")
    return value


class ResourceController:
    """Qiskit Runtime instances through IBM Cloud's Resource Controller API.

    Args:
        api_key: IBM Cloud API key (default: env ``QISKIT_IBM_TOKEN``).
        url: the Resource Controller base URL.
        iam_url: IAM token endpoint.
        token: a ready bearer token instead of an API key (not refreshed).
        verify: verify TLS certificates.
        proxies: proxy URLs by scheme, as ``requests`` takes them, or the service's form
            ``{"urls": {...}}`` (default: the environment's).
        timeout: per-request timeouts (seconds, or a :class:`Timeouts`).
        retry: retry policy for transient failures.
    """

    def __init__(self, api_key: str | None = None, *, url: str = RESOURCE_CONTROLLER_URL,
                 iam_url: str = IAM_URL, token: str | None = None, verify: bool = True,
                 proxies: Mapping[str, Any] | None = None,
                 timeout: float | Timeouts | None = None,
                 retry: RetryPolicy | None = None) -> None:
        api_key = api_key if api_key is not None else (None if token else os.environ.get(ENV_TOKEN))
        if not api_key and not token:
            raise ConfigurationError(
                f"No credentials: pass api_key= (or token=), or set {ENV_TOKEN}")
        if proxies and isinstance(proxies.get("urls"), Mapping):
            proxies = proxies["urls"]  # the official client's form, as QiskitRuntimeService takes
        check_url(url, "url")
        check_url(iam_url, "iam_url")
        check_timeout(timeout)
        self.url = url.rstrip("/")
        timeouts = timeout if isinstance(timeout, Timeouts) else (
            Timeouts(float(timeout), float(timeout), float(timeout)) if timeout is not None
            else Timeouts())
        policy = retry or RetryPolicy()
        self._iam_session = iam_session(policy, proxies)
        auth = BearerAuth(api_key=api_key or None, iam_url=iam_url, session=self._iam_session,
                          timeout=timeouts.pair(), verify=verify, token=token)
        self._http = HttpClient(self.url, auth=auth,
                                pool=make_pool(self.url, verify=verify, proxies=proxies),
                                retry=policy, instance=None, api_version=API_VERSION,
                                timeouts=timeouts)
        self._rest = ResourceControllerRest(self._http)

    def __repr__(self) -> str:
        return f"ResourceController(url={self.url!r})"

    def __enter__(self) -> ResourceController:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()
        self._iam_session.close()

    def create_instance(self, name: str, *, resource_group: str, resource_plan_id: str,
                        target: str, instance_limit_seconds: int | None = None,
                        usage_allocation_seconds: int | None = None,
                        backends: list[str] | None = None,
                        tags: list[str] | None = None) -> ResourceInstance:
        """Create an instance; settings left as None take the plan's defaults.

        Args:
            name: the instance name.
            resource_group: the resource group id.
            resource_plan_id: the plan's catalog id.
            target: the region, e.g. ``"us-east"``.
            instance_limit_seconds: usage limit (Open plan default: 600 s).
            usage_allocation_seconds: fair-share allocation.
            backends: allow-list; None means ``["ANY"]``, ``[]`` means none.
            tags: IBM Cloud tags.
        """
        settings = {k: v for k, v in (("instance_limit_seconds", instance_limit_seconds),
                                      ("usage_allocation_seconds", usage_allocation_seconds),
                                      ("backends", backends)) if v is not None}
        body: JSON = {"name": _text("name", name), "target": _text("target", target),
                      "resource_group": _text("resource_group", resource_group),
                      "resource_plan_id": _text("resource_plan_id", resource_plan_id)}
        if tags is not None:
            body["tags"] = [_text("tag", tag) for tag in tags]
        if settings:
            body["parameters"] = instance_parameters(settings)
        return ResourceInstance.from_json(self._rest.create_resource_instance(body))

    def get_instance(self, crn_or_id: str) -> ResourceInstance:
        """One instance by CRN or GUID."""
        return ResourceInstance.from_json(
            self._rest.get_resource_instance(_text("crn_or_id", crn_or_id)))

    def update_instance(self, crn_or_id: str, **parameters: Any) -> ResourceInstance:
        """Change ``name``, ``resource_plan_id``, ``instance_limit_seconds``,
        ``usage_allocation_seconds`` or ``backends``; only the keys given change, and None
        removes a limit or allocation."""
        if not parameters:
            raise ConfigurationError(f"Nothing to update; give one of {', '.join(_UPDATABLE)}")
        body: JSON = {}
        for key in ("name", "resource_plan_id"):
            if key in parameters:
                body[key] = _text(key, parameters.pop(key))
        if parameters:
            body["parameters"] = instance_parameters(parameters)
        return ResourceInstance.from_json(
            self._rest.update_resource_instance(_text("crn_or_id", crn_or_id), body))

    def list_instances(self) -> list[ResourceInstance]:
        """The account's Qiskit Runtime instances (every page)."""
        params: JSON = {"resource_id": QISKIT_RUNTIME_RESOURCE_ID}
        found: list[ResourceInstance] = []
        while True:
            page = self._rest.list_resource_instances(params)
            found += [ResourceInstance.from_json(doc) for doc in page.get("resources") or []]
            start = parse_qs(urlsplit(page.get("next_url") or "").query).get("start")
            if not start:
                return found
            params = {"resource_id": QISKIT_RUNTIME_RESOURCE_ID, "start": start[0]}

    def delete_instance(self, crn_or_id: str) -> None:
        """Delete an instance."""
        self._rest.delete_resource_instance(_text("crn_or_id", crn_or_id))

