"""The documentation builds with warnings as errors, offline, and links into Qiskit's API docs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QISKIT_DOCS = "https://quantum.cloud.ibm.com/docs/api/qiskit/"


def test_sphinx_build_warnings_as_errors(tmp_path: Path) -> None:
    # -W: any warning (broken include, unknown reference, bad directive) fails the build.
    # intersphinx reads the committed Qiskit inventory, so no network is needed.
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(ROOT / "docs"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    api = (tmp_path / "api.html").read_text()
    assert f'href="{QISKIT_DOCS}qiskit.primitives.PrimitiveResult"' in api
    assert f'href="{QISKIT_DOCS}qiskit.transpiler.Target"' in api
    for page in ("index", "quickstart", "shot-noise", "tutorials/index",
                 "tutorials/utility_scale"):
        assert (tmp_path / f"{page}.html").exists(), page


def test_changelog_names_this_version() -> None:
    from qiskit_rest_primitives import __version__

    releases = [line for line in (ROOT / "CHANGELOG.md").read_text().splitlines()
                if line.startswith("## ")]
    assert releases and releases[0].startswith(f"## {__version__} "), releases[:1]


def test_ci_runs_the_readme_test_command() -> None:
    """README's first two commands stay first; .ci/run runs the second one verbatim."""
    commands = re.findall(r"```bash\n\s*(.*?)\n\s*```", (ROOT / "README.md").read_text())
    assert commands[0].endswith("python tutorials/quickstart.py"), commands[0]
    assert commands[1].endswith("&& pytest"), commands[1]
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == commands[1], (ci[-1], commands[1])
