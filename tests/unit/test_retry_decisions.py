"""Pure retry decisions: Retry-After parsing, backoff, and which failures are ambiguous."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from qiskit_rest_primitives._transport._create import lookup_waits
from qiskit_rest_primitives._transport._retry import (
    backoff,
    is_ambiguous,
    is_transient,
    may_still_be_working,
    parse_retry_after,
)
from qiskit_rest_primitives.exceptions import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    RateLimitError,
    ServerError,
)


@pytest.mark.parametrize(("value", "seconds"), [
    ("3", 3.0), ("0.25", 0.25), ("0", 0.0), ("-5", 0.0), (" 7 ", 7.0), (None, None), ("", None),
    ("soon", None), ("nan", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
])
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_retry_after_http_date_in_the_future() -> None:
    now = 1_800_000_000.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == 30.0


def test_backoff_doubles_caps_and_jitters() -> None:
    assert [backoff(n, initial=0.5, cap=3.0) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    delays = {backoff(2, initial=1.0, cap=60.0, jitter=0.5) for _ in range(50)}
    assert all(4.0 <= d < 4.5 for d in delays) and len(delays) > 1


@pytest.mark.parametrize(("error", "transient", "ambiguous", "working"), [
    (APIConnectionError("x", request_sent=False), True, False, False),  # refused: never arrived
    (APIConnectionError("x"), True, True, False),  # reset after sending
    (APITimeoutError("x"), True, True, True),  # read timeout: may still be working
    (APITimeoutError("x", request_sent=False), True, False, False),  # connect timeout
    (ServerError("x", status_code=502), True, True, False),
    (ServerError("x", status_code=504), True, True, True),
    (RateLimitError("x"), True, True, False),  # a proxy may answer 429 after forwarding
    (APIResponseError("x"), True, True, False),  # a 2xx body we could not read
    (BadRequestError("x"), False, False, False),  # refused before processing
    (ConflictError("x"), False, False, False),
])
def test_failure_classes(error: Exception, transient: bool, ambiguous: bool,
                         working: bool) -> None:
    assert is_transient(error) == transient
    assert is_ambiguous(error) == ambiguous
    assert may_still_be_working(error) == working


def test_lookup_waits_start_at_once_and_end_with_the_window() -> None:
    assert list(lookup_waits(0.0)) == [0.0]
    start = time.monotonic()
    waits = []
    for pause in lookup_waits(0.3):
        waits.append(pause)
        time.sleep(pause)
    assert waits[0] == 0.0 and waits[1] == pytest.approx(0.05, abs=0.01)
    assert time.monotonic() - start >= 0.3  # the last lookup is at the window's end
