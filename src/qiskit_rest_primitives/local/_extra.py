"""The ``[server]`` extra: check that it is installed, and say how to install it if not."""

from __future__ import annotations

import importlib.util
import sys

#: Import names of the packages the ``[server]`` extra installs.
SERVER_EXTRA = ("fastapi", "uvicorn", "qiskit_aer", "qiskit_qasm3_import")
#: Until the package is published it installs from a clone, where the first form fails; the
#: message gives both (as local testing mode's does).
INSTALL = ('pip install "qiskit-rest-primitives[server]"'
           ' (from a clone of the repository: pip install -e ".[server]")')


def missing() -> list[str]:
    """The extra's packages that cannot be imported (without importing any of them)."""
    gone = []
    for name in SERVER_EXTRA:
        try:
            found = sys.modules.get(name, True) is not None and (
                name in sys.modules or importlib.util.find_spec(name) is not None)
        except (ImportError, ValueError):
            found = False
        if not found:
            gone.append(name)
    return gone


def require_server_extra() -> None:
    """Raise ``ModuleNotFoundError`` naming the install command when the extra is missing."""
    gone = missing()
    if gone:
        raise ModuleNotFoundError(
            "The local server needs the [server] extra, which is not installed (missing: "
            f"{', '.join(gone)}). Install it with: {INSTALL}", name=gone[0])
