"""EstimatorV2 over HTTP holds what qiskit's reference-estimator tests check.

Values are compared within a few standard errors, never exactly: the service estimates with
shots (precision > 0; the reference's exact ``precision=0`` is refused, see below) and its own
seed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import real_amplitudes
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives.exceptions import ValidationError

PRECISION = 0.02


def _job_posts(server) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for r in server.requests if r.method == "POST" and r.path.endswith("/jobs"))


def _on(isa: QuantumCircuit, label: str) -> SparsePauliOp:
    return SparsePauliOp(label).apply_layout(isa.layout)


def test_run_without_the_list_uses_qiskits_wording(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(QuantumCircuit(1))
    with pytest.raises(ValueError, match="An invalid Estimator pub-like was given"):
        qrp.Estimator(mode=manila).run((isa, _on(isa, "Z")))


def test_a_circuit_without_gates_is_estimated(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(QuantumCircuit(2))
    result = qrp.Estimator(mode=manila).run(
        [(isa, [_on(isa, "ZZ"), _on(isa, "XI"), _on(isa, "IZ")])], precision=PRECISION).result()
    assert result[0].data.evs.shape == (3,)
    assert np.allclose(result[0].data.evs, [1.0, 0.0, 1.0], atol=5 * PRECISION)


def test_reset_is_estimated(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(2)
    qc.x(0)
    qc.reset(0)
    isa = manila_pm.run(qc)
    evs = qrp.Estimator(mode=manila).run([(isa, _on(isa, "IZ"))], precision=PRECISION).result()
    assert evs[0].data.evs == pytest.approx(1.0, abs=5 * PRECISION)


@pytest.mark.parametrize("precision", [0, 0.0, -1, math.nan, math.inf])
def test_precision_inside_a_pub_is_checked_before_sending(precision, manila, manila_pm, server) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(QuantumCircuit(1))
    before = _job_posts(server)
    with pytest.raises(ValueError, match="pub 1: precision must be"):
        qrp.Estimator(mode=manila).run([(isa, _on(isa, "Z")), (isa, _on(isa, "Z"), None, precision)])
    assert _job_posts(server) == before


@pytest.mark.parametrize("precision", [0, -1, math.nan])
def test_precision_of_run_is_checked_before_sending(precision, manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(QuantumCircuit(1))
    with pytest.raises(ValueError, match="precision must be a positive finite number"):
        qrp.Estimator(mode=manila).run([(isa, _on(isa, "Z"))], precision=precision)


@pytest.mark.parametrize(("coefficient", "as_dict"), [(math.nan, False), (math.nan, True),
                                                      (math.inf, True)])
def test_non_finite_coefficients_are_refused_naming_the_pub(coefficient, as_dict, manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(QuantumCircuit(1))
    width = isa.num_qubits
    bad: object = {"I" * (width - 1) + "Z": 1.0, "I" * (width - 1) + "X": coefficient}
    if not as_dict:
        bad = SparsePauliOp.from_list(list(bad.items()))
    with pytest.raises(ValidationError, match=r"pub 0: observable .*finite"):
        qrp.Estimator(mode=manila).run([(isa, bad)])


def test_errors_the_reference_raises_are_value_errors(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    one = manila_pm.run(QuantumCircuit(1))
    estimator = qrp.Estimator(mode=manila)
    z = _on(one, "Z")
    with pytest.raises(ValueError):  # observable wider than the circuit
        estimator.run([(one, SparsePauliOp("II" + "I" * (one.num_qubits - 1)))])
    with pytest.raises(ValueError):  # values for a parameter-free circuit
        estimator.run([(one, z, [[1e4]])])
    with pytest.raises(ValueError):  # complex coefficients
        estimator.run([(one, 1j * z)], precision=0.1)


@pytest.mark.parametrize("bad", [math.nan, -math.inf])
def test_non_finite_parameter_values_are_refused(bad, manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(1)
    qc.ry(Parameter("θ"), 0)
    isa = manila_pm.run(qc)
    with pytest.raises(ValidationError, match="pub 0: parameter 'θ' has the non-finite value"):
        qrp.Estimator(mode=manila).run([(isa, _on(isa, "Z"), [bad])])


@pytest.mark.parametrize(("values", "shape"), [([[]], (1,)), (np.zeros((3, 0)), (3,)), ([], ())])
def test_parameter_free_circuit_keeps_the_pub_shape(values, shape, manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    isa = manila_pm.run(qc)
    ours = qrp.Estimator(mode=manila).run([(isa, _on(isa, "ZZ"), values)], precision=0.05)
    ref = StatevectorEstimator().run([(qc, "ZZ", values)]).result()[0]
    result = ours.result()[0]
    assert result.data.evs.shape == result.data.stds.shape == ref.data.evs.shape == shape
    assert np.allclose(result.data.evs, 1.0, atol=0.25)


def test_numpy_and_list_parameters_agree_with_the_reference(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(2)
    qc.append(real_amplitudes(num_qubits=2, reps=2), [0, 1])
    op = SparsePauliOp.from_list([("IZ", 1), ("XI", 2), ("ZY", -1)])
    values = np.random.default_rng(12).random((5, qc.num_parameters))
    isa = manila_pm.run(qc)
    ref = StatevectorEstimator().run([(qc, op, values)]).result()[0].data.evs
    estimator = qrp.Estimator(mode=manila)
    for given in (values, values.tolist(), list(values)):
        evs = estimator.run([(isa, op.apply_layout(isa.layout), given)],
                            precision=PRECISION).result()[0].data.evs
        assert evs.shape == (5,)
        assert np.all(np.abs(evs - ref) < 6 * PRECISION * 4)  # |coefficients| sum to 4


def test_iterator_of_pubs_and_metadata(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(2)
    qc2 = QuantumCircuit(2)
    qc2.metadata = {"a": 1}
    isa, isa2 = manila_pm.run([qc, qc2])
    result = qrp.Estimator(mode=manila).run(
        iter([(isa, _on(isa, "ZZ")), (isa2, _on(isa2, "ZZ"))]), precision=0.1).result()
    assert len(result) == 2
    for pub_result, metadata in zip(result, ({}, {"a": 1}), strict=True):
        assert pub_result.metadata["target_precision"] == 0.1
        assert pub_result.metadata["circuit_metadata"] == metadata
        assert pub_result.metadata["shots"] == 100  # ceil(1 / 0.1²)
    assert result.metadata["version"] == 2


def test_default_precision_attribute_reads_and_writes_the_option(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    estimator = qrp.Estimator(mode=manila)
    assert estimator.default_precision == 0.015625
    estimator.default_precision = 0.05
    assert estimator.options.default_precision == 0.05
    isa = manila_pm.run(QuantumCircuit(1))
    assert estimator.run([(isa, _on(isa, "Z"))]).result()[0].metadata["target_precision"] == 0.05


def test_different_precisions_in_one_job(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(QuantumCircuit(1))
    result = qrp.Estimator(mode=manila).run(
        [(isa, _on(isa, "Z")), (isa, _on(isa, "Z"), None, 0.04)], precision=0.1).result()
    assert [r.metadata["target_precision"] for r in result] == [0.1, 0.04]
    assert [r.metadata["shots"] for r in result] == [100, 625]


@pytest.mark.parametrize(("twirling", "shots", "randomizations"), [
    ({"enable_gates": True, "num_randomizations": 16, "shots_per_randomization": 100}, 1600, 16),
    ({"enable_measure": True, "num_randomizations": 16}, 112, 16),   # ceil(100 / 16) = 7 each
    ({"enable_gates": True, "shots_per_randomization": 30}, 120, 4),  # ceil(100 / 30) = 4
    ({"enable_gates": True}, 128, 2),   # auto: max(64, ceil(100 / 32)) = 64 each, 2 of them
    ({"num_randomizations": 16}, 100, 0),  # twirling off: the options have no effect
])
def test_twirled_shots_are_randomizations_times_shots_each(twirling, shots, randomizations, manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(QuantumCircuit(1))
    estimator = qrp.Estimator(mode=manila, options={"twirling": twirling})
    metadata = estimator.run([(isa, _on(isa, "Z"))], precision=0.1).result()[0].metadata
    assert (metadata["shots"], metadata["num_randomizations"]) == (shots, randomizations)


def test_expressions_beyond_sums_and_products_run_like_the_reference(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    # qiskit writes sin(θ) and θ**2 into OpenQASM 3 but cannot read them back, nor can the
    # server; such circuits travel as QPY and give the reference's values.
    theta, beta = Parameter("θ"), Parameter("b")
    circuit = QuantumCircuit(2)
    circuit.rx(theta.sin() * beta, 0)
    circuit.ry(theta**2 + (beta + 3).log(), 1)
    circuit.cx(0, 1)
    circuit.rz(2**theta, 1)
    circuit.ry(abs(beta).exp() / 3, 0)
    values = np.array([[0.3, 0.7], [-1.1, 0.2], [0.9, -0.4]])  # columns b, θ
    observables = [["ZI"], ["IZ"], ["XX"]]
    reference = StatevectorEstimator().run([(circuit, observables, values)]).result()[0]
    isa = manila_pm.run(circuit)
    on_isa = [[SparsePauliOp(label).apply_layout(isa.layout) for label in row]
              for row in observables]
    ours = qrp.Estimator(mode=manila).run([(isa, on_isa, values)], precision=PRECISION).result()
    assert ours[0].data.evs.shape == (3, 3)
    assert np.all(np.abs(ours[0].data.evs - reference.data.evs) < 5 * PRECISION)
