"""Job endpoints: retrieval, list filters and paging, cancel, delete, metrics, logs, tags."""

from __future__ import annotations

import re

import pytest

from .conftest import BELL_MANILA, Api, estimator_body, sampler_body

BODY = sampler_body([BELL_MANILA, None, 10])


def test_job_document_fields(api: Api) -> None:
    job_id = api.submit({**BODY, "tags": ["a"], "log_level": "WARNING"})
    assert re.fullmatch(r"[a-z0-9]{20}", job_id)
    api.wait(job_id)
    doc = api.get(f"/jobs/{job_id}").json()
    assert doc["state"] == {"status": "Completed"} and doc["status"] == "Completed"
    assert doc["program"] == {"id": "sampler"} and doc["backend"] == "ibmq_manila"
    assert doc["created"].endswith("Z") and doc["tags"] == ["a"]
    assert doc["usage"]["status"] == "complete"
    assert doc["params"]["pubs"][0][2] == 10
    assert "params" not in api.get(f"/jobs/{job_id}?exclude_params=true").json()


def test_results_204_while_queued_and_cancel(api: Api) -> None:
    api.server.pause_jobs()
    job_id = api.submit(BODY)
    assert api.get(f"/jobs/{job_id}").json()["status"] == "Queued"
    assert api.get(f"/jobs/{job_id}/results").status_code == 204
    assert api.get(f"/jobs/{job_id}/logs").status_code == 404
    assert api.get(f"/jobs/{job_id}/metrics").json()["usage"]["status"] == "pending"
    assert api.request("DELETE", f"/jobs/{job_id}").status_code == 400
    assert api.post(f"/jobs/{job_id}/cancel").status_code == 204
    assert api.post(f"/jobs/{job_id}/cancel").status_code == 409
    api.server.resume_jobs()
    assert api.get(f"/jobs/{job_id}").json()["status"] == "Cancelled"
    assert api.request("DELETE", f"/jobs/{job_id}").status_code == 204
    assert api.get(f"/jobs/{job_id}").status_code == 404


def test_list_filters_and_paging(api: Api) -> None:
    first = api.submit({**BODY, "tags": ["x", "y"]})
    second = api.submit(BODY)
    api.wait(first)
    api.wait(second)
    listing = api.get("/jobs?exclude_params=true&limit=1").json()
    assert listing["count"] == 2 and listing["limit"] == 1
    assert [j["id"] for j in listing["jobs"]] == [second]  # newest first
    assert "params" not in listing["jobs"][0]
    page = api.get("/jobs?limit=1&offset=1").json()
    assert [j["id"] for j in page["jobs"]] == [first]
    ascending = api.get("/jobs?sort=ASC").json()["jobs"]
    assert [j["id"] for j in ascending] == [first, second]
    tagged = api.get("/jobs", params=[("tags", "x"), ("tags", "y")]).json()
    assert [j["id"] for j in tagged["jobs"]] == [first]
    assert api.get("/jobs?pending=true").json()["count"] == 0
    assert api.get("/jobs?program=estimator").json()["count"] == 0
    assert api.get("/jobs?backend=ibmq_manila").json()["count"] == 2
    created = api.get(f"/jobs/{second}").json()["created"]
    after = api.get("/jobs", params={"created_after": created.replace("Z", "+00:00")}).json()
    assert after["count"] == 0


def _refused(api: Api, path: str, name: str) -> None:
    response = api.get(path)
    assert response.status_code == 400, (path, response.status_code, response.text)
    message = response.json()["errors"][0]["message"]
    assert name in message and len(message) < 200, (path, message)


@pytest.mark.parametrize("query", [
    "sort=XYZ", "sort=asc", "sort=", "sort=ASC%20", "pending=maybe", "pending=", "pending=1",
    "exclude_params=yes", "include_mocks=2", "limit=abc", "limit=1.5", "limit=", "limit=٣",
    "offset=x", "offset=" + "9" * 5000, "created_after=garbage", "created_before=",
    "created_after=0001-01-01T00:00:00%2B01:00", "created_before=" + "2026" * 30,
    "tags=" + "x" * 87, "&".join(["tags=t"] * 9)])
def test_list_refuses_malformed_query_parameters(api: Api, query: str) -> None:
    _refused(api, "/jobs?" + query, query.split("=")[0])


def test_list_sort_and_paging_values(api: Api) -> None:
    first = api.submit(BODY)
    second = api.submit(BODY)
    ids = [[j["id"] for j in api.get(f"/jobs?{q}").json()["jobs"]]
           for q in ("sort=ASC", "sort=DESC", "")]
    assert ids == [[first, second], [second, first], [second, first]]
    # OpenAPI: limit 1..200, offset 0..2**31-1; outside them the default is used, no error.
    for query, limit, offset in (("limit=0", 200, 0), ("limit=201", 200, 0), ("limit=-1", 200, 0),
                                 ("offset=-1", 200, 0), (f"offset={2**31}", 200, 0),
                                 ("limit=%2B1&offset=1", 1, 1)):
        page = api.get("/jobs?" + query).json()
        assert (page["limit"], page["offset"]) == (limit, offset), query
    assert [j["id"] for j in api.get("/jobs?limit=1&offset=1").json()["jobs"]] == [first]
    # true/false in any case (the official client sends Python's True for include_mocks)
    for query in ("pending=FALSE", "pending=False&include_mocks=True", "exclude_params=TRUE"):
        assert api.get("/jobs?" + query).status_code == 200
    assert "params" not in api.get("/jobs").json()["jobs"][0]  # the list's default: excluded
    assert "params" in api.get("/jobs?exclude_params=false").json()["jobs"][0]


def test_job_and_workloads_refuse_malformed_query_parameters(api: Api) -> None:
    job_id = api.submit(BODY)
    _refused(api, f"/jobs/{job_id}?exclude_params=maybe", "exclude_params")
    assert "params" in api.get(f"/jobs/{job_id}?exclude_params=False").json()
    assert "params" not in api.get(f"/jobs/{job_id}?exclude_params=True").json()
    for query in ("sort=newest", "created_after=garbage", "limit=x"):
        _refused(api, "/workloads?" + query, query.split("=")[0])
    assert api.get("/workloads?sort=createdAt").json()["total_count"] == 1


@pytest.mark.parametrize("field, value", [
    ("private", "yes"), ("private", 1), ("private", "true"), ("private", [True]),
    ("start_session", "no"), ("session_time", "60"), ("session_time", True),
    ("backend", ["ibmq_manila"]), ("session_id", {"x": 1}), ("session_id", 5),
    ("runtime", 3), ("calibration_id", 1), ("log_level", 10), ("log_level", "LOUD")])
def test_job_body_fields_of_the_wrong_type_are_refused(api: Api, field: str, value: object
                                                       ) -> None:
    response = api.post("/jobs", json={**BODY, field: value})
    assert response.status_code == 400, response.text
    assert field in response.json()["errors"][0]["message"]
    assert api.get("/jobs").json()["count"] == 0


def test_job_body_typed_fields_accepted(api: Api) -> None:
    for extra in ({"private": False}, {"private": None}, {"log_level": "debug"},
                  {"log_level": "WARNING", "runtime": "image:tag"}):
        job_id = api.submit({**BODY, **extra})
        doc = api.wait(job_id)
        assert doc["state"]["status"] == "Completed" and "private" not in doc, extra


@pytest.mark.parametrize("body", [
    {"mode": 1}, {"mode": "batch", "backend": ["ibmq_manila"]},
    {"mode": "batch", "backend_name": 7}, {"mode": "batch", "instance": {"crn": "x"}},
    {"mode": "batch", "max_ttl": "60"}, {"mode": "batch", "max_ttl": True}])
def test_session_body_fields_of_the_wrong_type_are_refused(api: Api, body: dict) -> None:
    response = api.post("/sessions", json=body)
    assert response.status_code == 400, response.text
    field = next(k for k in body if k != "mode" or len(body) == 1)
    assert field in response.json()["errors"][0]["message"]


def test_metrics_logs_and_tags(api: Api) -> None:
    job_id = api.submit(BODY)
    api.wait(job_id)
    metrics = api.get(f"/jobs/{job_id}/metrics").json()
    assert set(metrics["timestamps"]) == {"created", "running", "finished"}
    assert metrics["usage"]["status"] == "complete"
    assert "finished" in api.get(f"/jobs/{job_id}/logs").text
    assert api.request("PUT", f"/jobs/{job_id}/tags", json={"tags": ["t1"]}).status_code == 204
    assert api.get(f"/jobs/{job_id}").json()["tags"] == ["t1"]
    assert api.get("/tags?type=job&search=t").json()["tags"] == ["t1"]
    too_many = api.request("PUT", f"/jobs/{job_id}/tags", json={"tags": list("abcdefghi")})
    assert too_many.status_code == 400


def test_cost_zero_cancels_with_1305(api: Api) -> None:
    job_id = api.submit({**BODY, "cost": 0})
    doc = api.wait(job_id)
    assert doc["state"]["status"] == "Cancelled"
    assert doc["state"]["reason_code"] == 1305
    assert doc["status"] == "Cancelled - Ran too long"


def test_cost_above_the_maximum_is_capped_beyond_int32_refused(api: Api) -> None:
    job_id = api.submit({**BODY, "cost": 20000})  # OpenAPI JobCost: capped at 10800
    assert api.wait(job_id)["cost"] == 10800
    for cost in (-1, 2**31, 10**30, 1.5, "60", True):
        response = api.post("/jobs", json={**BODY, "cost": cost})
        assert response.status_code == 400, cost
        assert "cost" in response.json()["errors"][0]["message"]


def test_private_job_hides_params(api: Api) -> None:
    job_id = api.submit({**BODY, "private": True})
    api.wait(job_id)
    doc = api.get(f"/jobs/{job_id}").json()
    assert doc["private"] is True and "params" not in doc


def _message(api: Api, body: dict) -> str:
    response = api.post("/jobs", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["code"] == "1002" or error["code"] == "1007"
    return str(error["message"])


NON_ISA = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[1] c;\nh $0;\nc[0] = measure $0;\n'
BAD_PAIR = ('OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\ncx $0, $2;\n'
            "c[0] = measure $0;\nc[1] = measure $2;\n")

NESTED_NON_ISA = ('OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[1] c;\nx $0;\n'
                  "c[0] = measure $0;\nif (c[0]) {\n  h $1;\n}\n")


@pytest.mark.parametrize(("body", "needle"), [
    (sampler_body([BELL_MANILA], [NON_ISA]), "pub 1: instruction 'h'"),
    (sampler_body([BAD_PAIR]), "pub 0: 'cx' on qubits [0, 2]"),
    (sampler_body([NESTED_NON_ISA]), "pub 0: instruction 'h'"),
    (sampler_body([BELL_MANILA, None, 200_000]), "pub 0: shots=200000 exceeds"),
    (sampler_body(["OPENQASM 3.0; garbage"]), "pub 0: malformed OpenQASM 3"),
    (sampler_body([BELL_MANILA], options={"bogus": 1}), "unknown sampler option 'bogus'"),
    (sampler_body([BELL_MANILA], options={"twirling": {"nope": 1}}), "twirling.nope"),
    # Option values, by IBM's own models of the service's inputs (ibm-quantum-schemas).
    (sampler_body([BELL_MANILA], options={"twirling": {"num_randomizations": 0}}),
     "option 'twirling.num_randomizations': Input should be greater than or equal to 1"),
    (sampler_body([BELL_MANILA], options={"twirling": {"strategy": "sometimes"}}),
     "option 'twirling.strategy'"),
    (sampler_body([BELL_MANILA], options={"execution": {"init_qubits": []}}),
     "option 'execution.init_qubits': Input should be a valid boolean (got [])"),
    (sampler_body([BELL_MANILA], options={"execution": {"rep_delay": -1}}),
     "option 'execution.rep_delay'"),
    (sampler_body([BELL_MANILA], options={"simulator": {"noise_model": "x"}}),
     "option 'simulator.noise_model'"),
    (sampler_body([BELL_MANILA], options={"dynamical_decoupling": {"sequence_type": "ZZ"}}),
     "option 'dynamical_decoupling.sequence_type'"),
    (sampler_body([BELL_MANILA], options={"default_shots": 0}), "option 'default_shots'"),
    (estimator_body([BELL_MANILA, {"ZZ": 1.0}], options={"default_precision": -0.1}),
     "option 'default_precision': Input should be greater than 0"),
    (estimator_body([BELL_MANILA, {"ZZ": 1.0}],
                    options={"resilience": {"zne": {"extrapolator": "magic"}}}),
     "option 'resilience.zne.extrapolator'"),
    (sampler_body([BELL_MANILA], resilience_level=1), "resilience_level"),
    (sampler_body([BELL_MANILA], support_qiskit="yes"), "params.support_qiskit"),
    (sampler_body([BELL_MANILA], shots="100"), "params.shots must be a non-negative integer"),
    (estimator_body([BELL_MANILA, {"ZZ": 1.0}], resilience_level=True), "resilience_level"),
    (estimator_body([BELL_MANILA, {"ZZ": 1.0}], precision=0), "pub 0: precision must be a pos"),
    (estimator_body([BELL_MANILA, {"ZZ": 1.0}], precision="0.1"), "pub 0: precision must be"),
    (estimator_body([BELL_MANILA, {"ZZ": 1.0}], precision=1e-300), "precision must be at least"),
    (estimator_body([BELL_MANILA, {"ZZ": 1.0}, None, 1e-300]), "pub 0: precision must be at"),
    ({**BODY, "program_id": "circuit-runner"}, "program_id"),
    ({**BODY, "backend": "ibm_nowhere"}, "ibm_nowhere"),
    ({**BODY, "unknown_field": 1}, "unknown_field"),
    ({**BODY, "tags": ""}, "tags must be a list of strings"),
    ({**BODY, "tags": {}}, "tags must be a list of strings"),
    ({**BODY, "tags": 0}, "tags must be a list of strings"),
    ({"program_id": "estimator", "backend": "ibmq_manila",
      "params": {"pubs": [[BELL_MANILA, {"ZZZ": 1.0}]]}}, "pub 0: observable 'ZZZ' has 3 qubits"),
    ({"program_id": "estimator", "backend": "ibmq_manila",
      "params": {"pubs": [[BELL_MANILA, {"IIIZQ": 1.0}]]}}, "not a Pauli string"),
    (sampler_body([BELL_MANILA, [0.5], 10]), "pub 0: parameter values"),
])
def test_validation_errors_name_the_problem(api: Api, body: dict, needle: str) -> None:
    assert needle in _message(api, body)


def test_malformed_json_is_400(api: Api) -> None:
    response = api.post("/jobs", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_option_values_are_read_as_the_service_reads_them(api: Api) -> None:
    """The models' lax reading holds for the whole server: ``"false"`` is False (a plain
    ``bool("false")`` would have turned twirling on)."""
    body = estimator_body([BELL_MANILA, {"ZZ": 1.0}],
                          options={"twirling": {"enable_gates": "false", "enable_measure": "false",
                                                "num_randomizations": 4}})
    job_id = api.submit(body)
    assert api.wait(job_id)["state"]["status"] == "Completed"
    result = api.get(f"/jobs/{job_id}/results").json()["__value__"]
    twirling = result["metadata"]["twirling"]
    assert twirling["enable_gates"] is False and twirling["enable_measure"] is False
    assert twirling["num_randomizations"] == 4


def test_a_precision_coarser_than_one_counts_one_shot(api: Api) -> None:
    job_id = api.submit(estimator_body([BELL_MANILA, {"ZZ": 1.0}, None, 1e308]))
    assert api.wait(job_id)["state"]["status"] == "Completed"  # not an OverflowError
    result = api.get(f"/jobs/{job_id}/results").json()["__value__"]
    assert result["pub_results"][0]["__value__"]["metadata"]["shots"] == 1


def test_noise_model_bare_or_enveloped_is_accepted(api: Api) -> None:
    """The official client sends a noise model's dict form bare; IBM's models want the
    RuntimeEncoder envelope. Both are a valid option (the local server keeps its own noise)."""
    bare = {"errors": [], "x90_gates": []}
    for model in (bare, {"__type__": "NoiseModel", "__value__": bare}):
        body = sampler_body([BELL_MANILA, None, 10], options={"simulator": {"noise_model": model}})
        assert api.wait(api.submit(body))["state"]["status"] == "Completed"
