"""Backend list, configuration, properties (with updated_before), status, usage, versions."""

from __future__ import annotations

import pytest

from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import BELL_MANILA, Api, sampler_body


def test_backend_list(api: Api) -> None:
    devices = api.get("/backends").json()["devices"]
    by_name = {d["name"]: d for d in devices}
    assert set(by_name) == {"ibm_brisbane", "ibm_torino", "ibmq_manila"}
    assert by_name["ibm_brisbane"]["qubits"] == 127
    assert by_name["ibmq_manila"]["status"]["name"] == "online"
    assert api.get("/backends?include_mocks=True").status_code == 200


@pytest.mark.parametrize("name", ["ibm_brisbane", "ibmq_manila"])
def test_backend_documents(api: Api, name: str) -> None:
    conf = api.get(f"/backends/{name}/configuration").json()
    assert conf["backend_name"] == name and "online_date" in conf
    props = api.get(f"/backends/{name}/properties").json()
    assert props["backend_name"] == name and props["qubits"]
    status = api.get(f"/backends/{name}/status").json()
    assert status["state"] is True and status["status"] == "active"


def test_properties_updated_before(api: Api) -> None:
    path = "/backends/ibmq_manila/properties"
    assert api.get(path, params={"updated_before": "2030-01-01T00:00:00Z"}).status_code == 200
    assert api.get(path, params={"updated_before": "2001-01-01T00:00:00+00:00"}).status_code == 404
    assert api.get(path, params={"updated_before": "yesterday"}).status_code == 400


def test_unknown_backend_is_404(api: Api) -> None:
    response = api.get("/backends/ibm_nowhere/configuration")
    assert response.status_code == 404
    assert "ibm_nowhere" in response.json()["errors"][0]["message"]
    assert api.get("/backends/ibmq_manila/bogus").status_code == 404


def test_usage_versions_instance(api: Api) -> None:
    usage = api.get("/instances/usage").json()
    assert usage["instance_id"] == api.crn and usage["usage_consumed_seconds"] == 0
    assert usage["usage_limit_reached"] is False
    versions = api.get("/versions").json()["versions"]  # OpenAPI VersionResponse
    assert {"version": "2026-04-15", "status": "live"} in versions
    assert {v["status"] for v in versions} == {"live", "deprecated"}
    assert api.get("/instance").json()["crn"] == api.crn


def test_unknown_endpoint_has_errors_body(api: Api) -> None:
    response = api.get("/no/such/thing")
    assert response.status_code == 404
    assert "errors" in response.json()


def test_device_entries_carry_physical_qubits(api: Api) -> None:
    devices = {d["name"]: d for d in api.get("/backends").json()["devices"]}
    # qubits + couplers, as the official fake data counts them (fez: 156 + 176 = 332)
    assert devices["ibmq_manila"]["physical_qubits"] == 5 + 4
    assert devices["ibm_brisbane"]["physical_qubits"] == 127 + 144
    assert devices["ibm_torino"]["physical_qubits"] > 133


@pytest.mark.parametrize("document", ["configuration", "properties"])
def test_calibration_id_query(api: Api, server: LocalRuntimeServer, document: str) -> None:
    path = f"/backends/ibmq_manila/{document}"
    good = server.calibration_id("ibmq_manila")
    assert api.get(path, params={"calibration_id": good}).status_code == 200
    response = api.get(path, params={"calibration_id": "invalid_id"})
    assert response.status_code == 404
    error = response.json()["errors"][0]
    assert error["code"] == "1009" and "invalid_id" in error["message"]
    assert server.calibration_id("ibm_brisbane") != good


def test_calibration_id_on_a_job(api: Api, server: LocalRuntimeServer) -> None:
    good = server.calibration_id("ibmq_manila")
    body = sampler_body([BELL_MANILA, None, 10])
    created = api.post("/jobs", json={**body, "calibration_id": good})
    assert created.status_code == 200 and created.json()["calibration_id"] == good
    refused = api.post("/jobs", json={**body, "calibration_id": "invalid_id"})
    assert refused.status_code == 400 and "invalid_id" in refused.json()["errors"][0]["message"]
