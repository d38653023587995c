"""Scheduling: round-robin across instances, session order, ``cost`` enforced while running."""

from __future__ import annotations

from qiskit_rest_primitives.local.simulation._worker import FairQueue

from .conftest import BELL_MANILA, Api, sampler_body

BODY = sampler_body([BELL_MANILA, None, 20])


def _running(api: Api, job_id: str) -> str:
    return str(api.get(f"/jobs/{job_id}/metrics").json()["timestamps"]["running"])


def test_fair_queue_round_robin() -> None:
    queue = FairQueue()
    for job in ("a1", "a2", "a3"):
        queue.put("A", job)
    queue.put("B", "b1")
    queue.put("C", "c1")
    queue.put("B", "b2")
    first = queue.get(0)
    assert first == ("A", "a1")
    queue.unget(*first)
    order = [item[1] for item in (queue.get(0) for _ in range(6)) if item]
    assert order == ["a1", "b1", "c1", "a2", "b2", "a3"]
    assert queue.get(0) is None


def test_fair_queue_serves_a_new_instance_before_a_busy_one() -> None:
    """The busy instance's job was taken before the other instance's first job arrived."""
    queue = FairQueue()
    queue.put("A", "a1")
    assert queue.get(0) == ("A", "a1")
    queue.put("A", "a2")
    queue.put("B", "b1")
    queue.put("A", "a3")
    order = [item[1] for item in (queue.get(0) for _ in range(3)) if item]
    assert order == ["b1", "a2", "a3"]


def test_busy_instance_does_not_starve_another(api: Api) -> None:
    inst = api.server.create_instance("second")
    other = Api(api.server, inst.api_key, inst.crn)
    api.server.pause_jobs()
    first = [api.submit(BODY) for _ in range(4)]
    late = other.submit(BODY)
    api.server.resume_jobs()
    for job_id in [*first, late]:
        assert (api if job_id in first else other).wait(job_id)["state"]["status"] == "Completed"
    # The other instance's job runs first or second, not after all four of the first instance
    # (which of the two lanes goes first depends on which instance was served less recently).
    started = sorted([*first, late], key=lambda j: _running(api if j in first else other, j))
    assert started.index(late) <= 1


def test_session_jobs_run_in_submission_order(api: Api) -> None:
    session = api.post("/sessions", json={"mode": "dedicated", "backend": "ibmq_manila"}).json()
    api.server.pause_jobs()
    jobs = [api.submit({**BODY, "session_id": session["id"]}) for _ in range(4)]
    api.server.resume_jobs()
    docs = [api.wait(j) for j in jobs]
    assert all(d["state"]["status"] == "Completed" for d in docs)
    running = [_running(api, j) for j in jobs]
    assert running == sorted(running)
    assert len(set(running)) == 4


def test_cost_enforced_while_running(api: Api) -> None:
    api.server.job_delay = 3.0  # the simulated run now takes > 3 s; cost allows 1 s
    job_id = api.submit({**BODY, "cost": 1})
    doc = api.wait(job_id, timeout=2.5)  # final before the run could have ended
    assert doc["state"]["status"] == "Cancelled"
    assert doc["state"]["reason_code"] == 1305 and doc["state"]["reason"] == "Ran too long"
    assert doc["status"] == "Cancelled - Ran too long"
    metrics = api.get(f"/jobs/{job_id}/metrics").json()
    assert metrics["usage"]["qpu_charge_time_seconds"] == 1
    api.server.job_delay = 0
    assert api.wait(api.submit(BODY))["state"]["status"] == "Completed"


def test_fair_queue_weights_start_jobs_in_proportion() -> None:
    weights = {"A": 300.0, "B": 100.0}
    queue = FairQueue(weights.get)
    for i in range(20):
        queue.put("A", f"a{i}")
        queue.put("B", f"b{i}")
    first = [item[0] for item in (queue.get(0) for _ in range(16)) if item]
    assert first.count("A") == 12 and first.count("B") == 4


def test_usage_allocation_drives_fair_share(api: Api) -> None:
    """Two busy instances with allocations 3:1 start their jobs about 3:1."""
    heavy = api.server.create_instance("heavy", usage_allocation_seconds=300)
    light = api.server.create_instance("light", usage_allocation_seconds=100)
    apis = {"heavy": Api(api.server, heavy.api_key, heavy.crn),
            "light": Api(api.server, light.api_key, light.crn)}
    api.server.pause_jobs()
    jobs = [(name, apis[name].submit(BODY)) for _ in range(24) for name in ("light", "heavy")]
    api.server.resume_jobs()
    for name, job_id in jobs:
        assert apis[name].wait(job_id)["state"]["status"] == "Completed"
    started = sorted(jobs, key=lambda item: _running(apis[item[0]], item[1]))
    window = [name for name, _ in started[:32]]  # both still have jobs queued throughout
    assert 22 <= window.count("heavy") <= 26, window  # 24 of 32 at exactly 3:1
