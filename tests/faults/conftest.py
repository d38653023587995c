"""Fault-test fixtures: the fault proxy in front of the local server, and a service behind it.

Policies are short so each fault costs milliseconds, not the defaults' seconds; set
``QRP_FAULT_TABLE=<file>`` to write the table of fault, outcome, requests and time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from qiskit import QuantumCircuit

from qiskit_rest_primitives import PollPolicy, RetryPolicy, RuntimeService, Timeouts
from qiskit_rest_primitives.local import LocalRuntimeServer

from ..client.conftest import transpiled_bell
from .proxy import FaultProxy

BACKEND = "ibmq_manila"
#: Retries with millisecond backoff; lookups settle within 0.2 s, or 1 s after a timeout.
RETRY = RetryPolicy(total=3, connect=2, backoff_factor=0.01, backoff_max=0.05,
                    backoff_jitter=0.005, retry_after_max=2.0, submit_lookup_s=1.0,
                    submit_settle_s=0.2, body_retries=2)
POLL = PollPolicy(initial_interval=0.01, factor=1.5, max_interval=0.1, outage_initial=0.02)
#: Read timeouts short enough that a "slow" fault of 1 s passes them.
TIMEOUTS = Timeouts(connect=1.0, read=0.5, submit_read=0.5)
SLOW_S = 1.0
_ROWS: list[tuple[str, str, int, float]] = []


@pytest.fixture(scope="session")
def isa_bell(local_server: LocalRuntimeServer) -> QuantumCircuit:
    """A Bell circuit transpiled for ibmq_manila, once for every fault test (not modified)."""
    return transpiled_bell(local_server)


@pytest.fixture
def proxy(server: LocalRuntimeServer) -> Iterator[FaultProxy]:
    """A fault proxy in front of the (reset) local server."""
    with FaultProxy(server.port) as fault_proxy:
        yield fault_proxy


def behind(proxy: FaultProxy, server: LocalRuntimeServer, **kwargs: Any) -> RuntimeService:
    """A service whose API and IAM calls both go through the proxy."""
    options: dict[str, Any] = {"url": proxy.base_url + "/api/v1",
                               "iam_url": proxy.base_url + "/identity/token",
                               "retry": RETRY, "poll": POLL, "timeout": TIMEOUTS}
    options.update(kwargs)
    return server.service(**options)


@pytest.fixture
def service(proxy: FaultProxy, server: LocalRuntimeServer) -> Iterator[RuntimeService]:
    """A service behind the proxy, its backend already loaded (so tests count only their own
    requests)."""
    with behind(proxy, server) as svc:
        svc.backend(BACKEND)
        proxy.clear()
        yield svc


class Trial:
    """What one fault did: filled in by the test, recorded for the table."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.outcome = "?"
        self._proxy = proxy
        self._start = time.monotonic()
        self._seen = len(proxy.seen)

    @property
    def requests(self) -> int:
        """Requests the proxy saw since the trial began."""
        return len(self._proxy.seen) - self._seen

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._start


@contextmanager
def trial(proxy: FaultProxy, fault: str) -> Iterator[Trial]:
    """Measure requests and time of one fault's handling, for the table."""
    record = Trial(proxy)
    yield record
    _ROWS.append((fault, record.outcome, record.requests, record.elapsed))


@pytest.fixture(scope="session", autouse=True)
def _fault_table() -> Iterator[None]:
    yield
    target = os.environ.get("QRP_FAULT_TABLE")
    if target and _ROWS:
        lines = ["| fault | outcome | requests made | time (s) |", "|---|---|---|---|"]
        lines += [f"| {f} | {o} | {n} | {t:.2f} |" for f, o, n, t in _ROWS]
        with open(target, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
