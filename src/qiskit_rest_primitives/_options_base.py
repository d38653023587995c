"""Machinery behind the option classes: the Unset sentinel and the validating base class.

The value checks each field names live in :mod:`._option_checks`.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from dataclasses import Field, dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ._option_checks import _Check, _Reject
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


def _check_experimental_groups(options: _BaseOptions) -> None:
    """Experimental keys naming an option group are merged into it (wire-format §6.2), so
    their values must be dicts (a falsy value is ignored there, like the official client)."""
    experimental = getattr(options, "experimental", Unset)
    if not isinstance(experimental, dict):
        return
    for key, value in experimental.items():
        spec = _fields_of(type(options)).get(key)
        is_group = spec is not None and _group_of(spec) is not None
        if is_group and value and not isinstance(value, Mapping):
            raise ConfigurationError(
                f"experimental.{key} must be a dict (it is merged into {key}), got {value!r}"
            )


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
