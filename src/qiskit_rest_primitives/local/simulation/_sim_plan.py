"""What Aer simulates for one circuit: which qubits, with which method, or why it cannot.

A 127-qubit ISA circuit from ``measure_all()`` touches every qubit, though most are only
measured: an untouched qubit reads 0, so those measurements are dropped and their bits left
0 (:attr:`SimulationPlan.zero_reads`). What remains is simulated as a statevector when that
fits in ``max_memory_mb``; wider, by the stabilizer method when every gate is Clifford, else
by the matrix-product-state method when a bound on its bond dimension keeps it small; else
the circuit is refused at submission, the message saying why.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from qiskit.circuit import ClassicalRegister, Clbit, ControlFlowOp, ForLoopOp, QuantumCircuit
from qiskit.circuit.classical import expr
from qiskit.converters import circuit_to_dag, dag_to_circuit

#: Largest matrix-product-state bond dimension planned for, as a power of two (2**8 = 256).
MPS_MAX_BOND_BITS = 8
_STATE_BYTES = 16  # one complex128 amplitude
_NO_OP = frozenset({"barrier", "delay"})
_CLIFFORD = frozenset({"x", "y", "z", "h", "s", "sdg", "sx", "sxdg", "cx", "cy", "cz", "swap",
                       "ecr", "id", "pauli", "measure", "reset", "barrier", "delay",
                       "if_else", "for_loop", "while_loop", "switch_case", "break_loop",
                       "continue_loop", "box"})
_QUARTER_TURN = frozenset({"rz"})  # Clifford at multiples of pi/2 (Aer's stabilizer takes rz)
#: Two-qubit gates of operator Schmidt rank 2: each adds at most one bit of entanglement.
_RANK_TWO = frozenset({"cx", "cy", "cz", "ecr", "cp", "crx", "cry", "crz", "ch", "csx", "cs",
                       "csdg", "cu", "cu1", "cu3", "rzz", "rxx", "ryy", "rzx"})


class Unsimulable(ValueError):
    """No simulation method fits the circuit in ``max_memory_mb``; the message says why."""


@dataclass(frozen=True)
class SimulationPlan:
    """How one circuit is simulated."""

    kept: list[int]
    """Indices of the qubits simulated, in order (the others stay |0>)."""
    zero_reads: list[tuple[int, int]]
    """``(qubit, clbit)`` measurements of untouched qubits that are dropped (the bit is 0)."""
    method: str
    """Aer method: ``automatic`` (statevector-sized), ``stabilizer`` or
    ``matrix_product_state``."""


def plan_circuit(circuit: QuantumCircuit, max_memory_mb: int) -> SimulationPlan:
    """Choose qubits and method for ``circuit``; ``Unsimulable`` if none fits."""
    zero_reads, active = _zero_reads(circuit)
    kept = sorted(active)
    if not kept and circuit.num_qubits:
        kept = [0]  # Aer needs one qubit even for a circuit without gates
    return SimulationPlan(kept, zero_reads, _method(circuit, kept, max_memory_mb))


def reduce_circuit(circuit: QuantumCircuit, plan: SimulationPlan) -> QuantumCircuit:
    """``circuit`` on the plan's qubits only: barriers, delays, dropped measurements and resets
    of untouched qubits removed. Classical registers keep their names and order, so DataBin
    fields match the input."""
    dag = circuit_to_dag(circuit)
    kept, zero = set(plan.kept), set(plan.zero_reads)
    for node in list(dag.op_nodes()):
        name = node.op.name
        qubit = circuit.find_bit(node.qargs[0]).index if node.qargs else -1
        if (name in _NO_OP or (name == "reset" and qubit not in kept) or (
                name == "measure" and (qubit, circuit.find_bit(node.cargs[0]).index) in zero)):
            dag.remove_op_node(node)
    dag.remove_qubits(*(q for i, q in enumerate(circuit.qubits) if i not in kept))
    reduced = dag_to_circuit(dag)
    reduced.metadata = {}
    if plan.method == "stabilizer":
        _snap_quarter_turns(reduced)
    return reduced


def _snap_quarter_turns(circuit: QuantumCircuit) -> None:
    """Write each quarter-turn ``rz`` angle exactly: Aer's stabilizer method refuses one a few
    ulp off ``k * pi/2`` (``1.5707963267948957``, as transpiled angles often are)."""
    for index, instruction in enumerate(circuit.data):
        operation = instruction.operation
        if operation.name in _QUARTER_TURN and _quarter_turns(operation.params[0]):
            turns = round(float(operation.params[0]) / (math.pi / 2))
            snapped = operation.to_mutable()
            snapped.params = [turns * (math.pi / 2)]
            circuit.data[index] = instruction.replace(operation=snapped)


def _zero_reads(circuit: QuantumCircuit) -> tuple[list[tuple[int, int]], set[int]]:
    """Measurements that can be dropped, and the qubits that must be simulated.

    A measurement is dropped when its qubit is touched by nothing but measure, reset,
    barrier and delay, and its bit is written or read by nothing but such measurements
    (dropping it leaves the bit 0, exactly what the measurement would have written).
    """
    active: set[int] = set()
    clbits_used: set[int] = set()
    measures: list[tuple[int, int]] = []
    for instruction in circuit.data:
        name = instruction.operation.name
        qubits = [circuit.find_bit(q).index for q in instruction.qubits]
        if name == "measure":
            measures.append((qubits[0], circuit.find_bit(instruction.clbits[0]).index))
        elif name not in _NO_OP and name != "reset":
            active.update(qubits)
            clbits = [*instruction.clbits, *_condition_bits(instruction.operation)]
            clbits_used.update(circuit.find_bit(c).index for c in clbits)
    blocked = clbits_used | {clbit for qubit, clbit in measures if qubit in active}
    # An untouched qubit whose bit is shared keeps its measurements, so it is simulated.
    active |= {qubit for qubit, clbit in measures if clbit in blocked}
    return [(q, c) for q, c in measures if q not in active], active


def _condition_bits(operation: Any) -> list[Clbit]:
    """The bits a control-flow condition or switch target reads (also when they are missing
    from the instruction's own clbits)."""
    found: list[Clbit] = []
    for target in (getattr(operation, "condition", None), getattr(operation, "target", None)):
        if isinstance(target, tuple):
            target = target[0]
        if isinstance(target, expr.Expr):
            found += [bit for var in expr.iter_vars(target) for bit in _bits(var.var)]
        elif target is not None:
            found += _bits(target)
    return found


def _bits(target: Any) -> list[Clbit]:
    if isinstance(target, Clbit):
        return [target]
    return list(target) if isinstance(target, ClassicalRegister) else []


def _method(circuit: QuantumCircuit, kept: list[int], max_memory_mb: int) -> str:
    width = len(kept)
    budget = max_memory_mb * 2**20
    if _STATE_BYTES * 2**width <= budget:
        return "automatic"
    statevector = f"a statevector of {width} qubits needs {_size(_STATE_BYTES * 2**width)}"
    why_not_clifford = _non_clifford(circuit)
    if why_not_clifford is None:
        return "stabilizer"
    bits = _bond_bits(circuit, kept)
    mps_bytes = sum(2 * _STATE_BYTES * 2 ** (left + right)
                    for left, right in zip([0, *bits], [*bits, 0], strict=True))
    widest = max(bits, default=0)
    if widest <= MPS_MAX_BOND_BITS and mps_bytes <= budget:
        return "matrix_product_state"
    raise Unsimulable(
        f"the circuit cannot be simulated: after dropping untouched qubits it has {width} "
        f"qubits, and {statevector} (more than max_memory_mb={max_memory_mb} MiB); it is not "
        f"Clifford ({why_not_clifford}), so the stabilizer method cannot run it; and its "
        f"entanglement bound needs matrix-product-state bond dimension 2^{widest} "
        f"(about {_size(mps_bytes)}; the plan allows 2^{MPS_MAX_BOND_BITS} within "
        f"max_memory_mb). Run it on hardware, or reduce its width or depth")


def _non_clifford(circuit: QuantumCircuit) -> str | None:
    """Why ``circuit`` is not Clifford (the first offending gate), or None if it is."""
    for operation, qubits in _operations(circuit, list(range(circuit.num_qubits))):
        name = operation.name
        if name in _CLIFFORD:
            continue
        if name in _QUARTER_TURN and _quarter_turns(operation.params[0]):
            continue
        shown = name if not operation.params else f"{name}({_param_text(operation.params)})"
        return f"{shown} on qubits {qubits}"
    return None


def _quarter_turns(angle: Any) -> bool:
    try:
        turns = float(angle) / (math.pi / 2)
    except TypeError:  # an unbound parameter
        return False
    return abs(turns - round(turns)) < 1e-9


def _param_text(params: list[Any]) -> str:
    return ", ".join(f"{p:.4g}" if isinstance(p, float) else str(p) for p in params)


def _bond_bits(circuit: QuantumCircuit, kept: list[int]) -> list[int]:
    """Upper bound on log2 of the bond dimension at each cut between kept qubits.

    Each gate across a cut raises the Schmidt rank there by at most its operator Schmidt
    rank (2 for controlled and ZZ-type gates, at most 4 otherwise); a cut never needs more
    than the smaller side's dimension. Loops count once per iteration.
    """
    position = {qubit: i for i, qubit in enumerate(kept)}
    width = len(kept)
    delta = [0] * (width + 1)
    for operation, qubits, repeat in _weighted(circuit):
        places = sorted(position[q] for q in qubits if q in position)
        if len(places) < 2:
            continue
        step = (1 if operation.name in _RANK_TWO else 2) * repeat
        delta[places[0]] += step
        delta[places[-1]] -= step
    bits, running = [], 0
    for cut in range(width - 1):
        running += delta[cut]
        bits.append(min(running, cut + 1, width - cut - 1))
    return bits


def _operations(circuit: QuantumCircuit, physical: list[int]) -> Iterator[tuple[Any, list[int]]]:
    """Every operation with its qubit indices, control-flow bodies included."""
    for operation, qubits, _ in _walk(circuit, physical, 1):
        yield operation, qubits


def _weighted(circuit: QuantumCircuit) -> Iterator[tuple[Any, list[int], int]]:
    yield from _walk(circuit, list(range(circuit.num_qubits)), 1)


def _walk(block: QuantumCircuit, physical: list[int],
          repeat: int) -> Iterator[tuple[Any, list[int], int]]:
    for instruction in block.data:
        operation = instruction.operation
        qubits = [physical[block.find_bit(q).index] for q in instruction.qubits]
        if isinstance(operation, ControlFlowOp):
            times = len(operation.params[0]) if isinstance(operation, ForLoopOp) else 1
            for body in operation.blocks:
                yield from _walk(body, qubits, repeat * times)
        else:
            yield operation, qubits, repeat


def _size(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024:
            return f"{count:.0f} {unit}"
        count /= 1024
    return f"{count:.0f} EiB"
