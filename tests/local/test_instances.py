"""Extra instances: backend allow-lists, usage limits, isolation between instances."""

from __future__ import annotations

from .conftest import BELL_MANILA, Api, sampler_body


def test_backend_allow_list(api: Api) -> None:
    inst = api.server.create_instance("manila-only", backends=["ibmq_manila"])
    other = Api(api.server, inst.api_key, inst.crn)
    names = [d["name"] for d in other.get("/backends").json()["devices"]]
    assert names == ["ibmq_manila"]
    assert other.get("/backends/ibm_brisbane/configuration").status_code == 403
    refused = other.post("/jobs", json=sampler_body([BELL_MANILA], backend="ibm_brisbane"))
    assert refused.status_code == 403


def test_usage_limit_gives_409(api: Api) -> None:
    inst = api.server.create_instance("tiny", instance_limit_seconds=1,
                                      usage_allocation_seconds=1)
    other = Api(api.server, inst.api_key, inst.crn)
    job_id = other.submit(sampler_body([BELL_MANILA, None, 10]))
    other.wait(job_id)
    usage = other.get("/instances/usage").json()
    assert usage["usage_consumed_seconds"] >= 1 and usage["usage_limit_reached"] is True
    assert usage["usage_remaining_seconds"] == 0
    response = other.post("/jobs", json=sampler_body([BELL_MANILA, None, 10]))
    assert response.status_code == 409


def test_instances_do_not_see_each_other(api: Api) -> None:
    inst = api.server.create_instance("neighbour")
    other = Api(api.server, inst.api_key, inst.crn)
    job_id = api.submit(sampler_body([BELL_MANILA, None, 10]))
    api.wait(job_id)
    assert other.get(f"/jobs/{job_id}").status_code == 404
    assert other.get(f"/jobs/{job_id}/results").status_code == 404
    assert other.get("/jobs").json()["count"] == 0
    # a token of one instance cannot be used with another instance's CRN
    assert api.get("/jobs", headers={"Service-CRN": inst.crn}).status_code == 403


def test_reset_forgets_extra_instances(api: Api) -> None:
    inst = api.server.create_instance("temporary")
    api.server.reset()
    response = api.http.post(api.server.iam_url, data={
        "grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": inst.api_key})
    assert response.status_code == 400
    assert api.get("/backends").status_code == 200  # default credentials stay valid


def test_empty_allow_list_means_no_backend(api: Api) -> None:
    inst = api.server.create_instance("nothing", backends=[])
    other = Api(api.server, inst.api_key, inst.crn)
    assert other.get("/backends").json()["devices"] == []
    refused = other.post("/jobs", json=sampler_body([BELL_MANILA]))
    assert refused.status_code == 403
