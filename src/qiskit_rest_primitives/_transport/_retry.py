"""Pure retry decisions: ``Retry-After`` parsing, jittered backoff, and what a failure means."""

from __future__ import annotations

import logging
import math
import random
import time
from email.utils import parsedate_to_datetime

from .._config import PollPolicy
from ..exceptions import (
    APIConnectionError,
    APIError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    ServerError,
)

logger = logging.getLogger(__name__)
#: Gateway statuses after which the server may still be working on the request.
_STILL_WORKING = frozenset({504, 522, 524})


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), else None.

    Fractional seconds are accepted; a date in the past means 0; an unreadable value means
    "not given", so the normal backoff applies instead of the call failing on a bad header.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:  # RFC 9110 dates are GMT
            return None
        seconds = moment.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def backoff(attempt: int, *, initial: float, cap: float, jitter: float = 0.0) -> float:
    """Sleep before retry number ``attempt`` (0-based): ``initial * 2**attempt`` capped at
    ``cap``, plus a random ``[0, jitter)`` seconds (urllib3's ``backoff_jitter`` meaning), so
    clients that failed together do not come back together."""
    delay = min(cap, initial * (2.0 ** min(attempt, 32)))
    return delay + random.uniform(0.0, jitter)


def is_transient(exc: BaseException) -> bool:
    """Whether waiting and asking again may succeed (outage, overload, unreadable body)."""
    return isinstance(exc, (APIConnectionError, APIResponseError, ServerError, RateLimitError))


def is_ambiguous(exc: BaseException) -> bool:
    """Whether a failed creation call may nevertheless have taken effect on the server.

    A refused connection never reached it; a 4xx other than 429 was refused before processing.
    A 5xx, a 429 (a proxy may answer it after forwarding), a reset, a timeout or an unreadable
    2xx body all leave the outcome unknown.
    """
    if isinstance(exc, APIConnectionError):
        return exc.request_sent
    return isinstance(exc, (APIResponseError, ServerError, RateLimitError))


def may_still_be_working(exc: BaseException) -> bool:
    """Whether the server may still be processing the request (read timeout, gateway 504)."""
    if isinstance(exc, APITimeoutError):
        return exc.request_sent
    return isinstance(exc, APIStatusError) and exc.status_code in _STILL_WORKING


def retry_after_of(exc: BaseException) -> float | None:
    """The ``Retry-After`` seconds an error carried, if any."""
    return exc.retry_after if isinstance(exc, APIStatusError) else None


def describe(exc: BaseException) -> str:
    """A short text of what went wrong, for messages that chain an underlying error."""
    if isinstance(exc, APIError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


class Outage:
    """Consecutive failed polls: how long to pause next, and since when polls fail."""

    def __init__(self, poll: PollPolicy) -> None:
        self._poll = poll
        self._failures = 0
        self._since: float | None = None
        self.error: APIError | None = None

    def end(self) -> None:
        """A poll succeeded."""
        self._failures, self._since, self.error = 0, None, None

    def too_long(self) -> bool:
        """Whether polls have failed for longer than ``PollPolicy.outage_max``."""
        return self._since is not None and time.monotonic() - self._since > self._poll.outage_max

    def pause(self, exc: APIError) -> float:
        """Record a failed poll; the seconds to wait before the next (``Retry-After`` wins)."""
        if self._since is None:
            self._since = time.monotonic()
        self.error = exc
        logger.info("Poll failed (%s); retrying", describe(exc))
        after = retry_after_of(exc)
        initial = self._poll.outage_initial
        delay = backoff(self._failures, initial=initial, cap=self._poll.max_interval,
                        jitter=initial / 2)
        self._failures += 1
        return delay if after is None else max(after, delay / 2)
