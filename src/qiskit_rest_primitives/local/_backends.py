"""Backend snapshots (configuration, properties) and the ISA facts the server validates against."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

# Instructions every IBM backend target accepts besides its basis gates.
_ALWAYS_ALLOWED = frozenset(
    {"measure", "barrier", "delay", "reset", "if_else", "while_loop", "for_loop", "switch_case",
     "box", "break_loop", "continue_loop"}
)

_FILES = {"ibm_brisbane": "brisbane", "ibm_torino": "torino", "ibmq_manila": "manila"}


@dataclass(frozen=True)
class BackendInfo:
    """One device: its raw JSON documents plus what validation and simulation need."""

    name: str
    configuration: dict[str, Any]
    properties: dict[str, Any]
    num_qubits: int
    max_shots: int
    basis_gates: frozenset[str]
    edges: dict[str, frozenset[tuple[int, ...]]] = field(default_factory=dict)

    def instruction_allowed(self, name: str) -> bool:
        """Whether an instruction name is part of the target's instruction set."""
        return name in self.basis_gates or name in _ALWAYS_ALLOWED

    def qubits_allowed(self, name: str, qubits: tuple[int, ...]) -> bool:
        """Whether a multi-qubit basis gate exists on exactly these (ordered) qubits."""
        allowed = self.edges.get(name)
        return allowed is None or qubits in allowed

    def device_entry(self) -> dict[str, Any]:
        """The ``GET /backends`` list entry (wire-format §10)."""
        proc = self.configuration.get("processor_type") or {}
        return {
            "name": self.name,
            "status": {"name": "online"},
            "is_simulator": False,
            "qubits": self.num_qubits,
            "clops": {"type": "hardware", "value": 30000},
            "processor_type": proc,
            "queue_length": 0,
            "performance_metrics": {},
        }

    def status(self) -> dict[str, Any]:
        """The ``GET /backends/{name}/status`` body."""
        return {
            "state": True,
            "status": "active",
            "message": "available",
            "length_queue": 0,
            "backend_version": self.configuration.get("backend_version", "1.0.0"),
        }

    def properties_before(self, updated_before: datetime | None) -> dict[str, Any] | None:
        """Properties valid at ``updated_before`` (None if the only snapshot is newer)."""
        if updated_before is None:
            return self.properties
        last = datetime.fromisoformat(self.properties["last_update_date"])
        if updated_before.tzinfo is None or last.tzinfo is None:
            updated_before = updated_before.replace(tzinfo=None)
            last = last.replace(tzinfo=None)
        return self.properties if last <= updated_before else None


def _load_json(stem: str) -> dict[str, Any]:
    text = (Path(__file__).parent / "data" / stem).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _edges(
    properties: dict[str, Any], basis: frozenset[str]
) -> dict[str, frozenset[tuple[int, ...]]]:
    """Qubit tuples per multi-qubit basis gate, from the properties' gate list."""
    out: dict[str, set[tuple[int, ...]]] = {}
    for gate in properties.get("gates", []):
        qubits = tuple(gate["qubits"])
        if gate["gate"] in basis and len(qubits) > 1:
            out.setdefault(gate["gate"], set()).add(qubits)
    return {name: frozenset(pairs) for name, pairs in out.items()}


@cache
def load_backend(name: str) -> BackendInfo:
    """Load one known backend (cached: the snapshots never change at run time)."""
    stem = _FILES[name]
    conf = _load_json(f"conf_{stem}.json")
    props = _load_json(f"props_{stem}.json")
    props["backend_name"] = name
    basis = frozenset(conf["basis_gates"])
    return BackendInfo(
        name=name,
        configuration=conf,
        properties=props,
        num_qubits=int(conf["n_qubits"]),
        max_shots=int(conf.get("max_shots", 100000)),
        basis_gates=basis,
        edges=_edges(props, basis),
    )


def backend_names() -> list[str]:
    """Names of every backend the server offers."""
    return list(_FILES)
