"""Configuration and properties documents generated from any qiskit ``BackendV2``'s Target.

This is how the server offers a backend it was handed at run time (``add_backend``): the
documents say what the Target says (gates and where they act, errors, durations, T1/T2,
readout), in the wire units of ``/configuration`` and ``/properties`` (wire-format §10), so a
client builds the same Target back from them.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from qiskit.circuit.controlflow import CONTROL_FLOW_OP_NAMES
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.providers import BackendV2
from qiskit.transpiler import Target

JSON = dict[str, Any]
_NON_GATES = ("measure", "delay", "reset")
_LOOP_CONTROL = ("break_loop", "continue_loop")
#: A fixed date: the documents of one backend are the same whenever they are made.
_EPOCH = "2024-01-01T00:00:00+00:00"
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
#: The width offered for a Target that has none (an ideal simulator taking circuits of any
#: width, as qiskit's ``BasicSimulator``): all-to-all, as wide as Aer's own ``AerSimulator``.
OPEN_WIDTH = 30


def documents(backend: BackendV2) -> tuple[JSON, JSON, bool]:
    """``(configuration, properties, noisy)`` for ``backend``.

    ``noisy`` says whether its Target carries calibration data (an error anywhere, a qubit
    property), i.e. whether simulating it should apply noise. Without any, the backend is
    described as a simulator.
    """
    target = backend.target
    name = re.sub(r"[^A-Za-z0-9_]", "_", str(backend.name)) or "backend"
    noisy = _has_calibration(target)
    conf = _configuration(backend, target, name, simulator=not noisy)
    props = _properties(target, name, conf["backend_version"])
    return conf, props, noisy


def _has_calibration(target: Target) -> bool:
    if any(q is not None and (q.t1 or q.t2) for q in target.qubit_properties or []):
        return True
    for name in target.operation_names:
        for props in (target[name] or {}).values():
            if props is not None and props.error:
                return True
    return False


def _width(target: Target) -> int:
    return OPEN_WIDTH if target.num_qubits is None else int(target.num_qubits)


def _gate_names(target: Target) -> list[str]:
    mapping = get_standard_gate_name_mapping()
    return [n for n in target.operation_names
            if n in mapping and n not in _NON_GATES and mapping[n].name == n]


def _qargs(target: Target, name: str) -> list[tuple[int, ...]] | None:
    found = target.qargs_for_operation_name(name)
    return None if found is None else sorted(found)


def _gate_docs(target: Target, gates: list[str]) -> tuple[list[JSON], set[tuple[int, ...]]]:
    """The configuration's ``gates`` entries, and the two-qubit edges they name."""
    mapping = get_standard_gate_name_mapping()
    gate_docs: list[JSON] = []
    edges: set[tuple[int, ...]] = set()
    for gate in gates:
        doc: JSON = {"name": gate, "parameters": [str(p) for p in mapping[gate].params],
                     "qasm_def": None}
        qargs = _qargs(target, gate)
        if qargs is not None:
            doc["coupling_map"] = [list(q) for q in qargs]
            edges.update(q for q in qargs if len(q) == 2)
        gate_docs.append(doc)
    return gate_docs, edges


def _configuration(backend: BackendV2, target: Target, name: str, *, simulator: bool) -> JSON:
    gates = _gate_names(target)
    gate_docs, edges = _gate_docs(target, gates)
    names = set(target.operation_names)
    flow = sorted(n for n in names if n in CONTROL_FLOW_OP_NAMES or n in _LOOP_CONTROL)
    version = str(getattr(backend, "backend_version", None) or "")
    online = getattr(backend, "online_date", None)
    timing = {"granularity": target.granularity, "min_length": target.min_length,
              "pulse_alignment": target.pulse_alignment,
              "acquire_alignment": target.acquire_alignment}
    conf: JSON = {
        "backend_name": name,
        "backend_version": version if _VERSION.match(version) else "1.0.0",
        "n_qubits": _width(target),
        "basis_gates": gates,
        "gates": gate_docs,
        "local": False, "simulator": simulator, "conditional": False, "open_pulse": False,
        "memory": True, "max_shots": 100000,
        "max_experiments": int(getattr(backend, "max_circuits", None) or 300),
        "coupling_map": [list(e) for e in sorted(edges)] or None,
        "supported_instructions": [*gates, *(n for n in _NON_GATES if n in names), *flow],
        "supported_features": ["qasm3", *(["dynamic_circuits"] if flow else [])],
        "online_date": online.astimezone(timezone.utc).isoformat()
        if isinstance(online, datetime) else _EPOCH,
        "description": str(getattr(backend, "description", None) or name)[:64],
        "timing_constraints": timing,
        "processor_type": {},
    }
    if target.dt:
        conf["dt"] = conf["dtm"] = target.dt * 1e9  # the wire says nanoseconds
    if target.concurrent_measurements:
        conf["meas_map"] = [list(group) for group in target.concurrent_measurements]
    return conf


def _nduv(name: str, value: float, unit: str = "") -> JSON:
    return {"date": _EPOCH, "name": name, "unit": unit, "value": value}


def _properties(target: Target, name: str, version: str) -> JSON:
    num_qubits = _width(target)
    qubits: list[list[JSON]] = [[] for _ in range(num_qubits)]
    for q, props in enumerate(target.qubit_properties or []):
        if props is None or q >= num_qubits:
            continue
        for field, unit, scale in (("t1", "us", 1e6), ("t2", "us", 1e6),
                                   ("frequency", "GHz", 1e-9)):
            value = getattr(props, field, None)
            if value is not None:
                qubits[q].append(_nduv(field.upper() if field != "frequency" else field,
                                       value * scale, unit))
    measure = target["measure"] if "measure" in target.operation_names else {}
    for qargs, props in (measure or {}).items():
        if props is None or qargs is None or qargs[0] >= num_qubits:
            continue
        if props.error is not None:
            qubits[qargs[0]].append(_nduv("readout_error", props.error))
        if props.duration is not None:
            qubits[qargs[0]].append(_nduv("readout_length", props.duration * 1e9, "ns"))
    return {"backend_name": name, "backend_version": version, "last_update_date": _EPOCH,
            "qubits": qubits, "gates": _gate_entries(target), "general": []}


def _gate_entries(target: Target) -> list[JSON]:
    entries = []
    for gate in [*_gate_names(target), *(n for n in ("reset",) if n in target.operation_names)]:
        for qargs, props in (target[gate] or {}).items():
            if props is None or qargs is None:
                continue
            params = []
            if props.error is not None:
                params.append(_nduv("gate_error", props.error))
            if props.duration is not None:
                params.append(_nduv("gate_length", props.duration * 1e9, "ns"))
            if params:
                entries.append({"qubits": list(qargs), "gate": gate, "parameters": params,
                                "name": f"{gate}{'_'.join(map(str, qargs))}"})
    return entries
