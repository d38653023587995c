"""A Bell sampler job, an estimator job, a session and retrieval by id, over real HTTP."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives import PrimitiveResult
from qiskit.primitives.containers import BitArray
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives.exceptions import SessionClosedError, ValidationError


@pytest.fixture(scope="module")
def brisbane_pm(local_server):  # type: ignore[no-untyped-def]
    with local_server.service() as service:
        backend = service.backend("ibm_brisbane")
        return generate_preset_pass_manager(optimization_level=1, backend=backend)


def _bell() -> QuantumCircuit:
    qc = QuantumCircuit(2, name="bell")
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def test_bell_sampler_job(service: qrp.RuntimeService, brisbane_pm) -> None:  # type: ignore[no-untyped-def]
    backend = service.backend("ibm_brisbane")
    isa = brisbane_pm.run(_bell())
    job = qrp.Sampler(mode=backend).run([isa], shots=1000)
    assert isinstance(job, qrp.RuntimeJob)
    assert job.job_id()
    result = job.result(timeout=60)
    assert job.status() == "DONE" and job.done() and job.in_final_state()
    assert isinstance(result, PrimitiveResult)
    bits = result[0].data.meas
    assert isinstance(bits, BitArray)
    assert bits.num_shots == 1000 and bits.num_bits == 2
    counts = bits.get_counts()
    assert set(counts) <= {"00", "11"}
    assert 350 < counts.get("00", 0) < 650


def test_estimator_job(service: qrp.RuntimeService, brisbane_pm) -> None:  # type: ignore[no-untyped-def]
    backend = service.backend("ibm_brisbane")
    theta = Parameter("theta")
    qc = QuantumCircuit(2)
    qc.ry(theta, 0)
    qc.cx(0, 1)
    isa = brisbane_pm.run(qc)
    observable = SparsePauliOp(["ZZ", "ZI", "XX"]).apply_layout(isa.layout)
    thetas = np.linspace(0, np.pi, 5).reshape(5, 1)
    job = qrp.Estimator(mode=backend).run([(isa, observable, thetas)], precision=0.01)
    result = job.result(timeout=60)
    evs = result[0].data.evs
    assert evs.shape == (5,)
    # state cos(t/2)|00> + sin(t/2)|11>: <ZZ> = 1, <ZI> = cos t, <XX> = sin t
    expected = 1 + np.cos(thetas[:, 0]) + np.sin(thetas[:, 0])
    np.testing.assert_allclose(evs, expected, atol=0.1)
    assert result[0].data.stds.shape == (5,)


def test_session_jobs_and_close(service: qrp.RuntimeService, brisbane_pm) -> None:  # type: ignore[no-untyped-def]
    backend = service.backend("ibm_brisbane")
    isa = brisbane_pm.run(_bell())
    with qrp.Session(backend=backend) as session:
        sampler = qrp.Sampler()  # joins the session of the with block
        assert sampler.mode is session
        job = sampler.run([isa], shots=200)
        assert job.session_id == session.session_id
        assert job.result(timeout=60)[0].data.meas.num_shots == 200
        assert session.details()["id"] == session.session_id
    with pytest.raises(SessionClosedError):
        sampler.run([isa], shots=10)


def test_batch_mode(service: qrp.RuntimeService, brisbane_pm) -> None:  # type: ignore[no-untyped-def]
    backend = service.backend("ibm_brisbane")
    isa = brisbane_pm.run(_bell())
    with qrp.Batch(backend=backend) as batch:
        jobs = [qrp.Sampler(mode=batch).run([isa], shots=50) for _ in range(3)]
        assert batch.details()["mode"] == "batch"
    assert all(j.result(timeout=60)[0].data.meas.num_shots == 50 for j in jobs)


def test_retrieve_job_by_id(service: qrp.RuntimeService, brisbane_pm) -> None:  # type: ignore[no-untyped-def]
    backend = service.backend("ibm_brisbane")
    isa = brisbane_pm.run(_bell())
    job = qrp.Sampler(mode=backend).run([isa], shots=100)
    original = job.result(timeout=60)
    again = service.job(job.job_id())
    assert again.job_id() == job.job_id()
    assert again.status() == "DONE"
    assert again.program_id == "sampler"
    retrieved = again.result()
    np.testing.assert_array_equal(retrieved[0].data.meas.array, original[0].data.meas.array)


def test_non_isa_circuit_is_refused_before_sending(service: qrp.RuntimeService, server) -> None:  # type: ignore[no-untyped-def]
    backend = service.backend("ibm_brisbane")
    before = len([r for r in server.requests if r.method == "POST" and r.path.endswith("/jobs")])
    with pytest.raises(ValidationError, match=r"pub 0: instruction 'h'"):
        qrp.Sampler(mode=backend).run([_bell()])
    after = len([r for r in server.requests if r.method == "POST" and r.path.endswith("/jobs")])
    assert before == after


def test_uncoupled_pair_in_a_parametric_circuit_is_refused_before_sending(  # type: ignore[no-untyped-def]
        service: qrp.RuntimeService, server) -> None:
    """The ISA check from the encoder's list of (gate, qubits) refuses what qiskit's would."""
    backend = service.backend("ibm_brisbane")
    coupled = set(backend.target["ecr"])
    pair = next((0, b) for b in range(1, 127) if (0, b) not in coupled and (b, 0) not in coupled)
    qc = QuantumCircuit(127, 1)
    qc.rz(Parameter("θ") + 1.5, 0)
    qc.ecr(*pair)
    qc.measure(0, 0)
    message = rf"pub 0: instruction 'ecr' is not supported on qubits \[0, {pair[1]}\]"
    before = len([r for r in server.requests if r.method == "POST" and r.path.endswith("/jobs")])
    with pytest.raises(ValidationError, match=message):
        qrp.Sampler(mode=backend).run([(qc, [0.3])])
    with pytest.raises(ValidationError, match=message):
        qrp.Estimator(mode=backend).run([(qc, SparsePauliOp("I" * 126 + "Z"), [0.3])])
    after = len([r for r in server.requests if r.method == "POST" and r.path.endswith("/jobs")])
    assert before == after
