"""A variational algorithm: VQE for the H2 molecule, one Estimator job per iteration.

The energy of a parametrized trial state is the *cost*; a classical optimizer (SciPy's COBYLA)
proposes new parameters from the energies it has seen. Each evaluation is one Estimator job, so
the loop runs inside a ``Session``: on IBM Quantum that keeps the backend for this program between
iterations instead of queueing each job again. The table shows the cost at each iteration, and
what each iteration costs: wall time and the usage (QPU seconds) the service charges.

The second part hands the same problem to ``qiskit_algorithms.VQE`` (``pip install
qiskit-algorithms``), which accepts any ``BaseEstimatorV2``, this package's ``EstimatorV2``
included, and applies the ansatz's layout to the Hamiltonian itself.

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

        print(f"Own loop: {result.nfev} evaluations, best {result.fun:+.5f} Ha; exact"
              f" {exact:+.5f} Ha (error {result.fun - exact:+.4f}; each estimate has std 0.01)")

        try:
            from qiskit_algorithms import VQE
            from qiskit_algorithms.optimizers import COBYLA
        except ImportError:
            print("qiskit_algorithms is not installed: skipping its VQE")
            return
        estimator = qrp.EstimatorV2(mode=backend, options={"default_precision": 0.01})
        vqe = VQE(estimator, isa, COBYLA(maxiter=40), initial_point=np.full(isa.num_parameters,
                                                                             0.1))
        found = vqe.compute_minimum_eigenvalue(HAMILTONIAN)   # the logical operator
        print(f"qiskit_algorithms.VQE: {found.cost_function_evals} evaluations,"
              f" {found.eigenvalue:+.5f} Ha (error {found.eigenvalue - exact:+.4f})")


if __name__ == "__main__":
    main()
