"""The official client (qiskit-ibm-runtime, test-only) works against the local server unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_primitives.local import LocalRuntimeServer

from ..circuits import bell

qiskit_ibm_runtime = pytest.importorskip(
    "qiskit_ibm_runtime",
    reason="the official client (qiskit-ibm-runtime) is a test-only dependency; the [test] extra installs it")

# 0.51.0 deprecates its own SamplerV2/EstimatorV2 in favour of client-side executors; the
# warnings are attributed to this module, so the project-wide filter does not catch them.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def official(server: LocalRuntimeServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A QiskitRuntimeService pointed at the local server (IAM_URL + url_resolver)."""
    monkeypatch.setenv("IAM_URL", server.base_url)
    monkeypatch.setenv("QISKIT_FUNCTIONS_EXPERIMENTAL", "1")
    yield qiskit_ibm_runtime.QiskitRuntimeService(
        channel="ibm_cloud", token=server.api_key, instance=server.instance,
        url_resolver=lambda *_: server.url)


def test_official_sampler(official: object, server: LocalRuntimeServer) -> None:
    backend = official.backend("ibmq_manila")  # type: ignore[attr-defined]
    assert backend.num_qubits == 5
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(bell())
    sampler = qiskit_ibm_runtime.SamplerV2(mode=backend)
    job = sampler.run([isa], shots=400)
    counts = job.result()[0].data.meas.get_counts()
    assert set(counts) == {"00", "11"} and sum(counts.values()) == 400
    assert job.status() == "DONE"
    assert any(r.path == "/api/v1/jobs" and r.method == "POST" for r in server.requests)


def test_official_estimator_in_session(official: object) -> None:
    backend = official.backend("ibmq_manila")  # type: ignore[attr-defined]
    theta = Parameter("theta")
    qc = QuantumCircuit(2)
    qc.ry(theta, 0)
    qc.cx(0, 1)
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(qc)
    obs = SparsePauliOp("ZZ").apply_layout(isa.layout)
    with qiskit_ibm_runtime.Session(backend=backend) as session:
        estimator = qiskit_ibm_runtime.EstimatorV2(mode=session)
        estimator.options.default_precision = 0.01
        estimator.options.seed_estimator = 5
        result = estimator.run([(isa, obs, [[0.0], [np.pi]])]).result()
    evs = result[0].data.evs
    assert evs.shape == (2,)
    np.testing.assert_allclose(evs, [1.0, 1.0], atol=0.05)


def test_official_service_lists_backends_and_jobs(official: object, server: LocalRuntimeServer
                                                  ) -> None:
    names = {b.name for b in official.backends()}  # type: ignore[attr-defined]
    assert {"ibm_brisbane", "ibm_torino", "ibmq_manila"} <= names
    backend = official.backend("ibm_torino")  # type: ignore[attr-defined]
    assert backend.num_qubits == 133 and "cz" in backend.target.operation_names
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(bell())
    job = qiskit_ibm_runtime.SamplerV2(mode=backend).run([isa], shots=100)
    result = job.result()
    assert type(result).__name__ == "PrimitiveResult"
    assert type(result[0]).__name__ == "SamplerPubResult"
    assert result[0].data.meas.num_shots == 100
    listed = official.jobs(limit=5)  # type: ignore[attr-defined]
    assert job.job_id() in [j.job_id() for j in listed]
    again = official.job(job.job_id())  # type: ignore[attr-defined]
    assert again.status() == "DONE" and again.primitive_id == "sampler"


def test_official_metrics_and_usage(official: object) -> None:
    backend = official.backend("ibmq_manila")  # type: ignore[attr-defined]
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(bell())
    job = qiskit_ibm_runtime.SamplerV2(mode=backend).run([isa], shots=50)
    job.result()
    metrics = job.metrics()
    assert metrics["usage"] == {"qpu_charge_time_seconds": 1, "status": "complete"}
    assert "running" in metrics["timestamps"] and "finished" in metrics["timestamps"]
    assert job.usage() >= 1


def test_official_cancel_queued_job(official: object, server: LocalRuntimeServer) -> None:
    backend = official.backend("ibmq_manila")  # type: ignore[attr-defined]
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(bell())
    server.pause_jobs()
    job = qiskit_ibm_runtime.SamplerV2(mode=backend).run([isa], shots=50)
    assert job.status() == "QUEUED"
    job.cancel()
    assert job.status() == "CANCELLED"
    server.resume_jobs()
    with pytest.raises(qiskit_ibm_runtime.exceptions.RuntimeInvalidStateError):
        job.result()


def test_official_batch(official: object, server: LocalRuntimeServer) -> None:
    backend = official.backend("ibmq_manila")  # type: ignore[attr-defined]
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(bell())
    with qiskit_ibm_runtime.Batch(backend=backend) as batch:
        sampler = qiskit_ibm_runtime.SamplerV2(mode=batch)
        jobs = [sampler.run([isa], shots=40) for _ in range(2)]
        results = [j.result() for j in jobs]
        details = batch.details()
    assert all(r[0].data.meas.num_shots == 40 for r in results)
    assert details is not None and details["mode"] == "batch"
    posts = [r for r in server.requests if r.method == "POST" and r.path == "/api/v1/sessions"]
    assert posts and posts[0].json()["mode"] == "batch"
    assert {j.session_id for j in jobs} == {batch.session_id}


def test_official_max_execution_time(official: object, server: LocalRuntimeServer) -> None:
    backend = official.backend("ibmq_manila")  # type: ignore[attr-defined]
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(bell())
    sampler = qiskit_ibm_runtime.SamplerV2(mode=backend)
    sampler.options.max_execution_time = 1
    server.job_delay = 3.0
    job = sampler.run([isa], shots=20)
    with pytest.raises(qiskit_ibm_runtime.exceptions.RuntimeJobMaxTimeoutError):
        job.result()
    assert job.status() == "ERROR"  # the client maps "Cancelled - Ran too long" to ERROR
    created = [r.json() for r in server.requests if r.method == "POST" and r.path == "/api/v1/jobs"]
    assert created[-1]["cost"] == 1


def test_official_backend_fidelity(official: object, server: LocalRuntimeServer,
                                   caplog: pytest.LogCaptureFixture) -> None:
    """physical_qubits, calibration ids and fractional gates as the official client reads them."""
    import logging

    from qiskit.providers.exceptions import QiskitBackendNotFoundError
    from qiskit.providers.fake_provider import GenericBackendV2

    backend = official.backend("ibm_brisbane")  # type: ignore[attr-defined]
    assert backend.physical_qubits == 127 + 144
    assert backend.properties().t1(0) > 0 and backend.status().operational
    good = server.calibration_id("ibmq_manila")
    pinned = official.backend("ibmq_manila", calibration_id=good)  # type: ignore[attr-defined]
    assert pinned.calibration_id == good and pinned.properties().backend_name == "ibmq_manila"
    with caplog.at_level(logging.WARNING, logger="qiskit_ibm_runtime"), \
            pytest.raises(QiskitBackendNotFoundError):
        official.backend("ibmq_manila", calibration_id="invalid_id")  # type: ignore[attr-defined]
    assert any("invalid_id" in record.getMessage() for record in caplog.records)
    name = server.add_backend(GenericBackendV2(3, basis_gates=["cz", "rz", "sx", "x", "rzz"],
                                               seed=2))
    assert "rzz" not in official.backend(name).basis_gates  # type: ignore[attr-defined]
    assert "rzz" in official.backend(  # type: ignore[attr-defined]
        name, use_fractional_gates=True).target
