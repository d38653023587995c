"""A results poll for a running job waits, briefly and without holding the server, for its end."""

from __future__ import annotations

import asyncio
import threading
import time

from qiskit_rest_primitives.local.simulation._waits import RESULT_WAIT_SECONDS, FinishWaits

from ._serve import long_qasm
from .conftest import BELL_MANILA, Api, sampler_body

LONG = sampler_body([long_qasm(400), None, 100000])  # tens of seconds if left to finish


def _running(api: Api, job_id: str) -> None:
    deadline = time.monotonic() + 30
    while api.get(f"/jobs/{job_id}").json()["state"]["status"] != "Running":
        assert time.monotonic() < deadline, f"job {job_id} never ran"
        time.sleep(0.01)


def test_a_finish_wakes_the_waiting_handler_from_another_thread() -> None:
    waits = FinishWaits()

    async def scenario() -> float:
        start = time.monotonic()
        threading.Timer(0.05, waits.notify, ("job-1",)).start()
        await waits.wait("job-1", 30, lambda: False)
        return time.monotonic() - start

    assert asyncio.run(scenario()) < 10  # woken, not timed out
    assert waits._waiting == {}


def test_the_wait_is_bounded_and_skipped_when_already_done() -> None:
    waits = FinishWaits()
    assert asyncio.run(waits.wait("job-1", 0.01, lambda: False)) is None
    checked: list[bool] = []

    def done() -> bool:
        checked.append(True)
        return True

    asyncio.run(waits.wait("job-1", 30, done))
    assert checked == [True] and waits._waiting == {}


def test_results_of_a_job_that_finishes_during_the_poll_come_in_that_poll(api: Api) -> None:
    api.server.job_delay = RESULT_WAIT_SECONDS / 5  # the job is still running at the poll
    try:
        job_id = api.submit(sampler_body([BELL_MANILA, None, 32]))
        _running(api, job_id)
        answers = []
        for _ in range(20):  # a loaded machine may need more than one bounded wait
            answers.append(api.get(f"/jobs/{job_id}/results").status_code)
            if answers[-1] == 200:
                break
        assert answers[-1] == 200 and len(answers) < 20
    finally:
        api.server.job_delay = 0


def test_a_waiting_results_poll_leaves_the_api_answering_and_ends_with_a_cancel(
        api: Api) -> None:
    job_id = api.submit(LONG)
    _running(api, job_id)
    assert api.get(f"/jobs/{job_id}/results").status_code == 204  # bounded: still running
    polls: list[int] = []
    stop = threading.Event()

    def poll() -> None:
        while True:  # at least one poll, whenever the cancel comes
            polls.append(api.get(f"/jobs/{job_id}/results").status_code)
            if stop.is_set():
                return

    poller = threading.Thread(target=poll)
    poller.start()
    for _ in range(5):
        assert api.get("/backends").status_code == 200
    assert api.post(f"/jobs/{job_id}/cancel").status_code == 204
    stop.set()
    poller.join(timeout=30)
    assert not poller.is_alive() and polls and set(polls) == {204}  # cancelled: no result
    assert api.get(f"/jobs/{job_id}").json()["state"]["status"] == "Cancelled"


def test_a_results_poll_right_after_the_submission_brings_the_result(server) -> None:  # type: ignore[no-untyped-def]
    """The client's first results poll goes at once; the server holds it (briefly) even while
    the job is still queued, so a short job takes one POST and one GET."""
    from qiskit import QuantumCircuit

    from qiskit_rest_primitives import Sampler
    from qiskit_rest_primitives._config import PollPolicy
    from qiskit_rest_primitives.exceptions import RuntimeJobTimeoutError

    circuit = QuantumCircuit(1, 1)
    circuit.measure(0, 0)
    backend = server.service().backend("ibmq_manila")
    Sampler(mode=backend).run([circuit], shots=8).result(timeout=60)  # a worker is up
    slow = server.service(poll=PollPolicy(initial_interval=60.0))  # no second poll in time
    sampler = Sampler(mode=slow.backend("ibmq_manila"))
    server.job_delay = RESULT_WAIT_SECONDS / 5
    answered = []
    try:
        for _ in range(3):  # on a loaded machine the server's bounded wait may end first
            before = len(server.requests)
            job = sampler.run([circuit], shots=8)
            try:
                counts = job.result(timeout=5)[0].data.c.get_counts()
            except RuntimeJobTimeoutError:
                continue
            paths = [(r.method, r.path.rsplit("/", 1)[-1]) for r in server.requests[before:]]
            answered.append((counts, paths[-2:]))
    finally:
        server.job_delay = 0
    assert answered, "no result came in the first poll"
    assert all(item == ({"0": 8}, [("POST", "jobs"), ("GET", "results")]) for item in answered)
