"""Estimator pubs on few qubits, without noise: exact values in this thread, then shot noise.

Aer's estimator hands every pub to a job thread and waits for it; for the small circuits
variational algorithms send (a few qubits, tens of gates) that hand-off is most of the time,
and on a loaded machine it is several milliseconds a pub. Here the state is evolved in the
calling thread by numpy tensor contractions (a circuit's gate matrices built once per job,
the parametric ones again per parameter set: a third of ``Statevector(circuit)``'s time on
transpiled circuits), and each expectation value gets the same Gaussian noise of standard
deviation ``precision`` that Aer's estimator adds.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from qiskit.circuit import Gate, Parameter, ParameterExpression, QuantumCircuit
from qiskit.circuit.exceptions import CircuitError
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.exceptions import QiskitError
from qiskit.primitives import DataBin
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

#: Widest circuit evolved here (2**12 amplitudes); wider ones go to Aer.
MAX_QUBITS = 12
#: Most parameter sets evolved here; a larger sweep is worth Aer's batching.
MAX_PARAMETER_SETS = 512


Step = tuple[list[int], Any, Any]  # (tensor axes, fixed matrix or None, parametric gate)


class Program:
    """A unitary circuit compiled to tensor contractions: gate matrices are built once, and
    only the parametric ones again for each parameter set."""

    def __init__(self, circuit: QuantumCircuit) -> None:
        self.num_qubits = circuit.num_qubits
        self.parameters = list(circuit.parameters)
        index = {qubit: i for i, qubit in enumerate(circuit.qubits)}
        self.steps: list[Step] = []
        for inst in circuit.data:
            operation = inst.operation
            # qubit q is axis n-1-q of the state tensor; a matrix's row bits run from its
            # last qubit (most significant) to its first
            axes = [self.num_qubits - 1 - index[q] for q in reversed(inst.qubits)]
            if operation.is_parameterized():
                self.steps.append((axes, None, operation))
            else:
                self.steps.append((axes, _tensor(_matrix(operation), len(axes)), None))

    def state(self, values: np.ndarray[Any, Any] | None) -> Statevector:
        """The final state for one parameter set (``values`` in ``parameters`` order)."""
        bound = dict(zip(self.parameters, values, strict=True)) if values is not None else {}
        state = np.zeros((2,) * self.num_qubits, dtype=complex)
        state[(0,) * self.num_qubits] = 1.0
        for axes, matrix, gate in self.steps:
            if matrix is None:
                matrix = _tensor(gate.base_class(*[_value(p, bound) for p in gate.params])
                                 .to_matrix(), len(axes))
            k = len(axes)
            state = np.moveaxis(np.tensordot(matrix, state, axes=(list(range(k, 2 * k)), axes)),
                                list(range(k)), axes)
        return Statevector(state.reshape(-1))


def _matrix(gate: Gate) -> np.ndarray[Any, Any]:
    """A fixed gate's matrix, from its definition when it has no matrix of its own (the
    opaque ``ecr`` an OpenQASM 3 ``gate`` definition makes)."""
    try:
        return np.asarray(gate.to_matrix())
    except CircuitError:
        return np.asarray(Operator(gate).data)


def _tensor(matrix: np.ndarray[Any, Any], k: int) -> np.ndarray[Any, Any]:
    return np.asarray(matrix, dtype=complex).reshape((2,) * (2 * k))


def _value(param: Any, bound: dict[Any, float]) -> float:
    """A gate argument as a number, with ``bound`` parameter values."""
    if isinstance(param, Parameter):
        return bound[param]
    if isinstance(param, ParameterExpression):
        return float(param.bind({p: bound[p] for p in param.parameters}).numeric().real)
    return float(param)


def compile_circuit(circuit: QuantumCircuit) -> Program | None:
    """The circuit as a :class:`Program`, or None if it is too wide or not made of gates
    (measure, reset, control flow, a parametric gate of no standard class...)."""
    if circuit.num_qubits > MAX_QUBITS:
        return None
    standard = _standard_classes()
    for inst in circuit.data:
        operation = inst.operation
        if not isinstance(operation, Gate):
            return None
        if operation.is_parameterized() and (
                operation.base_class is not standard.get(operation.name)):
            return None
    try:
        return Program(circuit)
    except QiskitError:  # a gate with neither a matrix nor a definition
        return None


@functools.cache
def _standard_classes() -> dict[str, type]:
    """Qiskit's standard gate classes by name (built once: the mapping makes a gate of each)."""
    return {name: type(gate) for name, gate in get_standard_gate_name_mapping().items()}


def covers(pub: EstimatorPub) -> bool:
    """Whether :func:`estimate` takes ``pub``'s parameter sweep (not too many sets)."""
    return bool(pub.parameter_values.size <= MAX_PARAMETER_SETS)


def estimate(program: Program, pub: EstimatorPub, rng: np.random.Generator) -> DataBin:
    """``evs`` (exact values plus ``N(0, precision)`` noise) and ``stds`` of ``pub``, whose
    circuit ``program`` compiles."""
    values = pub.parameter_values
    keys = [tuple(terms.items()) for terms in pub.observables.ravel().tolist()]
    operators = {key: SparsePauliOp.from_list(list(key)) for key in keys}
    rows = values.as_array(program.parameters).reshape(values.size, -1) if (
        program.parameters) else None
    states = [program.state(rows[i] if rows is not None else None) for i in range(values.size)]
    state_index, operator_index = np.broadcast_arrays(
        np.arange(values.size).reshape(values.shape),
        np.arange(len(keys)).reshape(pub.observables.shape))
    evs = np.zeros(state_index.shape, dtype=float)
    known: dict[tuple[int, Any], float] = {}  # the same observable twice on one state
    for index in np.ndindex(evs.shape):
        pair = (int(state_index[index]), keys[operator_index[index]])
        if pair not in known:
            state = states[pair[0]]
            known[pair] = float(np.real(state.expectation_value(operators[pair[1]])))
        evs[index] = known[pair]
    precision = float(pub.precision or 0.0)
    if precision > 0:
        evs = rng.normal(evs, precision, evs.shape)
    return DataBin(evs=evs, stds=np.full(evs.shape, precision), shape=evs.shape)
