"""Sessions and batches: create, run in order, stop accepting, cancel queued jobs."""

from __future__ import annotations

import time

import pytest

from .conftest import BELL_MANILA, Api, sampler_body


@pytest.mark.parametrize("mode", ["dedicated", "batch"])
def test_create_and_get_session(api: Api, mode: str) -> None:
    response = api.post("/sessions", json={"mode": mode, "backend": "ibmq_manila",
                                           "instance": api.crn, "max_ttl": 3600})
    assert response.status_code == 200
    session = response.json()
    assert len(session["id"]) == 20
    doc = api.get(f"/sessions/{session['id']}").json()
    assert doc["mode"] == mode and doc["backend_name"] == "ibmq_manila"
    assert doc["accepting_jobs"] is True and doc["max_ttl"] == 3600 and doc["state"] == "open"


def test_jobs_in_session_run_in_order_then_close(api: Api) -> None:
    session_id = api.post("/sessions", json={"mode": "dedicated",
                                             "backend": "ibmq_manila"}).json()["id"]
    api.server.pause_jobs()
    ids = []
    for _ in range(3):
        response = api.post("/jobs", json={**sampler_body([BELL_MANILA, None, 10]),
                                           "session_id": session_id})
        assert response.json()["session_id"] == session_id
        ids.append(response.json()["id"])
    api.server.resume_jobs()
    docs = [api.wait(i) for i in ids]
    assert all(d["state"]["status"] == "Completed" for d in docs)
    metrics = [api.get(f"/jobs/{i}/metrics").json()["timestamps"] for i in ids]
    assert metrics[0]["finished"] <= metrics[1]["running"] <= metrics[2]["running"]
    assert api.get(f"/sessions/{session_id}").json()["state"] == "active"
    response = api.request("PATCH", f"/sessions/{session_id}", json={"accepting_jobs": False})
    assert response.status_code == 204
    refused = api.post("/jobs", json={**sampler_body([BELL_MANILA, None, 10]),
                                      "session_id": session_id})
    assert refused.status_code == 400
    assert session_id in refused.json()["errors"][0]["message"]
    assert api.get(f"/sessions/{session_id}").json()["state"] == "closed"


def test_cancel_session_cancels_queued_jobs(api: Api) -> None:
    session_id = api.post("/sessions", json={"mode": "batch",
                                             "backend": "ibmq_manila"}).json()["id"]
    api.server.pause_jobs()
    job_id = api.submit({**sampler_body([BELL_MANILA, None, 10]), "session_id": session_id})
    assert api.request("DELETE", f"/sessions/{session_id}/close").status_code == 204
    api.server.resume_jobs()
    assert api.wait(job_id)["state"]["status"] == "Cancelled"
    doc = api.get(f"/sessions/{session_id}").json()
    assert doc["accepting_jobs"] is False and doc["state"] == "closed"


def test_session_errors(api: Api) -> None:
    assert api.post("/sessions", json={"mode": "weird"}).status_code == 400
    assert api.post("/sessions", json={"mode": "batch", "backend": "nope"}).status_code == 400
    assert api.get("/sessions/doesnotexist").status_code == 404
    unknown = api.post("/jobs", json={**sampler_body([BELL_MANILA]), "session_id": "nope"})
    assert unknown.status_code == 404


def test_session_past_max_ttl_refuses_jobs(api: Api) -> None:
    session_id = api.post("/sessions", json={"mode": "batch", "backend": "ibmq_manila",
                                             "max_ttl": 1}).json()["id"]
    time.sleep(1.1)
    response = api.post("/jobs", json={**sampler_body([BELL_MANILA]), "session_id": session_id})
    assert response.status_code == 400 and "max_ttl" in response.text
    assert api.get(f"/sessions/{session_id}").json()["state"] == "closed"
