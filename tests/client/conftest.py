"""Client-test fixtures: a Bell circuit transpiled once per module for ``ibmq_manila``."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_primitives.local import LocalRuntimeServer

BACKEND = "ibmq_manila"


@pytest.fixture(scope="module")
def isa_bell(local_server: LocalRuntimeServer) -> QuantumCircuit:
    """A Bell circuit transpiled for ibmq_manila."""
    return transpiled_bell(local_server)


def transpiled_bell(local_server: LocalRuntimeServer) -> QuantumCircuit:
    """A Bell circuit transpiled for ibmq_manila on the server's copy of the backend."""
    with local_server.service() as service:
        qc = QuantumCircuit(2)
        qc.h(0)
        qc.cx(0, 1)
        qc.measure_all()
        pm = generate_preset_pass_manager(optimization_level=1, backend=service.backend(BACKEND))
        return pm.run(qc)
