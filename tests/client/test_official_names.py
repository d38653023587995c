"""The official client's names and shapes for jobs, sessions and exceptions, over real HTTP."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.providers.exceptions import JobError, JobTimeoutError, QiskitBackendNotFoundError
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives import exceptions as ours
from qiskit_rest_primitives.local import LocalRuntimeServer

from ..conftest import FAST_RETRY

BACKEND = "ibmq_manila"


def test_job_names_and_fields(service: qrp.QiskitRuntimeService, isa_bell: QuantumCircuit) -> None:
    assert qrp.RuntimeJobV2 is qrp.RuntimeJob
    job = qrp.SamplerV2(mode=service.backend(BACKEND)).run([(isa_bell, None, 30)])
    assert isinstance(job, qrp.RuntimeJobV2)
    job.wait_for_final_state(timeout=60)
    assert job.status() == "DONE"  # a plain string, as the official client returns it
    assert job.instance == service.instance
    assert set(job.usage_estimation) == {"quantum_seconds"}
    pubs = job.inputs["pubs"]
    assert pubs[0][0] is isa_bell  # the user's own circuit, not its OpenQASM 3
    assert job.inputs["version"] == 2


def test_inputs_of_a_job_read_back_by_id(service: qrp.QiskitRuntimeService) -> None:
    theta = Parameter("theta")
    circuit = QuantumCircuit(1)
    circuit.rx(theta, 0)
    circuit.measure_all()
    backend = service.backend(BACKEND)
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(circuit)
    job = qrp.SamplerV2(mode=backend).run([(isa, [[0.5]], 10)])
    again = service.job(job.job_id())
    pub = again.inputs["pubs"][0]
    assert isinstance(pub[0], QuantumCircuit)  # parsed back from OpenQASM 3
    assert [p.name for p in pub[0].parameters] == ["theta"]
    assert pub[0].count_ops().get("measure") == 1
    np.testing.assert_allclose(pub[1], [[0.5]])


def test_session_takes_a_backend_name_and_answers_officially(
        service: qrp.QiskitRuntimeService, isa_bell: QuantumCircuit) -> None:
    with qrp.Session(BACKEND, service=service, max_time=600) as session:
        assert session.backend() == BACKEND  # a method returning the name, as official
        job = qrp.SamplerV2(mode=session).run([isa_bell], shots=10)
        job.result(timeout=60)
        details = session.details()
        assert details is not None
        assert set(details) == {
            "id", "backend_name", "interactive_timeout", "max_time", "active_timeout", "state",
            "accepting_jobs", "last_job_started", "last_job_completed", "started_at",
            "closed_at", "activated_at", "mode", "usage_time", "timestamps"}
        assert details["id"] == session.session_id and details["mode"] == "dedicated"
        assert details["max_time"] == 600
        assert session.usage() == details["usage_time"]
    assert job.session_id == session.session_id


def test_session_from_environment_account(server: LocalRuntimeServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("QISKIT_IBM_URL", server.base_url), ("IAM_URL", server.base_url),
                        ("QISKIT_IBM_TOKEN", server.api_key),
                        ("QISKIT_IBM_INSTANCE", server.instance)):
        monkeypatch.setenv(name, value)
    batch = qrp.Batch(BACKEND)  # the name alone: the service comes from the environment
    assert batch.backend() == BACKEND and batch.session_id
    batch.close()


def test_session_without_creating_one(service: qrp.QiskitRuntimeService,
                                      server: LocalRuntimeServer, isa_bell: QuantumCircuit) -> None:
    session = qrp.Session(service.backend(BACKEND), create_new=False)
    assert session.session_id is None and session.details() is None
    assert session.status() is None and session.usage() is None
    job = qrp.SamplerV2(mode=session).run([isa_bell], shots=10)
    assert job.session_id is None
    session.close()
    assert not [r for r in server.requests if r.path.startswith("/api/v1/sessions")]


def test_from_id_errors_under_official_names(service: qrp.QiskitRuntimeService) -> None:
    with pytest.raises(qrp.IBMInputValueError, match="not found"):
        qrp.Session.from_id("nosuchsession0000000", service)
    with pytest.raises(ValueError, match="backend"):  # official: ValueError
        qrp.Session(backend=object())  # type: ignore[arg-type]


def test_exceptions_caught_under_both_names(service: qrp.QiskitRuntimeService,
                                            isa_bell: QuantumCircuit,
                                            server: LocalRuntimeServer) -> None:
    with pytest.raises(qrp.RuntimeJobNotFound) as missing:
        service.job("nosuchjob0000000000")
    assert isinstance(missing.value, ours.NotFoundError)
    assert isinstance(missing.value, qrp.IBMRuntimeError)
    with pytest.raises(QiskitBackendNotFoundError) as unknown:
        service.backend("ibm_nowhere")
    assert isinstance(unknown.value, ours.NotFoundError)
    job = qrp.SamplerV2(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    job.result(timeout=60)
    with pytest.raises(qrp.RuntimeInvalidStateError) as final:
        job.cancel()
    assert isinstance(final.value, ours.ConflictError)
    bad = qrp.QiskitRuntimeService(bearer_token="not-a-token", url=server.url,
                                   instance=server.instance, retry=FAST_RETRY)
    with pytest.raises(qrp.IBMNotAuthorizedError) as refused:
        bad.backends()
    assert isinstance(refused.value, ours.AuthenticationError)


def test_exception_tree_relations() -> None:
    assert qrp.IBMError is ours.QiskitRestError
    for official, base in ((ours.ConfigurationError, qrp.IBMInputValueError),
                           (ours.ValidationError, qrp.IBMInputValueError),
                           (ours.AccountNotFoundError, ours.IBMAccountError),
                           (ours.APIError, qrp.IBMRuntimeError),
                           (ours.PermissionDeniedError, qrp.IBMNotAuthorizedError),
                           (ours.RuntimeJobCancelledError, qrp.RuntimeInvalidStateError),
                           (qrp.RuntimeJobFailureError, JobError),
                           (qrp.RuntimeJobMaxTimeoutError, qrp.RuntimeJobFailureError),
                           (qrp.RuntimeJobMaxTimeoutError, qrp.IBMRuntimeError),
                           (qrp.RuntimeJobTimeoutError, JobTimeoutError),
                           (ours.BackendNotFoundError, QiskitBackendNotFoundError),
                           (ours.SessionClosedError, qrp.IBMRuntimeError)):
        assert issubclass(official, base), (official, base)
    assert issubclass(qrp.IBMInputValueError, ValueError)


def test_job_details_as_official(service: qrp.QiskitRuntimeService, isa_bell: QuantumCircuit,
                                 server: LocalRuntimeServer) -> None:
    job = qrp.SamplerV2(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    job.wait_for_final_state(timeout=60, poll_interval=0.05)
    assert job.result(timeout=60, poll_interval=0.05)[0].data.meas.num_shots == 10
    assert job.image == "" and job.private is False
    assert job.properties().backend_name == BACKEND
    with pytest.raises(qrp.IBMInputValueError, match="poll_interval"):
        job.wait_for_final_state(poll_interval=0)
    # The official positional order of jobs(): limit, skip, backend_name, pending, program_id,
    # instance, job_tags...
    assert [j.job_id() for j in service.jobs(5, 0, BACKEND, False, "sampler",
                                             service.instance)] == [job.job_id()]
    named = service.jobs(instance=server.default_instance.name)  # by name, as officially
    assert [j.job_id() for j in named] == [job.job_id()]


def test_usage_remaining_and_auto_instance(server: LocalRuntimeServer) -> None:
    limited = server.create_instance("limited", instance_limit_seconds=600)
    service = qrp.QiskitRuntimeService(api_key=limited.api_key, instance=limited.crn,
                                       url=server.url, iam_url=server.iam_url)
    usage = service.usage()
    assert usage["usage_limit_seconds"] == 600
    assert usage["usage_remaining_seconds"] == 600 - usage["usage_consumed_seconds"]
    auto = qrp.QiskitRuntimeService(api_key=server.api_key, instance="auto", url=server.url,
                                    iam_url=server.iam_url)
    assert auto.instance == server.instance  # chosen, as with no instance at all
