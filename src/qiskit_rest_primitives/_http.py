"""HttpClient: the one ``requests.Session``, headers, timeouts, retries and error mapping."""

from __future__ import annotations

import json
import logging
from typing import Any

import requests
from urllib3.util.retry import Retry

from ._auth import BearerAuth
from ._config import API_VERSION, USER_AGENT, VERSION, RetryPolicy, Timeouts
from .exceptions import (
    APIConnectionError,
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

logger = logging.getLogger(__name__)

#: Methods urllib3 may retry on a forcelist status. POST is safe on 5xx per the service
#: (wire-format §4.2); PATCH is never retried.
_RETRY_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS", "POST"})


class _Retry(Retry):
    """urllib3 ``Retry`` that never replays a POST whose body may have reached the server."""

    def increment(self, method: str | None = None, url: str | None = None, *args: Any,
                  **kwargs: Any) -> Retry:
        error = kwargs.get("error")
        if method == "POST" and error is not None and self._is_read_error(error):
            raise error
        return super().increment(method, url, *args, **kwargs)


def make_retry(policy: RetryPolicy) -> Retry:
    """The urllib3 retry object for a policy."""
    return _Retry(
        total=policy.total,
        connect=policy.connect,
        read=policy.total,
        status=policy.total,
        backoff_factor=policy.backoff_factor,
        backoff_max=policy.backoff_max,
        backoff_jitter=policy.backoff_jitter,
        status_forcelist=policy.status_forcelist,
        allowed_methods=_RETRY_METHODS,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class HttpClient:
    """Sends API calls with auth, the service headers, timeouts and retries.

    Every non-2xx answer becomes an :class:`APIStatusError` subclass; a 401 invalidates the
    token and retries once. ``requests`` exceptions are translated in one place.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: BearerAuth,
        session: requests.Session,
        instance: str | None,
        api_version: str = API_VERSION,
        timeouts: Timeouts | None = None,
        verify: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self._auth = auth
        self._session = session
        self._verify = verify
        session.auth = auth
        session.headers.update({"IBM-API-Version": api_version, "Accept": "application/json",
                                "User-Agent": f"{USER_AGENT}/{VERSION}"})
        if instance:
            session.headers["Service-CRN"] = instance

    def __repr__(self) -> str:
        return f"HttpClient(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        body: Any = None,
        data: bytes | None = None,
        submit: bool = False,
    ) -> requests.Response:
        """Send one call; return the 2xx response or raise the mapped error."""
        url = self.base_url + path
        headers = {}
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            response = self._send(method, url, params=params, data=data, headers=headers,
                                  timeout=self.timeouts.pair(submit=submit))
            if response.status_code == 401 and attempt == 0 and self._auth.can_refresh:
                logger.debug("401 from %s %s: refreshing the token once", method, path)
                self._auth.invalidate()
                continue
            break
        if response.status_code >= 400:
            raise status_error(response, method, url)
        return response

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self._session.request(method, url, verify=self._verify, **kwargs)
        except requests.Timeout as exc:
            raise APITimeoutError(f"{method} {url} timed out", method=method, url=url) from exc
        except requests.exceptions.RetryError as exc:
            raise ServerError(f"{method} {url} failed after retries: {exc}", method=method,
                              url=url, status_code=503) from exc
        except requests.RequestException as exc:
            raise APIConnectionError(f"{method} {url} failed: {type(exc).__name__}: {exc}",
                                     method=method, url=url) from exc


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def status_error(response: requests.Response, method: str, url: str) -> APIStatusError:
    """Map an error response to its exception class, reading the ``{"errors": [...]}`` body."""
    status = response.status_code
    cls = _STATUS_CLASSES.get(status, ServerError if status >= 500 else APIStatusError)
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
    text = f"{method} {url}: HTTP {status}"
    if code is not None:
        text += f" (code {code})"
    if message:
        text += f": {message}"
    elif isinstance(body, str) and body:
        text += f": {body[:500]}"
    return cls(text, method=method, url=url, status_code=status, code=code, trace=trace,
               more_info=more_info, body=body)
