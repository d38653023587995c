"""Example: Session — jobs that run back to back on one backend."""

from __future__ import annotations

import pytest

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives.exceptions import SessionClosedError


def test_session(service: qrp.RuntimeService) -> None:
    # [start-example]
    from qiskit import QuantumCircuit
    from qiskit.transpiler import generate_preset_pass_manager

    from qiskit_rest_primitives import SamplerV2, Session

    backend = service.backend("ibmq_manila")
    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(circuit)

    with Session(backend=backend, max_time="10m") as session:
        sampler = SamplerV2()  # no mode: joins the session of the with block
        first = sampler.run([isa], shots=50)
        second = sampler.run([isa], shots=50)
        print(session.session_id, session.status())
        counts = [job.result()[0].data.meas.get_counts() for job in (first, second)]
    # leaving the block closes the session: jobs already submitted still run
    # [end-example]
    assert counts == [{"1": 50}, {"1": 50}]
    assert first.session_id == second.session_id == session.session_id
    assert not session.accepting_jobs
    with pytest.raises(SessionClosedError):
        sampler.run([isa], shots=10)
