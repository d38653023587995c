"""Logical (not yet transpiled) circuits shared by several test modules."""

from __future__ import annotations

from qiskit import QuantumCircuit


def bell() -> QuantumCircuit:
    """A two-qubit Bell pair measured with ``measure_all`` (register ``meas``)."""
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc
