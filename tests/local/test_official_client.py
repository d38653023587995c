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

qiskit_ibm_runtime = pytest.importorskip("qiskit_ibm_runtime")

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


def _bell() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def test_official_sampler(official: object, server: LocalRuntimeServer) -> None:
    backend = official.backend("ibmq_manila")  # type: ignore[attr-defined]
    assert backend.num_qubits == 5
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(_bell())
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
