"""Quickstart: a Bell-state Sampler job and a small Estimator job through qiskit-rest-primitives.

With no credentials in the environment this starts the embedded local Qiskit Runtime server
(simulating ``ibm_brisbane`` with Aer) and runs there. With ``QISKIT_IBM_TOKEN`` and
``QISKIT_IBM_INSTANCE`` set it runs the same on IBM Quantum (``QISKIT_IBM_BACKEND`` picks the
backend; default ``ibm_brisbane``).
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp

from _runtime import backend_name, runtime_service


def main() -> None:
    with runtime_service() as service:
        backend = service.backend(backend_name())
        print(f"Backend: {backend.name} ({backend.num_qubits} qubits)")
        pm = generate_preset_pass_manager(optimization_level=1, backend=backend)

        bell = QuantumCircuit(2)
        bell.h(0)
        bell.cx(0, 1)
        bell.measure_all()
        sampler_job = qrp.Sampler(mode=backend).run([pm.run(bell)], shots=1000)
        print(f"Sampler job {sampler_job.job_id()} submitted")
        counts = sampler_job.result()[0].data.meas.get_counts()
        print(f"Bell counts: {dict(sorted(counts.items()))}")

        theta = Parameter("theta")
        ansatz = QuantumCircuit(2)
        ansatz.ry(theta, 0)
        ansatz.cx(0, 1)
        isa = pm.run(ansatz)
        observable = SparsePauliOp(["ZZ", "XX"]).apply_layout(isa.layout)
        thetas = np.linspace(0, np.pi, 5).reshape(-1, 1)
        estimator_job = qrp.Estimator(mode=backend).run([(isa, observable, thetas)],
                                                         precision=0.01)
        print(f"Estimator job {estimator_job.job_id()} submitted")
        data = estimator_job.result()[0].data
        # Estimates carry shot noise: each is within a few stds of the exact value, which is
        # why one can read a little above 2, the largest eigenvalue (docs: shot-noise.md).
        for value, ev, std in zip(thetas[:, 0], data.evs, data.stds, strict=True):
            print(f"  <ZZ + XX>(theta={value:.3f}) = {ev:+.4f} +- {std:.4f}")


if __name__ == "__main__":
    main()
