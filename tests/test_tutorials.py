"""Every tutorial runs to completion, unchanged, against the embedded local server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIALS = Path(__file__).resolve().parents[1] / "tutorials"
SCRIPTS = sorted(p for p in TUTORIALS.glob("*.py") if not p.name.startswith("_"))


def test_there_are_tutorials() -> None:
    assert len(SCRIPTS) >= 7, [p.name for p in SCRIPTS]


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_tutorial_runs(script: Path) -> None:
    # The autouse fixture has removed QISKIT_IBM_* from os.environ: the local server is used.
    done = subprocess.run([sys.executable, str(script)], cwd=TUTORIALS.parent, env=dict(os.environ),
                          capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Using the embedded local Qiskit Runtime server" in done.stdout
    assert done.stderr == "", done.stderr[-3000:]  # a tutorial prints no warning


def test_every_tutorial_is_in_the_docs() -> None:
    pages = TUTORIALS.parent / "docs" / "tutorials"
    for script in SCRIPTS:
        page = pages / f"{script.stem}.md"
        assert page.exists(), f"{script.name} has no page in docs/tutorials/"
        assert f"```{{literalinclude}} ../../tutorials/{script.name}\n" in page.read_text()
        assert f"({script.stem}.md)" in (pages / "index.md").read_text(), script.name
