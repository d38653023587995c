"""What every tutorial shares: where to run.

With ``QISKIT_IBM_TOKEN`` and ``QISKIT_IBM_INSTANCE`` set, the tutorials run on IBM Quantum
(``QISKIT_IBM_BACKEND`` picks the backend). Otherwise each one starts the embedded local
Qiskit Runtime server (the ``[server]`` extra) for as long as it runs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import qiskit_rest_primitives as qrp


def on_ibm_quantum() -> bool:
    """True when IBM Quantum credentials are in the environment."""
    return bool(os.environ.get("QISKIT_IBM_TOKEN") and os.environ.get("QISKIT_IBM_INSTANCE"))


def backend_name(default: str = "ibm_brisbane") -> str:
    """The backend to use: ``QISKIT_IBM_BACKEND`` when set, else ``default``."""
    return os.environ.get("QISKIT_IBM_BACKEND", default)


@contextlib.contextmanager
def runtime_service(*, noise: bool = False) -> Iterator[qrp.QiskitRuntimeService]:
    """IBM Quantum if credentials are set, otherwise the embedded local server.

    ``noise=True`` asks the local server to simulate with a noise model built from the
    backend's calibration data (gate and readout errors); IBM Quantum is noisy anyway.
    """
    if on_ibm_quantum():
        print("Using IBM Quantum (QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE are set)")
        with qrp.QiskitRuntimeService() as service:
            yield service
        return
    from qiskit_rest_primitives.local import LocalRuntimeServer

    with LocalRuntimeServer(noise=noise) as server:
        print(f"Using the embedded local Qiskit Runtime server at {server.url}"
              + (" (noisy simulation)" if noise else ""))
        with server.service() as service:
            yield service
