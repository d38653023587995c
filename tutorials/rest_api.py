"""The REST API with nothing but HTTP: ``curl`` and ``requests``, no Qiskit client at all.

The same calls IBM's REST API guide shows (token, backends, an estimator job with dynamical
decoupling and ``resilience_level``, a session and a job in it), then fetching results and
decoding them both ways:

- ``"support_qiskit": false``: plain JSON (``samples`` as hex strings per shot, ``evs`` as lists);
- ``"support_qiskit": true`` (the default): Qiskit's ``RuntimeEncoder`` JSON, where every array
  is ``{"__type__": "ndarray", "__value__": base64(zlib(.npy bytes))}``, decoded here with the
  standard library and numpy (``qiskit_ibm_runtime.RuntimeDecoder`` reads it too).

Without credentials it starts the local server and talks to it over HTTP; with
``QISKIT_IBM_TOKEN`` (an IBM Cloud API key) and ``QISKIT_IBM_INSTANCE`` (the instance CRN) it
calls IBM Cloud IAM and IBM Quantum (``QISKIT_IBM_BACKEND`` names a Heron backend there: the
sampler circuit below is written in CZ).

Run: ``python tutorials/rest_api.py`` (uses ``curl`` when it is installed).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import shutil
import subprocess
import time
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import requests

from _runtime import backend_name, on_ibm_quantum

API_VERSION = "2026-03-15"
# A Bell state in OpenQASM 3 on physical qubits ($n), written in a Heron backend's ISA
# (CZ, RZ, SX, X): H = RZ(pi/2) SX RZ(pi/2), and CNOT = H . CZ . H on the target.
H = "rz(pi/2) {q}; sx {q}; rz(pi/2) {q};"
BELL = ('OPENQASM 3.0; include "stdgates.inc"; bit[2] meas; '
        + H.format(q="$0") + H.format(q="$1") + " cz $0, $1; " + H.format(q="$1")
        + " meas[0] = measure $0; meas[1] = measure $1;")


@contextlib.contextmanager
def endpoints() -> Iterator[tuple[str, str, str, str]]:
    """(API URL, IAM URL, API key, instance CRN): IBM Quantum, or a local server."""
    if on_ibm_quantum():
        crn = os.environ["QISKIT_IBM_INSTANCE"]
        host = "eu-de.quantum.cloud.ibm.com" if ":eu-de:" in crn else "quantum.cloud.ibm.com"
        # QISKIT_IBM_URL and IAM_URL override the hosts, as they do for the Qiskit clients.
        base = os.environ.get("QISKIT_IBM_URL", f"https://{host}").rstrip("/")
        iam = os.environ.get("IAM_URL", "https://iam.cloud.ibm.com").rstrip("/")
        print(f"Using IBM Quantum at {base}")
        yield f"{base}/api/v1", f"{iam}/identity/token", os.environ["QISKIT_IBM_TOKEN"], crn
        return
    from qiskit_rest_primitives.local import LocalRuntimeServer

    with LocalRuntimeServer() as server:
        print(f"Using the embedded local Qiskit Runtime server at {server.url}")
        yield server.url, server.iam_url, server.api_key, server.instance


def iam_token(iam_url: str, api_key: str) -> str:
    """Exchange the API key for a bearer token (valid for an hour): curl if present."""
    form = f"grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey={api_key}"
    if shutil.which("curl"):
        # The key goes through stdin (-d @-), so it never shows in the process list.
        done = subprocess.run(
            ["curl", "-s", "-X", "POST", iam_url,
             "-H", "Content-Type: application/x-www-form-urlencoded", "-d", "@-"],
            input=form, capture_output=True, text=True, check=True, timeout=60)
        body = json.loads(done.stdout)
    else:
        body = requests.post(iam_url, data=form, timeout=60, headers={
            "Content-Type": "application/x-www-form-urlencoded"}).json()
    print(f"IAM: {body['token_type']} token, expires in {body['expires_in']} s")
    return str(body["access_token"])


def call(method: str, url: str, headers: dict[str, str], **kwargs: Any) -> requests.Response:
    """One HTTP call; an error answer raises with the service's ``errors`` body."""
    response = requests.request(method, url, headers=headers, timeout=300, **kwargs)
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {url}: HTTP {response.status_code}: {response.text}")
    return response


def wait(api: str, headers: dict[str, str], job_id: str) -> str:
    """Poll the job until it is final; return its status."""
    for _ in range(3000):
        state = call("GET", f"{api}/jobs/{job_id}", headers,
                     params={"exclude_params": "true"}).json()["state"]
        if state["status"] in ("Completed", "Failed", "Cancelled"):
            return str(state["status"])
        time.sleep(0.2)
    raise TimeoutError(job_id)


def decode(value: Any) -> Any:
    """RuntimeEncoder JSON → numpy arrays and dicts (just the types these results use)."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get("__type__") == "ndarray" and isinstance(value["__value__"], str):
        raw = zlib.decompress(base64.standard_b64decode(value["__value__"]))
        return np.load(io.BytesIO(raw), allow_pickle=False)
    if "__type__" in value:   # PrimitiveResult, PubResult, DataBin, BitArray...: keep the content
        return {"type": value["__type__"], **decode(value["__value__"])}
    return {key: decode(item) for key, item in value.items()}


def main() -> None:
    with endpoints() as (api, iam_url, api_key, crn):
        token = iam_token(iam_url, api_key)
        headers = {"Accept": "application/json", "Authorization": f"Bearer {token}",
                   "Service-CRN": crn, "IBM-API-Version": API_VERSION}
        backend = backend_name("ibm_torino")

        if shutil.which("curl"):
            # Headers through stdin (-H @-): the token stays out of the process list.
            done = subprocess.run(["curl", "-s", f"{api}/backends", "-H", "@-"],
                                  input="\n".join(f"{k}: {v}" for k, v in headers.items()),
                                  capture_output=True, text=True, check=True, timeout=60)
            print("Backends (curl):", sorted(d["name"] for d in json.loads(done.stdout)["devices"]))
        devices = call("GET", f"{api}/backends", headers).json()["devices"]
        print("Backends (requests):", sorted(device["name"] for device in devices))

        # The guide's estimator job: <Z> after an X gate, with DD and resilience_level 1.
        estimator = {"program_id": "estimator", "backend": backend, "params": {
            "pubs": [['OPENQASM 3.0; include "stdgates.inc"; bit[1] c; x $0; c[0] = measure $0;',
                      "Z"]],
            "options": {"dynamical_decoupling": {"enable": True}},
            "version": 2, "resilience_level": 1}}
        job = call("POST", f"{api}/jobs", headers, json=estimator).json()
        print(f"Estimator job {job['id']}: {wait(api, headers, job['id'])}")
        encoded = call("GET", f"{api}/jobs/{job['id']}/results", headers).json()
        print("  support_qiskit true (the default), as sent:",
              json.dumps(encoded["__value__"]["pub_results"][0]["__value__"]["data"])[:110], "...")
        data = decode(encoded)["pub_results"][0]["data"]["fields"]
        print(f"  decoded with numpy: evs={data['evs']}, stds={data['stds']}")

        # A session, as in the guide (dedicated, 8 h max), and a sampler job in it, this time
        # asking for plain JSON results.
        session = call("POST", f"{api}/sessions", headers,
                       json={"mode": "dedicated", "max_ttl": 28800}).json()
        print(f"Session {session['id']}")
        sampler = {"program_id": "sampler", "backend": backend, "session_id": session["id"],
                   "params": {"pubs": [[BELL, None, 200]], "options": {}, "version": 2,
                              "support_qiskit": False}}
        job = call("POST", f"{api}/jobs", headers, json=sampler).json()
        print(f"Sampler job {job['id']}: {wait(api, headers, job['id'])}")
        plain = call("GET", f"{api}/jobs/{job['id']}/results", headers)
        meas = plain.json()["results"][0]["data"]["meas"]
        print(f"  support_qiskit false: {meas['num_bits']} bits, samples {meas['samples'][:6]}...")
        counts: dict[str, int] = {}
        for sample in meas["samples"]:
            key = format(int(sample, 16), f"0{meas['num_bits']}b")
            counts[key] = counts.get(key, 0) + 1
        print(f"  counts: {dict(sorted(counts.items()))}")

        closed = call("DELETE", f"{api}/sessions/{session['id']}/close", headers)
        print(f"Session closed: HTTP {closed.status_code}")


if __name__ == "__main__":
    main()
