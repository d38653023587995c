"""The job routes answered past FastAPI behave as FastAPI's own: errors, logs, faults, 500s."""

from __future__ import annotations

import pytest
from fastapi import Request
from fastapi.responses import Response
from starlette.routing import Route

from qiskit_rest_primitives.local import LocalRuntimeServer
from qiskit_rest_primitives.local.api._errors import ApiError
from qiskit_rest_primitives.local.api._hot_routes import HotRoutes

from .conftest import Api, sampler_body

BELL = ('OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nsx $0;\ncx $0, $1;\n'
        "c[0] = measure $0;\nc[1] = measure $1;\n")


def test_hot_routes_answer_errors_in_the_error_shape(api: Api) -> None:
    for path in ("/jobs/nope", "/jobs/nope/results"):
        response = api.get(path)
        assert response.status_code == 404, response.text
        assert response.json()["errors"][0]["message"] == "Job 'nope' was not found."
    assert api.post("/jobs", data=b"[").status_code == 400
    unauthorized = api.request("POST", "/jobs", json=sampler_body([BELL]),
                               headers={"Authorization": "Bearer x"})
    assert unauthorized.status_code == 401
    assert unauthorized.json()["errors"]


def test_hot_routes_are_logged_faulted_and_documented(server: LocalRuntimeServer,
                                                       api: Api) -> None:
    job_id = api.submit(sampler_body([BELL, None, 16]))
    server.inject_fault("GET", r"/results$", status=503, count=1, retry_after=1)
    faulted = api.get(f"/jobs/{job_id}/results")
    assert faulted.status_code == 503 and faulted.headers["Retry-After"] == "1"
    assert api.wait(job_id)["state"]["status"] == "Completed"
    assert api.get(f"/jobs/{job_id}/results").json()["__type__"] == "PrimitiveResult"
    logged = [(r.method, r.path, r.status) for r in server.requests]
    assert ("POST", "/api/v1/jobs", 200) in logged
    assert ("GET", f"/api/v1/jobs/{job_id}/results", 503) in logged
    paths = api.http.get(server.base_url + "/openapi.json", timeout=30).json()["paths"]
    assert {"/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/results"} <= set(paths)


def test_other_methods_and_shapes_go_on_to_fastapi(api: Api) -> None:
    for method in ("PUT", "HEAD"):  # FastAPI's own answers: no such endpoint
        assert api.request(method, "/jobs/nope").status_code == 405
    unknown = api.get("/jobs/nope/results/extra")
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["message"].startswith("No such endpoint")


def test_a_trailing_slash_is_no_endpoint_and_never_redirects(api: Api) -> None:
    job_id = api.submit(sampler_body([BELL, None, 16]))
    session_id = api.post("/sessions", json={"mode": "batch"}).json()["id"]
    for method, path in (("GET", f"/jobs/{job_id}/"), ("GET", f"/jobs/{job_id}/results/"),
                         ("POST", "/jobs/"), ("GET", "/jobs/"), ("GET", "/backends/"),
                         ("GET", f"/sessions/{session_id}/"), ("GET", "/versions/"),
                         ("POST", f"/jobs/{job_id}/cancel/")):
        response = api.request(method, path, allow_redirects=False,
                               json=sampler_body([BELL]) if method == "POST" else None)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "location" not in response.headers
        assert response.json()["errors"][0]["message"].startswith("No such endpoint"), path
    assert api.wait(job_id)["state"]["status"] == "Completed"  # the cancel never reached it
    assert api.get("/jobs").json()["count"] == 1  # nor did the POST


def test_a_crash_in_a_hot_route_answers_500_and_is_kept() -> None:
    with LocalRuntimeServer() as broken:
        api = Api(broken, broken.api_key, broken.instance)
        broken._st.store.close()  # the job routes now fail reading the store: a server bug
        response = api.get("/jobs/nope/results")
        assert response.status_code == 500, response.text
        assert response.json()["errors"][0]["message"].startswith("Internal server error")
        with pytest.raises(Exception, match="closed"):
            broken.check_errors()


def test_a_sync_endpoint_is_refused() -> None:
    def endpoint(request: Request) -> Response:
        return Response()

    def render(exc: ApiError) -> Response:
        return Response(status_code=exc.status)

    with pytest.raises(TypeError, match="must be async"):
        HotRoutes(None, [Route("/api/v1/jobs", endpoint, methods=["POST"])], render)
