"""Every other non-GET call under 5xx and resets, before and after the server processed it:
close, cancel, delete and tags end confirmed, and close() can be called again after a failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from qiskit import QuantumCircuit

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives import RuntimeService
from qiskit_rest_primitives.exceptions import APIError, NotFoundError, ServerError
from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import BACKEND, RETRY, trial
from .proxy import FaultProxy

FAULTS = [("status_before", {"status": 503}), ("status_after", {"status": 502}),
          ("reset_before", {}), ("reset_after", {})]
IDS = [f"{kind}{options.get('status', '')}" for kind, options in FAULTS]


def _done_job(service: RuntimeService, isa_bell: QuantumCircuit) -> qrp.RuntimeJob:
    job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    job.result(timeout=30)
    return job


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=IDS)
def test_session_close(kind: str, options: dict[str, Any], service: RuntimeService,
                       server: LocalRuntimeServer, proxy: FaultProxy) -> None:
    session = qrp.Session(backend=service.backend(BACKEND))
    proxy.add(kind, "PATCH", r"/sessions/", **options)
    with trial(proxy, f"PATCH /sessions/{{id}} (close) {kind}") as record:
        session.close()
        record.outcome = "closed"
    assert session.details()["accepting_jobs"] is False
    assert server.counts() == {"jobs": 0, "sessions": 1}


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=IDS)
def test_session_cancel(kind: str, options: dict[str, Any], service: RuntimeService,
                        server: LocalRuntimeServer, proxy: FaultProxy,
                        isa_bell: QuantumCircuit) -> None:
    server.pause_jobs()
    session = qrp.Session(backend=service.backend(BACKEND))
    job = qrp.Sampler(mode=session).run([isa_bell], shots=10)
    proxy.add(kind, "DELETE", r"/sessions/.*/close", **options)
    with trial(proxy, f"DELETE /sessions/{{id}}/close {kind}") as record:
        session.cancel()
        record.outcome = "cancelled"
    assert job.status() == "CANCELLED"
    assert server.counts() == {"jobs": 1, "sessions": 1}


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=IDS)
def test_job_cancel(kind: str, options: dict[str, Any], service: RuntimeService,
                    server: LocalRuntimeServer, proxy: FaultProxy,
                    isa_bell: QuantumCircuit) -> None:
    server.pause_jobs()
    job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    proxy.add(kind, "POST", r"/jobs/.*/cancel", **options)
    with trial(proxy, f"POST /jobs/{{id}}/cancel {kind}") as record:
        job.cancel()
        record.outcome = "cancelled"
    server.resume_jobs()
    assert service.job(job.job_id()).status() == "CANCELLED"
    assert server.counts() == {"jobs": 1, "sessions": 0}


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=IDS)
def test_job_delete(kind: str, options: dict[str, Any], service: RuntimeService,
                    server: LocalRuntimeServer, proxy: FaultProxy,
                    isa_bell: QuantumCircuit) -> None:
    job = _done_job(service, isa_bell)
    assert server.counts()["jobs"] == 1
    proxy.add(kind, "DELETE", r"/jobs/", **options)
    with trial(proxy, f"DELETE /jobs/{{id}} {kind}") as record:
        service.delete_job(job.job_id())
        record.outcome = "deleted"
    assert server.counts()["jobs"] == 0
    with pytest.raises(NotFoundError):  # a job that is not there is still reported
        service.delete_job(job.job_id())


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=IDS)
def test_job_tags(kind: str, options: dict[str, Any], service: RuntimeService,
                  server: LocalRuntimeServer, proxy: FaultProxy,
                  isa_bell: QuantumCircuit) -> None:
    job = _done_job(service, isa_bell)
    proxy.add(kind, "PUT", r"/tags$", **options)
    with trial(proxy, f"PUT /jobs/{{id}}/tags {kind}") as record:
        assert job.update_tags(["kept"]) == ["kept"]
        record.outcome = "tags replaced"
    assert server.counts()["jobs"] == 1


def test_close_retries_until_confirmed(service: RuntimeService, server: LocalRuntimeServer,
                                       proxy: FaultProxy) -> None:
    session = qrp.Session(backend=service.backend(BACKEND))
    proxy.add("reset_before", "PATCH", r"/sessions/", count=50)
    with pytest.raises(APIError) as info:
        session.close()
    assert info.value.method == "PATCH" and session.session_id in str(info.value.url)
    assert not session.accepting_jobs  # refuses jobs at once
    assert session.details()["accepting_jobs"] is True  # but the service has not heard
    proxy.clear()
    with trial(proxy, "close() again after a failed close") as record:
        session.close()
        record.outcome = "closed"
    assert session.details()["accepting_jobs"] is False
    assert server.counts() == {"jobs": 0, "sessions": 1}


def test_context_exit_reports_an_unconfirmed_close(service: RuntimeService,
                                                   proxy: FaultProxy) -> None:
    proxy.add("status_before", "PATCH", r"/sessions/", status=503, count=50)
    with pytest.raises(ServerError) as info, qrp.Session(backend=service.backend(BACKEND)):
        pass
    assert info.value.method == "PATCH"


@pytest.mark.parametrize("call", ["cancel", "delete"])
def test_idempotent_calls_give_up_with_a_typed_error(call: str, service: RuntimeService,
                                                     server: LocalRuntimeServer,
                                                     proxy: FaultProxy,
                                                     isa_bell: QuantumCircuit) -> None:
    job = _done_job(service, isa_bell)
    action: Callable[[], None] = (job.cancel if call == "cancel"
                                  else lambda: service.delete_job(job.job_id()))
    proxy.add("status_before", None, r"/jobs/", status=503, count=100)
    with pytest.raises(ServerError) as info:
        action()
    assert info.value.method in ("POST", "DELETE") and job.job_id() in str(info.value.url)
    assert len(proxy.requests(None, r"/jobs/")) <= (RETRY.total + 1) ** 2
