"""Opt-in noise: an Aer NoiseModel from backend properties, built only for touched qubits."""

from __future__ import annotations

from typing import Any

from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

from ._backends import BackendInfo


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
    qubit_props = backend.properties.get("qubits", [])
    for q in kept:
        row = qubit_props[q] if q < len(qubit_props) else []
        p10, p01 = _param(row, "prob_meas1_prep0"), _param(row, "prob_meas0_prep1")
        if p10 is None and p01 is None:  # only the average is known: a symmetric flip
            p10 = p01 = _param(row, "readout_error")
        p10, p01 = p10 or 0.0, p01 or 0.0
        if p10 or p01:
            model.add_readout_error(ReadoutError([[1 - p10, p10], [p01, 1 - p01]]), [index[q]])
    return model
