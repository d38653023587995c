"""SamplerOptions, EstimatorOptions and their sub-options: typed data and validation, no I/O."""

from __future__ import annotations

import copy
import difflib
import math
import numbers
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, cast

from qiskit.transpiler import CouplingMap

from .exceptions import ConfigurationError

__all__ = [
    "DynamicalDecouplingOptions",
    "EnvironmentOptions",
    "EstimatorOptions",
    "ExecutionOptionsV2",
    "LayerNoiseLearningOptions",
    "MeasureNoiseLearningOptions",
    "PecOptions",
    "ResilienceOptionsV2",
    "SamplerExecutionOptionsV2",
    "SamplerOptions",
    "SimulatorOptions",
    "TwirlingOptions",
    "Unset",
    "UnsetType",
    "ZneOptions",
]

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


# --- the option groups (names, nesting and defaults of qiskit-ibm-runtime 0.51) ----------------

_Auto = Literal["auto"]
_Amplifier = Literal["gate_folding", "gate_folding_front", "gate_folding_back", "pea"]
_AMPLIFIERS = ("gate_folding", "gate_folding_front", "gate_folding_back", "pea")


@dataclass(kw_only=True)
class DynamicalDecouplingOptions(_BaseOptions):
    """Dynamical decoupling (DD) on idle qubits."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "enable": _bool(),
        "sequence_type": _choice("XX", "XpXm", "XY4"),
        "extra_slack_distribution": _choice("middle", "edges"),
        "scheduling_method": _choice("alap", "asap"),
        "skip_reset_qubits": _bool(),
    }

    enable: bool | UnsetType = Unset
    """Insert DD sequences. Default (service): ``False``."""
    sequence_type: Literal["XX", "XpXm", "XY4"] | UnsetType = Unset
    """DD sequence. Default (service): ``"XX"``."""
    extra_slack_distribution: Literal["middle", "edges"] | UnsetType = Unset
    """Where rounding slack goes. Default (service): ``"middle"``."""
    scheduling_method: Literal["alap", "asap"] | UnsetType = Unset
    """Gate scheduling. Default (service): ``"alap"``."""
    skip_reset_qubits: bool | UnsetType = Unset
    """Skip DD right after qubit initialisation or reset. Default (service): ``False``."""


@dataclass(kw_only=True)
class ExecutionOptionsV2(_BaseOptions):
    """Execution options (Estimator)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "init_qubits": _bool(),
        "rep_delay": _num("float", 0),
    }

    init_qubits: bool | UnsetType = Unset
    """Reset qubits to the ground state before each shot. Default (service): ``True``."""
    rep_delay: float | UnsetType = Unset
    """Delay between shots, seconds. Default (service): the backend's ``default_rep_delay``."""


@dataclass(kw_only=True)
class SamplerExecutionOptionsV2(_BaseOptions):
    """Execution options (Sampler): adds ``meas_type``."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "init_qubits": _bool(),
        "rep_delay": _num("float", 0),
        "meas_type": _choice("classified", "kerneled", "avg_kerneled"),
    }

    init_qubits: bool | UnsetType = Unset
    """Reset qubits to the ground state before each shot. Default (service): ``True``."""
    rep_delay: float | UnsetType = Unset
    """Delay between shots, seconds. Default (service): the backend's ``default_rep_delay``."""
    meas_type: Literal["classified", "kerneled", "avg_kerneled"] | UnsetType = Unset
    """Measurement return type. Default (service): ``"classified"`` (bits)."""


@dataclass(kw_only=True)
class TwirlingOptions(_BaseOptions):
    """Pauli twirling of gates and measurements."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "enable_gates": _bool(),
        "enable_measure": _bool(),
        "num_randomizations": _num("int", 1, auto=True),
        "shots_per_randomization": _num("int", 1, auto=True),
        "strategy": _choice("active", "active-accum", "active-circuit", "all"),
    }

    enable_gates: bool | UnsetType = Unset
    """Twirl 2-qubit gates. Default: Sampler ``False``; Estimator from ``resilience_level``."""
    enable_measure: bool | UnsetType = Unset
    """Twirl measurements. Default: Sampler ``False``; Estimator from ``resilience_level``."""
    num_randomizations: int | _Auto | UnsetType = Unset
    """Number of twirled circuit instances. Default (service): ``"auto"``."""
    shots_per_randomization: int | _Auto | UnsetType = Unset
    """Shots per twirled instance. Default (service): ``"auto"``."""
    strategy: Literal["active", "active-accum", "active-circuit", "all"] | UnsetType = Unset
    """Which qubits to twirl in each layer. Default (service): ``"active-accum"``."""


@dataclass(kw_only=True)
class MeasureNoiseLearningOptions(_BaseOptions):
    """Measurement noise learning for measurement mitigation (Estimator)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "num_randomizations": _num("int", 1),
        "shots_per_randomization": _num("int", 1, auto=True),
    }

    num_randomizations: int | UnsetType = Unset
    """Random circuits in the learning experiment. Default (service): 32."""
    shots_per_randomization: int | _Auto | UnsetType = Unset
    """Shots per learning circuit (ints are deprecated upstream). Default (service): ``"auto"``."""


@dataclass(kw_only=True)
class ZneOptions(_BaseOptions):
    """Zero-noise extrapolation (Estimator)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "amplifier": _choice(*_AMPLIFIERS),
        "noise_factors": _list(_num("float", 1), "a list of numbers >= 1"),
        "extrapolator": _extrapolator,
        "extrapolated_noise_factors": _list(_num("float"), "a list of numbers"),
    }

    amplifier: _Amplifier | UnsetType = Unset
    """Noise amplification technique. Default (service): ``"gate_folding"``."""
    noise_factors: list[float] | UnsetType = Unset
    """Noise amplification factors. Default (service): ``[1, 3, 5]``."""
    extrapolator: str | list[str] | UnsetType = Unset
    """Extrapolator(s) to try, in order. Default (service): ``["exponential", "linear"]``."""
    extrapolated_noise_factors: list[float] | UnsetType = Unset
    """Points where the fits are evaluated. Default (service): ``[0, *noise_factors]``."""

    def _rules(self) -> None:
        # Each extrapolator needs a minimum number of noise factors (ibm-runtime ZneOptions).
        factors = self.noise_factors if isinstance(self.noise_factors, list) else [1, 3, 5]
        chosen = self.extrapolator
        if isinstance(chosen, UnsetType):
            chosen = ["exponential", "linear"]
        for name in [chosen] if isinstance(chosen, str) else chosen:
            need = int(name[-1]) + 1 if name.startswith("poly") else (4 if "double" in name else 2)
            if len(factors) < need:
                raise ConfigurationError(
                    f"{_join(self._path, 'extrapolator')} {name!r} needs at least {need} "
                    f"{_join(self._path, 'noise_factors')}, got {len(factors)}"
                )


@dataclass(kw_only=True)
class PecOptions(_BaseOptions):
    """Probabilistic error cancellation (Estimator)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "max_overhead": _num("float", 0, strict=True, none=True),
        "noise_gain": _num("float", 0, auto=True),
    }

    max_overhead: float | UnsetType | None = Unset
    """Maximum sampling overhead, or None for no limit. Default (service): 100."""
    noise_gain: float | _Auto | UnsetType = Unset
    """Scale of the learned noise to cancel (0 removes it all). Default (service): ``"auto"``."""


@dataclass(kw_only=True)
class LayerNoiseLearningOptions(_BaseOptions):
    """Layer noise learning for PEC and PEA (Estimator)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "max_layers_to_learn": _num("int", 0, none=True),
        "shots_per_randomization": _num("int", 1),
        "num_randomizations": _num("int", 1),
        "layer_pair_depths": _list(_num("int", 0), "a list of ints >= 0"),
    }

    max_layers_to_learn: int | UnsetType | None = Unset
    """Most unique layers to learn, None for no limit. Default (service): 4."""
    shots_per_randomization: int | UnsetType = Unset
    """Shots per random learning circuit. Default (service): 128."""
    num_randomizations: int | UnsetType = Unset
    """Random circuits per learning configuration. Default (service): 32."""
    layer_pair_depths: list[int] | UnsetType = Unset
    """Learning depths, in layer pairs. Default (service): ``[0, 1, 2, 4, 16, 32]``."""


@dataclass(kw_only=True)
class ResilienceOptionsV2(_BaseOptions):
    """Error mitigation (Estimator only)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "measure_mitigation": _bool(),
        "zne_mitigation": _bool(),
        "pec_mitigation": _bool(),
        "layer_noise_model": _json_or_none,
    }

    measure_mitigation: bool | UnsetType = Unset
    """Measurement error mitigation. Default: from ``resilience_level`` (on for 1 and 2)."""
    measure_noise_learning: MeasureNoiseLearningOptions = field(
        default_factory=MeasureNoiseLearningOptions
    )
    """Measurement noise learning; needs ``measure_mitigation=True``."""
    zne_mitigation: bool | UnsetType = Unset
    """Zero-noise extrapolation. Default: from ``resilience_level`` (on for 2)."""
    zne: ZneOptions = field(default_factory=ZneOptions)
    """ZNE sub-options."""
    pec_mitigation: bool | UnsetType = Unset
    """Probabilistic error cancellation. Default (service): ``False``."""
    pec: PecOptions = field(default_factory=PecOptions)
    """PEC sub-options."""
    layer_noise_learning: LayerNoiseLearningOptions = field(
        default_factory=LayerNoiseLearningOptions
    )
    """Layer noise learning sub-options."""
    layer_noise_model: Any = Unset
    """JSON form of a learned layer noise model, or None to learn it. Default (service): None."""

    def _rules(self) -> None:
        if self.pec_mitigation is True and self.zne_mitigation is True:
            raise ConfigurationError(
                f"{_join(self._path, 'pec_mitigation')} and {_join(self._path, 'zne_mitigation')}"
                " cannot both be True; set one of them to False"
            )
        learning = self.measure_noise_learning
        if not self.measure_mitigation and any(v is not Unset for _, v in learning._items()):
            raise ConfigurationError(
                f"{learning._path} is set but {_join(self._path, 'measure_mitigation')} is not True"
            )


@dataclass(kw_only=True)
class EnvironmentOptions(_BaseOptions):
    """The job's environment: sent as top-level job fields, never inside ``params``."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "log_level": _log_level,
        "job_tags": _list(_str, "a list of str", none=True),
        "private": _bool(none=True),
        "callback": _callback,
    }

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "WARNING"
    """Log level of the job (sent as ``log_level``). Default: ``"WARNING"``."""
    job_tags: list[str] | None = None
    """Tags for the job (sent as ``tags``). Default: None."""
    private: bool | None = False
    """Private job: inputs not kept, results readable once. Default: ``False``."""
    callback: Callable[..., Any] | None = None
    """Client-side callback; never sent. Default: None."""


@dataclass(kw_only=True)
class SimulatorOptions(_BaseOptions):
    """Options for simulator backends."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "noise_model": _noise_model,
        "seed_simulator": _num("int"),
        "coupling_map": _coupling_map,
        "basis_gates": _list(_str, "a list of str"),
    }

    noise_model: Any = Unset
    """A dict or ``qiskit_aer.noise.NoiseModel``. Default: None."""
    seed_simulator: int | UnsetType = Unset
    """Seed of the simulator. Default: None."""
    coupling_map: list[list[int]] | CouplingMap | UnsetType = Unset
    """Directed coupling map. Default: None (all-to-all)."""
    basis_gates: list[str] | UnsetType = Unset
    """Basis gate names. Default: all the simulator supports."""


@dataclass(kw_only=True)
class _PrimitiveOptions(_BaseOptions):
    """What both primitives' options share (ibm-runtime ``OptionsV2``)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "max_execution_time": _num("int", 0),
    }

    _TOP: ClassVar[bool] = True

    max_execution_time: int | UnsetType = Unset
    """Maximum QPU time of the job, seconds (sent as ``cost``). Default (service): plan limit."""
    environment: EnvironmentOptions = field(default_factory=EnvironmentOptions)
    """Log level, tags, privacy and callback of the job."""
    simulator: SimulatorOptions = field(default_factory=SimulatorOptions)
    """Simulator options."""

    def _rules(self) -> None:
        # Experimental keys naming an option group are merged into it (wire-format §6.2), so
        # their values must be dicts (a falsy value is ignored there, like the official client).
        experimental = getattr(self, "experimental", Unset)
        if not isinstance(experimental, dict):
            return
        for key, value in experimental.items():
            spec = _fields_of(type(self)).get(key)
            is_group = spec is not None and _group_of(spec) is not None
            if is_group and value and not isinstance(value, Mapping):
                raise ConfigurationError(
                    f"experimental.{key} must be a dict (it is merged into {key}), got {value!r}"
                )


@dataclass(kw_only=True)
class SamplerOptions(_PrimitiveOptions):
    """Options of :class:`~qiskit_rest_primitives.SamplerV2` (names as qiskit-ibm-runtime).

    Set them at construction (``SamplerOptions(default_shots=1000)`` or from a nested dict),
    one at a time (``opts.twirling.enable_gates = True``), a group at a time
    (``opts.twirling = {"enable_gates": True}``) or with :meth:`update`. Fields left
    :data:`Unset` are not sent, so the service default applies.
    """

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "default_shots": _num("int", 1),
        "experimental": _experimental,
    }

    _UNSUPPORTED: ClassVar[dict[str, str]] = {
        name: "the Sampler does not support it (resilience and precision are Estimator options)"
        for name in ("resilience", "resilience_level", "seed_estimator", "default_precision")
    }

    default_shots: int | UnsetType = Unset
    """Shots for pubs that give none. Default (service): 4096."""
    dynamical_decoupling: DynamicalDecouplingOptions = field(
        default_factory=DynamicalDecouplingOptions
    )
    """Dynamical decoupling options."""
    execution: SamplerExecutionOptionsV2 = field(default_factory=SamplerExecutionOptionsV2)
    """Execution options."""
    twirling: TwirlingOptions = field(default_factory=TwirlingOptions)
    """Pauli twirling options."""
    experimental: dict[str, Any] | UnsetType = Unset
    """Experimental options: keys naming an option group merge into it; ``image`` selects the
    runtime image (sent as ``runtime``). Default: Unset."""


@dataclass(kw_only=True)
class EstimatorOptions(_PrimitiveOptions):
    """Options of :class:`~qiskit_rest_primitives.EstimatorV2` (names as qiskit-ibm-runtime).

    Settable like :class:`SamplerOptions`; adds precision, resilience and the estimator seed.
    """

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "default_precision": _num("float", 0, strict=True),
        "default_shots": _num("int", 0, none=True),
        "resilience_level": _num("int", 0, 2),
        "seed_estimator": _num("int"),
        "experimental": _experimental,
    }

    default_precision: float | UnsetType = Unset
    """Target precision for pubs that give none. Default (service): 0.015625."""
    default_shots: int | UnsetType | None = Unset
    """Shots per circuit configuration; overrides ``default_precision``. Default: None."""
    resilience_level: int | UnsetType = Unset
    """0 none, 1 readout mitigation, 2 adds ZNE. Default (service): 1."""
    seed_estimator: int | UnsetType = Unset
    """Seed for sampling. Default: None."""
    dynamical_decoupling: DynamicalDecouplingOptions = field(
        default_factory=DynamicalDecouplingOptions
    )
    """Dynamical decoupling options."""
    resilience: ResilienceOptionsV2 = field(default_factory=ResilienceOptionsV2)
    """Error mitigation options."""
    execution: ExecutionOptionsV2 = field(default_factory=ExecutionOptionsV2)
    """Execution options."""
    twirling: TwirlingOptions = field(default_factory=TwirlingOptions)
    """Pauli twirling options."""
    experimental: dict[str, Any] | UnsetType = Unset
    """Experimental options: keys naming an option group merge into it; ``image`` selects the
    runtime image (sent as ``runtime``). Default: Unset."""
