"""RuntimeService: an account (API key or token, instance CRN, region) and what it can reach."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from ._auth import BearerAuth
from ._backend import RuntimeBackend
from ._config import (
    API_VERSION,
    DEFAULT_REGION,
    ENV_INSTANCE,
    ENV_TOKEN,
    IAM_URL,
    REGION_URLS,
    PollPolicy,
    RetryPolicy,
    Timeouts,
)
from ._encode import dumps_body
from ._http import HttpClient, make_pool, make_retry
from ._job import RuntimeJob
from ._rest import RestClient
from .exceptions import APIConnectionError, ConfigurationError

JSON = dict[str, Any]
#: Tag prefix that makes a job submission findable after an ambiguous network failure.
SUBMIT_TAG_PREFIX = "qrp-submit-"
#: The service accepts at most 8 tags per job (wire-format §5).
MAX_TAGS = 8
#: Posts of one job submission at most (each after an ambiguous failure and a lookup).
_SUBMIT_ATTEMPTS = 2
#: Jobs fetched per ``GET /jobs`` when paging through all of them.
_PAGE_SIZE = 200
logger = logging.getLogger(__name__)


def region_of(instance: str | None) -> str | None:
    """The region field of an instance CRN (its 6th colon-separated field)."""
    fields = (instance or "").split(":")
    return fields[5] if len(fields) > 5 and fields[5] else None


class RuntimeService:
    """Your Qiskit Runtime account over REST: backends, jobs and sessions.

    Args:
        api_key: IBM Cloud API key, exchanged at IAM for bearer tokens (default: env
            ``QISKIT_IBM_TOKEN``).
        instance: the instance CRN, sent as ``Service-CRN`` (default: env ``QISKIT_IBM_INSTANCE``).
        region: ``"us-east"`` or ``"eu-de"``; default: the CRN's region, else us-east.
        url: API base (``…/api/v1``) overriding the region's.
        iam_url: IAM token endpoint (default IBM Cloud IAM).
        token: a ready bearer token, used instead of an API key (not refreshed).
        api_version: the ``IBM-API-Version`` header.
        verify: verify TLS certificates.
        timeout: per-request timeouts (seconds, or a :class:`Timeouts`).
        retry: retry policy for transient failures.
        poll: how jobs poll for their status.
    """

    def __init__(self, api_key: str | None = None, instance: str | None = None, *,
                 region: str | None = None, url: str | None = None, iam_url: str | None = None,
                 token: str | None = None, api_version: str = API_VERSION, verify: bool = True,
                 timeout: float | Timeouts | None = None, retry: RetryPolicy | None = None,
                 poll: PollPolicy | None = None) -> None:
        api_key = api_key if api_key is not None else (None if token else os.environ.get(ENV_TOKEN))
        instance = instance if instance is not None else os.environ.get(ENV_INSTANCE)
        if not api_key and not token:
            raise ConfigurationError(
                f"No credentials: pass api_key= (or token=), or set {ENV_TOKEN}")
        region = region or region_of(instance) or DEFAULT_REGION
        if url is None and region not in REGION_URLS:
            raise ConfigurationError(
                f"Unknown region {region!r}; choose one of {sorted(REGION_URLS)} or pass url=")
        self.url = (url or REGION_URLS[region]).rstrip("/")
        self.region = region
        self.instance = instance
        self.timeouts = timeout if isinstance(timeout, Timeouts) else (
            Timeouts(connect=float(timeout), read=float(timeout), submit_read=float(timeout))
            if timeout is not None else Timeouts())
        self.poll = poll or PollPolicy()
        self.retry = retry or RetryPolicy()
        import requests  # deferred: ~40 ms of import time; the IAM token call uses it
        from requests.adapters import HTTPAdapter

        session = self._iam_session = requests.Session()  # the IAM token calls only
        adapter = HTTPAdapter(max_retries=make_retry(self.retry))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        auth = BearerAuth(api_key=api_key or None, iam_url=iam_url or IAM_URL, session=session,
                          timeout=self.timeouts.pair(), verify=verify, token=token)
        self._http = HttpClient(self.url, auth=auth, pool=make_pool(self.url, verify=verify),
                                retry=make_retry(self.retry), instance=instance,
                                api_version=api_version, timeouts=self.timeouts)
        self._rest = RestClient(self._http)
        self._backends: dict[str, RuntimeBackend] = {}

    def __repr__(self) -> str:
        return f"RuntimeService(url={self.url!r}, instance={self.instance!r})"

    def __enter__(self) -> RuntimeService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()
        self._iam_session.close()

    # backends
    def backends(self, name: str | None = None, *, operational: bool | None = None,
                 min_num_qubits: int | None = None) -> list[RuntimeBackend]:
        """The backends this instance may use, optionally filtered."""
        return [self.backend(device["name"])
                for device in self._devices(name, operational, min_num_qubits)]

    def _devices(self, name: str | None, operational: bool | None,
                 min_num_qubits: int | None) -> list[JSON]:
        """``GET /backends`` entries matching the filters."""
        found = []
        for device in self._rest.list_backends().get("devices", []):
            online = (device.get("status") or {}).get("name", "online") == "online"
            if ((name is None or device.get("name") == name)
                    and (operational is None or online == operational)
                    and int(device.get("qubits", 0)) >= (min_num_qubits or 0)):
                found.append(device)
        return found

    def backend(self, name: str) -> RuntimeBackend:
        """One backend by name, with its Target (configuration and properties are cached)."""
        if name not in self._backends:
            configuration = self._rest.get_backend_configuration(name)
            properties = self._rest.get_backend_properties(name)
            self._backends[name] = RuntimeBackend(configuration, properties, service=self)
        return self._backends[name]

    def least_busy(self, *, min_num_qubits: int | None = None) -> RuntimeBackend:
        """The operational backend with the shortest queue."""
        devices = self._devices(None, True, min_num_qubits)
        if not devices:
            raise ConfigurationError("No operational backend matches")
        return self.backend(min(devices, key=lambda d: int(d.get("queue_length", 0)))["name"])

    # jobs
    def job(self, job_id: str) -> RuntimeJob:
        """Retrieve a job by id."""
        return RuntimeJob.from_document(self._rest.get_job(job_id), self, self.poll)

    def jobs(self, limit: int | None = 10, skip: int = 0, *, backend_name: str | None = None,
             pending: bool | None = None, program_id: str | None = None,
             session_id: str | None = None, job_tags: Sequence[str] | None = None,
             created_after: datetime | None = None, created_before: datetime | None = None,
             descending: bool = True) -> list[RuntimeJob]:
        """Jobs of this instance, newest first, with the API's filters (wire-format §5).

        ``limit=None`` pages through every matching job. Naive datetimes are local time.
        """
        filters = _job_filters(backend_name=backend_name, pending=pending, program=program_id,
                               session_id=session_id, tags=job_tags, created_after=created_after,
                               created_before=created_before, descending=descending)
        jobs: list[RuntimeJob] = []
        offset = skip
        while limit is None or len(jobs) < limit:
            page_size = _PAGE_SIZE if limit is None else min(_PAGE_SIZE, limit - len(jobs))
            params = [("exclude_params", "true"), ("limit", page_size), ("offset", offset),
                      *filters]
            page = self._rest.list_jobs(params).get("jobs") or []
            for document in page:
                jobs.append(RuntimeJob.from_document(document, self, self.poll))
            offset += len(page)
            if len(page) < page_size:
                break
        return jobs

    def delete_job(self, job_id: str) -> None:
        """Delete a finished job and its results."""
        self._rest.delete_job(job_id)

    def usage(self) -> JSON:
        """The instance's usage and limits (``/instances/usage``)."""
        return self._rest.get_instance_usage()

    def _submit_job(self, body: JSON) -> JSON:
        """POST a job exactly once, even if the answer to the POST is lost.

        The body carries a client-made tag, built once before the first attempt. After an
        ambiguous failure (the body may have arrived) the job is looked up by that tag for
        up to ``RetryPolicy.submit_lookup_s`` before posting again (STYLE.md, "Retries").
        """
        tags = list(body.get("tags", []))
        if len(tags) >= MAX_TAGS:  # no room for the submission tag: send once, as is
            return self._rest.create_job(dumps_body(body))
        tag = SUBMIT_TAG_PREFIX + uuid.uuid4().hex
        data = dumps_body({**body, "tags": [*tags, tag]})
        for attempt in range(_SUBMIT_ATTEMPTS):
            try:
                return self._rest.create_job(data)
            except APIConnectionError as exc:
                # urllib3 already retried connection failures; only a lost answer is ours.
                if not exc.request_sent:
                    raise
                logger.info("Job submission %s lost its answer; looking it up by tag", tag)
                found = self._find_submitted(tag)
                if found is not None:
                    return found
                if attempt == _SUBMIT_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _find_submitted(self, tag: str) -> JSON | None:
        """The create response of the job carrying ``tag``, polled for a while; else None."""
        deadline = time.monotonic() + self.retry.submit_lookup_s
        query: list[tuple[str, Any]] = [("tags", tag), ("limit", 1), ("exclude_params", "true")]
        for interval in self.poll.intervals():
            jobs = self._rest.list_jobs(query).get("jobs") or []
            if jobs:
                document = jobs[0]
                found: JSON = {"id": document["id"], "backend": document.get("backend")}
                if document.get("session_id"):
                    found["session_id"] = document["session_id"]
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            time.sleep(min(interval, remaining))
        return None


def _job_filters(*, backend_name: str | None, pending: bool | None, program: str | None,
                 session_id: str | None, tags: Sequence[str] | None,
                 created_after: datetime | None, created_before: datetime | None,
                 descending: bool) -> list[tuple[str, Any]]:
    """``GET /jobs`` query filters, as the official client names them (wire-format §5)."""
    params: list[tuple[str, Any]] = []
    for key, value in (("backend", backend_name), ("program", program),
                       ("session_id", session_id)):
        if value is not None:
            params.append((key, value))
    if pending is not None:
        params.append(("pending", "true" if pending else "false"))
    params += [("tags", tag) for tag in tags or ()]
    for key, moment in (("created_after", created_after), ("created_before", created_before)):
        if moment is not None:
            # wire-format §5: UTC ISO-8601 with "+00:00"; a naive datetime is local time.
            params.append((key, moment.astimezone(timezone.utc).isoformat()))
    if not descending:
        params.append(("sort", "ASC"))
    return params
