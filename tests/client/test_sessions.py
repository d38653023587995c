"""Session and Batch over real HTTP: joining, max_time, close vs cancel, from_id, status."""

from __future__ import annotations

import json

import pytest
from qiskit import QuantumCircuit

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives.exceptions import ConfigurationError, SessionClosedError
from qiskit_rest_primitives.local import LocalRuntimeServer

BACKEND = "ibmq_manila"



def _session_posts(server: LocalRuntimeServer) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(r.body) for r in server.requests
            if r.method == "POST" and r.path.endswith("/sessions")]


def _job_posts(server: LocalRuntimeServer) -> int:
    return sum(1 for r in server.requests if r.method == "POST" and r.path.endswith("/jobs"))


def test_context_manager_joins_primitives_and_closes(service: qrp.RuntimeService,
                                                      isa_bell: QuantumCircuit,
                                                      server: LocalRuntimeServer) -> None:
    backend = service.backend(BACKEND)
    with qrp.Session(backend=backend, max_time="1m30s") as session:
        assert qrp.Sampler().mode is session
        assert qrp.Estimator().mode is session
        job = qrp.Sampler().run([isa_bell], shots=10)
        assert job.session_id == session.session_id
        assert session.status() in ("Pending", "In progress, accepting new jobs")
    assert _session_posts(server) == [{"mode": "dedicated", "backend": BACKEND,
                                       "instance": server.instance, "max_ttl": 90}]
    patches = [r for r in server.requests if r.method == "PATCH"]
    assert [json.loads(r.body) for r in patches] == [{"accepting_jobs": False}]
    assert not session.accepting_jobs
    job.result(timeout=60)
    assert session.details()["state"] == "closed"
    assert session.status() == "Closed"
    with pytest.raises(ConfigurationError):  # no session is active any more
        qrp.Sampler()


def test_max_time_as_int_and_none(service: qrp.RuntimeService,
                                  server: LocalRuntimeServer) -> None:
    backend = service.backend(BACKEND)
    qrp.Batch(backend=backend, max_time=120).close()
    qrp.Batch(backend=backend).close()
    bodies = _session_posts(server)
    assert bodies[0]["max_ttl"] == 120 and bodies[0]["mode"] == "batch"
    assert "max_ttl" not in bodies[1]
    with pytest.raises(ConfigurationError):
        qrp.Session(backend=backend, max_time="soon")


def test_close_lets_queued_jobs_finish(service: qrp.RuntimeService, isa_bell: QuantumCircuit,
                                       server: LocalRuntimeServer) -> None:
    server.pause_jobs()
    session = qrp.Session(backend=service.backend(BACKEND))
    jobs = [qrp.Sampler(mode=session).run([isa_bell], shots=10) for _ in range(2)]
    session.close()
    assert session.details()["accepting_jobs"] is False
    assert session.status() == "Pending"
    server.resume_jobs()
    assert all(job.result(timeout=60)[0].data.meas.num_shots == 10 for job in jobs)
    assert session.details()["state"] == "closed"


def test_cancel_cancels_queued_jobs(service: qrp.RuntimeService, isa_bell: QuantumCircuit,
                                    server: LocalRuntimeServer) -> None:
    server.pause_jobs()
    batch = qrp.Batch(backend=service.backend(BACKEND))
    jobs = [qrp.Sampler(mode=batch).run([isa_bell], shots=10) for _ in range(2)]
    batch.cancel()
    assert [job.status() for job in jobs] == ["CANCELLED", "CANCELLED"]
    deletes = [r for r in server.requests if r.method == "DELETE"]
    assert [r.path for r in deletes] == [f"/api/v1/sessions/{batch.session_id}/close"]


@pytest.mark.parametrize("how", ["close", "cancel", "exit"])
def test_closed_session_refuses_jobs_without_a_request(how: str, service: qrp.RuntimeService,
                                                       isa_bell: QuantumCircuit,
                                                       server: LocalRuntimeServer) -> None:
    session = qrp.Session(backend=service.backend(BACKEND))
    sampler = qrp.Sampler(mode=session)
    if how == "exit":
        with session:
            pass
    else:
        getattr(session, how)()
    before = len(server.requests)
    with pytest.raises(SessionClosedError):
        sampler.run([isa_bell], shots=10)
    assert len(server.requests) == before


def test_from_id_checks_the_mode(service: qrp.RuntimeService, isa_bell: QuantumCircuit) -> None:
    backend = service.backend(BACKEND)
    session = qrp.Session(backend=backend)
    batch = qrp.Batch(backend=backend)
    again = qrp.Session.from_id(session.session_id, service)
    assert type(again) is qrp.Session and again.session_id == session.session_id
    assert again.backend() == BACKEND and again.accepting_jobs
    batch_again = qrp.Batch.from_id(batch.session_id, service)
    assert type(batch_again) is qrp.Batch
    job = qrp.Sampler(mode=batch_again).run([isa_bell], shots=10)
    assert job.session_id == batch.session_id
    with pytest.raises(ConfigurationError, match="batch"):
        qrp.Session.from_id(batch.session_id, service)
    with pytest.raises(ConfigurationError, match="dedicated"):
        qrp.Batch.from_id(session.session_id, service)
    session.close()
    assert not qrp.Session.from_id(session.session_id, service).accepting_jobs


def test_details_and_status(service: qrp.RuntimeService, isa_bell: QuantumCircuit) -> None:
    with qrp.Batch(backend=service.backend(BACKEND)) as batch:
        details = batch.details()
        assert details["id"] == batch.session_id and details["mode"] == "batch"
        assert details["backend_name"] == BACKEND and details["accepting_jobs"] is True
        assert batch.status() == "Pending"
        qrp.Sampler().run([isa_bell], shots=10).result(timeout=60)
        assert batch.status() == "In progress, accepting new jobs"
        assert batch.usage() >= 0.0


def test_closing_a_session_the_service_forgot_is_quiet(service: qrp.RuntimeService,
                                                       server: LocalRuntimeServer) -> None:
    session = qrp.Session(backend=service.backend(BACKEND), session_id="nosuchsession0000000")
    session.close()  # PATCH → 404, ignored like the official client does
    assert _statuses_of_patch(server) == [404]
    assert not session.accepting_jobs


def _statuses_of_patch(server: LocalRuntimeServer) -> list[int | None]:
    return [r.status for r in server.requests if r.method == "PATCH"]
