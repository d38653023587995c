"""Primitive options: shots, precision, dynamical decoupling, twirling, resilience, time limits.

Options are set on ``primitive.options`` (names as in qiskit-ibm-runtime), at construction, as
a dict, or one attribute at a time; typos raise ``ConfigurationError`` at once. What each does:

- ``SamplerV2``: ``default_shots`` (or ``run(shots=)``, or a pub's own shots).
- ``EstimatorV2``: ``default_precision`` (or ``run(precision=)``): the target standard error of
  each expectation value; the service picks the shots.
- ``dynamical_decoupling``: pulse sequences on idle qubits against decoherence.
- ``twirling``: random Pauli frames around gates/measurements, averaging errors into noise.
- ``resilience_level`` (Estimator): 0 none, 1 readout-error mitigation (TREX), 2 adds
  zero-noise extrapolation; finer control under ``resilience``.
- ``max_execution_time``: the job's time limit in seconds; past it the service stops the job
  and ``result()`` raises ``RuntimeJobMaxTimeoutError``.

The local server runs this tutorial with ``noise=True``: an Aer noise model built from the
backend's calibration data (depolarizing gate errors and readout errors), so results are not
exact. It honours shots, precision, seeds and ``max_execution_time``; it accepts and echoes
dynamical decoupling, twirling and resilience settings (see each result's metadata) but does not
apply them, so their numbers equal the unmitigated ones here. On IBM Quantum they take effect.

Run: ``python tutorials/options_and_noise.py`` (local server unless IBM credentials are set).
"""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp

from _runtime import backend_name, runtime_service


def ghz(n: int) -> QuantumCircuit:
    """An n-qubit GHZ state (no measurements)."""
    circuit = QuantumCircuit(n)
    circuit.h(0)
    for qubit in range(n - 1):
        circuit.cx(qubit, qubit + 1)
    return circuit


def main() -> None:
    circuit = ghz(5)
    observable = SparsePauliOp(["ZZIII", "XXXXX"], coeffs=[0.5, 0.5])
    exact = float(StatevectorEstimator().run([(circuit, observable)]).result()[0].data.evs)

    with runtime_service(noise=True) as service:
        backend = service.backend(backend_name())
        pm = generate_preset_pass_manager(optimization_level=1, backend=backend)
        isa = pm.run(circuit)
        isa_observable = observable.apply_layout(isa.layout)

        # Shots: the spread of counts shrinks as 1/sqrt(shots).
        measured = circuit.copy()
        measured.measure_all()
        sampler = qrp.SamplerV2(mode=backend, options={"default_shots": 100})
        sampler.options.simulator.seed_simulator = 7          # reproducible sampling (simulators)
        result = sampler.run([pm.run(measured), (pm.run(measured), None, 4000)]).result()
        for pub_result in result:
            counts = pub_result.data.meas.get_counts()
            total = pub_result.data.meas.num_shots
            ghz_fraction = (counts.get("00000", 0) + counts.get("11111", 0)) / total
            print(f"Sampler, {total:>4} shots: P(00000 or 11111) = {ghz_fraction:.3f},"
                  f" {len(counts)} distinct outcomes")

        # Precision: the Estimator's stds follow the requested precision.
        estimator = qrp.EstimatorV2(mode=backend)
        for precision in (0.05, 0.01):
            data = estimator.run([(isa, isa_observable)], precision=precision).result()[0].data
            print(f"Estimator, precision {precision}: <H> = {data.evs:+.4f} +- {data.stds:.4f}"
                  f" (exact {exact:+.4f})")

        # Error suppression and mitigation: one job per setting, same circuit and seed. The
        # result metadata says what the service made of the setting.
        settings: list[tuple[dict[str, object], str]] = [
            ({"resilience_level": 0}, "resilience"),
            ({"resilience_level": 1}, "resilience"),
            ({"resilience_level": 2}, "resilience"),
            ({"dynamical_decoupling": {"enable": True, "sequence_type": "XY4"}},
             "dynamical_decoupling"),
            ({"twirling": {"enable_gates": True, "enable_measure": True,
                           "num_randomizations": 16}}, "twirling"),
        ]
        print(f"Mitigation and suppression (exact {exact:+.4f}):")
        for options, group in settings:
            estimator = qrp.EstimatorV2(mode=backend, options={**options, "seed_estimator": 1})
            result = estimator.run([(isa, isa_observable)], precision=0.01).result()
            print(f"  {options}\n    <H> = {result[0].data.evs:+.4f};"
                  f" metadata[{group!r}] = {result.metadata.get(group)}")

        # A time limit: generous here; a job that overruns it ends "Cancelled - Ran too long".
        estimator = qrp.EstimatorV2(mode=backend)
        estimator.options.max_execution_time = 60
        job = estimator.run([(isa, isa_observable)])
        job.result()
        print(f"max_execution_time=60: job {job.status()}, usage {job.usage()} s")

        # Options are checked before anything is sent.
        try:
            estimator.options.resilience_level = 3
        except ValueError as error:
            print(f"resilience_level=3 refused: {error}")


if __name__ == "__main__":
    main()
