"""OpenQASM 3 text → QuantumCircuit for the local server (placeholder: ``qasm3.loads``)."""

from __future__ import annotations

from qiskit import qasm3
from qiskit.circuit import QuantumCircuit


def loads(text: str) -> QuantumCircuit:
    """Parse ``text``; parameters come back sorted by name, as ``qasm3.loads`` does."""
    return qasm3.loads(text)
