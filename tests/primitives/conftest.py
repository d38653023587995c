"""Fixtures for conformance tests: a small backend and its preset pass manager."""

from __future__ import annotations

import pytest
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp


@pytest.fixture(scope="module")
def manila_pm(local_server):  # type: ignore[no-untyped-def]
    with local_server.service() as service:
        backend = service.backend("ibmq_manila")
        return generate_preset_pass_manager(optimization_level=1, backend=backend, seed_transpiler=7)


@pytest.fixture
def manila(service: qrp.RuntimeService) -> qrp.RuntimeBackend:
    return service.backend("ibmq_manila")
