"""POST /jobs and POST /sessions under every fault: exactly one job or session, or a typed error."""

from __future__ import annotations

import time
from email.utils import formatdate
from typing import Any

import pytest
import requests
from qiskit import QuantumCircuit

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives import RuntimeService
from qiskit_rest_primitives.exceptions import BadRequestError, UnconfirmedCreationError
from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import BACKEND, SLOW_S, trial
from .proxy import FaultProxy

JOBS = r"^/api/v1/jobs$"
SESSIONS = r"^/api/v1/sessions$"

#: (fault kind, options). A fault *before* processing means the server never saw the first
#: post, so it is posted again; *after* means the lookup found what the first post made.
#: Either way the server processes exactly one post.
CREATION_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("status_before", {"status": 502}),
    ("status_before", {"status": 503}),
    ("status_after", {"status": 500}),
    ("status_after", {"status": 502}),
    ("status_after", {"status": 503, "count": 6}),
    ("status_after", {"status": 504}),
    ("status_before", {"status": 429, "retry_after": "0.3"}),
    ("status_after", {"status": 429, "retry_after": "1"}),
    ("status_before", {"status": 429, "retry_after": "date"}),
    ("reset_before", {}),
    ("reset_after", {}),
    ("truncate", {}),
    ("corrupt", {}),
    ("html", {}),
    ("slow", {"delay": SLOW_S}),
]


def _label(kind: str, options: dict[str, Any]) -> str:
    extra = ",".join(f"{k}={v}" for k, v in options.items())
    return f"{kind}({extra})" if extra else kind


def _options(options: dict[str, Any]) -> dict[str, Any]:
    """Resolve the ``date`` placeholder to an HTTP date one second ahead."""
    if options.get("retry_after") == "date":
        # An HTTP date has whole seconds: this asks for a wait of up to 2 s.
        return {**options, "retry_after": formatdate(time.time() + 1.0, usegmt=True)}
    return options


def _server_saw(proxy: FaultProxy, method: str, path: str) -> int:
    """Requests the server itself processed (the proxy forwarded them)."""
    return sum(1 for s in proxy.requests(method, path)
               if s.fault not in ("status_before", "reset_before"))


@pytest.mark.parametrize(("kind", "options"), CREATION_FAULTS,
                         ids=[_label(k, o) for k, o in CREATION_FAULTS])
def test_job_creation_fault_gives_one_job(kind: str, options: dict[str, Any],
                                          service: RuntimeService, server: LocalRuntimeServer,
                                          proxy: FaultProxy, isa_bell: QuantumCircuit) -> None:
    assert server.counts()["jobs"] == 0
    proxy.add(kind, "POST", JOBS, **_options(options))
    with trial(proxy, f"POST /jobs {_label(kind, options)}") as record:
        job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
        record.outcome = "1 job"
    assert server.counts()["jobs"] == 1
    assert [j.job_id() for j in service.jobs(limit=None)] == [job.job_id()]
    assert job.result(timeout=30)[0].data.meas.num_shots == 10
    assert _server_saw(proxy, "POST", JOBS) == 1
    if kind.endswith("_before") and options.get("status") == 429:
        assert record.elapsed >= 0.25, "Retry-After must be honoured before posting again"


def test_connection_dropped_before_the_server_costs_no_long_lookup(
        service: RuntimeService, server: LocalRuntimeServer, proxy: FaultProxy,
        isa_bell: QuantumCircuit) -> None:
    proxy.add("reset_before", "POST", JOBS, count=2)
    with trial(proxy, "POST /jobs reset_before x2") as record:
        qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
        record.outcome = "1 job"
    assert server.counts()["jobs"] == 1
    # Each lookup window is submit_settle_s (0.2 s here, 1 s by default), never 60 s.
    assert record.elapsed < 5 * service.retry.submit_settle_s + 1.0


def test_unanswerable_lookup_raises_what_is_known(service: RuntimeService,
                                                  server: LocalRuntimeServer, proxy: FaultProxy,
                                                  isa_bell: QuantumCircuit) -> None:
    proxy.add("status_after", "POST", JOBS, status=503)
    proxy.add("status_before", "GET", r"^/api/v1/jobs\?", status=503, count=50)
    with trial(proxy, "POST /jobs 503 after, lookups 503") as record:
        with pytest.raises(UnconfirmedCreationError) as info:
            qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
        record.outcome = "UnconfirmedCreationError(tag)"
    error = info.value
    assert error.kind == "job" and error.tag and error.method == "POST"
    assert error.url and error.url.endswith("/jobs")
    proxy.clear()
    found = service.jobs(job_tags=[error.tag])
    assert server.counts()["jobs"] == 1 and len(found) == 1


def test_refused_job_is_not_posted_again(service: RuntimeService, server: LocalRuntimeServer,
                                         proxy: FaultProxy, isa_bell: QuantumCircuit) -> None:
    sampler = qrp.Sampler(mode=service.backend(BACKEND))
    sampler.options.max_execution_time = 2**31  # beyond int32: the server refuses it, 400
    with pytest.raises(BadRequestError):
        sampler.run([isa_bell], shots=10)
    assert len(proxy.requests("POST", JOBS)) == 1 and server.counts()["jobs"] == 0


@pytest.mark.parametrize(("kind", "options"), CREATION_FAULTS,
                         ids=[_label(k, o) for k, o in CREATION_FAULTS])
def test_session_creation_fault_gives_one_session(kind: str, options: dict[str, Any],
                                                  service: RuntimeService,
                                                  server: LocalRuntimeServer, proxy: FaultProxy,
                                                  isa_bell: QuantumCircuit) -> None:
    assert server.counts()["sessions"] == 0
    proxy.add(kind, "POST", SESSIONS, **_options(options))
    with trial(proxy, f"POST /sessions {_label(kind, options)}") as record:
        session = qrp.Session(backend=service.backend(BACKEND))
        record.outcome = "1 session"
    assert server.counts()["sessions"] == 1
    assert _server_saw(proxy, "POST", SESSIONS) == 1
    with session:
        job = qrp.Sampler().run([isa_bell], shots=10)
        assert job.session_id == session.session_id
        job.result(timeout=30)
    assert session.details()["accepting_jobs"] is False


def test_session_lookup_reports_several_candidates(service: RuntimeService,
                                                   server: LocalRuntimeServer,
                                                   proxy: FaultProxy) -> None:
    # Another program of the same account opened a session on the backend a moment ago.
    headers = {"Authorization": f"Bearer {_token(server)}", "Service-CRN": server.instance,
               "IBM-API-Version": "2026-04-15"}
    other = requests.post(server.url + "/sessions", json={"mode": "dedicated", "backend": BACKEND},
                          headers=headers, timeout=10).json()["id"]
    proxy.add("status_after", "POST", SESSIONS, status=502)
    with trial(proxy, "POST /sessions 502 after, 2 candidates") as record:
        with pytest.raises(UnconfirmedCreationError) as info:
            qrp.Session(backend=service.backend(BACKEND))
        record.outcome = "UnconfirmedCreationError(candidates)"
    assert info.value.kind == "session" and other in info.value.candidates
    assert len(info.value.candidates) == 2 and server.counts()["sessions"] == 2


def _token(server: LocalRuntimeServer) -> str:
    answer = requests.post(server.iam_url, timeout=10, data={
        "grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": server.api_key})
    return str(answer.json()["access_token"])
