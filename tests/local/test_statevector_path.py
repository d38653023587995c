"""The server's in-thread statevector path for small noiseless estimator pubs."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Gate, Parameter
from qiskit.circuit.library import real_amplitudes
from qiskit.primitives import StatevectorEstimator
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.quantum_info import SparsePauliOp, Statevector

from qiskit_rest_primitives.local.simulation import _statevector as statevector


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
    program = statevector.compile_circuit(pub.circuit)
    assert program is not None and statevector.covers(pub)
    ours = statevector.estimate(program, pub, np.random.default_rng(0))
    ref = StatevectorEstimator().run([(pub.circuit, observables, values)]).result()[0].data
    assert ours.evs.shape == ours.stds.shape == ref.evs.shape
    np.testing.assert_allclose(ours.evs, ref.evs, atol=1e-12)
    assert np.all(ours.stds == 0)


def _estimate(pub: EstimatorPub, seed: int) -> object:
    program = statevector.compile_circuit(pub.circuit)
    assert program is not None
    return statevector.estimate(program, pub, np.random.default_rng(seed))


def test_noise_has_the_pubs_precision_and_follows_the_seed() -> None:
    values, observables = np.zeros(6), ["ZZZ"] * 4000  # one state, many estimates
    pub = _pub(values, observables, precision=0.05)
    first = _estimate(pub, 7).evs  # type: ignore[attr-defined]
    exact = _estimate(_pub(values, observables), 7).evs  # type: ignore[attr-defined]
    assert np.std(first - exact) == pytest.approx(0.05, rel=0.1)
    np.testing.assert_array_equal(first, _estimate(pub, 7).evs)  # type: ignore[attr-defined]
    assert np.all(_estimate(pub, 7).stds == 0.05)  # type: ignore[attr-defined]


def test_transpiled_circuits_with_expressions_match_statevector() -> None:
    """ISA circuits (rz of parameter expressions, sx, ecr, a global phase) on 5 qubits."""
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    logical = real_amplitudes(4, reps=2)
    logical.cx(3, 1)
    isa = generate_preset_pass_manager(optimization_level=1, backend=FakeManilaV2(),
                                       seed_transpiler=3).run(logical)
    program = statevector.compile_circuit(isa)
    assert program is not None
    values = np.random.default_rng(5).uniform(-3, 3, isa.num_parameters)
    ours = program.state(np.array([dict(zip(isa.parameters, values, strict=True))[p]
                                   for p in program.parameters]))
    expected = Statevector(isa.assign_parameters(values))
    assert ours.equiv(expected)


def test_measurements_resets_wide_circuits_and_custom_gates_go_to_aer() -> None:
    measured = QuantumCircuit(1, 1)
    measured.measure(0, 0)
    reset = QuantumCircuit(1)
    reset.reset(0)
    wide = QuantumCircuit(statevector.MAX_QUBITS + 1)
    custom = QuantumCircuit(1)
    custom.append(Gate("mine", 1, [Parameter("x")]), [0])
    for circuit in (measured, reset, wide, custom):
        assert statevector.compile_circuit(circuit) is None
    big_sweep = _pub(np.zeros((statevector.MAX_PARAMETER_SETS + 1, 6)), "ZZZ")
    assert not statevector.covers(big_sweep)


def test_gates_defined_in_the_program_use_their_definition() -> None:
    """``gate ecr ...`` in OpenQASM 3 makes an opaque gate with only a definition."""
    from qiskit_rest_primitives.local.circuits._qasm3_parser import loads

    text = ('OPENQASM 3.0;\ninclude "stdgates.inc";\ngate ecr _gate_q_0, _gate_q_1 {\n'
            "  s _gate_q_0;\n  sx _gate_q_1;\n  cx _gate_q_0, _gate_q_1;\n  x _gate_q_0;\n}\n"
            "qubit[2] q;\nh q[0];\necr q[0], q[1];\n")
    circuit = loads(text)
    program = statevector.compile_circuit(circuit)
    assert program is not None
    assert program.state(None).equiv(Statevector(circuit))
    opaque = QuantumCircuit(1)
    opaque.append(Gate("nothing", 1, []), [0])
    assert statevector.compile_circuit(opaque) is None


def _random_parametric(num_qubits: int) -> QuantumCircuit:
    """Every gate form the compiler knows: phases (rz, p, rzz, cp, crz), matrices built per
    parameter set (rx, ry, u, rxx), fixed gates, affine and non-affine expressions."""
    a, b = Parameter("a"), Parameter("b")
    circuit = QuantumCircuit(num_qubits)
    for q in range(num_qubits):
        circuit.h(q)
        circuit.rz(2 * a - 0.3, q)
    for q in range(num_qubits - 1):
        circuit.cx(q, q + 1)
        circuit.rzz(a + b, q, q + 1)
        circuit.cp(b, q + 1, q)
        circuit.crz(a * b, q, q + 1)  # not affine
    circuit.p(b, 0)
    circuit.rx(a, num_qubits - 1)
    circuit.ry(b * b, 0)
    circuit.u(a, b, 0.4, 1)
    circuit.rxx(b - a, 0, num_qubits - 1)
    circuit.sx(0)
    return circuit


@pytest.mark.parametrize("num_qubits", [3, 9])  # fused fixed gates; one step per gate
def test_every_gate_form_matches_statevector_for_each_parameter_set(num_qubits: int) -> None:
    circuit = _random_parametric(num_qubits)
    program = statevector.compile_circuit(circuit)
    assert program is not None
    rows = np.random.default_rng(num_qubits).uniform(-3, 3, (4, 2))
    states = program.states(rows)
    for row, state in zip(rows, states, strict=True):
        bound = dict(zip(program.parameters, row, strict=True))
        assert Statevector(state).equiv(Statevector(circuit.assign_parameters(bound)))


def test_pauli_expectation_values_match_sparse_pauli_op() -> None:
    from qiskit.quantum_info import random_statevector

    from qiskit_rest_primitives.local.simulation._pauli_terms import expectation_values

    observables = [{"XYZI": 0.5, "IIII": -1.0}, {"YYXZ": 2.0, "ZIZI": 0.25, "XYZI": 1.0},
                   {"IIIY": 1.5}]
    states = [random_statevector(16, seed=seed) for seed in range(3)]
    ours = expectation_values(np.stack([s.data for s in states]), observables, 4)
    expected = [[s.expectation_value(SparsePauliOp.from_list(list(o.items()))).real
                 for o in observables] for s in states]
    np.testing.assert_allclose(ours, expected, atol=1e-12)


def test_a_parameter_free_pub_with_a_shape_evolves_one_state() -> None:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    pub = EstimatorPub.coerce((circuit, ["ZZ", "XX", "ZI"], np.zeros((3, 0))), 0.0)
    data = _estimate(pub, 0)
    np.testing.assert_allclose(data.evs, [1.0, 1.0, 0.0], atol=1e-12)  # type: ignore[attr-defined]


def test_pubs_sharing_a_circuit_are_evolved_together() -> None:
    """Each pub of a batch gets the values it would get alone (sizes, shapes, observables
    differ; two pubs share their observables)."""
    rng = np.random.default_rng(4)
    pubs = [_pub(rng.uniform(0, np.pi, (2, 6)), ["ZZI", "XIX"]),
            _pub(rng.uniform(0, np.pi, (3, 1, 6)), [["IZZ", "YYI"]]),
            _pub(rng.uniform(0, np.pi, 6), ["ZZI", "XIX"])]
    program = statevector.compile_circuit(pubs[0].circuit)
    assert program is not None
    inputs = [statevector.PubInput(p.parameter_values, p.observables.ravel().tolist(),
                                   p.observables.shape) for p in pubs]
    together = statevector.exact_values(program, inputs)
    for pub, values in zip(pubs, together, strict=True):
        alone = statevector.estimate(program, pub, np.random.default_rng(0)).evs
        assert values.shape == pub.shape
        np.testing.assert_allclose(values, alone, atol=1e-12)


def test_a_program_stays_small_with_thousands_of_parameters() -> None:
    """Angles keep their few terms (no parameters x steps matrix); fused matrices are capped."""
    from qiskit.circuit import ParameterVector

    theta = ParameterVector("t", 1500)
    circuit = QuantumCircuit(3)
    for i, t in enumerate(theta):
        circuit.sx(i % 3)
        circuit.rz(t + 0.5, i % 3)
        circuit.cx(i % 3, (i + 1) % 3)
    program = statevector.compile_circuit(circuit)
    assert program is not None
    sizes = [part.nbytes for step in program._steps for part in step[1:]
             if isinstance(part, np.ndarray)]
    assert sum(sizes) <= statevector._FUSED_BYTES + 64 * 1024
    values = np.random.default_rng(1).uniform(-3, 3, (1, len(program.parameters)))
    expected = Statevector(circuit.assign_parameters(dict(zip(program.parameters, values[0],
                                                              strict=True))))
    assert Statevector(program.states(values)[0]).equiv(expected)
