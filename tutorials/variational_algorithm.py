"""A variational algorithm: VQE for the H2 molecule, one Estimator job per iteration.

The energy of a parametrized trial state is the *cost*; a classical optimizer (SciPy's COBYLA)
proposes new parameters from the energies it has seen. Each evaluation is one Estimator job, so
the loop runs inside a ``Session``: on IBM Quantum that keeps the backend for this program between
iterations instead of queueing each job again. The table shows the cost at each iteration, and
what each iteration costs: wall time and the usage (QPU seconds) the service charges.

Run: ``python tutorials/variational_algorithm.py`` (local server unless IBM credentials are set).
"""

from __future__ import annotations

import time

import numpy as np
from qiskit.circuit.library import real_amplitudes
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager
from scipy.optimize import minimize

import qiskit_rest_primitives as qrp

from _runtime import backend_name, runtime_service

#: H2 at 0.735 angstrom, two qubits (parity mapping with two-qubit reduction), in hartree.
HAMILTONIAN = SparsePauliOp.from_list([
    ("II", -1.052373245772859), ("IZ", 0.39793742484318045), ("ZI", -0.39793742484318045),
    ("ZZ", -0.01128010425623538), ("XX", 0.18093119978423156),
])


def main() -> None:
    exact = float(np.linalg.eigvalsh(HAMILTONIAN.to_matrix()).min())
    ansatz = real_amplitudes(2, reps=1)
    print(f"Ansatz: {ansatz.num_parameters} parameters; exact ground energy {exact:.5f} Ha")

    with runtime_service() as service:
        backend = service.backend(backend_name())
        isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(ansatz)
        observable = HAMILTONIAN.apply_layout(isa.layout)

        history: list[float] = []
        with qrp.Session(backend=backend) as session:
            estimator = qrp.EstimatorV2(mode=session)
            estimator.options.default_precision = 0.01   # stds of each energy estimate

            def cost(params: np.ndarray) -> float:
                start = time.perf_counter()
                job = estimator.run([(isa, observable, params)])
                energy = float(job.result()[0].data.evs)
                history.append(energy)
                print(f"{len(history):>5}  {energy:+.5f}  {time.perf_counter() - start:7.3f}"
                      f"  {job.usage():5.1f}")
                return energy

            print(" iter  energy     wall s  usage s")
            x0 = np.full(ansatz.num_parameters, 0.1)
            result = minimize(cost, x0, method="COBYLA", options={"maxiter": 40, "rhobeg": 0.5})

        best = min(history)
        print(f"VQE: {result.nfev} evaluations, final {result.fun:+.5f} Ha, lowest {best:+.5f} Ha;"
              f" exact {exact:+.5f} Ha (error {result.fun - exact:+.4f}, estimates have"
              " stds 0.01)")


if __name__ == "__main__":
    main()
