"""Operating the server: request log, fixed credentials, persistence of the signing secret,
OpenAPI document, IAM rate limit, the [server] extra; private results and session usage."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import requests

from qiskit_rest_primitives.local import LocalRuntimeServer
from qiskit_rest_primitives.local.state._state import fixed_crn

from ._serve import SRC, Served
from .conftest import BELL_MANILA, Api, get_token, sampler_body

BELL = sampler_body([BELL_MANILA, None, 32])
KEY = "fixed-key-0123456789abcdef"


def _token_request(url: str, key: str) -> requests.Response:
    return requests.post(url, timeout=10, data={
        "grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": key})


def test_request_log_fixed_credentials_and_tokens_that_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "runtime.sqlite")
    with Served("--db", db, "--api-key", KEY, "--instance", "team-a") as first:
        assert first.banner["api_key"] == KEY and first.banner["instance_name"] == "team-a"
        assert first.instance == fixed_crn("team-a")[1] and first.banner["workers"] == 1
        api = Api(first, KEY, first.instance)  # type: ignore[arg-type]
        job_id = api.submit(BELL)
        api.wait(job_id)
        first.wait_for_line(rf"GET /api/v1/jobs/{job_id} 200 [\d.]+ ms job={job_id}")
        first.wait_for_line(rf"POST /api/v1/jobs 200 [\d.]+ ms job={job_id}$")
        first.wait_for_line(r"POST /identity/token 200 [\d.]+ ms$")
        log = first.log_text()
        assert KEY not in log and api.token not in log and "Bearer" not in log
        token = api.token
    # Again from the environment, on the same file: same credentials, and the old token works.
    with Served("--db", db, env={"QRP_API_KEY": KEY, "QRP_INSTANCE": "team-a",
                                 "QRP_LOG_LEVEL": "warning"}) as second:
        assert (second.api_key, second.instance) == (KEY, first.instance)
        response = requests.get(f"{second.url}/jobs/{job_id}", timeout=10, headers={
            "Authorization": f"Bearer {token}", "Service-CRN": second.instance,
            "IBM-API-Version": "2026-04-15"})
        assert response.status_code == 200 and response.json()["status"] == "Completed"
        assert second.log_text().count("/api/v1/jobs") == 0  # warning level: no request lines


def test_fixed_crn_is_stable_and_a_crn_is_kept() -> None:
    name, crn = fixed_crn("team-a")
    assert (name, crn) == fixed_crn("team-a") and crn != fixed_crn("team-b")[1]
    assert crn.startswith("crn:v1:bluemix:public:quantum-computing:us-east:a/")
    assert fixed_crn(crn)[1] == crn


def test_bad_fixed_api_key_is_refused_without_echoing_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "qiskit_rest_primitives.local._cli", "serve", "--port", "0",
         "--api-key", "short key!"], capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2 and "API key must be" in done.stderr
    assert "short key!" not in done.stderr


def test_openapi_document_and_docs_page(api: Api) -> None:
    base = api.server.base_url
    document = requests.get(base + "/openapi.json", timeout=10).json()
    schemas = document["components"]["schemas"]
    assert {"JobCreate", "SessionCreate", "SessionUpdate", "ResourceInstanceCreate"} <= set(schemas)
    create = document["paths"]["/api/v1/jobs"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/JobCreate")
    assert "422" not in json.dumps(document["paths"])
    assert '"maximum": 10800' in json.dumps(schemas["JobCreate"]["properties"]["cost"])
    assert requests.get(base + "/docs", timeout=10).status_code == 200
    # The models document the bodies; bad input still answers 400 in the errors shape.
    response = api.post("/jobs", json={**BELL, "cost": "10"})
    assert response.status_code == 400 and "cost" in response.json()["errors"][0]["message"]


def test_failed_iam_attempts_are_rate_limited_per_client(server: LocalRuntimeServer) -> None:
    for _ in range(10):
        assert _token_request(server.iam_url, "not-a-key").status_code == 400
    refused = _token_request(server.iam_url, "not-a-key")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "errorMessage" in refused.json()
    assert _token_request(server.iam_url, server.api_key).status_code == 429  # locked out
    server.reset()
    assert get_token(server, server.api_key)


def test_private_job_results_are_served_once(api: Api) -> None:
    job_id = api.submit({**BELL, "private": True})
    assert api.wait(job_id)["state"]["status"] == "Completed"
    first = api.get(f"/jobs/{job_id}/results")
    assert first.status_code == 200 and "PrimitiveResult" in first.text
    again = api.get(f"/jobs/{job_id}/results")
    assert again.status_code == 204 and again.content == b""
    public = api.submit(BELL)
    api.wait(public)
    assert api.get(f"/jobs/{public}/results").text == api.get(f"/jobs/{public}/results").text


def test_session_usage_adds_up_its_jobs(api: Api) -> None:
    session = api.post("/sessions", json={"mode": "batch", "backend": "ibmq_manila"}).json()
    assert session["elapsed_time"] == 0.0
    for job_id in [api.submit({**BELL, "session_id": session["id"]}) for _ in range(2)]:
        api.wait(job_id)
    doc = api.get(f"/sessions/{session['id']}").json()
    assert doc["elapsed_time"] == 2.0  # each local job is charged at least one second


def test_missing_server_extra_names_the_install_command() -> None:
    for code in ("import qiskit_rest_primitives.local",
                 "from qiskit_rest_primitives.local._cli import main; main()"):
        done = subprocess.run(
            [sys.executable, "-c", f"import sys; sys.modules['uvicorn'] = None; {code}"],
            capture_output=True, text=True, timeout=60, env={"PYTHONPATH": SRC})
        assert done.returncode == 1
        assert 'pip install "qiskit-rest-primitives[server]"' in done.stderr
        assert "missing: uvicorn" in done.stderr


def _console_script() -> tuple[str, str]:
    """The module and function of the ``qiskit-rest-primitives`` script, as pyproject says."""
    pyproject = (Path(SRC).parent / "pyproject.toml").read_text()
    found = re.search(r'^qiskit-rest-primitives = "([\w.]+):(\w+)"$', pyproject, re.MULTILINE)
    assert found is not None
    return found[1], found[2]


def test_the_command_without_the_server_extra_prints_only_the_install_command() -> None:
    """The console script as pip writes it (import the function, exit with what it returns)."""
    module, function = _console_script()
    for blocked in ("uvicorn", "fastapi"):
        script = (f"import sys; sys.modules[{blocked!r}] = None; "
                  f"from {module} import {function}; sys.exit({function}())")
        done = subprocess.run([sys.executable, "-c", script, "serve"], capture_output=True,
                              text=True, timeout=60, env={"PYTHONPATH": SRC})
        assert done.returncode == 1 and done.stdout == ""
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert done.stderr.startswith("qiskit-rest-primitives: The local server needs the [server]")
        assert f"missing: {blocked}" in done.stderr
        assert 'pip install "qiskit-rest-primitives[server]"' in done.stderr
        assert 'from a clone of the repository: pip install -e ".[server]"' in done.stderr


def test_seeds_out_of_range_are_refused_at_submission(api: Api) -> None:
    """numpy and Aer would refuse them only in the middle of the simulation."""
    for options in ({"simulator": {"seed_simulator": -1}}, {"simulator": {"seed_simulator": 2**64}}):
        response = api.post("/jobs", json=sampler_body([BELL_MANILA, None, 8], options=options))
        assert response.status_code == 400 and "seed_simulator" in response.text
