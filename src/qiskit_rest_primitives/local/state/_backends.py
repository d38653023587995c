"""Backend snapshots (configuration, properties) and the ISA facts the server validates against."""

from __future__ import annotations

import hashlib
import json
import threading
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
    simulator: bool = False
    #: Simulate with this backend's noise (None: the server's ``noise`` setting decides).
    noise: bool | None = None

    @property
    def calibration_id(self) -> str:
        """The id of the one calibration (properties snapshot) the server holds for it."""
        stamp = f"{self.name}/{self.properties.get('last_update_date', '')}"
        return hashlib.sha256(stamp.encode()).hexdigest()[:24]

    def physical_qubits(self) -> int:
        """Qubits plus couplers, as the service counts physical qubits (e.g. Heron r2 fez:
        156 qubits and 176 couplers give 332, the official client's fake-backend data)."""
        couplers = {tuple(sorted(edge)) for edge in self.configuration.get("coupling_map") or []}
        return self.num_qubits + len(couplers)

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
        entry: dict[str, Any] = {
            "name": self.name,
            "status": {"name": "online"},
            "is_simulator": self.simulator,
            "qubits": self.num_qubits,
            "clops": {"type": "virtual" if self.simulator else "hardware", "value": 30000},
            "processor_type": proc,
            "queue_length": 0,
            "performance_metrics": {},
        }
        if not self.simulator:
            entry["physical_qubits"] = self.physical_qubits()
        return entry

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
    configuration: dict[str, Any], properties: dict[str, Any], basis: frozenset[str]
) -> dict[str, frozenset[tuple[int, ...]]]:
    """Qubit tuples per multi-qubit basis gate: from the properties' gate list, else from the
    gate's coupling map in the configuration (a gate listed in neither may act anywhere)."""
    out: dict[str, set[tuple[int, ...]]] = {}
    for gate in properties.get("gates", []):
        qubits = tuple(gate["qubits"])
        if gate["gate"] in basis and len(qubits) > 1:
            out.setdefault(gate["gate"], set()).add(qubits)
    for gate in configuration.get("gates") or []:
        pairs = {tuple(q) for q in gate.get("coupling_map") or [] if len(q) > 1}
        if gate.get("name") in basis and pairs and gate["name"] not in out:
            out[gate["name"]] = pairs
    return {name: frozenset(pairs) for name, pairs in out.items()}


def backend_info(conf: dict[str, Any], props: dict[str, Any], *, noise: bool | None = None,
                 ) -> BackendInfo:
    """A ``BackendInfo`` from a configuration and a properties document."""
    basis = frozenset(conf["basis_gates"])
    return BackendInfo(
        name=str(conf["backend_name"]),
        configuration=conf,
        properties=props,
        num_qubits=int(conf["n_qubits"]),
        max_shots=int(conf.get("max_shots", 100000)),
        basis_gates=basis,
        edges=_edges(conf, props, basis),
        simulator=bool(conf.get("simulator", False)),
        noise=noise,
    )


@cache
def load_backend(name: str) -> BackendInfo:
    """Load one built-in backend (cached: the snapshots never change at run time)."""
    stem = _FILES[name]
    conf = _load_json(f"conf_{stem}.json")
    props = _load_json(f"props_{stem}.json")
    props["backend_name"] = name
    return backend_info(conf, props)


def backend_names() -> list[str]:
    """Names of the built-in backends."""
    return list(_FILES)


class BackendRegistry:
    """The backends one server offers: the built-in snapshots plus any added at run time."""

    def __init__(self) -> None:
        self._extra: dict[str, BackendInfo] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """Every backend name, built-in ones first."""
        with self._lock:
            return [*backend_names(), *self._extra]

    def get(self, name: str) -> BackendInfo | None:
        """The backend called ``name``, or None."""
        if name in _FILES:
            return load_backend(name)
        with self._lock:
            return self._extra.get(name)

    def clear(self) -> None:
        """Forget every backend added at run time."""
        with self._lock:
            self._extra.clear()

    def add(self, info: BackendInfo) -> str:
        """Offer ``info``; returns the name it is served under.

        The same documents again give the same name; a different backend whose name is taken
        is served as ``name_2``, ``name_3``, ... (its documents renamed to match).
        """
        with self._lock:
            for count in range(1, 10_000):
                name = info.name if count == 1 else f"{info.name}_{count}"
                taken = load_backend(name) if name in _FILES else self._extra.get(name)
                if taken is not None and _same(taken, info):
                    return name
                if taken is None:
                    self._extra[name] = info if name == info.name else _renamed(info, name)
                    return name
        raise ValueError(f"Too many backends named {info.name!r}")


def _same(a: BackendInfo, b: BackendInfo) -> bool:
    strip = {"backend_name"}
    return ({k: v for k, v in a.configuration.items() if k not in strip}
            == {k: v for k, v in b.configuration.items() if k not in strip}
            and {k: v for k, v in a.properties.items() if k not in strip}
            == {k: v for k, v in b.properties.items() if k not in strip}
            and a.noise == b.noise)


def _renamed(info: BackendInfo, name: str) -> BackendInfo:
    conf = {**info.configuration, "backend_name": name}
    props = {**info.properties, "backend_name": name}
    return backend_info(conf, props, noise=info.noise)
