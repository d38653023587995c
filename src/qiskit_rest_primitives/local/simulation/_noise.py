"""Opt-in noise: an Aer NoiseModel from backend properties, built only for touched qubits."""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.primitives import BitArray, DataBin
from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

from ..state._backends import BackendInfo


def _param(entries: list[dict[str, Any]], name: str) -> float | None:
    for entry in entries:
        if entry.get("name") == name:
            return float(entry["value"])
    return None


def noise_model(backend: BackendInfo, kept: list[int]) -> NoiseModel:
    """Depolarizing gate errors and readout errors of ``kept`` qubits, remapped to 0..n-1.

    Building only the touched qubits keeps this cheap on a 127-qubit device.
    """
    index = {q: i for i, q in enumerate(kept)}
    model = NoiseModel(basis_gates=sorted(backend.basis_gates))
    for gate in backend.properties.get("gates", []):
        qubits = gate["qubits"]
        if gate["gate"] not in backend.basis_gates or any(q not in index for q in qubits):
            continue
        error = _param(gate.get("parameters", []), "gate_error")
        if not error or error <= 0:
            continue
        dim = 2 ** len(qubits)
        p = min(error * dim / (dim - 1), 1.0)  # average gate infidelity → depolarizing parameter
        model.add_quantum_error(
            depolarizing_error(p, len(qubits)), gate["gate"], [index[q] for q in qubits]
        )
    for q in kept:
        p10, p01 = readout_probabilities(backend, q)
        if p10 or p01:
            model.add_readout_error(ReadoutError([[1 - p10, p10], [p01, 1 - p01]]), [index[q]])
    return model


def readout_probabilities(backend: BackendInfo, qubit: int) -> tuple[float, float]:
    """``(P(1|0), P(0|1))`` of a qubit from the properties (0 when unknown)."""
    qubit_props = backend.properties.get("qubits", [])
    row = qubit_props[qubit] if qubit < len(qubit_props) else []
    p10, p01 = _param(row, "prob_meas1_prep0"), _param(row, "prob_meas0_prep1")
    if p10 is None and p01 is None:  # only the average is known: a symmetric flip
        p10 = p01 = _param(row, "readout_error")
    return p10 or 0.0, p01 or 0.0


def flip_zero_reads(data: DataBin, circuit: QuantumCircuit, zero_reads: list[tuple[int, int]],
                    backend: BackendInfo, seed: int | None) -> DataBin:
    """Readout errors on bits of untouched qubits that were not simulated (they read 0).

    Each such bit reads 1 with the qubit's ``P(1|0)``, shot by shot, as Aer's readout error
    would have done had the qubit been simulated.
    """
    rng = np.random.default_rng(seed)
    fields = {name: np.array(bits.array) for name, bits in data.items()}
    for qubit, clbit in zero_reads:
        p10 = readout_probabilities(backend, qubit)[0]
        for register, index in circuit.find_bit(circuit.clbits[clbit]).registers:
            array = fields.get(register.name)
            if not p10 or array is None:
                continue
            flips = rng.random(array.shape[:-1]) < p10
            array[..., -1 - index // 8] ^= (flips << (index % 8)).astype(np.uint8)
    return DataBin(shape=data.shape, **{name: BitArray(array, data[name].num_bits)
                                        for name, array in fields.items()})
