"""Client-side checks that a pub can run on a backend, before anything is sent."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from qiskit.circuit import ControlFlowOp, QuantumCircuit
from qiskit.transpiler import Target

from .exceptions import ValidationError

T = TypeVar("T")
_ALWAYS_ALLOWED = frozenset({"barrier", "store"})


def coerce_pubs(pubs: Iterable[object], coerce: Callable[[object], T]) -> list[T]:
    """Coerce every pub, turning qiskit's errors into :class:`ValidationError` naming the pub."""
    if isinstance(pubs, (QuantumCircuit, tuple)):
        raise ValidationError("run() takes a list of pubs: wrap a single pub in a list, [pub]")
    coerced = []
    for index, pub in enumerate(pubs):
        try:
            coerced.append(coerce(pub))
        except (ValueError, TypeError) as exc:
            raise ValidationError(f"pub {index}: {exc}") from exc
    if not coerced:
        raise ValidationError("run() needs at least one pub")
    return coerced


UsedInstructions = dict[tuple[str, tuple[int, ...]], None]


def _used_instructions(circuit: QuantumCircuit,
                       qubit_map: list[int] | None = None) -> UsedInstructions:
    """Distinct (name, qubits) pairs in order of first use, control-flow bodies included."""
    index = {bit: i for i, bit in enumerate(circuit.qubits)}
    used: UsedInstructions = {}
    for instruction in circuit.data:
        operation = instruction.operation
        qubits = tuple(index[q] for q in instruction.qubits)
        if qubit_map is not None:
            qubits = tuple(qubit_map[q] for q in qubits)
        used[operation.name, qubits] = None
        if isinstance(operation, ControlFlowOp):
            for block in operation.blocks:
                used.update(_used_instructions(block, list(qubits)))
    return used


def check_isa(circuit: QuantumCircuit, target: Target, pub_index: int) -> None:
    """Raise if the circuit uses an instruction or qubit tuple the backend's Target lacks."""
    num_qubits = target.num_qubits or 0
    if circuit.num_qubits > num_qubits:
        raise ValidationError(
            f"pub {pub_index}: the circuit has {circuit.num_qubits} qubits but the backend has "
            f"{num_qubits}; transpile it for the backend first")
    names = set(target.operation_names)
    for name, qubits in _used_instructions(circuit):
        if name in _ALWAYS_ALLOWED:
            continue
        if name not in names:
            raise ValidationError(
                f"pub {pub_index}: instruction {name!r} on qubits {list(qubits)} is not supported "
                f"by the backend (not an ISA circuit; transpile it with the backend's target)")
        if not target.instruction_supported(name, qubits):
            raise ValidationError(
                f"pub {pub_index}: instruction {name!r} is not supported on qubits "
                f"{list(qubits)} of the backend (not an ISA circuit; transpile it first)")


def encode_pub(index: int, encode: Callable[[], T]) -> T:
    """Run a pub's encoder, naming the pub if its parameter values do not fit its circuit."""
    try:
        return encode()
    except (KeyError, ValueError) as exc:
        raise ValidationError(
            f"pub {index}: parameter values do not match the circuit's parameters "
            f"({type(exc).__name__}: {exc})") from exc


def check_shots(shots: int, max_shots: int | None, pub_index: int) -> None:
    """Raise if a pub asks for more shots than the backend allows."""
    if max_shots is not None and shots > max_shots:
        raise ValidationError(
            f"pub {pub_index}: {shots} shots exceed the backend's maximum of {max_shots}")
