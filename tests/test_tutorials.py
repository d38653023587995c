"""Every tutorial runs to completion, unchanged, against the embedded local server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qiskit_rest_primitives.local import LocalRuntimeServer

TUTORIALS = Path(__file__).resolve().parents[1] / "tutorials"
SCRIPTS = sorted(p for p in TUTORIALS.glob("*.py") if not p.name.startswith("_"))
#: A line each tutorial prints only when its last part ran (so no part is silently skipped).
LAST_PART = {
    "instances": "Deleted; instances left:",
    "local_testing": "on ibm_brisbane:",
    "options_and_noise": "resilience_level=3 refused:",
    "parameter_sweeps": "Sampler: BitArray shape (5,), 400 shots, 2 bits",
    "quickstart": "<ZZ + XX>(theta=3.142)",
    "rest_api": "Session closed: HTTP 204",
    "sessions_and_batches": "Batch status:",
    "utility_scale": "Ising, rows only (1D chains)",
    "variational_algorithm": "qiskit_algorithms.VQE:",
}


def test_there_are_tutorials() -> None:
    assert len(SCRIPTS) >= 7, [p.name for p in SCRIPTS]


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_tutorial_runs(script: Path) -> None:
    # The autouse fixture has removed QISKIT_IBM_* from os.environ: the local server is used.
    done = subprocess.run([sys.executable, str(script)], cwd=TUTORIALS.parent, env=dict(os.environ),
                          capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Using the embedded local Qiskit Runtime server" in done.stdout
    assert LAST_PART[script.stem] in done.stdout, done.stdout[-3000:]
    assert done.stderr == "", done.stderr[-3000:]  # a tutorial prints no warning


def test_every_tutorial_is_in_the_docs() -> None:
    pages = TUTORIALS.parent / "docs" / "tutorials"
    for script in SCRIPTS:
        page = pages / f"{script.stem}.md"
        assert page.exists(), f"{script.name} has no page in docs/tutorials/"
        assert f"```{{literalinclude}} ../../tutorials/{script.name}\n" in page.read_text()
        assert f"({script.stem}.md)" in (pages / "index.md").read_text(), script.name


@pytest.mark.parametrize("name", ["quickstart", "rest_api", "instances"])
def test_tutorial_runs_with_credentials(name: str, server: LocalRuntimeServer) -> None:
    """With credentials in the environment a tutorial takes its IBM Quantum path; here the
    environment points that path at the local server, as QISKIT_IBM_URL and IAM_URL allow."""
    env = dict(os.environ, QISKIT_IBM_TOKEN=server.api_key, QISKIT_IBM_INSTANCE=server.instance,
               QISKIT_IBM_URL=server.base_url, IAM_URL=server.base_url)
    done = subprocess.run([sys.executable, str(TUTORIALS / f"{name}.py")], cwd=TUTORIALS.parent,
                          env=env, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Using IBM Quantum" in done.stdout and "embedded local" not in done.stdout
