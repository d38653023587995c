"""Example: run a circuit on the local server, with no account."""

from __future__ import annotations


def test_local_run() -> None:
    # [start-example]
    from qiskit import QuantumCircuit
    from qiskit.transpiler import generate_preset_pass_manager

    from qiskit_rest_primitives import SamplerV2
    from qiskit_rest_primitives.local import LocalRuntimeServer

    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()

    with LocalRuntimeServer() as server, server.service() as service:
        print([backend.name for backend in service.backends()])
        # ['ibm_brisbane', 'ibm_torino', 'ibmq_manila']
        backend = service.backend("ibm_brisbane")
        isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(bell)
        job = SamplerV2(mode=backend).run([isa], shots=1000)
        counts = job.result()[0].data.meas.get_counts()  # e.g. {'00': 507, '11': 493}
    # [end-example]
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 1000
