"""Typed query parameters: a malformed value answers 400 naming the parameter, never 500.

A parameter given with an empty value (``?sort=``) is malformed too: the OpenAPI gives every
typed parameter of the job routes a minimum length of 1, and ignoring it would hide a
client's bug.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from ._errors import bad_request, shown

_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")  # ASCII digits only: int() also reads '٣'
_BOOLEANS = {"true": True, "false": False}


def flag(query: Any, key: str) -> bool | None:
    """A boolean parameter, ``None`` when absent.

    ``true``/``false`` in any case: the official client sends ``"true"``, and Python's
    ``True`` for ``include_mocks`` (wire-format §5).
    """
    raw = query.get(key)
    if raw is None:
        return None
    value = _BOOLEANS.get(raw.lower())
    if value is None:
        raise bad_request(f"query parameter {key} must be true or false, got {shown(raw)}")
    return value


def choice(query: Any, key: str, allowed: tuple[str, ...]) -> str | None:
    """A parameter with a closed set of values (compared exactly), ``None`` when absent."""
    raw = query.get(key)
    if raw is None or raw in allowed:
        return raw  # type: ignore[no-any-return]
    raise bad_request(f"query parameter {key} must be one of {list(allowed)}, got {shown(raw)}")


def bounded_int(query: Any, key: str, default: int, low: int, high: int) -> int:
    """An integer parameter; ``default`` when absent or outside ``low..high``.

    OpenAPI (``GET /jobs`` ``limit`` and ``offset``): "If the provided value is outside of the
    viable range, no error occurs and the default value is used instead." A value that is no
    integer at all is refused.
    """
    raw = query.get(key)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise bad_request(f"query parameter {key} must be an integer, got {shown(raw)}")
    value = int(raw)
    return value if low <= value <= high else default


def natural(query: Any, key: str, default: int) -> int:
    """A non-negative integer parameter (``default`` when absent); anything else is refused."""
    raw = query.get(key)
    if raw is None:
        return default
    value = int(raw) if _INTEGER.fullmatch(raw) else -1
    if not 0 <= value < 2**63:  # SQLite integers are 64-bit
        raise bad_request(f"query parameter {key} must be an integer in 0..2**63-1, "
                          f"got {shown(raw)}")
    return value


def moment(query: Any, key: str) -> datetime | None:
    """An ISO-8601 parameter as a datetime (as written: aware or naive), or ``None``; a ``+``
    decoded from a query string as a space is read back as ``+``."""
    raw = query.get(key)
    if raw is None:
        return None
    try:
        if not raw or len(raw) > 100:  # OpenAPI: 1..100 characters
            raise ValueError(raw[:40])
        return datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as exc:
        raise _not_a_time(key, raw) from exc


def timestamp(query: Any, key: str) -> str | None:
    """An ISO-8601 parameter as the stored ``...Z`` UTC form (for comparison), or ``None``."""
    parsed = moment(query, key)
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError as exc:  # year 1 at UTC+1
            raise _not_a_time(key, query.get(key)) from exc
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _not_a_time(key: str, raw: Any) -> Exception:
    return bad_request(f"query parameter {key} must be an ISO-8601 date and time, "
                       f"got {shown(raw)}")
