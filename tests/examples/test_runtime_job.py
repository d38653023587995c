"""Example: RuntimeJob — status, waiting, retrieval by id, tags, cancellation and errors."""

from __future__ import annotations

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives.local import LocalRuntimeServer


def test_runtime_job(server: LocalRuntimeServer, service: qrp.RuntimeService) -> None:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import generate_preset_pass_manager

    backend = service.backend("ibmq_manila")
    circuit = QuantumCircuit(1)
    circuit.h(0)
    circuit.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(circuit)
    sampler = qrp.SamplerV2(mode=backend)
    # [start-example]
    from qiskit_rest_primitives.exceptions import RuntimeJobCancelledError

    job = sampler.run([isa], shots=100)  # returns at once
    print(job.job_id(), job.status())  # e.g. "QUEUED" or "RUNNING"
    job.wait_for_final_state(timeout=60)
    assert job.done()
    job.update_tags(["experiment-7"])

    same = service.job(job.job_id())  # retrieve it later, e.g. in another process
    result = same.result()
    print(same.tags, same.metrics()["timestamps"]["finished"])

    server.pause_jobs()  # (local server only: hold the queue so the cancel lands in time)
    queued = sampler.run([isa], shots=100)
    queued.cancel()
    try:
        queued.result()
    except RuntimeJobCancelledError as exc:
        print("cancelled:", exc.job_id)
    # [end-example]
    server.resume_jobs()
    assert result[0].data.meas.num_shots == 100
    assert same.tags == ["experiment-7"]
    assert queued.status() == "CANCELLED"
