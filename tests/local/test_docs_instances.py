"""docs/instances.md runs as written: its Python walkthrough and its curl walkthrough."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import requests

from qiskit_rest_primitives.local import LocalRuntimeServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "instances.md"


def _blocks(marker: str, language: str) -> list[str]:
    text = DOC.read_text()
    section = text.split(f"<!-- {marker}:start -->")[1].split(f"<!-- {marker}:end -->")[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def test_python_walkthrough() -> None:
    out = io.StringIO()
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(out):
        for block in _blocks("python-example", "python"):
            exec(compile(block, str(DOC), "exec"), namespace)
    lines = out.getvalue().splitlines()
    assert lines[0] == ("my-instance active InstanceExtensions(instance_limit_seconds=600, "
                        "usage_allocation_seconds=1200, backends=['ibm_torino'])")
    assert lines[1] == ("InstanceExtensions(instance_limit_seconds=600, "
                        "usage_allocation_seconds=3000, backends=['ibm_torino', 'ibmq_manila'])")
    assert lines[2] == "['local-default', 'my-instance']"
    assert lines[3:5] == ["True", "['local-default', 'my-instance']"]
    assert lines[5] == "['ibm_torino', 'ibmq_manila'] {'instance_limit': 600}"
    assert lines[6] == "['ibm_torino', 'ibmq_manila']"
    assert lines[7] == "True"  # plans_preference=["open"] chose it
    assert lines[8] == "refused: 409"
    assert lines[9] == "['local-default']"
    server = namespace["server"]
    assert isinstance(server, LocalRuntimeServer) and repr(server).endswith("(stopped)")


def _bash_script() -> str:
    return "set -euo pipefail\n" + "\n".join(_blocks("curl-instances", "bash"))


def _run_with_curl(server: LocalRuntimeServer) -> list[str]:
    env = {"IAM": server.base_url, "RC": server.resource_controller_url, "API": server.url,
           "API_KEY": server.api_key, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["bash", "-c", _bash_script()], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def _run_with_requests(server: LocalRuntimeServer) -> list[str]:
    """The same calls as the curl blocks, for machines without curl and jq."""
    import json
    from urllib.parse import quote

    token = requests.post(server.iam_url, timeout=10, data={
        "grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": server.api_key}
        ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    rc = server.resource_controller_url + "/v2/resource_instances"
    doc = requests.post(rc, headers=auth, timeout=10, json={
        "name": "my-instance", "target": "us-east", "resource_group": "default",
        "resource_plan_id": "open", "parameters": {
            "instance_limit_seconds": "600", "usage_allocation_seconds": "1200",
            "backends": ["ibm_torino"]}}).json()
    out = [json.dumps(doc["extensions"], separators=(",", ":"))]
    path = f"{rc}/{quote(doc['crn'], safe='')}"
    requests.patch(path, headers=auth, timeout=10, json={"parameters": {
        "usage_allocation_seconds": "3000", "backends": ["ANY"]}})
    out.append(json.dumps(requests.get(path, headers=auth, timeout=10).json()["extensions"],
                          separators=(",", ":")))
    listed = requests.get(rc, headers=auth, timeout=10,
                          params={"resource_id": "b6049020-80f4-11eb-a0f7-e35ec9b4054f"}).json()
    out += [r["name"] for r in listed["resources"]]
    runtime = {**auth, "Service-CRN": doc["crn"], "IBM-API-Version": "2026-04-15"}
    details = requests.get(server.url + "/instance", headers=runtime, timeout=10).json()
    keys = ("backends", "instance_limit_seconds", "usage_allocation_seconds")
    out.append(json.dumps({k: details[k] for k in keys}, separators=(",", ":")))
    out.append(str(requests.put(server.url + "/instances/configuration", headers=runtime,
                                timeout=10, json={"instance_limit": 300}).status_code))
    out.append(json.dumps(requests.get(server.url + "/instances/configuration", headers=runtime,
                                       timeout=10).json(), separators=(",", ":")))
    usage = requests.get(server.url + "/instances/usage", headers=runtime, timeout=10).json()
    out.append(json.dumps({k: usage[k] for k in ("usage_consumed_seconds", "usage_limit_seconds")},
                          separators=(",", ":")))
    out.append(str(requests.delete(path, headers=auth, timeout=10).status_code))
    return out


def test_curl_walkthrough(server: LocalRuntimeServer) -> None:
    have_tools = shutil.which("curl") and shutil.which("jq")
    lines = _run_with_curl(server) if have_tools else _run_with_requests(server)
    assert lines == [
        '{"instance_limit_seconds":600,"usage_allocation_seconds":1200,"backends":["ibm_torino"]}',
        '{"instance_limit_seconds":600,"usage_allocation_seconds":3000,"backends":["ANY"]}',
        "local-default",
        "my-instance",
        '{"backends":["ANY"],"instance_limit_seconds":"600","usage_allocation_seconds":"3000"}',
        "204",
        '{"instance_limit":300}',
        '{"usage_consumed_seconds":0,"usage_limit_seconds":300}',
        "204",
    ]


def test_requests_equivalent_matches_the_curl_blocks(server: LocalRuntimeServer) -> None:
    """The fallback says what the curl blocks say (checked where curl and jq exist)."""
    fallback = _run_with_requests(server)
    server.reset()
    if shutil.which("curl") and shutil.which("jq"):
        assert _run_with_curl(server) == fallback
    assert fallback[-1] == "204"
