"""Machinery behind the option classes: the Unset sentinel, value checks, the base class."""

from __future__ import annotations

import copy
import difflib
import math
import numbers
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from qiskit.transpiler import CouplingMap

from .exceptions import ConfigurationError

_T = TypeVar("_T", bound="_BaseOptions")


class UnsetType:
    """Type of :data:`Unset`: the option was not given, so it is left out of the request JSON."""

    _instance: ClassVar[UnsetType | None] = None

    def __new__(cls) -> UnsetType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Unset"

    def __bool__(self) -> bool:
        return False

    def __copy__(self) -> UnsetType:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> UnsetType:
        return self

    def __reduce__(self) -> str:
        return "Unset"


#: The one "not given" value; falsy; such fields never reach the wire (wire-format §6.2).
Unset = UnsetType()


# --- value checks: each returns the normalised value or raises _Reject(expected) -------------


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
        text += f" between {lo:g} and {hi:g}"
    elif lo is not None:
        text += f" {'>' if strict else '>='} {lo:g}"
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


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_FIELDS: dict[type, dict[str, Field[Any]]] = {}


def _fields_of(cls: type) -> dict[str, Field[Any]]:
    """The dataclass fields of ``cls`` by name (cached)."""
    if cls not in _FIELDS:
        _FIELDS[cls] = {f.name: f for f in fields(cls)}
    return _FIELDS[cls]


def _group_of(spec: Field[Any]) -> type[_BaseOptions] | None:
    """The options class of a nested group field, None for a leaf field."""
    factory = spec.default_factory
    if isinstance(factory, type) and issubclass(factory, _BaseOptions):
        return factory
    return None


def _check_of(cls: type, name: str) -> _Check:
    """The value check of leaf field ``name``, from ``_CHECKS`` of ``cls`` or a base class."""
    for klass in cls.__mro__:
        checks = klass.__dict__.get("_CHECKS", {})
        if name in checks:
            return checks[name]  # type: ignore[no-any-return]
    raise TypeError(f"{cls.__name__}.{name} has no check")  # a bug in this module


# --- the base class ----------------------------------------------------------------------------


@dataclass(kw_only=True)
class _BaseOptions:
    """Validation for every options class: on construction, on assignment, on ``update``.

    Errors are :class:`ConfigurationError` naming the field path (``twirling.num_randomizations``).
    """

    _TOP: ClassVar[bool] = False
    _UNSUPPORTED: ClassVar[dict[str, str]] = {}
    _CHECKS: ClassVar[dict[str, _Check]] = {}
    if TYPE_CHECKING:  # per-instance state set in __new__, kept out of the dataclass fields
        _path: ClassVar[str]
        _ready: ClassVar[bool]

    def __new__(cls: type[_T], *args: Any, **kwargs: Any) -> _T:
        if args:
            raise ConfigurationError(f"{cls.__name__} takes keyword arguments only")
        return cls._blank(kwargs, "" if cls._TOP else cls.__name__)

    @classmethod
    def _blank(cls: type[_T], names: Mapping[str, Any], path: str) -> _T:
        """An uninitialised instance reporting errors under ``path``, once ``names`` are known."""
        cls._check_names(names, path)
        obj = object.__new__(cls)
        object.__setattr__(obj, "_path", path)
        object.__setattr__(obj, "_ready", False)
        return obj

    def __post_init__(self) -> None:
        self._rules()
        object.__setattr__(self, "_ready", True)

    @classmethod
    def _check_names(cls, names: Mapping[str, Any], path: str) -> None:
        known = _fields_of(cls)
        for name in names:
            if name not in known:
                raise cls._unknown(name, path)

    @classmethod
    def _unknown(cls, name: str, path: str) -> ConfigurationError:
        if name in cls._UNSUPPORTED:
            return ConfigurationError(
                f"{_join(path, name)} is not supported: {cls._UNSUPPORTED[name]}"
            )
        close = difflib.get_close_matches(name, list(_fields_of(cls)), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return ConfigurationError(f"unknown option {_join(path, name)!r}{hint}")

    @classmethod
    def _build(cls: type[_T], data: Mapping[str, Any], path: str) -> _T:
        """Make an instance from a mapping, reporting errors under ``path``."""
        if not all(isinstance(key, str) for key in data):
            raise ConfigurationError(f"{path or cls.__name__} keys must be str")
        obj = cls._blank(data, path)
        obj.__init__(**data)  # type: ignore[misc]
        return obj

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        spec = _fields_of(type(self)).get(name)
        if spec is None:
            raise self._unknown(name, self._path)
        new = self._convert(spec, value)
        if not self.__dict__.get("_ready", False):
            object.__setattr__(self, name, new)
            return
        old = self.__dict__[name]
        object.__setattr__(self, name, new)
        try:
            self._rules()
        except ConfigurationError:
            object.__setattr__(self, name, old)
            raise

    def _convert(self, spec: Field[Any], value: Any) -> Any:
        path = _join(self._path, spec.name)
        sub = _group_of(spec)
        if sub is not None:
            if type(value) is sub:
                value._set_path(path)
                return value
            if isinstance(value, _BaseOptions):
                value = {k: v for k, v in value._items() if v is not Unset}
            if isinstance(value, Mapping):
                return sub._build(value, path)
            raise ConfigurationError(f"{path} must be a {sub.__name__} or a dict, got {value!r}")
        if value is Unset and spec.default is Unset:
            return value
        try:
            return _check_of(type(self), spec.name)(value)
        except _Reject as exc:
            raise ConfigurationError(f"{path} must be {exc.expected}, got {value!r}") from None

    def _set_path(self, path: str) -> None:
        object.__setattr__(self, "_path", path)
        for name, value in self._items():
            if isinstance(value, _BaseOptions):
                value._set_path(_join(path, name))

    def _items(self) -> list[tuple[str, Any]]:
        return [(name, getattr(self, name)) for name in _fields_of(type(self))]

    def _rules(self) -> None:
        """Cross-field rules of this group; subclasses override."""

    def _as_dict(self) -> dict[str, Any]:
        """All fields as nested dicts (``Unset`` kept), in field order."""
        return {
            name: value._as_dict() if isinstance(value, _BaseOptions) else _copy_value(value, {})
            for name, value in self._items()
        }

    def __deepcopy__(self, memo: dict[int, Any]) -> _BaseOptions:
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            object.__setattr__(clone, key, _copy_value(value, memo))
        return clone

    def validate(self) -> None:
        """Re-check the cross-field rules of every group (a nested edit only checks its own).

        Raises:
            ConfigurationError: a rule is broken; the message names the fields.
        """
        self._rules()
        for _, value in self._items():
            if isinstance(value, _BaseOptions):
                value.validate()

    def update(self, **kwargs: Any) -> None:
        """Set several options at once; dicts merge into nested groups. All or nothing.

        Raises:
            ConfigurationError: an unknown name or an invalid value; nothing is changed.
        """
        trial = copy.deepcopy(self)
        for name, value in kwargs.items():
            if name.startswith("_"):
                raise self._unknown(name, self._path)
            current = getattr(trial, name, None)
            if isinstance(value, Mapping) and isinstance(current, (_BaseOptions, dict)):
                base = current._as_dict() if isinstance(current, _BaseOptions) else current
                value = _deep_merge(base, value)
            setattr(trial, name, value)
        self.__dict__.update(trial.__dict__)


def _copy_value(value: Any, memo: dict[int, Any]) -> Any:
    """A deep copy, except that callables (the environment callback) stay the same object."""
    if callable(value) and not isinstance(value, (type, _BaseOptions)):
        return value
    return copy.deepcopy(value, memo)


def _deep_merge(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``old`` updated by ``new``; nested dicts merge, anything else is replaced."""
    merged = dict(old)
    for key, value in new.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
