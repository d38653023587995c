"""The Resource Controller, Global Search/Catalog and Runtime instance endpoints, over raw HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
import requests

from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import BELL_MANILA, Api, sampler_body

RESOURCE_ID = "b6049020-80f4-11eb-a0f7-e35ec9b4054f"


class Cloud:
    """Raw calls to the IBM Cloud APIs of the server, as one account."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.base = api.server.resource_controller_url

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.api.token}"}
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def create(self, name: str = "made", **extra: Any) -> requests.Response:
        body = {"name": name, "target": "us-east", "resource_group": "rg-1",
                "resource_plan_id": "premium", **extra}
        return self.request("POST", "/v2/resource_instances", json=body)


@pytest.fixture
def cloud(api: Api) -> Cloud:
    return Cloud(api)


def test_create_read_update_delete(cloud: Cloud) -> None:
    made = cloud.create(tags=["team-a"], parameters={
        "instance_limit_seconds": "600", "usage_allocation_seconds": "1200",
        "backends": ["ibmq_manila"]})
    assert made.status_code == 201, made.text
    doc = made.json()
    assert doc["extensions"] == {"instance_limit_seconds": 600, "usage_allocation_seconds": 1200,
                                 "backends": ["ibmq_manila"]}
    assert doc["parameters"]["instance_limit_seconds"] == "600"  # echoed as sent
    assert doc["id"] == doc["crn"] and doc["crn"].endswith(f":{doc['guid']}::")
    assert (doc["state"], doc["region_id"], doc["resource_id"]) == ("active", "us-east",
                                                                    RESOURCE_ID)
    assert doc["tags"] == ["team-a"] and doc["resource_plan_id"] == "premium"
    by_crn = cloud.request("GET", "/v2/resource_instances/" + quote(doc["crn"], safe=""))
    by_guid = cloud.request("GET", f"/v2/resource_instances/{doc['guid']}")
    assert by_crn.json()["crn"] == by_guid.json()["crn"] == doc["crn"]
    patched = cloud.request("PATCH", f"/v2/resource_instances/{doc['guid']}", json={
        "name": "renamed", "parameters": {"instance_limit_seconds": None, "backends": ["ANY"]}})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "renamed"
    assert patched.json()["extensions"] == {"instance_limit_seconds": None,
                                            "usage_allocation_seconds": 1200, "backends": ["ANY"]}
    assert cloud.request("DELETE", f"/v2/resource_instances/{doc['guid']}").status_code == 204
    gone = cloud.request("GET", f"/v2/resource_instances/{doc['guid']}")
    assert gone.status_code == 200 and gone.json()["state"] == "removed"  # as RC documents
    assert cloud.request("DELETE", f"/v2/resource_instances/{doc['guid']}").status_code == 410
    assert cloud.request("PATCH", f"/v2/resource_instances/{doc['guid']}",
                         json={"name": "again"}).status_code == 410
    assert cloud.request("GET", "/v2/resource_instances/nope").status_code == 404


def test_deleted_instance_is_refused_but_its_key_still_reaches_the_account(cloud: Cloud) -> None:
    server = cloud.api.server
    solo = server.create_instance("solo")  # an account of its own
    own = Cloud(Api(server, solo.api_key, solo.crn))
    second = own.create("second").json()
    own.request("DELETE", "/v2/resource_instances/" + quote(solo.crn, safe=""))
    assert Api(server, solo.api_key, solo.crn).get("/backends").status_code == 403
    listed = own.request("GET", "/v2/resource_instances").json()["resources"]
    assert [r["name"] for r in listed] == ["second"]
    removed = own.request("GET", "/v2/resource_instances", params={"state": "removed"}).json()
    assert [r["name"] for r in removed["resources"]] == ["solo"]
    fresh = Api(server, solo.api_key, second["crn"])  # the key still works, for the account
    assert fresh.get("/backends").status_code == 200


def test_list_filters_by_offering_and_name(cloud: Cloud) -> None:
    cloud.create("one")
    cloud.create("two")
    listed = cloud.request("GET", "/v2/resource_instances", params={"resource_id": RESOURCE_ID})
    names = [r["name"] for r in listed.json()["resources"]]
    assert names == ["local-default", "one", "two"] and listed.json()["rows_count"] == 3
    only = cloud.request("GET", "/v2/resource_instances", params={"name": "two"}).json()
    assert [r["name"] for r in only["resources"]] == ["two"]
    other = cloud.request("GET", "/v2/resource_instances", params={"resource_id": "x"}).json()
    assert other["rows_count"] == 0


@pytest.mark.parametrize(("body", "words"), [
    ({"parameters": {"instance_limit_seconds": 600}}, "instance_limit_seconds"),
    ({"parameters": {"usage_allocation_seconds": "-5"}}, "usage_allocation_seconds"),
    ({"parameters": {"backends": "ibmq_manila"}}, "backends"),
    ({"parameters": {"backends": ["ANY", "ibmq_manila"]}}, "ANY"),
    ({"parameters": {"backends": ["ibm_nowhere"]}}, "ibm_nowhere"),
    ({"parameters": {"limit": "5"}}, "limit"),
    ({"resource_group": ""}, "resource_group"),
    ({"target": None}, "target"),
    ({"target": "us:east"}, "target"),
    ({"resource_plan_id": 7}, "resource_plan_id"),
])
def test_malformed_parameters_are_400(cloud: Cloud, body: dict[str, Any], words: str) -> None:
    response = cloud.create(**body)
    assert response.status_code == 400
    assert words in response.json()["errors"][0]["message"]


def test_needs_a_token(api: Api) -> None:
    response = requests.get(api.server.resource_controller_url + "/v2/resource_instances",
                            timeout=10)
    assert response.status_code == 401
    response = requests.get(api.server.resource_controller_url + "/v2/resource_instances",
                            headers={"Authorization": "Bearer nope"}, timeout=10)
    assert response.status_code == 401


def test_accounts_do_not_see_each_other(cloud: Cloud) -> None:
    stranger = cloud.api.server.create_instance("stranger")
    assert cloud.request("GET", "/v2/resource_instances", params={"name": "stranger"}
                         ).json()["rows_count"] == 0
    assert cloud.request("GET", "/v2/resource_instances/" + quote(stranger.crn, safe="")
                         ).status_code == 404


def test_created_instance_is_the_one_the_runtime_api_sees(cloud: Cloud) -> None:
    doc = cloud.create(parameters={"backends": ["ibmq_manila"], "usage_allocation_seconds": "90",
                                   "instance_limit_seconds": "5"}).json()
    runtime = Api(cloud.api.server, cloud.api.server.api_key, doc["crn"])  # same account's key
    assert [d["name"] for d in runtime.get("/backends").json()["devices"]] == ["ibmq_manila"]
    assert runtime.post("/jobs", json=sampler_body([BELL_MANILA], backend="ibm_brisbane")
                        ).status_code == 403
    details = runtime.get("/instance").json()
    assert details["backends"] == ["ibmq_manila"] and details["plan_id"] == "premium"
    assert details["instance_limit_seconds"] == "5" and details["usage_allocation_seconds"] == "90"
    assert runtime.get("/instances/configuration").json() == {"instance_limit": 5}
    cloud.request("PATCH", f"/v2/resource_instances/{doc['guid']}",
                  json={"parameters": {"backends": []}})
    assert runtime.get("/backends").json()["devices"] == []
    assert runtime.post("/jobs", json=sampler_body([BELL_MANILA])).status_code == 403


def test_seconds_beyond_what_the_store_keeps_are_refused(cloud: Cloud) -> None:
    for seconds in (str(2**63), "9" * 5000):
        refused = cloud.create(parameters={"instance_limit_seconds": seconds})
        assert refused.status_code == 400
        assert len(refused.text) < 1000  # the refusal names the value without echoing it whole
    assert cloud.create(parameters={"usage_allocation_seconds": str(2**63 - 1)}).status_code in (
        200, 201)


def test_open_plan_defaults_to_ten_minutes(cloud: Cloud) -> None:
    doc = cloud.create(resource_plan_id="open").json()
    assert doc["extensions"]["instance_limit_seconds"] == 600
    explicit = cloud.create(resource_plan_id="open",
                            parameters={"instance_limit_seconds": None}).json()
    assert explicit["extensions"]["instance_limit_seconds"] is None


def test_instance_limit_stops_new_jobs(api: Api) -> None:
    """A limit set through PUT /instances/configuration bites at the next POST /jobs: 409,
    the status the API reference documents for "usage exceeds the instance limit"."""
    assert api.wait(api.submit(sampler_body([BELL_MANILA, None, 10])))["state"]["status"] == \
        "Completed"
    consumed = api.get("/instances/usage").json()["usage_consumed_seconds"]
    refused = api.request("PUT", "/instances/configuration", json={"instance_limit": consumed - 1})
    assert refused.status_code == 409  # usage already exceeds it
    assert api.request("PUT", "/instances/configuration",
                       json={"instance_limit": consumed}).status_code == 204
    assert api.get("/instances/usage").json()["usage_limit_reached"] is True
    blocked = api.post("/jobs", json=sampler_body([BELL_MANILA, None, 10]))
    assert blocked.status_code == 409 and "limit" in blocked.json()["errors"][0]["message"]
    assert api.request("PUT", "/instances/configuration",
                       json={"instance_limit": None}).status_code == 204
    assert api.post("/jobs", json=sampler_body([BELL_MANILA, None, 10])).status_code == 200
    for bad in ({"instance_limit": -1}, {"instance_limit": "10"}, {"limit": 3},
                {"instance_limit": 2**63}, {"instance_limit": 2**70}):
        refused = api.request("PUT", "/instances/configuration", json=bad)
        assert refused.status_code == 400 and refused.json()["errors"]  # never an overflow 500


def test_search_and_catalog(cloud: Cloud) -> None:
    cloud.create("searchable", tags=["x"], resource_plan_id="open")
    found = cloud.request("POST", "/v3/resources/search", params={"limit": 100}, json={
        "query": "service_name:quantum-computing",
        "fields": ["crn", "service_plan_unique_id", "name", "doc", "tags"]}).json()
    items = {item["name"]: item for item in found["items"]}
    assert set(items) == {"local-default", "searchable"}
    assert items["searchable"]["doc"]["extensions"]["instance_limit_seconds"] == 600
    assert items["searchable"]["tags"] == ["x"]
    entry = requests.get(f"{cloud.api.server.global_catalog_url}/open", timeout=10, headers={
        "Authorization": f"Bearer {cloud.api.token}"}).json()
    assert entry["overview_ui"]["en"]["display_name"] == "Open"
    assert entry["metadata"]["pricing"]["type"] == "free"
    bad = cloud.request("POST", "/v3/resources/search", json={"query": "family:foo"})
    assert bad.status_code == 400


def test_reset_restores_the_default_instance(server: LocalRuntimeServer) -> None:
    api = Api(server, server.api_key, server.instance)
    api.request("PUT", "/instances/configuration", json={"instance_limit": 0})
    server.reset()
    assert api.get("/instances/configuration").json() == {"instance_limit": None}


def test_official_resource_controller_sdk(api: Api) -> None:
    """IBM's own SDK (``ibm-platform-services``, installed with the official client) works."""
    from ibm_cloud_sdk_core.authenticators import IAMAuthenticator
    from ibm_platform_services import ResourceControllerV2

    server = api.server
    controller = ResourceControllerV2(authenticator=IAMAuthenticator(server.api_key,
                                                                     url=server.base_url))
    controller.set_service_url(server.resource_controller_url)
    made = controller.create_resource_instance(
        "sdk-made", "us-east", "rg", "open",
        parameters={"backends": ["ibm_torino"], "usage_allocation_seconds": "100"}).get_result()
    assert made["extensions"]["backends"] == ["ibm_torino"]
    rows = controller.list_resource_instances(name="sdk-made").get_result()
    assert rows["rows_count"] == 1
    controller.update_resource_instance(made["id"], parameters={"instance_limit_seconds": "7"})
    got = controller.get_resource_instance(made["id"]).get_result()
    assert got["extensions"]["instance_limit_seconds"] == 7
    controller.delete_resource_instance(made["id"])
    assert controller.list_resource_instances(name="sdk-made").get_result()["rows_count"] == 0


def test_list_pages_and_bad_paging(cloud: Cloud) -> None:
    for name in ("p1", "p2", "p3"):
        cloud.create(name)
    first = cloud.request("GET", "/v2/resource_instances", params={"limit": 2}).json()
    assert [r["name"] for r in first["resources"]] == ["local-default", "p1"]
    second = cloud.request("GET", first["next_url"]).json()
    assert [r["name"] for r in second["resources"]] == ["p2", "p3"]
    assert second["next_url"] is None
    for bad in ({"limit": "0"}, {"limit": "x"}, {"start": "later"}, {"limit": "9" * 5000},
                {"start": "9" * 5000}, {"limit": "²"}, {"start": "²"}):
        refused = cloud.request("GET", "/v2/resource_instances", params=bad)
        assert refused.status_code == 400 and len(refused.text) < 1000
