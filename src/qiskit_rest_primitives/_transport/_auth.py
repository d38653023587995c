"""IAM API-key → bearer-token exchange, cached and refreshed from the token's JWT claims."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from .._config import IAM_GRANT_TYPE, TOKEN_EXPIRY_MARGIN_S, TOKEN_REFRESH_FRACTION
from ..exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    RateLimitError,
    ServerError,
)
from ._retry import is_transient, parse_retry_after

logger = logging.getLogger(__name__)
#: After a failed proactive refresh the current token is used, and IAM asked again this much
#: later (the official client waits 60 s; a shorter pause notices IAM's return sooner).
_REFRESH_PAUSE_S = 5.0
#: While IAM is down a token is used until this close to its ``exp`` (not the usual 10 s
#: margin, which only exists to refresh early when IAM is up).
_OUTAGE_MARGIN_S = 2.0
#: Answers read per token fetch while IAM's 200 bodies are unreadable.
_BODY_ATTEMPTS = 3

if TYPE_CHECKING:
    import requests


class BearerAuth:
    """The ``Authorization: Bearer …`` token for every API call, fetched from IAM as needed.

    With an API key the token is fetched lazily, refreshed after 80 % of its lifetime or
    10 s before ``exp`` (wire-format §2.2), and re-fetched after :meth:`invalidate`. With only
    a ready ``token`` it is sent as is. An IAM failure raises :class:`AuthenticationError`;
    the API key itself is never sent to the API.
    """

    def __init__(
        self,
        *,
        api_key: str | None,
        iam_url: str,
        session: requests.Session,
        timeout: tuple[float, float],
        verify: bool = True,
        token: str | None = None,
        hint: str = "",
    ) -> None:
        if api_key is None and token is None:
            raise ValueError("BearerAuth needs an api_key or a token")
        self._api_key = api_key
        self._iam_url = iam_url
        #: Added to the message when IAM refuses the key or cannot be reached.
        self._hint = hint
        self._session = session
        self._timeout = timeout
        self._verify = verify
        self._lock = threading.Lock()
        self._token = token
        self._refresh_at = float("inf") if token else 0.0
        self._expires_at = float("inf") if token else 0.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(iam_url={self._iam_url!r})"

    @property
    def can_refresh(self) -> bool:
        """Whether a new token can be fetched (an API key was given)."""
        return self._api_key is not None

    def bearer_token(self) -> str:
        """A token valid now, fetched or refreshed first if needed."""
        with self._lock:
            now = time.time()
            if self._token is None or (self.can_refresh and now >= self._refresh_at):
                try:
                    self._fetch()
                except APIError as exc:
                    now = time.time()  # the failed fetch may have taken its retries' time
                    if not (self._token is not None and is_transient(exc)
                            and now < self._expires_at - _OUTAGE_MARGIN_S):
                        raise
                    # wire-format §2.2: the token stays good until exp; IAM may be back soon.
                    logger.warning("IAM token refresh failed (%s); using the current token, "
                                   "valid for %.0f s more", type(exc).__name__,
                                   self._expires_at - now)
                    self._refresh_at = min(now + _REFRESH_PAUSE_S,
                                           self._expires_at - _OUTAGE_MARGIN_S)
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token so the next call fetches a new one (after a 401)."""
        with self._lock:
            if self.can_refresh:
                self._token = None

    def _fetch(self) -> None:
        """Exchange the key for a token; an unreadable 200 (HTML, corrupt JSON, no JWT) is
        asked for again, at most ``_BODY_ATTEMPTS`` times, then a :class:`ServerError`."""
        for attempt in range(_BODY_ATTEMPTS):
            response = self._post()
            if response is not None and response.status_code != 200:
                raise _iam_error(response, self._iam_url, self._hint)
            try:
                if response is None:
                    raise ValueError("the body was cut off")
                token = str(response.json()["access_token"])
                claims = _claims(token)
            except (ValueError, KeyError, TypeError, AuthenticationError) as exc:
                if attempt + 1 < _BODY_ATTEMPTS:
                    logger.info("IAM answered 200 with an unreadable body; asking again")
                    continue
                raise ServerError(f"POST {self._iam_url}: IAM answered 200 without a readable "
                                  f"token ({_BODY_ATTEMPTS} times)", method="POST",
                                  url=self._iam_url, status_code=200) from exc
            self._store(token, claims)
            return

    def _post(self) -> requests.Response | None:
        """One token request (retried by the session's adapter); None if its body was cut off."""
        import requests  # deferred: ~40 ms of import time, used for the IAM call only

        form = {"grant_type": IAM_GRANT_TYPE, "apikey": self._api_key, "response_type": "cloud_iam"}
        try:
            return self._session.post(self._iam_url, data=form,
                                      headers={"Accept": "application/json"},
                                      timeout=self._timeout, verify=self._verify)
        except requests.ConnectTimeout as exc:
            raise APITimeoutError(f"POST {self._iam_url}: connecting to IAM timed out",
                                  method="POST", url=self._iam_url, request_sent=False) from exc
        except requests.Timeout as exc:
            raise APITimeoutError(f"POST {self._iam_url}: IAM token request timed out",
                                  method="POST", url=self._iam_url) from exc
        except requests.exceptions.ChunkedEncodingError:
            return None
        except requests.RequestException as exc:
            raise APIConnectionError(
                f"POST {self._iam_url}: IAM token request failed: {type(exc).__name__}"
                f"{self._hint}", method="POST", url=self._iam_url) from exc

    def _store(self, token: str, claims: dict[str, Any]) -> None:
        now = time.time()
        exp = float(claims.get("exp", now + 3600))
        iat = float(claims.get("iat", now))
        self._token = token
        self._expires_at = exp
        self._refresh_at = min(exp - TOKEN_EXPIRY_MARGIN_S,
                               iat + TOKEN_REFRESH_FRACTION * (exp - iat))


def _claims(token: str) -> dict[str, Any]:
    """The JWT's claims, read without verifying the signature (the API verifies it)."""
    import jwt  # deferred: pyjwt costs ~60 ms of import time and is needed only here

    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise AuthenticationError("IAM returned a token that is not a valid JWT") from exc
    return claims


def _iam_error(response: requests.Response, url: str, hint: str = "") -> APIStatusError:
    """IAM's answer as a typed error: only a 4xx other than 429 means the key was refused
    (``hint`` ends that message)."""
    try:
        body: Any = response.json()
        detail = body.get("errorMessage") or body.get("message") or ""
    except (ValueError, AttributeError):
        body, detail = response.text, ""
    status = response.status_code
    code = body.get("errorCode") if isinstance(body, dict) else None
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status >= 500 or status == 429:
        cls: type[APIStatusError] = RateLimitError if status == 429 else ServerError
        return cls(f"POST {url}: IAM is unavailable (HTTP {status})", method="POST", url=url,
                   status_code=status, code=code, body=body, retry_after=retry_after)
    message = f"POST {url}: IAM refused the API key (HTTP {status})"
    if detail:
        message += f": {detail}"
    message += hint
    return AuthenticationError(message, method="POST", url=url, status_code=status, code=code,
                               body=body)
