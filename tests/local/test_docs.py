"""The curl walkthrough in docs/local-server.md runs against the server as written."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Api

DOC = Path(__file__).resolve().parents[2] / "docs" / "local-server.md"


def _script() -> str:
    text = DOC.read_text()
    section = text.split("<!-- curl-examples:start -->")[1].split("<!-- curl-examples:end -->")[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return "set -euo pipefail\n" + "\n".join(blocks)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="the documented curl walkthrough needs the curl and jq commands on PATH (the project image ships both)")
def test_curl_walkthrough(api: Api) -> None:
    server = api.server
    env = {"API": server.url, "IAM_URL": server.iam_url, "API_KEY": server.api_key,
           "CRN": server.instance, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["bash", "-c", _script()], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == ["ibm_brisbane", "ibm_torino", "ibmq_manila"]
    samples = lines[3]
    assert set(re.findall(r'"(0x\d)"', samples)) <= {"0x0", "0x3"}
    assert '"evs"' in lines[4]
    assert lines[-2:] == ["204", "closed"]
