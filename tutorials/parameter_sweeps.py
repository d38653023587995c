"""Parameter sweeps: one job, many parameter values, and how the results are shaped.

An Estimator pub is ``(circuit, observables, parameter_values, precision)``. The observables
array and the parameter values (all but their last axis, which lists one value per circuit
parameter) are *broadcast* against each other with numpy's rules, and ``evs``/``stds`` come back
with the broadcast shape. A Sampler pub is ``(circuit, parameter_values, shots)``: its
``BitArray`` has the shape of the parameter values (without the last axis).

Run: ``python tutorials/parameter_sweeps.py`` (local server unless IBM credentials are set).
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp

from _runtime import backend_name, runtime_service


def main() -> None:
    theta, phi = Parameter("theta"), Parameter("phi")
    circuit = QuantumCircuit(2)
    circuit.ry(theta, 0)
    circuit.cx(0, 1)
    circuit.rz(phi, 1)
    circuit.ry(theta, 1)
    print(f"Circuit parameters, in the order the values' last axis follows: {circuit.parameters}")

    with runtime_service() as service:
        backend = service.backend(backend_name())
        pm = generate_preset_pass_manager(optimization_level=1, backend=backend)
        isa = pm.run(circuit)
        # Transpiling keeps the parameters (sorted by name: phi, theta) and maps the logical
        # qubits to physical ones; observables follow with apply_layout.
        zz, xx, zi = (SparsePauliOp(label).apply_layout(isa.layout) for label in ("ZZ", "XX", "IZ"))
        estimator = qrp.EstimatorV2(mode=backend)

        sweep = np.linspace(0, np.pi, 7)
        pubs = [
            # (a) one observable, 7 points of (phi, theta): values (7, 2) -> evs (7,)
            (isa, zz, np.column_stack([np.zeros(7), sweep])),
            # (b) three observables in a column (3, 1) against 7 points (7,) -> evs (3, 7)
            (isa, [[zz], [xx], [zi]], np.column_stack([np.zeros(7), sweep])),
            # (c) a 4 x 5 grid of (phi, theta): values (4, 5, 2), one observable -> evs (4, 5)
            (isa, zz, np.stack(np.meshgrid(np.linspace(0, np.pi, 4), np.linspace(0, np.pi, 5),
                                           indexing="ij"), axis=-1)),
            # (d) values by name instead of by position: a dict of arrays of shape (3,);
            #     two observables in a column (2, 1) against them -> evs (2, 3)
            (isa, [[zz], [xx]], {"theta": [0.0, np.pi / 2, np.pi], "phi": [0.0, 0.0, 0.0]}),
        ]
        result = estimator.run(pubs, precision=0.02).result()
        for name, pub_result in zip("abcd", result, strict=True):
            evs, stds = pub_result.data.evs, pub_result.data.stds
            print(f"({name}) evs.shape={evs.shape}  stds.shape={stds.shape}")
        print("(a) <ZZ>(theta):", np.round(result[0].data.evs, 2))
        print("(b) rows <ZZ>, <XX>, <ZI>:\n", np.round(result[1].data.evs, 2))
        print("(d) rows <ZZ>, <XX> at theta = 0, pi/2, pi:\n", np.round(result[3].data.evs, 2))

        # Shapes that do not broadcast are refused before anything is sent.
        try:
            estimator.run([(isa, [zz, xx, zi], np.zeros((7, 2)))])
        except ValueError as error:
            print(f"(3,) observables against (7,) values: {type(error).__name__}: {error}")

        # The Sampler: the BitArray takes the shape of the values; index it to get one point.
        measured = circuit.copy()
        measured.measure_all()
        values = np.column_stack([np.zeros(5), np.linspace(0, np.pi, 5)])
        job = qrp.SamplerV2(mode=backend).run([(pm.run(measured), values)], shots=400)
        bits = job.result()[0].data.meas      # one BitArray per classical register
        print(f"Sampler: BitArray shape {bits.shape}, {bits.num_shots} shots, {bits.num_bits} bits")
        for index, value in enumerate(values[:, 1]):
            counts = bits.get_counts(loc=index)
            print(f"  theta={value:.2f}: {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main()
