"""RuntimeService over real HTTP: job listing filters, retrieval, deletion, token lifecycle."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from qiskit import QuantumCircuit

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives.exceptions import BadRequestError, NotFoundError
from qiskit_rest_primitives.local import LocalRuntimeServer

from ..conftest import FAST_POLL, FAST_RETRY

BACKEND = "ibmq_manila"



def _ids(jobs: list[qrp.RuntimeJob]) -> list[str]:
    return [job.job_id() for job in jobs]


def test_jobs_filters_and_paging(service: qrp.RuntimeService, isa_bell: QuantumCircuit,
                                 server: LocalRuntimeServer) -> None:
    backend = service.backend(BACKEND)
    sampler = qrp.Sampler(mode=backend)
    first = sampler.run([isa_bell], shots=10)
    first.result(timeout=60)
    time.sleep(0.01)  # distinct creation timestamps
    second = sampler.run([isa_bell], shots=10)
    second.update_tags(["keep"])
    second.result(timeout=60)
    with qrp.Batch(backend=backend) as batch:
        third = qrp.Sampler(mode=batch).run([isa_bell], shots=10)
    third.result(timeout=60)
    assert _ids(service.jobs()) == _ids([third, second, first])  # newest first
    assert _ids(service.jobs(descending=False)) == _ids([first, second, third])
    assert _ids(service.jobs(limit=1, skip=1)) == [second.job_id()]
    assert _ids(service.jobs(limit=None)) == _ids([third, second, first])
    assert _ids(service.jobs(job_tags=["keep"])) == [second.job_id()]
    assert _ids(service.jobs(session_id=batch.session_id)) == [third.job_id()]
    assert len(service.jobs(backend_name=BACKEND)) == 3
    assert service.jobs(backend_name="ibm_brisbane") == []
    assert len(service.jobs(program_id="sampler")) == 3
    assert service.jobs(program_id="estimator") == []
    assert service.jobs(pending=True) == []
    assert len(service.jobs(pending=False)) == 3
    created = second.creation_date
    assert created is not None
    after = service.jobs(created_after=created - timedelta(microseconds=1))
    assert set(_ids(after)) == {second.job_id(), third.job_id()}
    before = service.jobs(created_before=created)
    assert _ids(before) == [first.job_id()]
    listed = [r for r in server.requests if r.method == "GET" and r.path.endswith("/jobs")]
    assert all(r.query["exclude_params"] == "true" for r in listed)
    assert any(r.query.get("sort") == "ASC" for r in listed)


def test_pending_filter_sees_queued_jobs(service: qrp.RuntimeService, isa_bell: QuantumCircuit,
                                         server: LocalRuntimeServer) -> None:
    server.pause_jobs()
    job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    assert _ids(service.jobs(pending=True)) == [job.job_id()]
    assert service.jobs(pending=False) == []


def test_job_by_id_and_unknown_id(service: qrp.RuntimeService, isa_bell: QuantumCircuit) -> None:
    job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    again = service.job(job.job_id())
    assert again.job_id() == job.job_id() and again.program_id == "sampler"
    with pytest.raises(NotFoundError) as info:
        service.job("nosuchjob0000000000")
    assert info.value.status_code == 404
    assert info.value.code and info.value.trace and "nosuchjob" in info.value.message


def test_delete_job(service: qrp.RuntimeService, isa_bell: QuantumCircuit,
                    server: LocalRuntimeServer) -> None:
    server.pause_jobs()
    job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    with pytest.raises(BadRequestError) as info:  # only final jobs may be deleted
        service.delete_job(job.job_id())
    assert info.value.status_code == 400 and info.value.code == "1002" and info.value.trace
    server.resume_jobs()
    job.wait_for_final_state(timeout=60)
    service.delete_job(job.job_id())
    with pytest.raises(NotFoundError):
        service.job(job.job_id())
    assert service.jobs() == []


# -- token lifecycle -------------------------------------------------------------------------
def _iam_calls(server: LocalRuntimeServer) -> list:  # type: ignore[type-arg]
    return [r for r in server.requests if r.path.endswith("/identity/token")]


def test_one_iam_call_while_the_token_is_valid(server: LocalRuntimeServer) -> None:
    with server.service(retry=FAST_RETRY, poll=FAST_POLL) as service:
        for _ in range(5):
            service.usage()
        service.jobs()
    assert len(_iam_calls(server)) == 1


def test_token_refreshed_before_expiry_without_a_401(server: LocalRuntimeServer) -> None:
    # ttl 11 s: refresh is due 10 s before exp, i.e. about 1 s after the token was issued.
    server.token_ttl = 11
    try:
        with server.service(retry=FAST_RETRY, poll=FAST_POLL) as service:
            service.usage()
            service.usage()
            assert len(_iam_calls(server)) == 1
            time.sleep(2.1)  # iat has whole-second resolution
            service.usage()
    finally:
        server.token_ttl = 3600
    assert len(_iam_calls(server)) == 2
    api = [r for r in server.requests if "/api/v1/" in r.path]
    assert [r.status for r in api] == [200, 200, 200], "refreshed before expiry, never a 401"
    tokens = [r.headers["authorization"] for r in api]
    assert tokens[0] == tokens[1] != tokens[2]


def test_api_key_never_reaches_the_api(service: qrp.RuntimeService, isa_bell: QuantumCircuit,
                                       server: LocalRuntimeServer) -> None:
    job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    job.result(timeout=60)
    server.revoke_tokens()  # force a 401 → refresh → retry path as well
    service.jobs()
    key = server.api_key
    api = [r for r in server.requests if "/api/v1/" in r.path]
    assert api and any(r.status == 401 for r in api)
    for request in api:
        assert key not in str(dict(request.headers))
        assert key not in str(request.query)
        assert key.encode() not in request.body
    iam = _iam_calls(server)
    assert len(iam) == 2 and all(key.encode() in r.body for r in iam)
    assert all("authorization" not in {k.lower() for k in r.headers} for r in iam)
