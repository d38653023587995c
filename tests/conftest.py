"""Shared fixtures: one local server per test session, reset before each test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from qiskit_rest_primitives import PollPolicy, RetryPolicy, RuntimeService
from qiskit_rest_primitives.local import LocalRuntimeServer

#: Retries without real waiting, so fault-injection tests stay fast.
FAST_RETRY = RetryPolicy(total=3, connect=2, backoff_factor=0.0, backoff_jitter=0.0,
                         retry_after_max=1.0)
FAST_POLL = PollPolicy(initial_interval=0.01, factor=1.5, max_interval=0.2)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
                       ) -> None:
    """No test may pick up a real account, IAM override or proxy from the environment, nor
    read or write the real ``~/.qiskit/qiskit-ibm.json`` (HOME is an empty folder per test)."""
    for name in list(os.environ):
        if name.startswith("QISKIT_IBM_") or name in ("IAM_URL",) or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def local_server() -> Iterator[LocalRuntimeServer]:
    """The local Qiskit Runtime server, started once for the whole run."""
    with LocalRuntimeServer(seed=1234) as server:
        yield server


@pytest.fixture
def server(local_server: LocalRuntimeServer) -> Iterator[LocalRuntimeServer]:
    """The server, reset; errors from its thread are re-raised after the test."""
    local_server.reset()
    yield local_server
    local_server.check_errors()


@pytest.fixture
def service(server: LocalRuntimeServer) -> Iterator[RuntimeService]:
    """A RuntimeService wired to the local server, with fast retries and polling."""
    with server.service(retry=FAST_RETRY, poll=FAST_POLL) as svc:
        yield svc
