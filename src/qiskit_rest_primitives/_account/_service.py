"""QiskitRuntimeService: an account (API key, instance, region) and what it can reach."""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from .._backends._backend import RuntimeBackend
from .._backends._backend_query import BackendCatalog
from .._codec._validate import (
    check_instance,
    check_job_id,
    check_job_query,
    check_timeout,
    check_url,
)
from .._config import API_VERSION, PollPolicy, RetryPolicy, Timeouts
from .._transport._auth import BearerAuth
from .._transport._create import repeat_until_settled
from .._transport._http import HttpClient, iam_session, make_pool
from .._transport._journal import SubmissionJournal
from .._transport._rest import RestClient
from ..exceptions import ConfigurationError, NotFoundError
from . import _accounts
from ._accounts import Account, AccountMethods
from ._endpoints import UrlResolver, api_url, iam_hint, region_of
from ._endpoints import iam_url as iam_endpoint
from ._instances import InstanceLookup, InstanceMethods
from ._job import RuntimeJob
from ._job_listing import job_documents, job_filters
from ._submit import journaled_job_ids, submit_job

JSON = dict[str, Any]
#: Jobs fetched per ``GET /jobs`` when paging through all of them.
logger = logging.getLogger(__name__)

__all__ = ["QiskitRuntimeService", "RuntimeService", "region_of"]


class QiskitRuntimeService(AccountMethods, InstanceMethods):
    """Your Qiskit Runtime account over REST: backends, jobs and sessions.

    The official client's constructor, read the same way: ``name`` loads a saved account;
    else ``token`` (an IBM Cloud API key) makes one from the arguments; else the environment
    (``QISKIT_IBM_TOKEN``, ``QISKIT_IBM_INSTANCE``, ``QISKIT_IBM_CHANNEL``, ``QISKIT_IBM_URL``;
    ``IAM_URL`` for the token endpoint) and then the saved default account are used.

    Args:
        channel: ``"ibm_quantum_platform"`` (default) or ``"ibm_cloud"`` (the same service).
        token: IBM Cloud API key, exchanged at IAM for bearer tokens.
        url: IBM Cloud's site (default ``https://cloud.ibm.com``, resolved per region), any
            other site (the API at ``{url}/api/v1``), or an API base ending in ``/api/v1``.
        filename: the account file (default ``~/.qiskit/qiskit-ibm.json``).
        name: a saved account to load (``channel``, ``token`` and ``url`` are then ignored).
        instance: the instance CRN (or its name), sent as ``Service-CRN``.
        proxies: ``{"urls": {"https": "http://proxy:3128"}}``, as in the official client.
        verify: verify TLS certificates (default true).
        private_endpoint: use IBM Cloud's private endpoints.
        url_resolver: ``(url, instance, private_endpoint, channel) -> API base``.
        region: ``"us-east"`` or ``"eu-de"``: the API's region when the instance does not say.
        plans_preference: plan names, in order, for choosing an instance when none is given.
        tags: instance tags, for choosing an instance when none is given.
        api_key: the same as ``token`` (this package's earlier name).
        bearer_token: a ready bearer token, used instead of an API key (never refreshed).
        iam_url: the IAM token endpoint itself (overrides ``IAM_URL``).
        api_version: the ``IBM-API-Version`` header.
        timeout: per-request timeouts (seconds, or a :class:`Timeouts`).
        retry: retry policy for transient failures.
        poll: how jobs poll for their status.
        journal: keep a crash-safe record of every job submitted (``True`` for the default
            file under the user's cache directory, or a path); see :meth:`jobs`.

    Raises:
        InvalidAccountError: a bad channel, region, token or proxy setting (before any I/O).
        AccountNotFoundError: no credentials in the arguments, environment or account file.
    """

    def __init__(self, channel: str | None = None, token: str | None = None,
                 url: str | None = None, filename: str | None = None, name: str | None = None,
                 instance: str | None = None, proxies: dict[str, Any] | None = None,
                 verify: bool | None = None, private_endpoint: bool | None = None,
                 url_resolver: UrlResolver | None = None, region: str | None = None,
                 plans_preference: list[str] | None = None, tags: list[str] | None = None, *,
                 api_key: str | None = None, bearer_token: str | None = None,
                 iam_url: str | None = None, api_version: str = API_VERSION,
                 timeout: float | Timeouts | None = None, retry: RetryPolicy | None = None,
                 poll: PollPolicy | None = None,
                 journal: bool | str | os.PathLike[str] = False) -> None:
        account = _with_choices(_accounts.discover_account(
            channel=channel, token=_one_key(token, api_key), url=url, instance=instance,
            filename=filename, name=name, proxies=proxies, verify=verify,
            private_endpoint=private_endpoint, need_token=bearer_token is None),
            region, plans_preference, tags)
        self._account = account
        _check_settings(account, iam_url, timeout)
        # What views of other instances of the account (backends(instance=...)) reuse too.
        self._url_resolver, self._api_version = url_resolver, api_version
        self._proxy_urls: dict[str, str] | None = (account.proxies or {}).get("urls")
        self._locate(account.instance)
        self.timeouts = _timeouts(timeout)
        self.poll = poll or PollPolicy()
        self.retry = retry or RetryPolicy()
        self._auth = self._bearer_auth(iam_url, bearer_token)
        self.instance = self._resolve_instance(self._proxy_urls)
        if self.instance != account.instance:  # found by name or chosen: its region counts
            self._locate(self.instance)
        self._connect()
        self._views: dict[str, QiskitRuntimeService] = {}
        self._parent: QiskitRuntimeService | None = None
        self.journal = _journal(journal)

    def _locate(self, instance: str | None) -> None:
        """Point ``url`` and ``region`` at ``instance``: its region's API when its CRN names
        one, else the account's region (set again once a name or a choice gives the CRN)."""
        self.url = self._api_url(instance)
        self.region = region_of(instance) or self._account.region

    def _api_url(self, instance: str | None) -> str:
        """The API base URL for ``instance`` of this account (its region's, if it has one)."""
        account = self._account
        return api_url(account.url, instance=instance, region=account.region,
                       private_endpoint=account.private_endpoint, channel=account.channel,
                       url_resolver=self._url_resolver)

    def _bearer_auth(self, iam_url: str | None, bearer_token: str | None) -> BearerAuth:
        """Bearer tokens from IAM for the account's key (or the ready ``bearer_token``)."""
        account = self._account
        self._iam_session = iam_session(self.retry, self._proxy_urls)  # the IAM token calls only
        iam = iam_endpoint(iam_url, instance=account.instance,
                           private_endpoint=account.private_endpoint)
        return BearerAuth(
            api_key=None if bearer_token else account.token, iam_url=iam,
            session=self._iam_session, timeout=self.timeouts.pair(), verify=account.verify,
            token=bearer_token, hint=iam_hint(self.url, iam))

    def _connect(self) -> None:
        """The HTTP and REST clients, and the backend catalog, for ``url`` and ``instance``."""
        self._http = HttpClient(self.url, auth=self._auth,
                                pool=make_pool(self.url, verify=self._account.verify,
                                               proxies=self._proxy_urls),
                                retry=self.retry, instance=self.instance,
                                api_version=self._api_version, timeouts=self.timeouts)
        self._rest = RestClient(self._http)
        self._catalog = BackendCatalog(self)

    def _resolve_instance(self, proxies: dict[str, str] | None) -> str:
        """The instance CRN every call carries as ``Service-CRN``: a CRN as given, a name
        resolved to its CRN, or with none the first instance by ``region``,
        ``plans_preference`` and ``tags`` (found through IBM Cloud's search, see
        :class:`InstanceLookup`)."""
        self._lookup = InstanceLookup.connect(self.url, auth=self._auth, retry=self.retry,
                                              timeouts=self.timeouts,
                                              verify=self._account.verify, proxies=proxies)
        account = self._account
        return self._lookup.resolve(account.instance, region=account.region,
                                    plans_preference=account.plans_preference, tags=account.tags)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r}, instance={self.instance!r})"

    def __enter__(self) -> QiskitRuntimeService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections (those of views of other instances too)."""
        for view in self._views.values():
            view._http.close()
        self._http.close()
        if self._parent is None:  # a view shares the rest with the service it came from
            self._lookup.close()
            self._iam_session.close()

    def active_instance(self) -> str | None:
        """The CRN of the instance in use."""
        return self.instance

    # backends (the meaning lives in _backend_query; these are the public doors)
    def backends(self, name: str | None = None, min_num_qubits: int | None = None,
                 instance: str | None = None, dynamic_circuits: bool | None = None,
                 filters: Callable[[RuntimeBackend], bool] | None = None, *,
                 use_fractional_gates: bool | None = False, calibration_id: str | None = None,
                 include_mocks: bool = False, **kwargs: Any) -> list[RuntimeBackend]:
        """The backends this instance may use, filtered as the official client filters.

        Args:
            name: only the backend of this name.
            min_num_qubits: at least this many qubits.
            instance: another instance of the account, by CRN or name (default: the
                service's); its backends submit their jobs and sessions to it.
            dynamic_circuits: whether ``"dynamic_circuits"`` is a supported feature.
            filters: a callable taking a backend, returning True to keep it.
            use_fractional_gates: include fractional gates (``rzz``, ``rx``) in the Target;
                ``None`` keeps every instruction the backend lists.
            calibration_id: build the backends from that calibration's documents.
            include_mocks: also list mock devices.
            **kwargs: attribute filters, e.g. ``simulator=False`` (configuration) or
                ``operational=True`` (status, one request per backend).
        """
        return self._catalog.backends(
            name, min_num_qubits, instance, dynamic_circuits, filters,
            use_fractional_gates=use_fractional_gates, calibration_id=calibration_id,
            include_mocks=include_mocks, **kwargs)

    def backend(self, name: str, instance: str | None = None,
                use_fractional_gates: bool | None = False,
                calibration_id: str | None = None) -> RuntimeBackend:
        """One backend by name, with its Target built from configuration and properties.

        Raises:
            QiskitBackendNotFoundError: no backend of that name (or calibration) is available.
        """
        return self._catalog.backend(name, instance, use_fractional_gates, calibration_id)

    def least_busy(self, min_num_qubits: int | None = None, instance: str | None = None,
                   filters: Callable[[RuntimeBackend], bool] | None = None,
                   use_fractional_gates: bool | None = False, **kwargs: Any) -> RuntimeBackend:
        """The online backend with the shortest queue, among those matching the filters.

        Raises:
            QiskitBackendNotFoundError: no backend matches.
        """
        return self._catalog.least_busy(min_num_qubits, instance, filters,
                                        use_fractional_gates, **kwargs)

    def _service_for(self, instance: str | None) -> QiskitRuntimeService:
        """This service, or a view of it that talks as another instance of the account.

        ``instance`` is a CRN or an instance name. A view shares the credentials, token and
        instance lookup; it has its own ``Service-CRN`` and regional URL, so its backends'
        jobs and sessions go to that instance (the official client switches clients the same
        way). Views are kept, and closed with this service.
        """
        if instance is None or instance == self.instance:
            return self
        crn = self._lookup.resolve(instance)
        if crn == self.instance:
            return self
        if crn not in self._views:
            view = copy.copy(self)
            view.instance, view._views, view._parent = crn, {}, self
            view._locate(crn)
            view._connect()
            self._views[crn] = view
        return self._views[crn]

    # jobs
    def job(self, job_id: str) -> RuntimeJob:
        """Retrieve a job by id."""
        check_job_id(job_id)
        return RuntimeJob.from_document(self._rest.get_job(job_id), self, self.poll)

    def jobs(self, limit: int | None = 10, skip: int = 0, backend_name: str | None = None,
             pending: bool | None = None, program_id: str | None = None,
             instance: str | None = None, job_tags: Sequence[str] | None = None,
             session_id: str | None = None, created_after: datetime | None = None,
             created_before: datetime | None = None, descending: bool = True, *,
             journal: bool = False) -> list[RuntimeJob]:
        """Jobs of this instance, newest first, with the API's filters (wire-format §5).

        The official client's parameters, in its order. ``limit=None`` pages through every
        matching job. Naive datetimes are local time. ``instance`` (a CRN or a name of this
        account's) lists that instance's jobs instead.
        ``journal=True`` lists instead the jobs this machine's submission journal recorded
        for this service's URL and instance (newest first; the filters do not apply), each
        with its current state: after a crash, nothing submitted is lost. A submission whose
        answer was never recorded is found by its tag; one the service never created is left
        out (``self.journal.entries()`` lists every record).
        """
        if journal:
            return self._journal_jobs(limit)
        check_job_query({"limit": limit, "skip": skip, "backend_name": backend_name,
                         "program_id": program_id, "session_id": session_id,
                         "pending": pending, "created_after": created_after,
                         "created_before": created_before, "job_tags": job_tags})
        host = self._service_for(instance)
        filters = job_filters(backend_name=backend_name, pending=pending, program=program_id,
                              session_id=session_id, tags=job_tags, created_after=created_after,
                              created_before=created_before, descending=descending)
        return [RuntimeJob.from_document(document, host, self.poll)
                for document in job_documents(host._rest, filters, limit=limit, skip=skip)]

    def delete_job(self, job_id: str) -> None:
        """Delete a finished job and its results.

        Sent again after an ambiguous failure; a 404 then means the first one deleted it.
        """
        repeat_until_settled(lambda: self._rest.delete_job(job_id), policy=self.retry,
                             settled=lambda exc: isinstance(exc, NotFoundError))

    def usage(self) -> JSON:
        """The instance's usage and limits (``/instances/usage``), plus, as the official
        client adds it, ``usage_remaining_seconds`` when the instance has a limit."""
        usage = self._rest.get_instance_usage()
        limit = usage.get("usage_limit_seconds") or usage.get("usage_allocation_seconds")
        if limit:
            consumed = usage.get("usage_consumed_seconds") or 0
            usage["usage_remaining_seconds"] = max(float(limit) - float(consumed), 0)
        return usage

    def _submit_job(self, body: JSON) -> JSON:
        """POST a job exactly once, even if the answer to the POST is lost.

        The body carries a client-made tag, built once before the first attempt and recorded
        in the journal (if any) before the first post. After an ambiguous failure the job is
        looked up by that tag before posting again (:func:`create_once`).
        """
        return submit_job(self._rest, body, retry=self.retry, journal=self.journal,
                          url=self.url, instance=self.instance)

    def _journal_jobs(self, limit: int | None) -> list[RuntimeJob]:
        """The jobs the journal recorded for this service, newest first, with fresh states."""
        ids = journaled_job_ids(self.journal or SubmissionJournal(), self._rest, url=self.url,
                                instance=self.instance)
        jobs: list[RuntimeJob] = []
        while limit is None or len(jobs) < limit:
            job_id = next(ids, None)
            if job_id is None:
                break
            try:
                jobs.append(self.job(job_id))
            except NotFoundError:
                logger.info("Journal job %s is gone from the service (deleted)", job_id)
        return jobs


#: This package's earlier name for the service.
RuntimeService = QiskitRuntimeService


def _with_choices(account: Account, region: str | None, plans_preference: list[str] | None,
                  tags: list[str] | None) -> Account:
    """The account with the arguments that choose its instance and region applied, checked."""
    if account.instance == "auto":  # the official "choose one, and do not warn"
        account.instance = None
    account.region = region or account.region
    account.plans_preference = plans_preference or account.plans_preference
    account.tags = tags or account.tags
    return account.validate()


def _one_key(token: str | None, api_key: str | None) -> str | None:
    """The API key, given as ``token=`` or as ``api_key=`` (its earlier name), not two keys.

    Raises:
        ConfigurationError: both were given and differ.
    """
    if api_key is None:
        return token
    if token is not None and token != api_key:
        raise ConfigurationError("Give the API key once: token= or api_key=, not both")
    return api_key


def _check_settings(account: Account, iam_url: str | None, timeout: Any) -> None:
    """Reject a malformed URL, instance CRN or timeout before anything is built or sent."""
    check_url(account.url, "url")
    check_url(iam_url, "iam_url")
    check_instance(account.instance)
    check_timeout(timeout)


def _journal(journal: bool | str | os.PathLike[str]) -> SubmissionJournal | None:
    """The submission journal ``journal=`` asks for: none, the default file, or this path."""
    if journal is False:
        return None
    return SubmissionJournal(None if journal is True else journal)


def _timeouts(timeout: float | Timeouts | None) -> Timeouts:
    """Per-request timeouts: as given, one number for every phase, or the defaults."""
    if isinstance(timeout, Timeouts):
        return timeout
    if timeout is None:
        return Timeouts()
    return Timeouts(connect=float(timeout), read=float(timeout), submit_read=float(timeout))
