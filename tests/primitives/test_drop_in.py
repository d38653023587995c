"""Drop-in proof: qiskit-algorithms runs unchanged on our primitives against the local server."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import efficient_su2
from qiskit.quantum_info import SparsePauliOp
from qiskit_algorithms import VQE, AmplificationProblem, Grover
from qiskit_algorithms.optimizers import COBYLA

import qiskit_rest_primitives as qrp


def test_vqe_with_estimator_v2(manila: qrp.RuntimeBackend, manila_pm) -> None:  # type: ignore[no-untyped-def]
    hamiltonian = SparsePauliOp.from_list([("ZZ", 1.0), ("XI", 0.5), ("IX", 0.5)])
    exact = float(np.min(np.linalg.eigvalsh(hamiltonian.to_matrix())))
    ansatz = efficient_su2(2, reps=1)
    estimator = qrp.Estimator(mode=manila, options={"default_precision": 0.01})
    vqe = VQE(estimator, ansatz, COBYLA(maxiter=60), transpiler=manila_pm,
              initial_point=np.full(ansatz.num_parameters, 0.1))
    result = vqe.compute_minimum_eigenvalue(hamiltonian)
    assert result.eigenvalue == pytest.approx(exact, abs=0.15)


# qiskit-algorithms 0.4 still uses qiskit APIs deprecated in 2.1 (GroverOperator, MCXGate, mcx mode).
@pytest.mark.filterwarnings("ignore:.*deprecated as of Qiskit 2.1:DeprecationWarning")
def test_grover_with_sampler_v2(manila: qrp.RuntimeBackend, manila_pm) -> None:  # type: ignore[no-untyped-def]
    oracle = QuantumCircuit(2)
    oracle.cz(0, 1)  # marks |11>
    problem = AmplificationProblem(oracle, is_good_state=["11"])
    grover = Grover(sampler=qrp.Sampler(mode=manila, options={"default_shots": 500}),
                    transpiler=manila_pm, iterations=1)
    result = grover.amplify(problem)
    assert result.top_measurement == "11"
    assert result.oracle_evaluation
