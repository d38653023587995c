"""Primitive options → the ``params.options``, ``resilience_level`` and top-level job JSON."""

from __future__ import annotations

import base64
import copy
import io
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit.transpiler import CouplingMap

from .._options_base import Unset, UnsetType, _BaseOptions
from ..exceptions import ConfigurationError
from ..options import EstimatorOptions, SamplerOptions

__all__ = ["WireOptions", "coerce_options", "encode_options"]

#: Option groups copied into ``params.options``, in the official client's order
#: (wire-format §6.2; qiskit-ibm-runtime ``OptionsV2._get_program_inputs``).
_PARAM_FIELDS = (
    "default_precision",
    "default_shots",
    "seed_estimator",
    "dynamical_decoupling",
    "resilience",
    "twirling",
    "simulator",
    "execution",
)

_OPTIONS_CLASSES: dict[str, type[SamplerOptions] | type[EstimatorOptions]] = {
    "sampler": SamplerOptions,
    "estimator": EstimatorOptions,
}


@dataclass(frozen=True)
class WireOptions:
    """Where each option goes in ``POST /jobs`` (wire-format §6.1, §6.2)."""

    options: dict[str, Any]
    """``params.options``: explicitly set fields only, empty groups dropped."""
    resilience_level: int | None
    """``params.resilience_level``: Estimator only, and only when set."""
    top_level: dict[str, Any]
    """Top-level job fields in wire order: ``runtime``, ``log_level``, ``tags``, ``cost``,
    ``private`` (``backend`` and ``session_id`` go between ``log_level`` and ``tags``)."""


def coerce_options(
    options: Mapping[str, Any] | SamplerOptions | EstimatorOptions | None, program_id: str
) -> SamplerOptions | EstimatorOptions:
    """A private, validated options object of the right class for ``program_id``.

    Args:
        options: None (all defaults), a (nested) dict of options, or an options object
            (copied, so later edits to it do not leak into the primitive).
        program_id: ``"sampler"`` or ``"estimator"``.

    Raises:
        ConfigurationError: unknown program, wrong options class, or an invalid option.
    """
    cls = _OPTIONS_CLASSES.get(program_id)
    if cls is None:
        raise ConfigurationError(f"program_id must be 'sampler' or 'estimator', got {program_id!r}")
    if options is None:
        return cls()
    if isinstance(options, _BaseOptions):
        if type(options) is not cls:
            raise ConfigurationError(
                f"the {program_id} needs {cls.__name__}, got {type(options).__name__}"
            )
        return copy.deepcopy(options)
    if isinstance(options, Mapping):
        return cls._build(options, "")
    kind = type(options)  # named in full: another package's SamplerOptions is not ours
    raise ConfigurationError(
        f"options must be a qiskit_rest_primitives.{cls.__name__}, a dict or None, got "
        f"{kind.__module__}.{kind.__qualname__}"
    )


def encode_options(options: SamplerOptions | EstimatorOptions) -> WireOptions:
    """Encode options exactly as qiskit-ibm-runtime 0.51 does for the same settings.

    Raises:
        ConfigurationError: a cross-field rule is broken, or a value cannot be put in JSON.
    """
    options.validate()
    tree = {
        name: _to_json(getattr(options, name), name)
        for name in _PARAM_FIELDS
        if hasattr(options, name)
    }
    experimental = options.experimental
    image = None
    if isinstance(experimental, dict):
        extras = _merge_experimental(tree, _to_json(experimental, "experimental"))
        image = extras.pop("image", None)
        if extras:
            tree["experimental"] = extras
    _drop_unset(tree)
    _drop_empty(tree)
    level = getattr(options, "resilience_level", Unset)
    return WireOptions(
        options=tree,
        resilience_level=level if isinstance(level, int) else None,
        top_level=_top_level(options, image),
    )


def _merge_experimental(tree: dict[str, Any], experimental: dict[str, Any]) -> dict[str, Any]:
    """Merge experimental keys that name an option into ``tree``; return the others.

    wire-format §6.2: "keys that match an existing options path are merged into it; unknown
    keys stay under ``options.experimental``".
    """
    extras: dict[str, Any] = {}
    for key, value in experimental.items():
        if key in tree:
            tree[key] = _merge(tree[key], value, f"experimental.{key}")
        else:
            extras[key] = value
    return extras


def _merge(old: Any, new: Any, path: str) -> Any:
    """``new`` merged into ``old``: dicts merge key by key, anything else replaces."""
    if not isinstance(old, dict):
        return new
    if not new:  # the official merge ignores a falsy value where a group is expected
        return old
    if not isinstance(new, dict):
        raise ConfigurationError(f"{path} must be a dict, got {new!r}")
    merged = dict(old)
    for key, value in new.items():
        merged[key] = _merge(merged[key], value, f"{path}.{key}") if key in merged else value
    return merged


def _top_level(options: SamplerOptions | EstimatorOptions, image: Any) -> dict[str, Any]:
    """Top-level job fields, each sent only when truthy (wire-format §6.1)."""
    env = options.environment
    top: dict[str, Any] = {}
    if image:
        top["runtime"] = image
    if env.log_level:
        top["log_level"] = env.log_level
    if env.job_tags:
        top["tags"] = list(env.job_tags)
    if options.max_execution_time:
        top["cost"] = options.max_execution_time
    if env.private:
        top["private"] = True
    return top


def _to_json(value: Any, path: str) -> Any:
    """A JSON-ready copy of ``value``; ``Unset`` is kept so it can be dropped afterwards."""
    if isinstance(value, _BaseOptions):
        return {name: _to_json(item, f"{path}.{name}") for name, item in value._items()}
    if value is None or isinstance(value, (str, bool, int, float, UnsetType)):
        return value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, Mapping):
        return {key: _to_json(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, CouplingMap):
        # The official client sends the edge list (options.py::_get_program_inputs).
        return [list(edge) for edge in value.get_edges()]
    return _envelope(value, path)


def _envelope(value: Any, path: str) -> Any:
    """RuntimeEncoder envelopes for the non-JSON values options can hold (wire-format §8.2)."""
    if isinstance(value, complex):
        return {"__type__": "complex", "__value__": [value.real, value.imag]}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"__type__": "ndarray", "__value__": _to_json(value.tolist(), path)}
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        packed = base64.standard_b64encode(zlib.compress(buffer.getvalue())).decode("ascii")
        return {"__type__": "ndarray", "__value__": packed}
    if isinstance(value, set):
        return {"__type__": "set", "__value__": [_to_json(item, path) for item in value]}
    cls = type(value)
    if cls.__name__ == "NoiseModel" and cls.__module__.startswith("qiskit_aer"):
        return {"__type__": "NoiseModel", "__value__": _to_json(value.to_dict(), path)}
    raise ConfigurationError(f"{path}: a {cls.__name__} cannot be sent as JSON")


def _drop_unset(tree: dict[str, Any]) -> None:
    for key, value in list(tree.items()):
        if value is Unset:
            del tree[key]
        elif isinstance(value, dict):
            _drop_unset(value)


def _drop_empty(tree: dict[str, Any]) -> None:
    """Remove empty dicts, innermost first, as the official client does."""
    for key, value in list(tree.items()):
        if isinstance(value, dict):
            _drop_empty(value)
            if not value:
                del tree[key]
