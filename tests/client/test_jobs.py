"""RuntimeJob over real HTTP: status, result, timeouts, cancel, failure and job details."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from qiskit import QuantumCircuit
from qiskit.providers import JobStatus
from qiskit.providers.jobstatus import JOB_FINAL_STATES
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives.exceptions import (
    ConflictError,
    RuntimeJobCancelledError,
    RuntimeJobFailureError,
    RuntimeJobMaxTimeoutError,
    RuntimeJobTimeoutError,
)
from qiskit_rest_primitives.local import LocalRuntimeServer

BACKEND = "ibmq_manila"


@pytest.fixture(scope="module")
def isa_bell(local_server: LocalRuntimeServer) -> QuantumCircuit:
    """A Bell circuit transpiled for ibm_manila (module-scoped: transpiling is the slow part)."""
    with local_server.service() as service:
        backend = service.backend(BACKEND)
        qc = QuantumCircuit(2)
        qc.h(0)
        qc.cx(0, 1)
        qc.measure_all()
        return generate_preset_pass_manager(optimization_level=1, backend=backend).run(qc)


def _run(service: qrp.RuntimeService, circuit: QuantumCircuit, shots: int = 20) -> qrp.RuntimeJob:
    return qrp.Sampler(mode=service.backend(BACKEND)).run([circuit], shots=shots)


def _wire_params(service: qrp.RuntimeService, job: qrp.RuntimeJob) -> dict[str, Any]:
    """The job's params exactly as sent (``inputs`` holds circuits instead of OpenQASM)."""
    params: dict[str, Any] = service._rest.get_job(job.job_id(), exclude_params=False)["params"]
    return params


def test_finished_job_reports_its_state_and_details(service: qrp.RuntimeService,
                                                    isa_bell: QuantumCircuit,
                                                    server: LocalRuntimeServer) -> None:
    job = _run(service, isa_bell)
    assert job.job_id() and repr(job).startswith("<RuntimeJob(")
    result = job.result(timeout=60)
    assert result[0].data.meas.num_shots == 20
    assert job.status() == "DONE"
    # also qiskit's JobStatus, as the reference primitives' jobs report it
    assert job.status() == JobStatus.DONE
    assert job.status() in JOB_FINAL_STATES and job.status() != JobStatus.ERROR
    assert {job.status(): 1}["DONE"] == 1 and repr(job.status()) == "'DONE'"
    assert job.done() and job.in_final_state()
    assert not job.running() and not job.cancelled() and not job.errored()
    assert job.error_message() is None
    downloads = sum(r.path.endswith("/results") for r in server.requests)
    again = job.result()
    assert again is not result and again[0].data.meas == result[0].data.meas  # a fresh copy...
    assert sum(r.path.endswith("/results") for r in server.requests) == downloads  # ...of a cache
    again[0].data.meas.array[:] = 0
    assert job.result()[0].data.meas == result[0].data.meas  # changing one changes no other
    assert job.program_id == job.primitive_id == "sampler"
    assert job.session_id is None
    backend = job.backend()
    assert backend is not None and backend.name == BACKEND
    assert isinstance(job.creation_date, datetime) and job.creation_date.tzinfo is not None
    assert job.inputs["pubs"] and job.inputs["version"] == 2


def test_metrics_usage_and_logs(service: qrp.RuntimeService, isa_bell: QuantumCircuit) -> None:
    job = _run(service, isa_bell)
    job.wait_for_final_state(timeout=60)
    metrics = job.metrics()
    assert metrics["timestamps"]["created"] and metrics["timestamps"]["finished"]
    assert metrics["usage"]["status"] == "complete"
    assert job.usage() == float(metrics["usage"]["qpu_charge_time_seconds"]) >= 0
    assert job.job_id() in job.logs()


def test_update_tags_replaces_the_list(service: qrp.RuntimeService, isa_bell: QuantumCircuit,
                                       server: LocalRuntimeServer) -> None:
    job = _run(service, isa_bell)
    assert job.update_tags(["alpha", "beta"]) == ["alpha", "beta"]
    assert service.job(job.job_id()).tags == ["alpha", "beta"]
    puts = [r for r in server.requests if r.method == "PUT"]
    assert [r.body for r in puts] == [b'{"tags":["alpha","beta"]}']
    assert job.update_tags([]) == []


def test_result_timeout_while_queued(service: qrp.RuntimeService, isa_bell: QuantumCircuit,
                                     server: LocalRuntimeServer) -> None:
    server.pause_jobs()
    job = _run(service, isa_bell)
    with pytest.raises(RuntimeJobTimeoutError) as info:
        job.result(timeout=0.3)
    assert info.value.job_id == job.job_id()
    with pytest.raises(RuntimeJobTimeoutError):
        job.wait_for_final_state(timeout=0.1)
    assert job.status() == "QUEUED" and not job.in_final_state()
    server.resume_jobs()
    job.wait_for_final_state(timeout=60)
    assert job.done()


def test_cancel_queued_job_then_result_raises(service: qrp.RuntimeService,
                                              isa_bell: QuantumCircuit,
                                              server: LocalRuntimeServer) -> None:
    server.pause_jobs()
    job = _run(service, isa_bell)
    job.cancel()
    assert job.cancelled() and job.in_final_state()
    assert service.job(job.job_id()).status() == "CANCELLED"
    with pytest.raises(RuntimeJobCancelledError):
        job.result(timeout=10)


def test_result_notices_a_cancel_made_elsewhere(service: qrp.RuntimeService,
                                                isa_bell: QuantumCircuit,
                                                server: LocalRuntimeServer) -> None:
    """result() polls GET /results first; a cancelled job never gets one, the status says so."""
    server.pause_jobs()
    job = _run(service, isa_bell)
    other = service.job(job.job_id())
    canceller = threading.Timer(0.3, other.cancel)
    canceller.start()
    with pytest.raises(RuntimeJobCancelledError):
        job.result(timeout=10)
    canceller.join()


def test_result_of_a_failed_job_raises_without_waiting_first(service: qrp.RuntimeService,
                                                              isa_bell: QuantumCircuit) -> None:
    params = _wire_params(service, _run(service, isa_bell))
    created = service._submit_job({"program_id": "sampler", "params": params,
                                   "backend": BACKEND, "cost": 0})
    with pytest.raises(RuntimeJobMaxTimeoutError):
        service.job(str(created["id"])).result(timeout=60)


def test_cancel_finished_job_is_a_conflict(service: qrp.RuntimeService,
                                           isa_bell: QuantumCircuit) -> None:
    job = _run(service, isa_bell)
    job.result(timeout=60)
    with pytest.raises(ConflictError) as info:
        job.cancel()
    assert info.value.status_code == 409 and info.value.code
    assert job.status() == "DONE"


def test_job_that_ran_too_long_fails_with_reason_1305(service: qrp.RuntimeService,
                                                      isa_bell: QuantumCircuit) -> None:
    # max_execution_time=0 is not sent by the options encoder, so post the body directly:
    # the server cancels a job whose simulation takes longer than its `cost` (0 s).
    params = _wire_params(service, _run(service, isa_bell))
    created = service._submit_job({"program_id": "sampler", "params": params,
                                   "backend": BACKEND, "cost": 0})
    job = service.job(str(created["id"]))
    job.wait_for_final_state(timeout=60)
    assert job.status() == "ERROR" and job.errored() and not job.cancelled()
    with pytest.raises(RuntimeJobMaxTimeoutError) as info:
        job.result()
    assert isinstance(info.value, RuntimeJobFailureError)
    assert info.value.reason_code == 1305 and info.value.job_id == job.job_id()
    message = job.error_message()
    assert message is not None and "1305" in message
