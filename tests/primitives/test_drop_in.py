"""Drop-in proof: qiskit-algorithms runs unchanged on our primitives against the local server,
including the algorithms that read `default_shots`, `default_precision` and `metadata["shots"]`."""

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


def test_iterative_amplitude_estimation_reads_shots_from_metadata(manila: qrp.RuntimeBackend, manila_pm) -> None:  # type: ignore[no-untyped-def]
    from qiskit_algorithms import EstimationProblem, IterativeAmplitudeEstimation

    probability = 0.2
    angle = 2 * np.arcsin(np.sqrt(probability))
    prepare = QuantumCircuit(1)
    prepare.ry(angle, 0)
    grover = QuantumCircuit(1)  # Q = rotation by twice the angle, for this one-qubit problem
    grover.ry(2 * angle, 0)
    problem = EstimationProblem(state_preparation=prepare, grover_operator=grover,
                                objective_qubits=[0])
    iae = IterativeAmplitudeEstimation(
        epsilon_target=0.02, alpha=0.05, transpiler=manila_pm,
        sampler=qrp.Sampler(mode=manila, options={"default_shots": 400}))
    result = iae.estimate(problem)
    assert result.estimation == pytest.approx(probability, abs=0.04)
    assert result.num_oracle_queries > 0  # counted from each pub's metadata["shots"]


def test_gradients_read_default_precision_and_shots(manila: qrp.RuntimeBackend, manila_pm) -> None:  # type: ignore[no-untyped-def]
    from qiskit.circuit import Parameter
    from qiskit_algorithms.gradients import LinCombEstimatorGradient, ParamShiftSamplerGradient

    theta = Parameter("θ")
    circuit = QuantumCircuit(1)
    circuit.ry(theta, 0)
    estimator_gradient = LinCombEstimatorGradient(qrp.Estimator(mode=manila), transpiler=manila_pm)
    gradient = estimator_gradient.run([circuit], [SparsePauliOp("Z")], [[0.7]]).result()
    assert gradient.gradients[0][0] == pytest.approx(-np.sin(0.7), abs=0.1)
    measured = circuit.copy()
    measured.measure_all()
    sampler_gradient = ParamShiftSamplerGradient(qrp.Sampler(mode=manila), transpiler=manila_pm)
    probabilities = sampler_gradient.run([measured], [[0.7]]).result().gradients[0][0]
    assert probabilities[1] == pytest.approx(np.sin(0.7) / 2, abs=0.05)
