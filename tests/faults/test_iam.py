"""IAM under faults: 5xx and resets retried, never reported as a refused key; a still-valid token
is used while IAM is down at a proactive refresh; a job's wait rides out an IAM outage."""

from __future__ import annotations

import time
from typing import Any

import pytest
from qiskit import QuantumCircuit

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives import RuntimeService
from qiskit_rest_primitives.exceptions import AuthenticationError, ServerError
from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import BACKEND, RETRY, behind, trial
from .proxy import FaultProxy

IAM = r"^/identity/token$"


@pytest.mark.parametrize(("kind", "options"), [
    ("status_before", {"status": 503, "count": 2}), ("status_after", {"status": 502}),
    ("status_before", {"status": 429, "retry_after": "0.2"}),
    ("reset_before", {}), ("reset_after", {}), ("slow", {"delay": 1.0}),
    ("truncate", {}), ("corrupt", {}), ("html", {}),
], ids=["503x2", "502after", "429", "reset_before", "reset_after", "slow", "truncate", "corrupt",
        "html"])
def test_token_fetch_fault_is_retried(kind: str, options: dict[str, Any], proxy: FaultProxy,
                                      server: LocalRuntimeServer) -> None:
    proxy.add(kind, "POST", IAM, **options)
    with trial(proxy, f"POST /identity/token {kind}{options.get('status', '')}") as record, \
            behind(proxy, server) as service:
        assert "usage_consumed_seconds" in service.usage()
        record.outcome = "token, call made"
    assert 2 <= len(proxy.requests("POST", IAM)) <= 3


def test_iam_down_is_no_refused_key(proxy: FaultProxy, server: LocalRuntimeServer) -> None:
    proxy.add("status_before", "POST", IAM, status=503, count=100)
    with trial(proxy, "POST /identity/token 503 always") as record, \
            behind(proxy, server) as service:
        with pytest.raises(ServerError) as info:
            service.usage()
        record.outcome = "ServerError (IAM unavailable)"
    error = info.value
    assert not isinstance(error, AuthenticationError) and "refused" not in str(error)
    assert error.method == "POST" and str(error.url).endswith("/identity/token")
    assert len(proxy.requests("POST", IAM)) == RETRY.total + 1


def test_current_token_is_used_while_iam_is_down(proxy: FaultProxy,
                                                 server: LocalRuntimeServer) -> None:
    ttl = server.token_ttl
    server.token_ttl = 11  # refreshed proactively after 1 s, valid for 11 s
    try:
        with behind(proxy, server) as service:
            service.usage()
            time.sleep(2.1)
            proxy.outage(60, IAM)
            with trial(proxy, "IAM down at proactive refresh") as record:
                assert "usage_consumed_seconds" in service.usage()
                assert service.backend(BACKEND).name == BACKEND
                record.outcome = "calls made with the current token"
    finally:
        server.token_ttl = ttl
    iam_calls = proxy.requests("POST", IAM)
    assert len(iam_calls) >= 2 and iam_calls[-1].status is None  # the refresh was tried


def test_wait_rides_out_an_iam_outage(service: RuntimeService, server: LocalRuntimeServer,
                                      proxy: FaultProxy, isa_bell: QuantumCircuit) -> None:
    server.pause_jobs()
    job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    server.revoke_tokens()  # the next poll needs a new token...
    proxy.outage(1.0, IAM)  # ...while IAM is unreachable
    server.resume_jobs()
    with trial(proxy, "IAM down 1 s with a revoked token, result(timeout=30)") as record:
        assert job.result(timeout=30)[0].data.meas.num_shots == 10
        record.outcome = "result"
    assert record.elapsed >= 0.9
    assert server.counts() == {"jobs": 1, "sessions": 0}
