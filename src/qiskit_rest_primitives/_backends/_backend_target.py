"""A transpiler ``Target`` from a backend's configuration and (optional) properties."""

from __future__ import annotations

import inspect
import math
from typing import Any

from qiskit.circuit import Delay, Gate, Measure, Parameter, Reset
from qiskit.circuit.controlflow import (
    BoxOp,
    BreakLoopOp,
    ContinueLoopOp,
    ForLoopOp,
    IfElseOp,
    SwitchCaseOp,
    WhileLoopOp,
)
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.transpiler import InstructionProperties, QubitProperties, Target

from ._backend_config import BackendConfiguration
from ._backend_properties import BackendProperties

QargMap = dict[tuple[int, ...], InstructionProperties | None]
_CONTROL_FLOW: dict[str, Any] = {
    "if_else": IfElseOp, "while_loop": WhileLoopOp, "for_loop": ForLoopOp,
    "switch_case": SwitchCaseOp, "break_loop": BreakLoopOp, "continue_loop": ContinueLoopOp,
    "box": BoxOp}
_NON_GATES = ("measure", "delay", "reset")
#: The official client bounds rzz angles to [0, pi/2] (IBM hardware runs no other angle).
_ANGLE_BOUNDS = {"rzz": [(0.0, math.pi / 2)]}
_HAS_ANGLE_BOUNDS = "angle_bounds" in inspect.signature(Target.add_instruction).parameters


def build_target(conf: BackendConfiguration, props: BackendProperties | None) -> Target:
    """The ``Target`` for ``conf`` and ``props``; faulty qubits and gates are left out."""
    timing = dict(getattr(conf, "timing_constraints", None) or {})
    faulty = set(props.faulty_qubits()) if props is not None else set()
    target = Target(
        description=conf.backend_name or None, num_qubits=conf.n_qubits,
        dt=getattr(conf, "dt", None),
        granularity=timing.get("granularity", 1), min_length=timing.get("min_length", 1),
        pulse_alignment=timing.get("pulse_alignment", 1),
        acquire_alignment=timing.get("acquire_alignment", 1),
        qubit_properties=_qubit_properties(conf.n_qubits, props),
        concurrent_measurements=getattr(conf, "meas_map", None))
    supported = set(getattr(conf, "supported_instructions", None) or _NON_GATES)
    mapping = get_standard_gate_name_mapping()
    by_config = {g.name: g for g in conf.gates}
    for name in dict.fromkeys(conf.basis_gates):
        if name in _NON_GATES or name in _CONTROL_FLOW:
            continue
        gate = mapping.get(name)
        if gate is None and name in by_config:
            config = by_config[name]
            width = len(config.coupling_map[0]) if config.coupling_map else 1
            gate = Gate(name, width, [Parameter(p) for p in config.parameters])
        if gate is None:
            continue  # no definition known: a circuit could not use it anyway
        qargs = _qargs(conf, props, name, gate.num_qubits, faulty)
        _add(target, gate, qargs, name)
    _add_non_gates(target, conf, props, supported, faulty)
    return target


def _add(target: Target, gate: Any, qargs: QargMap | None, name: str) -> None:
    if _HAS_ANGLE_BOUNDS and name in _ANGLE_BOUNDS:
        target.add_instruction(gate, qargs, name=name, angle_bounds=_ANGLE_BOUNDS[name])
    else:
        target.add_instruction(gate, qargs, name=name)


def _qubit_properties(num_qubits: int, props: BackendProperties | None) -> list[Any] | None:
    if props is None or not props.qubits:
        return None
    out = []
    for q in range(num_qubits):
        row = props.qubit_property(q) if q < len(props.qubits) else {}
        out.append(QubitProperties(t1=_first(row, "T1"), t2=_first(row, "T2"),
                                   frequency=_first(row, "frequency")))
    return out


def _first(row: dict[str, Any], name: str) -> float | None:
    value = row.get(name)
    return None if value is None else value[0]


def _qargs(conf: BackendConfiguration, props: BackendProperties | None, name: str,
           width: int, faulty: set[int]) -> QargMap | None:
    """Where ``name`` may act, with measured error and duration where the properties say.

    Order of sources: the properties' gate entries, then the gate's own coupling map in the
    configuration, then all qubits (1-qubit gates) or the device coupling map (2-qubit gates);
    otherwise the gate is global (``None``: any qubits, as on a simulator).
    """
    measured: QargMap = {}
    if props is not None:
        for gate in props.gates:
            qubits = tuple(gate.qubits)
            if gate.gate != name or faulty.intersection(qubits):
                continue
            if not props.is_gate_operational(name, qubits):
                continue
            values = props.gate_property(name, qubits)
            measured[qubits] = InstructionProperties(error=_first(values, "gate_error"),
                                                     duration=_first(values, "gate_length"))
    if measured:
        return measured
    config = next((g for g in conf.gates if g.name == name and g.coupling_map), None)
    if config is not None and config.coupling_map is not None:
        return {tuple(q): None for q in config.coupling_map if not faulty.intersection(q)}
    if width == 1:
        return {(q,): None for q in range(conf.n_qubits) if q not in faulty}
    if width == 2 and conf.coupling_map:
        return {tuple(e): None for e in conf.coupling_map if not faulty.intersection(e)}
    return None


def _add_non_gates(target: Target, conf: BackendConfiguration, props: BackendProperties | None,
                   supported: set[str], faulty: set[int]) -> None:
    qubits = [q for q in range(conf.n_qubits) if q not in faulty]
    if "measure" in supported or "measure" in conf.basis_gates:
        target.add_instruction(Measure(), {(q,): _readout(props, q) for q in qubits})
    if "delay" in supported:
        target.add_instruction(Delay(Parameter("t")), {(q,): None for q in qubits})
    if "reset" in supported:
        resets = _qargs(conf, props, "reset", 1, faulty) or {}
        target.add_instruction(Reset(), {(q,): resets.get((q,)) for q in qubits})
    for name, op in _CONTROL_FLOW.items():
        if name in supported:
            target.add_instruction(op, name=name)


def _readout(props: BackendProperties | None, qubit: int) -> InstructionProperties | None:
    if props is None or qubit >= len(props.qubits):
        return None
    row = props.qubit_property(qubit)
    error, length = _first(row, "readout_error"), _first(row, "readout_length")
    return None if error is None and length is None else InstructionProperties(
        error=error, duration=length)
