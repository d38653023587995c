"""The house rules as tests: ruff, mypy --strict and the import-layer contracts stay clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff() -> None:
    _run(sys.executable, "-m", "ruff", "check", "src", "tests", "bench", "tutorials")


def test_mypy_strict() -> None:
    _run(sys.executable, "-m", "mypy")


def test_import_layers() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint_imports is None:
        pytest.fail("import-linter is not installed (it is in the [test] extra)")
    _run(lint_imports)
