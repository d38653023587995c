"""Waiting for a job under faults: unreadable bodies are read again, slow and rate-limited polls
retried, and outages ridden out until the caller's timeout, not the retry budget."""

from __future__ import annotations

import time
from email.utils import formatdate
from typing import Any

import pytest
from qiskit import QuantumCircuit

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives import RuntimeService
from qiskit_rest_primitives.exceptions import (
    APIConnectionError,
    APIResponseError,
    RuntimeJobTimeoutError,
)
from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import BACKEND, RETRY, SLOW_S, trial
from .proxy import FaultProxy

RESULTS = r"/jobs/[^/?]+/results$"
STATUS = r"/jobs/[^/?]+\?"

BODY_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("truncate", {}), ("corrupt", {}), ("html", {}), ("slow", {"delay": SLOW_S}),
    ("status_before", {"status": 503, "count": 5}),
    ("status_before", {"status": 429, "retry_after": "0.2", "count": 5}),
    ("reset_before", {"count": 5}),
]
IDS = [f"{k}{o.get('status', '')}" for k, o in BODY_FAULTS]


def _submit(service: RuntimeService, isa_bell: QuantumCircuit) -> qrp.RuntimeJob:
    return qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)


@pytest.mark.parametrize(("kind", "options"), BODY_FAULTS, ids=IDS)
def test_results_body_fault(kind: str, options: dict[str, Any], service: RuntimeService,
                            server: LocalRuntimeServer, proxy: FaultProxy,
                            isa_bell: QuantumCircuit) -> None:
    job = _submit(service, isa_bell)
    job.wait_for_final_state(timeout=30)
    proxy.add(kind, "GET", RESULTS, **options)
    with trial(proxy, f"GET /jobs/{{id}}/results {kind}{options.get('status', '')}") as record:
        result = job.result(timeout=30)
        record.outcome = "result"
    assert result[0].data.meas.num_shots == 10
    assert server.counts() == {"jobs": 1, "sessions": 0}


@pytest.mark.parametrize(("kind", "options"), BODY_FAULTS, ids=IDS)
def test_status_body_fault(kind: str, options: dict[str, Any], service: RuntimeService,
                           server: LocalRuntimeServer, proxy: FaultProxy,
                           isa_bell: QuantumCircuit) -> None:
    server.pause_jobs()
    job = _submit(service, isa_bell)
    proxy.add(kind, "GET", STATUS, **options)
    server.resume_jobs()
    with trial(proxy, f"GET /jobs/{{id}} {kind}{options.get('status', '')}") as record:
        job.wait_for_final_state(timeout=30)
        record.outcome = job.status()
    assert job.status() == "DONE"
    assert server.counts() == {"jobs": 1, "sessions": 0}


def test_results_that_stay_corrupt_raise_a_typed_error(service: RuntimeService,
                                                       proxy: FaultProxy,
                                                       isa_bell: QuantumCircuit) -> None:
    job = _submit(service, isa_bell)
    job.wait_for_final_state(timeout=30)
    proxy.add("corrupt", "GET", RESULTS, count=100)
    with trial(proxy, "GET results corrupt every time") as record:
        with pytest.raises(APIResponseError) as info:
            job.result(timeout=30)
        record.outcome = "APIResponseError"
    assert info.value.method == "GET" and str(info.value.url).endswith("/results")
    assert record.requests <= 2 * (RETRY.body_retries + 1) + 1  # bounded


def test_status_that_stays_html_raises_a_typed_error(service: RuntimeService,
                                                     proxy: FaultProxy,
                                                     isa_bell: QuantumCircuit) -> None:
    job = _submit(service, isa_bell)
    job.wait_for_final_state(timeout=30)
    proxy.clear()
    proxy.add("html", "GET", STATUS, count=100)
    with pytest.raises(APIResponseError) as info:
        service.job(job.job_id())
    assert info.value.method == "GET" and job.job_id() in str(info.value.url)
    assert len(proxy.requests("GET", STATUS)) == RETRY.body_retries + 1


def test_poll_honours_retry_after_as_http_date(service: RuntimeService, proxy: FaultProxy,
                                               isa_bell: QuantumCircuit) -> None:
    job = _submit(service, isa_bell)
    job.wait_for_final_state(timeout=30)
    proxy.add("status_before", "GET", RESULTS, status=429, count=1,
              retry_after=formatdate(time.time() + 2, usegmt=True))
    with trial(proxy, "GET results 429 Retry-After HTTP-date") as record:
        job.result(timeout=30)
        record.outcome = "result"
    assert record.elapsed >= 0.9  # the date is whole seconds: 1 to 2 s from now


@pytest.mark.parametrize("how", ["result", "wait_for_final_state"])
def test_outage_is_ridden_out_until_the_timeout(how: str, service: RuntimeService,
                                                server: LocalRuntimeServer, proxy: FaultProxy,
                                                isa_bell: QuantumCircuit) -> None:
    server.pause_jobs()
    job = _submit(service, isa_bell)
    proxy.outage(1.5)  # every connection is reset: longer than the transport's retries
    server.resume_jobs()
    with trial(proxy, f"server down 1.5 s during {how}(timeout=30)") as record:
        getattr(job, how)(timeout=30)
        record.outcome = "DONE"
    assert record.elapsed >= 1.4 and job.status() == "DONE"
    assert server.counts() == {"jobs": 1, "sessions": 0}


def test_outage_longer_than_the_timeout_is_a_job_timeout(service: RuntimeService,
                                                          server: LocalRuntimeServer,
                                                          proxy: FaultProxy,
                                                          isa_bell: QuantumCircuit) -> None:
    job = _submit(service, isa_bell)
    proxy.outage(30)
    with trial(proxy, "server down past result(timeout=1)") as record:
        with pytest.raises(RuntimeJobTimeoutError) as info:
            job.result(timeout=1.0)
        record.outcome = "RuntimeJobTimeoutError"
    assert 0.9 <= record.elapsed < 5
    assert isinstance(info.value.__cause__, APIConnectionError)
    assert "last poll failed" in str(info.value)
    proxy.outage(0)
    assert job.result(timeout=30)[0].data.meas.num_shots == 10
    assert server.counts() == {"jobs": 1, "sessions": 0}
