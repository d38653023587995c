"""Retries, error mapping and lost answers, scripted through the local server's faults."""

from __future__ import annotations

import socket
import time

import pytest
from qiskit import QuantumCircuit

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives import RetryPolicy, RuntimeService, Timeouts
from qiskit_rest_primitives._transport._http import make_retry
from qiskit_rest_primitives.exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from qiskit_rest_primitives.local import LocalRuntimeServer

from ..conftest import FAST_POLL, FAST_RETRY

BACKEND = "ibmq_manila"
USAGE = r"/api/v1/instances/usage$"
JOBS = r"/api/v1/jobs$"



def _statuses(server: LocalRuntimeServer, method: str, path_end: str) -> list[int | None]:
    return [r.status for r in server.requests
            if r.method == method and r.path.endswith(path_end)]


# -- pure: the retry object ----------------------------------------------------------------
@pytest.mark.parametrize(("header", "seconds"), [
    ("3600", 2.5), ("1", 1.0), ("0.5", 0.5), ("0", 0.0), ("-4", 0.0), ("soon", 0.0),
    ("inf", 2.5), ("nan", 0.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
])
def test_retry_after_is_parsed_and_capped(header: str, seconds: float) -> None:
    retry = make_retry(RetryPolicy(retry_after_max=2.5))
    assert retry.parse_retry_after(header) == seconds


def test_retry_after_cap_survives_urllib3_copies() -> None:
    retry = make_retry(RetryPolicy(retry_after_max=2.5)).new(total=1)
    assert retry.parse_retry_after("99") == 2.5
    assert "PATCH" not in (retry.allowed_methods or ())


# -- over HTTP -----------------------------------------------------------------------------
def test_get_503_twice_then_success(service: RuntimeService, server: LocalRuntimeServer) -> None:
    server.inject_fault("GET", USAGE, 503, count=2)
    assert "usage_consumed_seconds" in service.usage()
    assert _statuses(server, "GET", "/instances/usage") == [503, 503, 200]


def test_retry_after_is_honoured(service: RuntimeService, server: LocalRuntimeServer) -> None:
    server.inject_fault("GET", USAGE, 503, count=1, retry_after=0.4)
    start = time.monotonic()
    service.usage()
    assert time.monotonic() - start >= 0.35  # FAST_RETRY has no backoff: the wait is the header's
    assert _statuses(server, "GET", "/instances/usage") == [503, 200]


def test_retry_after_is_capped(server: LocalRuntimeServer) -> None:
    policy = RetryPolicy(total=3, backoff_factor=0.0, backoff_jitter=0.0, retry_after_max=0.2)
    server.inject_fault("GET", USAGE, 503, count=2, retry_after=3600)
    with server.service(retry=policy, poll=FAST_POLL) as service:
        start = time.monotonic()
        service.usage()
        elapsed = time.monotonic() - start
    assert _statuses(server, "GET", "/instances/usage") == [503, 503, 200]
    assert elapsed < 30, "Retry-After: 3600 must be capped at retry_after_max"


def test_get_429_is_retried_then_rate_limit_error(service: RuntimeService,
                                                  server: LocalRuntimeServer) -> None:
    server.inject_fault("GET", USAGE, 429, count=1, retry_after=0)
    service.usage()
    assert _statuses(server, "GET", "/instances/usage") == [429, 200]
    server.reset()
    server.inject_fault("GET", USAGE, 429, count=10)
    with pytest.raises(RateLimitError) as info:
        service.usage()
    assert info.value.status_code == 429
    assert _statuses(server, "GET", "/instances/usage") == [429] * (FAST_RETRY.total + 1)


def test_exhausted_retries_raise_server_error(service: RuntimeService,
                                              server: LocalRuntimeServer) -> None:
    server.inject_fault("GET", USAGE, 503, count=10)
    with pytest.raises(ServerError) as info:
        service.usage()
    error = info.value
    assert error.status_code == 503 and error.code == "9999"
    assert error.trace and "Injected fault" in error.message and error.method == "GET"
    assert _statuses(server, "GET", "/instances/usage") == [503] * (FAST_RETRY.total + 1)


def test_error_body_becomes_typed_error(service: RuntimeService) -> None:
    with pytest.raises(NotFoundError) as info:  # service.backend() checks the list first
        service._rest.get_backend_configuration("ibm_nowhere")
    error = info.value
    assert isinstance(error, APIStatusError) and error.status_code == 404
    assert error.code == "1007" and "ibm_nowhere" in (error.message or "")
    assert error.trace and error.more_info and isinstance(error.body, dict)
    assert error.body["errors"][0]["code"] == "1007"


@pytest.mark.parametrize("status", [503, 429])
def test_job_post_retried_creates_one_job(status: int, service: RuntimeService,
                                          isa_bell: QuantumCircuit,
                                          server: LocalRuntimeServer) -> None:
    server.inject_fault("POST", JOBS, status, count=1)
    job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    assert job.result(timeout=60)[0].data.meas.num_shots == 10
    assert _statuses(server, "POST", "/api/v1/jobs") == [status, 200]
    assert [j.job_id() for j in service.jobs(limit=None)] == [job.job_id()]


def test_closing_patch_is_repeated(service: RuntimeService, server: LocalRuntimeServer) -> None:
    # {"accepting_jobs": false} twice is harmless, so the close call is repeatable.
    session = qrp.Session(backend=service.backend(BACKEND))
    server.inject_fault("PATCH", r"/sessions/", 503, count=1)
    session.close()
    assert _statuses(server, "PATCH", session.session_id) == [503, 204]


def test_close_is_retried_until_confirmed(service: RuntimeService,
                                          server: LocalRuntimeServer) -> None:
    session = qrp.Session(backend=service.backend(BACKEND))
    server.inject_fault("PATCH", r"/sessions/", 503, count=FAST_RETRY.total + 1)
    with pytest.raises(ServerError):
        session.close()
    assert not session.accepting_jobs  # refuses jobs at once, though not confirmed
    session.close()  # called again: sends again
    session.close()  # confirmed: nothing more to send
    assert _statuses(server, "PATCH", session.session_id) == [503] * (FAST_RETRY.total + 1) + [204]


def test_lost_submission_answer_is_found_by_tag(server: LocalRuntimeServer,
                                                isa_bell: QuantumCircuit) -> None:
    timeouts = Timeouts(connect=5.0, read=5.0, submit_read=0.3)
    with server.service(retry=FAST_RETRY, poll=FAST_POLL, timeout=timeouts) as service:
        backend = service.backend(BACKEND)
        server.inject_fault("POST", JOBS, status=None, count=1, delay=1.0)
        job = qrp.Sampler(mode=backend).run([isa_bell], shots=10)
        assert job.result(timeout=60)[0].data.meas.num_shots == 10
        assert [j.job_id() for j in service.jobs(limit=None)] == [job.job_id()]
        assert job.tags == []  # the submission tag stays internal
    posts = [r for r in server.requests if r.method == "POST" and r.path == "/api/v1/jobs"]
    assert len(posts) == 1, "the job must not be posted twice"
    lookups = [r for r in server.requests if r.method == "GET" and r.path == "/api/v1/jobs"
               and str(r.query.get("tags", "")).startswith("qrp-submit-")]
    assert lookups, "the client must look the job up by its submission tag"


def test_no_secret_in_errors_or_reprs(server: LocalRuntimeServer) -> None:
    with server.service(retry=FAST_RETRY, poll=FAST_POLL) as service:
        token = service._http._auth.bearer_token()
        secrets = (server.api_key, token)
        errors: list[Exception] = []
        server.inject_fault("GET", USAGE, 503, count=FAST_RETRY.total + 1)
        for call in (service.usage, lambda: service.job("nosuchjob0000000000")):
            with pytest.raises(APIStatusError) as info:
                call()
            errors.append(info.value)
        texts = [repr(service), repr(service._http), repr(service._rest),
                 repr(service._http._auth), repr(service.backend(BACKEND))]
    bad_token = RuntimeService(bearer_token="secret-token-abc123", instance=server.instance,
                               url=server.url, retry=FAST_RETRY)
    with pytest.raises(AuthenticationError) as info:
        bad_token.usage()
    errors.append(info.value)
    bad_key = RuntimeService(api_key="secret-key-xyz789", instance=server.instance,
                             url=server.url, iam_url=server.iam_url, retry=FAST_RETRY)
    with pytest.raises(AuthenticationError) as info:
        bad_key.usage()
    errors.append(info.value)
    texts += [repr(bad_token), repr(bad_key)]
    texts += [text for error in errors
              for text in (str(error), repr(error), str(getattr(error, "body", "")))]
    for secret in (*secrets, "secret-token-abc123", "secret-key-xyz789"):
        assert not any(secret in text for text in texts), "a secret leaked"


def test_refused_connection_is_known_unsent() -> None:
    with socket.socket() as probe:  # a loopback port that nothing listens on any more
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    service = RuntimeService(bearer_token="t", url=f"http://127.0.0.1:{port}/api/v1",
                             retry=FAST_RETRY, poll=FAST_POLL,
                             instance=f"crn:v1:bluemix:public:x:us-east:a/1:{port}::")
    with pytest.raises(APIConnectionError) as info:
        service.usage()
    assert info.value.request_sent is False
    assert not isinstance(info.value, APITimeoutError)  # refused, not timed out
    with pytest.raises(APIConnectionError):  # no tag lookup (and no 60 s wait) when unsent
        service._submit_job({"program_id": "sampler", "backend": BACKEND, "params": {}})
