"""Fixtures for the local server's own contract: raw HTTP with ``requests``, no client package."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from qiskit_rest_primitives.local import LocalRuntimeServer

API_VERSION = "2026-04-15"
# The repo's copy of the reference fixtures (tests/fixtures/reference).
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
QASM = json.loads((FIXTURES / "qasm3_circuits.json").read_text())
BELL_MANILA = QASM["bell_isa_fake_manila_defaults"]


class Api:
    """Tiny raw-HTTP helper: fetches a token for one instance and sends the standard headers."""

    def __init__(self, server: LocalRuntimeServer, api_key: str, crn: str) -> None:
        self.server = server
        self.crn = crn
        self.http = requests.Session()
        self.token = get_token(server, api_key)

    def headers(self, **extra: str) -> dict[str, str]:
        """Authorization, Service-CRN and IBM-API-Version (plus extras)."""
        return {"Authorization": f"Bearer {self.token}", "Service-CRN": self.crn,
                "IBM-API-Version": API_VERSION, **extra}

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send ``method`` to ``/api/v1{path}`` with the standard headers."""
        headers = {**self.headers(), **kwargs.pop("headers", {})}
        return self.http.request(method, self.server.url + path, headers=headers, timeout=30,
                                 **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def submit(self, body: dict[str, Any]) -> str:
        """POST /jobs and return the job id (asserting 200)."""
        response = self.post("/jobs", json=body)
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def wait(self, job_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """Poll until the job is final; return its document."""
        deadline = time.monotonic() + timeout
        while True:
            doc: dict[str, Any] = self.get(f"/jobs/{job_id}?exclude_params=true").json()
            if doc["state"]["status"] in ("Completed", "Failed", "Cancelled"):
                return doc
            assert time.monotonic() < deadline, f"job {job_id} still {doc['state']['status']}"
            time.sleep(0.02)

    def run(self, body: dict[str, Any]) -> Any:
        """Submit, wait for Completed, and decode the results with the official decoder."""
        from qiskit_ibm_runtime import RuntimeDecoder

        job_id = self.submit(body)
        doc = self.wait(job_id)
        assert doc["state"]["status"] == "Completed", doc
        response = self.get(f"/jobs/{job_id}/results")
        assert response.status_code == 200
        return json.loads(response.text, cls=RuntimeDecoder)


def get_token(server: LocalRuntimeServer, api_key: str) -> str:
    """Exchange an API key for a bearer token at the server's IAM endpoint."""
    response = requests.post(server.iam_url, timeout=10, data={
        "grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": api_key})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def sampler_body(*pubs: Any, backend: str = "ibmq_manila", **params: Any) -> dict[str, Any]:
    """A sampler job body."""
    return {"program_id": "sampler", "backend": backend,
            "params": {"pubs": list(pubs), "version": 2, "support_qiskit": True, **params}}


def estimator_body(*pubs: Any, backend: str = "ibmq_manila", **params: Any) -> dict[str, Any]:
    """An estimator job body."""
    return {"program_id": "estimator", "backend": backend,
            "params": {"pubs": list(pubs), "version": 2, "support_qiskit": True, **params}}


# `local_server` and `server` come from tests/conftest.py.


@pytest.fixture
def api(server: LocalRuntimeServer) -> Api:
    """Raw HTTP access as the default instance."""
    return Api(server, server.api_key, server.instance)
