"""The seed's REST examples (token, backends, estimator, session, job in session), verbatim."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import Api, get_token

DOC = Path(__file__).resolve().parents[2] / "docs" / "local-server.md"
REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "qiskit-runtime-rest-api.txt"
DOC_HOST = "http://127.0.0.1:8000"
REAL_HOST = "https://quantum.cloud.ibm.com"


def _blocks(language: str) -> list[str]:
    text = DOC.read_text()
    section = text.split("<!-- seed-examples:start -->")[1].split("<!-- seed-examples:end -->")[0]
    blocks = re.findall(rf"```{language}\n(.*?)\n```", section, flags=re.S)
    return [b.split("\n", 1)[1] for b in blocks]  # drop the "# n. title" comment line


def _run(snippet: str, server: LocalRuntimeServer, **fill: str) -> dict[str, Any]:
    """Execute one snippet with the host and placeholders filled in; return its globals."""
    code = snippet.replace(DOC_HOST, server.base_url)
    for placeholder, value in fill.items():
        code = code.replace(placeholder, value)
    scope: dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<seed example>", "exec"), scope)  # runs the doc snippet as written
    return scope


def test_doc_blocks_are_the_reference_text() -> None:
    reference = REFERENCE.read_text()
    python = _blocks("python")
    assert len(python) == 4
    for block in python:
        assert block.replace(DOC_HOST, REAL_HOST) in reference
    curl = _blocks("bash")[0].replace(DOC_HOST + "/identity/token",
                                      "https://iam.cloud.ibm.com/identity/token")
    assert curl in reference


@pytest.mark.skipif(not shutil.which("curl"), reason="the seed's curl example needs the curl command on PATH (the project image ships it)")
def test_seed_token_curl(server: LocalRuntimeServer) -> None:
    script = _blocks("bash")[0].replace(DOC_HOST, server.base_url).replace(
        "MY_APIKEY", server.api_key)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30,
                          check=False)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["token_type"] == "Bearer" and body["refresh_token"] == "not_supported"
    # The seed shows "ibm_openid"; real IAM (and this server) answer "ibm openid".
    assert body["expires_in"] == 3600 and "openid" in body["scope"]
    assert isinstance(body["expiration"], int) and body["access_token"].count(".") == 2


def test_seed_requests_examples(api: Api) -> None:
    server = api.server
    fill = {"<crn:YOUR_INSTANCE_CRN>": server.instance, "<YOUR_INSTANCE_CRN>": server.instance,
            "<YOUR_BEARER_TOKEN>": get_token(server, server.api_key)}
    backends, estimator, session, in_session = _blocks("python")
    devices = _run(backends, server, **fill)["response"].json()["devices"]
    assert "ibm_brisbane" in {d["name"] for d in devices}

    est = _run(estimator, server, **fill)["response"]
    assert est.status_code == 200 and est.json()["backend"] == "ibm_brisbane"
    doc = api.wait(est.json()["id"])
    assert doc["state"]["status"] == "Completed", doc
    params = api.get(f"/jobs/{est.json()['id']}").json()["params"]
    assert params["resilience_level"] == 1
    assert params["options"] == {"dynamical_decoupling": {"enable": True}}
    result = api.get(f"/jobs/{est.json()['id']}/results").json()
    assert "evs" in json.dumps(result)

    scope = _run(session, server, **fill)
    session_id = scope["sessionId"]
    created = api.get(f"/sessions/{session_id}").json()
    assert created["mode"] == "dedicated" and created["max_ttl"] == 28800

    job = _run(in_session, server, **fill, session_id1=session_id)["response"].json()
    assert job["session_id"] == session_id and job["backend"] == "ibm_brisbane"
    done = api.wait(job["id"])
    assert done["state"]["status"] == "Completed" and done["session_id"] == session_id
    assert api.get(f"/sessions/{session_id}").json()["backend_name"] == "ibm_brisbane"
