"""The ``qiskit-rest-primitives`` command: the local server's CLI, or one line saying why not.

The command itself is :mod:`.local._cli`. Importing anything under ``local`` first runs
``local/__init__``, which refuses to load without the ``[server]`` extra and names the install
command. This door sits outside ``local`` so that the refusal reaches the user as that one
line and a non-zero exit status, not as a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

PROG = "qiskit-rest-primitives"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; without the server's dependencies, say what is missing (status 1)."""
    try:
        from .local._cli import main as run
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith(__package__ or __name__):
            raise  # a module of this package is missing: a broken install, keep the traceback
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    return run(argv)
