"""Example: Batch — independent jobs submitted together."""

from __future__ import annotations

import qiskit_rest_primitives as qrp


def test_batch(service: qrp.RuntimeService) -> None:
    # [start-example]
    from qiskit import QuantumCircuit
    from qiskit.transpiler import generate_preset_pass_manager

    from qiskit_rest_primitives import Batch, SamplerV2

    backend = service.backend("ibmq_manila")
    pm = generate_preset_pass_manager(optimization_level=1, backend=backend)
    circuits = []
    for n in range(1, 4):  # GHZ states on 1, 2 and 3 qubits
        ghz = QuantumCircuit(n)
        ghz.h(0)
        for q in range(1, n):
            ghz.cx(0, q)
        ghz.measure_all()
        circuits.append(pm.run(ghz))

    with Batch(backend=backend) as batch:
        sampler = SamplerV2(mode=batch)
        jobs = [sampler.run([isa], shots=100) for isa in circuits]  # one job per circuit
    results = [job.result() for job in jobs]  # the batch is closed, the jobs still finish
    # [end-example]
    assert all(job.session_id == batch.session_id for job in jobs)
    for n, result in enumerate(results, start=1):
        assert set(result[0].data.meas.get_counts()) <= {"0" * n, "1" * n}
