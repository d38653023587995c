"""``BackendProperties``: a device's calibration data (``/properties``) with attribute access.

qiskit 2 removed ``qiskit.providers.models``; this is our own small model of the same document,
with the accessors calibration-aware code uses (``t1(q)``, ``gate_error(name, qubits)``, ...).
Values come back in SI units (seconds, hertz), the unit prefix of the wire applied.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._codec._decode import parse_datetime
from ..exceptions import BackendPropertyError

JSON = dict[str, Any]
#: (value in SI units, date measured)
PropertyT = tuple[float, datetime | None]
_PREFIX = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "μ": 1e-6, "m": 1e-3, "k": 1e3,
           "M": 1e6, "G": 1e9, "T": 1e12}


def si_value(value: float, unit: str) -> float:
    """``value`` in SI units: ``(5.0, "GHz")`` → 5e9, ``(120, "us")`` → 1.2e-4."""
    if len(unit) > 1 and unit[0] in _PREFIX and unit[1:] in ("s", "Hz"):
        return float(value) * _PREFIX[unit[0]]
    return float(value)


def _date(value: Any) -> datetime | None:
    """An ISO date as a timezone-aware local ``datetime`` (as the official client shows them)."""
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    return parse_datetime(str(value)).astimezone()


@dataclass(frozen=True)
class Nduv:
    """One measured quantity: name, date, unit and value (as sent)."""

    date: datetime | None
    name: str
    unit: str
    value: float

    @classmethod
    def from_dict(cls, data: JSON) -> Nduv:
        """Read one ``{"date", "name", "unit", "value"}`` entry."""
        return cls(_date(data.get("date")), str(data["name"]), str(data.get("unit", "")),
                   float(data["value"]))

    def to_dict(self) -> JSON:
        """The wire form."""
        return {"date": self.date, "name": self.name, "unit": self.unit, "value": self.value}


@dataclass(frozen=True)
class GateProperties:
    """The measured parameters of one gate on one tuple of qubits."""

    gate: str
    qubits: list[int]
    parameters: list[Nduv]
    name: str | None = None
    extra: JSON = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: JSON) -> GateProperties:
        """Read one ``{"gate", "qubits", "parameters"[, "name"]}`` entry."""
        rest = {k: v for k, v in data.items() if k not in ("gate", "qubits", "parameters", "name")}
        return cls(str(data["gate"]), [int(q) for q in data["qubits"]],
                   [Nduv.from_dict(p) for p in data.get("parameters", [])], data.get("name"), rest)

    def to_dict(self) -> JSON:
        """The wire form."""
        out: JSON = {"qubits": list(self.qubits), "gate": self.gate,
                     "parameters": [p.to_dict() for p in self.parameters]}
        if self.name is not None:
            out["name"] = self.name
        return {**out, **self.extra}


class BackendProperties:
    """Calibration data of a backend: per-qubit and per-gate measurements, plus general ones.

    Example::

        props = backend.properties()
        props.t1(0), props.readout_error(0), props.gate_error("cx", [0, 1])
    """

    def __init__(self, data: JSON) -> None:
        rest = copy.deepcopy(data)
        self.backend_name: str = str(rest.pop("backend_name", ""))
        self.backend_version: str = str(rest.pop("backend_version", ""))
        self.last_update_date: datetime | None = _date(rest.pop("last_update_date", None))
        self.qubits: list[list[Nduv]] = [[Nduv.from_dict(n) for n in row]
                                         for row in rest.pop("qubits", None) or []]
        self.gates: list[GateProperties] = [GateProperties.from_dict(g)
                                            for g in rest.pop("gates", None) or []]
        self.general: list[Nduv] = [Nduv.from_dict(n) for n in rest.pop("general", None) or []
                                    if isinstance(n, dict)]
        self._extra: JSON = rest
        self._qubit_table = [{n.name: (si_value(n.value, n.unit), n.date) for n in row}
                             for row in self.qubits]
        self._gate_table: dict[str, dict[tuple[int, ...], dict[str, PropertyT]]] = {}
        for gate in self.gates:
            self._gate_table.setdefault(gate.gate, {})[tuple(gate.qubits)] = {
                p.name: (si_value(p.value, p.unit), p.date) for p in gate.parameters}

    @classmethod
    def from_dict(cls, data: JSON) -> BackendProperties:
        """Build from the ``/properties`` document."""
        return cls(data)

    def __getattr__(self, name: str) -> Any:
        # Fields of the document we do not model (e.g. ``general_qlists``) stay reachable.
        if name.startswith("__") or name == "_extra":
            raise AttributeError(name)
        try:
            return self._extra[name]
        except KeyError:
            raise AttributeError(f"BackendProperties has no attribute {name!r}") from None

    def __repr__(self) -> str:
        return (f"<BackendProperties(backend_name={self.backend_name!r}, "
                f"last_update_date={self.last_update_date!r})>")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BackendProperties) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def to_dict(self) -> JSON:
        """The document as a dict (dates as ``datetime``), like the official model's."""
        return {"backend_name": self.backend_name, "backend_version": self.backend_version,
                "last_update_date": self.last_update_date,
                "qubits": [[n.to_dict() for n in row] for row in self.qubits],
                "gates": [g.to_dict() for g in self.gates],
                "general": [n.to_dict() for n in self.general], **copy.deepcopy(self._extra)}

    # -- gates ----------------------------------------------------------------------------------
    def gate_property(self, gate: str, qubits: int | Iterable[int] | None = None,
                      name: str | None = None) -> Any:
        """All properties of ``gate`` (by qubits), of ``gate`` on ``qubits``, or one of them.

        Raises:
            BackendPropertyError: no such gate, qubits or property.
        """
        try:
            result: Any = self._gate_table[gate]
            if qubits is not None:
                result = result[_qubit_tuple(qubits)]
                if name:
                    result = result[name]
            elif name:
                raise BackendPropertyError(f"Give the qubits to get {name} of {gate}")
        except KeyError:
            what = f"property {name!r}" if name else "properties"
            raise BackendPropertyError(
                f"No {what} of gate {gate!r} on qubits {qubits}") from None
        return result

    def gate_error(self, gate: str, qubits: int | Iterable[int]) -> float:
        """The error of ``gate`` on ``qubits``."""
        return float(self.gate_property(gate, qubits, "gate_error")[0])

    def gate_length(self, gate: str, qubits: int | Iterable[int]) -> float:
        """The duration of ``gate`` on ``qubits``, in seconds."""
        return float(self.gate_property(gate, qubits, "gate_length")[0])

    def is_gate_operational(self, gate: str, qubits: int | Iterable[int] | None = None) -> bool:
        """False only if the gate's ``operational`` property says so."""
        found = self.gate_property(gate, qubits)
        return bool(found["operational"][0]) if "operational" in found else True

    def faulty_gates(self) -> list[GateProperties]:
        """Gates whose ``operational`` property is 0."""
        return [g for g in self.gates if not self.is_gate_operational(g.gate, g.qubits)]

    # -- qubits ---------------------------------------------------------------------------------
    def qubit_property(self, qubit: int, name: str | None = None) -> Any:
        """All properties of ``qubit`` as ``{name: (value, date)}``, or the one called ``name``.

        Raises:
            BackendPropertyError: no such qubit or property.
        """
        try:
            if qubit < 0:
                raise IndexError(qubit)
            found: Any = self._qubit_table[qubit]
            return found[name] if name is not None else found
        except (IndexError, KeyError):
            what = f"property {name!r}" if name else "properties"
            raise BackendPropertyError(f"No {what} for qubit {qubit}") from None

    def _qubit_value(self, qubit: int, name: str) -> float:
        return float(self.qubit_property(qubit, name)[0])

    def t1(self, qubit: int) -> float:
        """T1 of ``qubit`` in seconds."""
        return self._qubit_value(qubit, "T1")

    def t2(self, qubit: int) -> float:
        """T2 of ``qubit`` in seconds."""
        return self._qubit_value(qubit, "T2")

    def frequency(self, qubit: int) -> float:
        """Frequency of ``qubit`` in hertz."""
        return self._qubit_value(qubit, "frequency")

    def readout_error(self, qubit: int) -> float:
        """Readout error of ``qubit``."""
        return self._qubit_value(qubit, "readout_error")

    def readout_length(self, qubit: int) -> float:
        """Readout duration of ``qubit`` in seconds."""
        return self._qubit_value(qubit, "readout_length")

    def is_qubit_operational(self, qubit: int) -> bool:
        """False only if the qubit's ``operational`` property says so."""
        found = self.qubit_property(qubit)
        return bool(found["operational"][0]) if "operational" in found else True

    def faulty_qubits(self) -> list[int]:
        """Qubits whose ``operational`` property is 0."""
        return [q for q in range(len(self._qubit_table)) if not self.is_qubit_operational(q)]


def _qubit_tuple(qubits: int | Iterable[int]) -> tuple[int, ...]:
    return (qubits,) if isinstance(qubits, int) else tuple(int(q) for q in qubits)
