"""Simulations run in worker processes: the API answers meanwhile, cancel and cost kill them."""

from __future__ import annotations

import itertools
import logging
import os
import re
import signal
import time
from pathlib import Path

import pytest

from qiskit_rest_primitives.local import LocalRuntimeServer
from qiskit_rest_primitives.local.simulation._fairqueue import FairQueue

from ._serve import Served, long_qasm, pid_gone
from .conftest import BELL_MANILA, Api, sampler_body

LONG = sampler_body([long_qasm(400), None, 100000])  # tens of seconds if left to finish
BELL = sampler_body([BELL_MANILA, None, 32])
_RUNNING = r"job {} running on worker pid (\d+)"


def _worker_pid(api: Api, job_id: str, caplog: pytest.LogCaptureFixture) -> int:
    """Wait until the job runs; the pid of its worker process, from the server's log."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for record in caplog.records:
            found = re.search(_RUNNING.format(job_id), record.getMessage())
            if found:
                assert api.get(f"/jobs/{job_id}").json()["state"]["status"] == "Running"
                return int(found.group(1))
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never ran")


@pytest.fixture
def joblog(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="qiskit_rest_primitives.local")
    return caplog


def test_api_and_caller_answer_while_a_simulation_runs_and_cancel_kills_it(
        api: Api, joblog: pytest.LogCaptureFixture) -> None:
    job_id = api.submit(LONG)
    pid = _worker_pid(api, job_id, joblog)
    for _ in range(5):
        response = api.get("/backends")
        assert response.status_code == 200 and response.elapsed.total_seconds() < 2
    before = time.monotonic()
    time.sleep(0.2)  # the server runs in this process: our own Python is not held up
    assert time.monotonic() - before < 1.5
    assert api.post(f"/jobs/{job_id}/cancel").status_code == 204
    assert api.get(f"/jobs/{job_id}").json()["state"]["status"] == "Cancelled"
    assert pid_gone(pid), "the cancelled simulation's process still runs"
    assert api.wait(api.submit(BELL), timeout=30)["state"]["status"] == "Completed"


def test_cost_overrun_kills_the_simulation(api: Api, joblog: pytest.LogCaptureFixture) -> None:
    job_id = api.submit({**LONG, "cost": 1})
    pid = _worker_pid(api, job_id, joblog)
    doc = api.wait(job_id, timeout=15)
    assert doc["state"]["status"] == "Cancelled" and doc["state"]["reason_code"] == 1305
    assert pid_gone(pid)
    assert api.wait(api.submit(BELL), timeout=30)["state"]["status"] == "Completed"


def test_two_workers_run_another_instance_meanwhile_and_keep_session_order(
        joblog: pytest.LogCaptureFixture) -> None:
    with LocalRuntimeServer(workers=2) as server:
        api = Api(server, server.api_key, server.instance)
        second = server.create_instance("second")
        other = Api(server, second.api_key, second.crn)
        long_id = api.submit(LONG)
        _worker_pid(api, long_id, joblog)
        assert other.wait(other.submit(BELL), timeout=30)["state"]["status"] == "Completed"
        session = other.post("/sessions", json={"mode": "dedicated"}).json()["id"]
        jobs = [other.submit({**BELL, "session_id": session}) for _ in range(3)]
        docs = [other.wait(j, timeout=30) for j in jobs]
        assert all(d["state"]["status"] == "Completed" for d in docs)
        assert api.get(f"/jobs/{long_id}").json()["state"]["status"] == "Running"
        times = [other.get(f"/jobs/{j}/metrics").json()["timestamps"] for j in jobs]
        for earlier, later in itertools.pairwise(times):  # one at a time: no overlap
            assert earlier["finished"] <= later["running"]
        assert api.post(f"/jobs/{long_id}/cancel").status_code == 204
        server.check_errors()


def test_a_dead_worker_fails_its_job_with_the_reason_and_the_server_goes_on() -> None:
    with Served("--log-level", "info") as served:
        api = Api(served, served.api_key, served.instance)  # type: ignore[arg-type]
        job_id = api.submit(LONG)
        pid = int(served.wait_for_line(_RUNNING.format(job_id)).group(1))
        os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer would
        doc = api.wait(job_id, timeout=15)
        assert doc["state"]["status"] == "Failed" and doc["state"]["reason_code"] == 1003
        assert "SIGKILL" in doc["state"]["reason"] and "memory" in doc["state"]["reason"]
        assert api.wait(api.submit(BELL), timeout=30)["state"]["status"] == "Completed"
        assert served.stop() == 0


def test_kill_9_mid_job_reruns_the_job_and_leaves_no_worker_behind(tmp_path: Path) -> None:
    db = str(tmp_path / "runtime.sqlite")
    body = sampler_body([long_qasm(40), None, 4000])  # a second or so
    with Served("--db", db) as first:
        api = Api(first, first.api_key, first.instance)  # type: ignore[arg-type]
        job_id = api.submit(body)
        pid = int(first.wait_for_line(_RUNNING.format(job_id)).group(1))
        first.proc.kill()
        first.proc.wait(timeout=10)
        assert pid_gone(pid, timeout=20), "a worker outlived its killed server"
    with Served("--db", db) as second:
        api = Api(second, second.api_key, second.instance)  # type: ignore[arg-type]
        assert api.wait(job_id, timeout=60)["state"]["status"] == "Completed"


def test_fair_queue_runs_one_job_of_a_session_at_a_time() -> None:
    queue = FairQueue()
    queue.put("A", "a1", key="s")
    queue.put("A", "a2", key="s")
    queue.put("A", "a3")
    queue.put("B", "b1", key="t")
    assert [queue.get(0), queue.get(0), queue.get(0)] == [("A", "a1"), ("B", "b1"), ("A", "a3")]
    assert queue.get(0) is None  # a2 waits for a1
    queue.done("a1")
    assert queue.get(0) == ("A", "a2")

