"""HttpClient: the pooled urllib3 connections, headers, timeouts, retries and error mapping."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

import urllib3
from urllib3 import BaseHTTPResponse
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util.retry import Retry

from .._config import API_VERSION, USER_AGENT, VERSION, RetryPolicy, Timeouts
from ..exceptions import (
    APIConnectionError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from ._auth import BearerAuth
from ._retry import backoff, parse_retry_after

if TYPE_CHECKING:  # typing.Self is Python 3.11+; annotations are not evaluated at run time
    from typing_extensions import Self

logger = logging.getLogger(__name__)

#: Methods urllib3 may retry on a forcelist status. POST is safe on 5xx per the service
#: (wire-format §4.2) except where a call says otherwise (creation calls); PATCH is retried
#: only for calls that declare themselves repeatable.
_RETRY_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS", "POST"})
_ALL_METHODS = _RETRY_METHODS | {"PATCH"}

#: How a call may be retried by the transport (see :meth:`HttpClient.request`).
RetryMode = Literal["default", "create", "repeatable"]


class _Retry(Retry):
    """urllib3 ``Retry`` that caps ``Retry-After`` and, unless told otherwise, never replays a
    POST after a read error.

    A read error (timeout, dropped connection) means the body may have reached the server, so
    only the caller can decide whether to post again (it looks the job up by its tag first).
    ``replay=True`` is for calls whose repetition is harmless (the IAM token exchange, closing a
    session).
    """

    replay: bool = False

    def new(self, **kw: Any) -> Self:
        """A copy with some counters changed (urllib3 calls this per attempt)."""
        copy = super().new(**kw)
        copy.replay = self.replay
        return copy

    def parse_retry_after(self, retry_after: str) -> float:
        """Seconds to wait for a ``Retry-After`` value, capped at ``retry_after_max``.

        Seconds (fractional too) or an HTTP date; an unreadable value counts as 0, so the
        normal backoff applies instead of the request failing on a bad header.
        """
        seconds = parse_retry_after(retry_after)
        if seconds is None:
            return 0.0
        return min(seconds, float(self.retry_after_max))

    def increment(self, method: str | None = None, url: str | None = None,
                  response: BaseHTTPResponse | None = None, error: Exception | None = None,
                  _pool: ConnectionPool | None = None,
                  _stacktrace: TracebackType | None = None) -> Self:
        """Count one failure; re-raise a POST read error instead of replaying the POST."""
        if (method in ("POST", "PATCH") and not self.replay and error is not None
                and self._is_read_error(error)):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


def make_retry(policy: RetryPolicy, mode: RetryMode = "default") -> Retry:
    """The urllib3 retry object for a policy.

    ``"default"``: idempotent calls and POST on a forcelist status, never a POST read error.
    ``"create"``: only failures to connect (the request surely never arrived); the caller
    finds out about anything else before posting again. ``"repeatable"``: everything,
    including read errors and PATCH, for calls that may safely happen twice.
    """
    create = mode == "create"
    retry = _Retry(
        total=policy.connect if create else policy.total,
        connect=policy.connect,
        read=0 if create else policy.total,
        status=0 if create else policy.total,
        other=0 if create else None,
        backoff_factor=policy.backoff_factor,
        backoff_max=policy.backoff_max,
        backoff_jitter=policy.backoff_jitter,
        status_forcelist=() if create else policy.status_forcelist,
        allowed_methods=_ALL_METHODS if mode == "repeatable" else _RETRY_METHODS,
        respect_retry_after_header=not create,
        retry_after_max=policy.retry_after_max,  # type: ignore[arg-type]  # float seconds work
        raise_on_status=False,
    )
    retry.replay = mode == "repeatable"
    return retry


def iam_session(retry: RetryPolicy, proxies: Mapping[str, str] | None) -> Any:
    """The ``requests`` session for IAM token calls: retries, and the account's proxies."""
    import requests  # deferred: ~40 ms of import time; the IAM token call uses it
    from requests.adapters import HTTPAdapter

    session = requests.Session()
    # The token exchange may be repeated freely: resets and timeouts are retried too.
    adapter = HTTPAdapter(max_retries=make_retry(retry, "repeatable"))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    if proxies:
        session.proxies.update(proxies)
    return session


class Response:
    """One API answer: status code, headers and the body's bytes (read in full)."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON (``ValueError`` if it is not JSON)."""
        return json.loads(self.content)


def make_pool(base_url: str, *, verify: bool = True, maxsize: int = 16,
              proxies: Mapping[str, str] | None = None) -> urllib3.PoolManager:
    """Keep-alive connection pools for the API host, through a proxy if one applies.

    ``proxies`` (scheme or scheme://host → proxy URL, as ``requests`` takes them) come first;
    else proxy (``HTTPS_PROXY``, ``NO_PROXY``...) and CA bundle (``REQUESTS_CA_BUNDLE``,
    ``CURL_CA_BUNDLE``) settings are read once, here, the way ``requests`` reads them.
    """
    from requests.utils import DEFAULT_CA_BUNDLE_PATH, get_environ_proxies, select_proxy

    tls: dict[str, Any] = {"cert_reqs": "CERT_NONE"}
    if verify:
        tls = {"cert_reqs": "CERT_REQUIRED",
               "ca_certs": (os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                            or DEFAULT_CA_BUNDLE_PATH)}
    proxy = select_proxy(base_url, dict(proxies) if proxies else get_environ_proxies(base_url))
    if proxy:
        return urllib3.ProxyManager(proxy, num_pools=2, maxsize=maxsize, block=False, **tls)
    return urllib3.PoolManager(num_pools=2, maxsize=maxsize, block=False, **tls)


class HttpClient:
    """Sends API calls with auth, the service headers, timeouts and retries.

    Calls go straight to urllib3's keep-alive pool (``requests`` costs about as much client
    CPU again as the rest of a loopback round trip). Every non-2xx answer becomes an
    :class:`APIStatusError` subclass; a 401 invalidates the token and retries once; urllib3
    exceptions are translated in one place.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: BearerAuth,
        pool: urllib3.PoolManager,
        retry: RetryPolicy,
        instance: str | None,
        api_version: str = API_VERSION,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self._auth = auth
        self._pool = pool
        self.retry_policy = retry
        self._retries: dict[str, Retry] = {mode: make_retry(retry, mode)
                                           for mode in ("default", "create", "repeatable")}
        self._headers = {"IBM-API-Version": api_version, "Accept": "application/json",
                         "User-Agent": f"{USER_AGENT}/{VERSION}"}
        if instance:
            self._headers["Service-CRN"] = instance
        self._timeout = urllib3.Timeout(connect=self.timeouts.connect, read=self.timeouts.read)
        self._submit_timeout = urllib3.Timeout(connect=self.timeouts.connect,
                                               read=self.timeouts.submit_read)
        #: Path prefix → the 404 class for it (the REST layer, which knows paths, fills it).
        self.not_found: dict[str, type[NotFoundError]] = {}

    def __repr__(self) -> str:
        return f"HttpClient(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the pooled connections."""
        self._pool.clear()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        body: Any = None,
        data: bytes | None = None,
        submit: bool = False,
        retry: RetryMode = "default",
    ) -> Response:
        """Send one call; return the 2xx response or raise the mapped error.

        ``retry`` says what the transport may repeat (see :func:`make_retry`): creation calls
        pass ``"create"`` and decide themselves after an ambiguous failure.
        """
        url = _with_query(self.base_url + path, params)
        headers = dict(self._headers)
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        timeout = self._submit_timeout if submit else self._timeout
        for attempt in range(2):
            headers["Authorization"] = f"Bearer {self._auth.bearer_token()}"
            response = self._send(method, url, data, headers, timeout, self._retries[retry])
            if response.status_code == 401 and attempt == 0 and self._auth.can_refresh:
                logger.debug("401 from %s %s: refreshing the token once", method, path)
                self._auth.invalidate()
                continue
            break
        if response.status_code >= 400:
            not_found = next((cls for prefix, cls in self.not_found.items()
                              if path.startswith(prefix)), NotFoundError)
            raise status_error(response, method, url, not_found=not_found)
        return response

    def request_json(self, method: str, path: str, *,
                     params: dict[str, Any] | list[tuple[str, Any]] | None = None,
                     body: Any = None, data: bytes | None = None, submit: bool = False,
                     retry: RetryMode = "default") -> Any:
        """:meth:`request`, then the body as JSON.

        A truncated, corrupt or non-JSON 2xx body (an HTML page from a proxy) is asked for
        again, at most ``RetryPolicy.body_retries`` times, when the call may be repeated (GET,
        or ``retry="repeatable"``); otherwise, or once those are spent, it is an
        :class:`APIResponseError`. A creation call treats that as an ambiguous failure.
        """
        repeat = method == "GET" or retry == "repeatable"
        attempts = self.retry_policy.body_retries + 1 if repeat else 1
        for attempt in range(attempts):
            response = self.request(method, path, params=params, body=body, data=data,
                                    submit=submit, retry=retry)
            try:
                return response.json()
            except ValueError as exc:
                error = APIResponseError(
                    f"{method} {self.base_url}{path}: HTTP {response.status_code} with a body "
                    f"that is not JSON ({len(response.content)} bytes)",
                    method=method, url=self.base_url + path)
                error.__cause__ = exc
                if attempt + 1 < attempts:
                    logger.info("%s %s: unreadable body; asking again", method, path)
                    policy = self.retry_policy
                    time.sleep(backoff(attempt, initial=policy.backoff_factor,
                                       cap=policy.backoff_max, jitter=policy.backoff_jitter))
        raise error

    def _send(self, method: str, url: str, data: bytes | None, headers: dict[str, str],
              timeout: urllib3.Timeout, retries: Retry) -> Response:
        try:
            raw = self._pool.urlopen(method, url, body=data, headers=headers, timeout=timeout,
                                     retries=retries, preload_content=True)
        except MaxRetryError as exc:
            reason = exc.reason
            if isinstance(reason, ResponseError):
                raise ServerError(f"{method} {url} failed after retries: {reason}",
                                  method=method, url=url, status_code=503) from exc
            raise _connection_error(method, url, reason or exc) from exc
        except HTTPError as exc:
            raise _connection_error(method, url, exc) from exc
        return Response(raw.status, raw.headers, raw.data)


def _connection_error(method: str, url: str, exc: BaseException) -> APIConnectionError:
    """The typed error for a call that got no HTTP answer."""
    # urllib3's NewConnectionError (refused, unreachable) subclasses ConnectTimeoutError.
    if isinstance(exc, ConnectTimeoutError) and not isinstance(exc, NewConnectionError):
        return APITimeoutError(f"{method} {url}: connecting timed out", method=method, url=url,
                               request_sent=False)
    if isinstance(exc, (ReadTimeoutError, TimeoutError)):
        return APITimeoutError(f"{method} {url} timed out", method=method, url=url)
    return APIConnectionError(f"{method} {url} failed: {type(exc).__name__}: {exc}",
                              method=method, url=url, request_sent=not _never_connected(exc))


def _never_connected(exc: BaseException) -> bool:
    """Whether the request surely never reached the server (no connection was made)."""
    seen: BaseException | None = exc
    for _ in range(8):  # MaxRetryError, ProxyError and friends wrap the cause
        if seen is None:
            return False
        if isinstance(seen, (NewConnectionError, ConnectTimeoutError)):
            return True
        reason = getattr(seen, "reason", None)
        first = seen.args[0] if seen.args else None
        seen = (reason if isinstance(reason, BaseException)
                else first if isinstance(first, BaseException) else seen.__cause__)
    return False


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def status_error(response: Response, method: str, url: str, *,
                 not_found: type[NotFoundError] = NotFoundError) -> APIStatusError:
    """Map an error response to its exception class, reading the ``{"errors": [...]}`` body.

    ``not_found`` is the 404 class for this path (a missing job is ``RuntimeJobNotFound``).
    """
    status = response.status_code
    cls = not_found if status == 404 else _STATUS_CLASSES.get(
        status, ServerError if status >= 500 else APIStatusError)
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = response.text
    code = message = more_info = trace = None
    if isinstance(body, dict):
        singular = body.get("error")
        errors = body.get("errors") or ([singular] if isinstance(singular, dict) else [])
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        code = None if first.get("code") is None else str(first.get("code"))
        message = first.get("message")
        more_info = first.get("more_info")
        trace = body.get("trace")
        if message is None and isinstance(body.get("message"), str):  # IBM Cloud platform APIs
            message = body["message"]
            code = code or body.get("error_code") or body.get("code")
    text = f"{method} {url}: HTTP {status}"
    if code is not None:
        text += f" (code {code})"
    if message:
        text += f": {message}"
    elif isinstance(body, str) and body:
        text += f": {body[:500]}"
    return cls(text, method=method, url=url, status_code=status, code=code, trace=trace,
               more_info=more_info, body=body,
               retry_after=parse_retry_after(response.headers.get("Retry-After")))


def _with_query(url: str, params: dict[str, Any] | list[tuple[str, Any]] | None) -> str:
    """``url`` with the query string of ``params`` added (None values left out)."""
    if params:
        pairs = params.items() if isinstance(params, dict) else params
        query = urlencode([(k, v) for k, v in pairs if v is not None], doseq=True)
        if query:
            url += ("&" if "?" in url else "?") + query
    return url
