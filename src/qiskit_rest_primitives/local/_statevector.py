"""Estimator pubs on few qubits, without noise: exact values in this thread, then shot noise.

Aer's estimator hands every pub to a job thread and waits for it; for the small circuits
variational algorithms send (a few qubits, tens of gates) that hand-off is most of the time,
and on a loaded machine it is several milliseconds a pub. Here the state is evolved with
``qiskit.quantum_info.Statevector`` in the calling thread, and each expectation value gets
the same Gaussian noise of standard deviation ``precision`` that Aer's estimator adds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit.circuit import Gate, QuantumCircuit
from qiskit.primitives import DataBin
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.quantum_info import SparsePauliOp, Statevector

#: Widest circuit evolved here (2**12 amplitudes); wider ones go to Aer.
MAX_QUBITS = 12
#: Most parameter sets evolved here; a larger sweep is worth Aer's batching.
MAX_PARAMETER_SETS = 512


def _unitary_only(circuit: QuantumCircuit) -> bool:
    """Whether every instruction is a gate (no measure, reset, control flow or delay)."""
    return all(isinstance(inst.operation, Gate) for inst in circuit.data)


def covers(pub: EstimatorPub) -> bool:
    """Whether :func:`estimate` handles ``pub`` (a reduced, noiseless pub)."""
    return (pub.circuit.num_qubits <= MAX_QUBITS
            and pub.parameter_values.size <= MAX_PARAMETER_SETS
            and _unitary_only(pub.circuit))


def estimate(pub: EstimatorPub, rng: np.random.Generator) -> DataBin:
    """``evs`` (exact values plus ``N(0, precision)`` noise) and ``stds`` of a covered pub."""
    circuit, values = pub.circuit, pub.parameter_values
    keys = [tuple(terms.items()) for terms in pub.observables.ravel().tolist()]
    operators = {key: SparsePauliOp.from_list(list(key)) for key in keys}
    rows = values.as_array(circuit.parameters).reshape(values.size, -1) if (
        circuit.num_parameters) else None
    states = [Statevector(circuit.assign_parameters(rows[i]) if rows is not None else circuit)
              for i in range(values.size)]
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
