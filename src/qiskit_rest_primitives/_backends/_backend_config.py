"""``BackendConfiguration``: a backend's ``/configuration`` document with attribute access.

qiskit 2 removed ``qiskit.providers.models``; this is our own small model of the document.
Times and frequencies read as SI units (``dt`` in seconds, LO ranges in hertz), like the
official ``QasmBackendConfiguration``; :meth:`BackendConfiguration.to_dict` gives the wire form.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from qiskit.circuit import Delay
from qiskit.circuit.library import PhaseGate, RZGate, U1Gate, get_standard_gate_name_mapping

from ._backend_properties import _date

JSON = dict[str, Any]
#: Wire unit → SI factor of the fields the official model converts (wire-format §10).
_SCALED = {"dt": 1e-9, "dtm": 1e-9, "qubit_lo_range": 1e9, "meas_lo_range": 1e9,
           "rep_times": 1e-6, "rep_delay_range": 1e-6, "default_rep_delay": 1e-6}
#: Gates that take an angle yet cost no time on IBM hardware (virtual Z): never "fractional".
_VIRTUAL = (RZGate, PhaseGate, U1Gate, Delay)


def _scaled(value: Any, factor: float) -> Any:
    if isinstance(value, list):
        return [_scaled(v, factor) for v in value]
    return value * factor if isinstance(value, int | float) else value


def _complex_scales(channels: Any) -> Any:
    """``u_channel_lo`` with each ``scale`` (``[re, im]`` on the wire) as a ``complex``."""
    if not isinstance(channels, list):
        return channels
    return [[{**lo, "scale": complex(*lo["scale"])}
             if isinstance(lo, dict) and isinstance(lo.get("scale"), list)
             and len(lo["scale"]) == 2 else lo
             for lo in group] if isinstance(group, list) else group
            for group in channels]


class GateConfig:
    """One entry of the configuration's ``gates``: name, parameters, definition, qubits."""

    def __init__(self, data: JSON) -> None:
        self.name: str = str(data["name"])
        self.parameters: list[str] = list(data.get("parameters") or [])
        self.qasm_def: str | None = data.get("qasm_def")
        self.coupling_map: list[list[int]] | None = data.get("coupling_map")
        self._data = copy.deepcopy(data)

    def __repr__(self) -> str:
        return f"GateConfig({self.name!r}, {self.parameters!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GateConfig) and self._data == other._data

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> JSON:
        """The wire form."""
        return copy.deepcopy(self._data)


class BackendConfiguration:
    """Fixed facts about a backend: qubits, basis gates, coupling map, timing, features.

    Every field of the document is an attribute (``conf.n_qubits``, ``conf.basis_gates``,
    ``conf.coupling_map``, ``conf.simulator``, ...) and ``"field" in conf`` tells whether it is
    present, which is what ``backends(**filters)`` relies on.
    """

    def __init__(self, data: JSON) -> None:
        self._raw = copy.deepcopy(data)
        fields = {k: _scaled(v, _SCALED[k]) if k in _SCALED else v for k, v in self._raw.items()}
        fields["online_date"] = _date(self._raw.get("online_date"))
        fields["gates"] = [GateConfig(g) for g in self._raw.get("gates") or []]
        if "u_channel_lo" in fields:
            fields["u_channel_lo"] = _complex_scales(self._raw["u_channel_lo"])
        fields.setdefault("simulator", False)
        fields.setdefault("local", False)
        fields.setdefault("basis_gates", [])
        fields.setdefault("coupling_map", None)
        self._fields = fields
        self.backend_name: str = str(fields.get("backend_name", ""))
        self.backend_version: str = str(fields.get("backend_version", ""))
        self.n_qubits: int = int(fields.get("n_qubits", 0))
        self.basis_gates: list[str] = fields["basis_gates"]
        self.coupling_map: list[list[int]] | None = fields["coupling_map"]
        self.simulator: bool = bool(fields["simulator"])
        self.gates: list[GateConfig] = fields["gates"]
        self.online_date: datetime | None = fields["online_date"]

    @classmethod
    def from_dict(cls, data: JSON) -> BackendConfiguration:
        """Build from the ``/configuration`` document."""
        return cls(data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_fields":
            raise AttributeError(name)
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"BackendConfiguration has no attribute {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._fields

    def __repr__(self) -> str:
        return f"<BackendConfiguration({self.backend_name!r}, n_qubits={self.n_qubits})>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BackendConfiguration) and self._raw == other._raw

    __hash__ = None  # type: ignore[assignment]

    @property
    def num_qubits(self) -> int:
        """Same as ``n_qubits``."""
        return self.n_qubits

    def to_dict(self) -> JSON:
        """The document as sent (wire units), with ``online_date`` as a ``datetime`` and the
        ``u_channel_lo`` scales as ``complex``, as the official model gives them."""
        out = copy.deepcopy(self._raw)
        if self.online_date is not None:
            out["online_date"] = self.online_date
        if "u_channel_lo" in out:
            out["u_channel_lo"] = _complex_scales(out["u_channel_lo"])
        return out


def is_fractional(name: str) -> bool:
    """Whether ``name`` is a fractional gate (an angle-taking gate that costs time, e.g. rzz)."""
    gate = get_standard_gate_name_mapping().get(name)
    return gate is not None and len(gate.params) > 0 and not isinstance(gate, _VIRTUAL)


def without_fractional(raw: JSON, use_fractional_gates: bool | None) -> JSON:
    """The configuration document without fractional gates, unless they were asked for.

    ``None`` keeps the document as is, ``True`` too; ``False`` (the default of the official
    client) drops them from ``basis_gates``, ``gates`` and ``supported_instructions``.
    """
    if use_fractional_gates is None or use_fractional_gates:
        return raw
    out = dict(raw)
    for key in ("basis_gates", "supported_instructions"):
        if key in out:
            out[key] = [g for g in out[key] if not is_fractional(g)]
    if "gates" in out:
        out["gates"] = [g for g in out["gates"] if not is_fractional(str(g.get("name")))]
    return out
