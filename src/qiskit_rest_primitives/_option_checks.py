"""The value checks of option fields: each returns the normalised value or raises ``_Reject``.

``_Reject(expected)`` completes the message "<field path> must be ..."; the options base
class turns it into a :class:`ConfigurationError` naming the field.
"""

from __future__ import annotations

import copy
import math
import numbers
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from qiskit.transpiler import CouplingMap


class _Reject(Exception):
    """A value failed a check; ``expected`` completes "<path> must be ..."."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


_Check = Callable[[Any], Any]


def _or(text: str, auto: bool, none: bool) -> str:
    return text + (" or 'auto'" if auto else "") + (" or None" if none else "")


def _number(value: Any, integer: bool) -> int | float | None:
    """``value`` as int (integer) or float, or None when it is not such a number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if integer:
        try:
            return operator.index(cast(Any, value))
        except TypeError:
            return None
    as_float = float(value)
    return as_float if math.isfinite(as_float) else None


def _num(
    kind: str,
    lo: float | None = None,
    hi: float | None = None,
    *,
    strict: bool = False,
    auto: bool = False,
    none: bool = False,
) -> _Check:
    """Int (``kind="int"``) or float check with optional bounds, 'auto' and None."""
    integer = kind == "int"
    text = "an int" if integer else "a number"
    if lo is not None and hi is not None:
        text += f" between {_bound(lo)} and {_bound(hi)}"
    elif lo is not None:
        text += f" {'>' if strict else '>='} {_bound(lo)}"
    expected = _or(text, auto, none)

    def check(value: Any) -> Any:
        if (none and value is None) or (auto and value == "auto" and isinstance(value, str)):
            return value
        num = _number(value, integer)
        if num is None or (lo is not None and (num <= lo if strict else num < lo)):
            raise _Reject(expected)
        if hi is not None and num > hi:
            raise _Reject(expected)
        return num

    return check


def _bound(value: float) -> str:
    """A bound as written in messages: ints exactly (``9223372036854775807``), floats short."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def _bool(*, none: bool = False) -> _Check:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or (none and value is None):
            return value
        raise _Reject(_or("a bool", False, none))

    return check


def _choice(*allowed: str) -> _Check:
    expected = "one of " + ", ".join(repr(a) for a in allowed)

    def check(value: Any) -> Any:
        if isinstance(value, str) and value in allowed:
            return value
        raise _Reject(expected)

    return check


def _list(item: _Check, expected: str, *, none: bool = False) -> _Check:
    """A list or tuple (never a str) whose items all pass ``item``; stored as a list."""

    def check(value: Any) -> Any:
        if none and value is None:
            return None
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
            raise _Reject(_or(expected, False, none))
        try:
            return [item(v) for v in value]
        except _Reject:
            raise _Reject(_or(expected, False, none)) from None

    return check


#: The service keeps at most 8 tags per job, each at most 86 characters (wire-format §5).
MAX_JOB_TAGS = 8
MAX_TAG_LENGTH = 86


def job_tags_problem(tags: Any) -> str | None:
    """What is wrong with a list of job tags (completing "tags must be ..."), else None."""
    if isinstance(tags, (str, bytes, Mapping)) or not isinstance(tags, (list, tuple)):
        return "a list of str or None"
    if len(tags) > MAX_JOB_TAGS:
        return f"a list of at most {MAX_JOB_TAGS} tags ({len(tags)} given)"
    for tag in tags:
        if not isinstance(tag, str):
            return "a list of str or None"
        if not tag:
            return "a list of non-empty str or None"
        if len(tag) > MAX_TAG_LENGTH:
            return f"tags of at most {MAX_TAG_LENGTH} characters (one has {len(tag)})"
    return None


def _job_tags(value: Any) -> Any:
    if value is None:
        return None
    problem = job_tags_problem(value)
    if problem is not None:
        raise _Reject(problem)
    return list(value)


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _Reject("a str")


_EXTRAPOLATORS = (
    *("linear", "exponential", "double_exponential", "fallback"),
    *(f"polynomial_degree_{k}" for k in range(1, 8)),
)
_extrapolator_name = _choice(*_EXTRAPOLATORS)
_extrapolator_list = _list(_extrapolator_name, "a ZNE extrapolator name or a list of them")


def _extrapolator(value: Any) -> Any:
    return _extrapolator_name(value) if isinstance(value, str) else _extrapolator_list(value)


def _coupling_map(value: Any) -> Any:
    if isinstance(value, CouplingMap):
        return value
    pair = _list(_num("int", 0), "a pair of qubit indices")
    edges: list[list[int]] = _list(pair, "a CouplingMap or a list of [control, target] pairs")(
        value
    )
    if any(len(edge) != 2 for edge in edges):
        raise _Reject("a CouplingMap or a list of [control, target] pairs")
    return edges


def _noise_model(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return copy.deepcopy(dict(value))
    cls = type(value)
    if cls.__name__ == "NoiseModel" and cls.__module__.startswith("qiskit_aer"):
        return value
    raise _Reject("None, a dict or a qiskit_aer.noise.NoiseModel")


def _json_or_none(value: Any) -> Any:
    if value is None or isinstance(value, (Mapping, list)):
        return copy.deepcopy(value)
    raise _Reject("None or the JSON form (dict or list) of a layer noise model")


def _callback(value: Any) -> Any:
    if value is None or callable(value):
        return value
    raise _Reject("None or a callable")


def _log_level(value: Any) -> Any:
    levels = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    if isinstance(value, str) and value.upper() in levels:
        return value.upper()
    raise _Reject("one of " + ", ".join(repr(level) for level in levels))


_IMAGE = re.compile(r"[a-zA-Z0-9]+([/.\-_][a-zA-Z0-9]+)*:[a-zA-Z0-9]+([.\-_][a-zA-Z0-9]+)*$")


def _experimental(value: Any) -> Any:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise _Reject("a dict with str keys")
    image = value.get("image")
    if image is not None and not (isinstance(image, str) and _IMAGE.match(image)):
        raise _Reject("a dict whose 'image' is a str of the form 'name:tag'")
    return copy.deepcopy(dict(value))
