"""Local testing mode: develop against a fake backend, then run the same code for real.

Give a primitive (or a ``Session``/``Batch``) any Qiskit backend that is not an IBM Quantum
one, such as ``GenericBackendV2`` or ``AerSimulator``, and it runs on an embedded local Qiskit
Runtime server, started on first use and stopped at exit. The server describes that backend
(its ``Target`` becomes the device's configuration, its gate and readout errors the
simulation's noise), and the job goes the whole production path over real HTTP: encode,
validate, submit, poll, decode. Switching to hardware changes one line: the ``mode``.

Run: ``python tutorials/local_testing.py`` (the second part uses IBM Quantum when
``QISKIT_IBM_TOKEN`` and ``QISKIT_IBM_INSTANCE`` are set, else the local server's
``ibm_brisbane``).
"""

from __future__ import annotations

from typing import Any

from qiskit import QuantumCircuit
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer import AerSimulator

import qiskit_rest_primitives as qrp

from _runtime import backend_name, runtime_service


def experiment(backend: Any, mode: Any = None) -> None:
    """The code under development: a GHZ-3 state, sampled and estimated, on ``backend``
    (through ``mode`` when given: a session or batch on that backend)."""
    mode = backend if mode is None else mode
    pm = generate_preset_pass_manager(optimization_level=1, backend=backend, seed_transpiler=1)
    ghz = QuantumCircuit(3)
    ghz.h(0)
    ghz.cx(0, 1)
    ghz.cx(1, 2)
    measured = ghz.copy()
    measured.measure_all()

    sampler = qrp.SamplerV2(mode=mode)
    counts = sampler.run([pm.run(measured)], shots=1000).result()[0].data.meas.get_counts()
    good = counts.get("000", 0) + counts.get("111", 0)
    print(f"  on {sampler.backend().name}: P(000 or 111) = {good / 1000:.3f},"
          f" {len(counts)} distinct outcomes")

    isa = pm.run(ghz)
    observable = SparsePauliOp(["ZZI", "IZZ", "XXX"]).apply_layout(isa.layout)
    evs = qrp.EstimatorV2(mode=mode).run([(isa, observable)]).result()[0].data.evs
    print(f"  <ZZI + IZZ + XXX> = {evs:+.3f} (ideal 3)")


def main() -> None:
    print("Using the embedded local Qiskit Runtime server (local testing mode)")
    print("A 5-qubit GenericBackendV2: its gate and readout errors become the noise")
    experiment(GenericBackendV2(5, seed=42))

    print("AerSimulator: noiseless, all-to-all")
    experiment(AerSimulator())

    print("A Session works the same way on a fake backend")
    fake = GenericBackendV2(5, seed=42)
    with qrp.Session(backend=fake) as session:
        experiment(fake, session)

    print("The same code on a Runtime backend: only the mode changes")
    with runtime_service() as service:
        experiment(service.backend(backend_name()))


if __name__ == "__main__":
    main()
