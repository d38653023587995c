"""Creation calls that take effect exactly once: post, and after an ambiguous failure find out.

``POST /jobs`` and ``POST /sessions`` are not idempotent. When one fails in a way that leaves
its outcome unknown (a 5xx, a 429, a reset or timeout after sending, an unreadable 2xx body),
the caller's ``find`` looks for what the first post may have made before anything is posted
again (STYLE.md, "Retries"; docs/client.md, "Faults, retries and idempotency").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from .._config import RetryPolicy
from ..exceptions import APIError, UnconfirmedCreationError
from ._retry import (
    backoff,
    describe,
    is_ambiguous,
    is_transient,
    may_still_be_working,
    retry_after_of,
)

JSON = dict[str, Any]
#: ``find(window_s)``: the created resource if the earlier post took effect, else None.
Finder = Callable[[float], "JSON | None"]
logger = logging.getLogger(__name__)

#: First pause between lookups; doubles after each.
_LOOKUP_START_S = 0.05


def create_once(post: Callable[[], JSON], find: Finder, *, policy: RetryPolicy, kind: str,
                tag: str | None = None) -> JSON:
    """``post()`` until it answers, at most ``policy.total + 1`` times, never creating twice.

    Before each repeat after an ambiguous failure, ``find`` is given a window: the long
    ``submit_lookup_s`` when the server may still be working (read timeout, 504), else the
    short ``submit_settle_s``. A failure that surely never reached the server (refused
    connection) or was refused before processing (4xx) needs no lookup. Between posts the
    client waits ``Retry-After`` (capped) or a jittered backoff.

    Raises:
        UnconfirmedCreationError: a lookup failed, so the outcome is unknown.
        APIError: the last failure, once the posts are spent and the lookups found nothing.
    """
    last: APIError | None = None
    for attempt in range(policy.total + 1):
        if attempt:
            time.sleep(_pause(attempt - 1, last, policy))
        try:
            return post()
        except APIError as exc:
            if not is_transient(exc):
                raise
            last = exc
            if is_ambiguous(exc):
                found = _look_up(find, exc, policy, kind, tag)
                if found is not None:
                    logger.info("%s creation answered %s, but it took effect", kind,
                                type(exc).__name__)
                    return found
    assert last is not None
    last.message += (f" ({policy.total + 1} attempts; no {kind} was created by them, as far as "
                     f"the lookups after each ambiguous failure could tell)")
    raise last


def repeat_until_settled(call: Callable[[], None], *, policy: RetryPolicy,
                         settled: Callable[[APIError], bool]) -> None:
    """Send a call whose effect is final (delete, cancel) until it is confirmed.

    After an ambiguous failure the call is sent again; if that answer is an error that
    ``settled`` says the first attempt explains (404 after a delete, 409 after a cancel), the
    call took effect. The same error on the first attempt is the caller's to see.
    """
    ambiguous = False
    for attempt in range(policy.total + 1):
        try:
            call()
            return
        except APIError as exc:
            if ambiguous and settled(exc):
                return
            if not is_transient(exc) or attempt == policy.total:
                raise
            ambiguous = ambiguous or is_ambiguous(exc)
            time.sleep(_pause(attempt, exc, policy))


def _look_up(find: Finder, exc: APIError, policy: RetryPolicy, kind: str,
             tag: str | None) -> JSON | None:
    window = policy.submit_lookup_s if may_still_be_working(exc) else policy.submit_settle_s
    try:
        return find(window)
    except UnconfirmedCreationError:
        raise
    except APIError as lookup_exc:
        known = f"; it carries the tag {tag}" if tag else ""
        raise UnconfirmedCreationError(
            f"{exc.method} {exc.url}: the {kind} may or may not have been created "
            f"({describe(exc)}), and looking it up failed ({describe(lookup_exc)}){known}",
            method=exc.method, url=exc.url, kind=kind, tag=tag) from lookup_exc


def _pause(retry: int, exc: APIError | None, policy: RetryPolicy) -> float:
    after = retry_after_of(exc) if exc is not None else None
    if after is not None:
        return min(after, policy.retry_after_max)
    return backoff(retry, initial=policy.backoff_factor, cap=policy.backoff_max,
                   jitter=policy.backoff_jitter)


def lookup_waits(window: float) -> Iterator[float]:
    """Pauses before successive lookups within ``window`` seconds: 0 first, then doubling.

    The last lookup happens at the window's end, so a window of 0 is one immediate lookup.
    """
    deadline = time.monotonic() + window
    pause = 0.0
    while True:
        yield pause
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        pause = min(max(pause * 2, _LOOKUP_START_S), remaining)
