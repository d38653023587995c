"""Example: local testing mode — any qiskit backend as the mode, over real HTTP."""

from __future__ import annotations


def test_local_testing_mode() -> None:
    # [start-example]
    from qiskit import QuantumCircuit
    from qiskit.providers.fake_provider import GenericBackendV2
    from qiskit.transpiler import generate_preset_pass_manager

    from qiskit_rest_primitives import Batch, SamplerV2

    fake = GenericBackendV2(num_qubits=5, seed=42)  # noisy: its Target carries errors
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, backend=fake).run(bell)

    # The first use starts an embedded local server; the job goes over HTTP to it.
    counts = SamplerV2(mode=fake).run([isa], shots=1000).result()[0].data.meas.get_counts()
    print(counts)  # mostly "00" and "11"; a few "01"/"10" from the backend's noise

    with Batch(fake) as batch:  # sessions and batches work the same way
        jobs = [SamplerV2(mode=batch).run([isa], shots=100) for _ in range(3)]
    # [end-example]
    assert counts.get("00", 0) + counts.get("11", 0) > 900
    assert all(job.result()[0].data.meas.num_shots == 100 for job in jobs)
