"""The server's in-thread statevector path for small noiseless estimator pubs."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import real_amplitudes
from qiskit.primitives import StatevectorEstimator
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.quantum_info import SparsePauliOp

from qiskit_rest_primitives.local import _statevector as statevector


def _pub(values: object, observables: object, precision: float = 0.0) -> EstimatorPub:
    circuit = real_amplitudes(3, reps=1)
    return EstimatorPub.coerce((circuit, observables, values), precision)


@pytest.mark.parametrize(("values_shape", "observables"), [
    ((), SparsePauliOp(["ZZI", "XIX"], [0.5, -1.0])),
    ((4,), "IZZ"),
    ((3,), [["ZII"], ["IXI"]]),          # broadcast to (2, 3)
    ((2, 1), ["ZZZ", "YYI", "IIX"]),     # broadcast to (2, 3)
])
def test_exact_values_match_the_reference(values_shape, observables) -> None:  # type: ignore[no-untyped-def]
    values = np.random.default_rng(2).uniform(0, np.pi, (*values_shape, 6))
    pub = _pub(values, observables)
    assert statevector.covers(pub)
    ours = statevector.estimate(pub, np.random.default_rng(0))
    ref = StatevectorEstimator().run([(pub.circuit, observables, values)]).result()[0].data
    assert ours.evs.shape == ours.stds.shape == ref.evs.shape
    np.testing.assert_allclose(ours.evs, ref.evs, atol=1e-12)
    assert np.all(ours.stds == 0)


def test_noise_has_the_pubs_precision_and_follows_the_seed() -> None:
    values, observables = np.zeros(6), ["ZZZ"] * 4000  # one state, many estimates
    pub = _pub(values, observables, precision=0.05)
    first = statevector.estimate(pub, np.random.default_rng(7)).evs
    exact = statevector.estimate(_pub(values, observables), np.random.default_rng(7)).evs
    assert np.std(first - exact) == pytest.approx(0.05, rel=0.1)
    np.testing.assert_array_equal(first, statevector.estimate(pub, np.random.default_rng(7)).evs)
    assert np.all(statevector.estimate(pub, np.random.default_rng(7)).stds == 0.05)


def test_measurements_resets_and_wide_circuits_go_to_aer() -> None:
    measured = QuantumCircuit(1, 1)
    measured.measure(0, 0)
    reset = QuantumCircuit(1)
    reset.reset(0)
    wide = QuantumCircuit(statevector.MAX_QUBITS + 1)
    for circuit in (measured, reset, wide):
        pub = EstimatorPub.coerce((circuit, "Z" * circuit.num_qubits), 0.1)
        assert not statevector.covers(pub)
    big_sweep = _pub(np.zeros((statevector.MAX_PARAMETER_SETS + 1, 6)), "ZZZ")
    assert not statevector.covers(big_sweep)
