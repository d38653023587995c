"""Example: EstimatorV2 — expectation values of observables on a parametrised circuit."""

from __future__ import annotations

import qiskit_rest_primitives as qrp


def test_estimator(service: qrp.RuntimeService) -> None:
    # [start-example]
    import numpy as np
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter
    from qiskit.quantum_info import SparsePauliOp
    from qiskit.transpiler import generate_preset_pass_manager

    from qiskit_rest_primitives import EstimatorV2

    backend = service.backend("ibmq_manila")
    pm = generate_preset_pass_manager(optimization_level=1, backend=backend)

    theta = Parameter("θ")
    circuit = QuantumCircuit(2)
    circuit.ry(theta, 0)
    circuit.cx(0, 1)
    isa = pm.run(circuit)
    # Observables must act on the ISA circuit's qubits: map them through its layout.
    observables = SparsePauliOp(["ZZ", "XX"]).apply_layout(isa.layout)
    thetas = np.linspace(0, np.pi, 4).reshape(4, 1)

    estimator = EstimatorV2(mode=backend)
    job = estimator.run([(isa, observables, thetas)], precision=0.02)
    evs = job.result()[0].data.evs  # shape (4,): <ZZ> + <XX> at each θ
    stds = job.result()[0].data.stds
    # [end-example]
    np.testing.assert_allclose(evs, 1 + np.sin(thetas[:, 0]), atol=0.15)
    assert stds.shape == (4,)
