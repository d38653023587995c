"""Utility-scale circuits on the 127-qubit ``ibm_brisbane`` over HTTP: only-measured qubits are
not simulated, Clifford and low-entanglement circuits run, the rest is refused at once."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from functools import cache

import numpy as np
import pytest
from qiskit import QuantumCircuit, qasm3, transpile
from qiskit.circuit import IfElseOp
from qiskit.quantum_info import Statevector

from qiskit_rest_primitives.local import LocalRuntimeServer
from qiskit_rest_primitives.local.simulation._sim_plan import plan_circuit
from qiskit_rest_primitives.local.state._backends import load_backend

from .conftest import Api, estimator_body, sampler_body

BRISBANE = load_backend("ibm_brisbane")
N = BRISBANE.num_qubits
EDGES = sorted(BRISBANE.edges["ecr"])


@cache
def _cx_template(forward: bool) -> QuantumCircuit:
    """CX(0 → 1) in ECR/RZ/SX/X with the ECR running 0→1 (forward) or 1→0."""
    cx = QuantumCircuit(2)
    cx.cx(0, 1)
    coupling = [[0, 1]] if forward else [[1, 0]]
    return transpile(cx, basis_gates=["ecr", "rz", "sx", "x"], coupling_map=coupling,
                     initial_layout=[0, 1], optimization_level=1, seed_transpiler=1)


def _h(circuit: QuantumCircuit, qubit: int) -> None:
    circuit.rz(np.pi / 2, qubit)
    circuit.sx(qubit)
    circuit.rz(np.pi / 2, qubit)


def _cx(circuit: QuantumCircuit, control: int, target: int) -> None:
    forward = (control, target) in BRISBANE.edges["ecr"]
    circuit.compose(_cx_template(forward), [control, target], inplace=True)


def _ghz(measure: bool) -> QuantumCircuit:
    """GHZ on all 127 qubits, grown from qubit 62 along a breadth-first tree of ECR edges."""
    neighbours: dict[int, list[int]] = {}
    for a, b in EDGES:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    circuit = QuantumCircuit(N)
    _h(circuit, 62)
    reached, queue = {62}, deque([62])
    while queue:
        qubit = queue.popleft()
        for other in sorted(neighbours[qubit]):
            if other not in reached:
                _cx(circuit, qubit, other)
                reached.add(other)
                queue.append(other)
    if measure:
        circuit.measure_all()
    return circuit


def _bell_measure_all() -> QuantumCircuit:
    """A Bell pair on two coupled qubits, a non-Clifford phase, then ``measure_all()``."""
    a, b = EDGES[0]
    circuit = QuantumCircuit(N)
    _h(circuit, a)
    _cx(circuit, a, b)
    circuit.rz(0.3, b)  # not Clifford: the stabilizer method could not run it
    circuit.measure_all()
    return circuit


def _shallow(width: int = 100, seed: int = 7) -> tuple[QuantumCircuit, list[tuple[int, int]]]:
    """Random single-qubit rotations on ``width`` qubits, one layer of ECR on disjoint edges,
    rotations again: non-Clifford, little entanglement (a Trotter-like step)."""
    rng = np.random.default_rng(seed)
    circuit = QuantumCircuit(N)

    def rotations() -> None:
        for qubit in range(width):
            circuit.rz(rng.uniform(0.1, 3), qubit)
            circuit.sx(qubit)
            circuit.rz(rng.uniform(0.1, 3), qubit)

    rotations()
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for a, b in EDGES:
        if a < width and b < width and not {a, b} & used:
            circuit.ecr(a, b)
            pairs.append((a, b))
            used |= {a, b}
    rotations()
    return circuit, pairs


def _pair_probabilities(circuit: QuantumCircuit, pair: tuple[int, int]) -> np.ndarray:
    """Exact outcome probabilities of one ECR pair (it is independent of the rest)."""
    small = QuantumCircuit(2)
    for instruction in circuit.data:
        indices = [circuit.find_bit(q).index for q in instruction.qubits]
        if set(indices) <= set(pair):
            small.append(instruction.operation, [pair.index(i) for i in indices])
    return np.asarray(Statevector(small).probabilities())  # index = 2*bit(b) + bit(a)


def _qasm(circuit: QuantumCircuit) -> str:
    return qasm3.dumps(circuit)


def test_measure_all_on_127_qubits_simulates_only_the_bell_pair(api: Api) -> None:
    a, b = EDGES[0]
    result = api.run(sampler_body([_qasm(_bell_measure_all()), None, 2000],
                                  backend="ibm_brisbane"))
    counts = result[0].data.meas.get_counts()
    zeros = ["0"] * N
    both = zeros.copy()
    both[N - 1 - a] = both[N - 1 - b] = "1"
    assert set(counts) == {"".join(zeros), "".join(both)}
    assert 800 < counts["".join(zeros)] < 1200


@pytest.fixture(scope="module")
def noisy() -> Iterator[Api]:
    with LocalRuntimeServer(noise=True, seed=3) as server:
        yield Api(server, server.api_key, server.instance)
        server.check_errors()


def test_noise_reads_unsimulated_qubits_with_their_readout_error(noisy: Api) -> None:
    a, b = EDGES[0]
    shots = 2000
    bits = noisy.run(sampler_body([_qasm(_bell_measure_all()), None, shots],
                                  backend="ibm_brisbane"))[0].data.meas
    ones = np.unpackbits(bits.array, axis=-1, bitorder="big")[:, ::-1]  # ones[shot, qubit]
    idle = [q for q in range(N) if q not in (a, b)]
    expected = np.mean([_prob_meas1_prep0(q) for q in idle])
    measured = ones[:, idle].mean()
    assert 0.5 * expected < measured < 1.5 * expected
    assert 0.003 < expected < 0.2  # the fixture's readout errors


def _prob_meas1_prep0(qubit: int) -> float:
    for entry in BRISBANE.properties["qubits"][qubit]:
        if entry["name"] == "prob_meas1_prep0":
            return float(entry["value"])
    raise AssertionError(f"no prob_meas1_prep0 for qubit {qubit}")


def test_ghz_on_127_qubits_runs_with_the_stabilizer_method(api: Api) -> None:
    assert plan_circuit(_ghz(measure=True), 1024).method == "stabilizer"
    counts = api.run(sampler_body([_qasm(_ghz(measure=True)), None, 200],
                                  backend="ibm_brisbane"))[0].data.meas.get_counts()
    assert set(counts) <= {"0" * N, "1" * N} and len(counts) == 2
    pair = ["I"] * N
    pair[N - 1 - 62] = pair[N - 1 - 126] = "Z"
    observables = [{"".join(pair): 1.0}, {"X" * N: 1.0}, {"Z" + "I" * (N - 1): 1.0}]
    evs = api.run(estimator_body([_qasm(_ghz(measure=False)), observables, None, 0.01],
                                 backend="ibm_brisbane"))[0].data.evs
    assert np.allclose(evs, [1.0, 1.0, 0.0], atol=0.05)


def test_quarter_turns_a_few_ulp_off_still_run_with_the_stabilizer_method(api: Api) -> None:
    """Transpiled angles such as 1.5707963267948957 (pi/2 less 4 ulp), which Aer's stabilizer
    method refuses as written, are run as the exact quarter turns they stand for."""
    circuit = _ghz(measure=True)
    assert plan_circuit(circuit, 1024).method == "stabilizer"
    text = _qasm(circuit)  # qasm3.dumps writes pi/2; a one-pass emitter writes the float
    assert "rz(pi/2)" in text
    text = text.replace("rz(pi/2)", "rz(1.5707963267948957)")
    counts = api.run(sampler_body([text, None, 100],
                                  backend="ibm_brisbane"))[0].data.meas.get_counts()
    assert set(counts) <= {"0" * N, "1" * N} and len(counts) == 2


def test_shallow_non_clifford_100_qubits_runs_as_a_matrix_product_state(api: Api) -> None:
    circuit, pairs = _shallow()
    assert plan_circuit(circuit, 1024).method == "matrix_product_state"
    measured = circuit.copy()
    measured.measure_all()
    shots = 4000
    bits = api.run(sampler_body([_qasm(measured), None, shots],
                                backend="ibm_brisbane"))[0].data.meas
    ones = np.unpackbits(bits.array, axis=-1, bitorder="big")[:, ::-1]
    for a, b in pairs[:3]:
        outcomes = np.bincount(2 * ones[:, b] + ones[:, a], minlength=4) / shots
        assert np.allclose(outcomes, _pair_probabilities(circuit, (a, b)), atol=0.04)
    assert not ones[:, 100:].any()  # only measured: read 0
    a, b = pairs[0]
    label = ["I"] * N
    label[N - 1 - a] = label[N - 1 - b] = "Z"
    evs = api.run(estimator_body([_qasm(circuit), [{"".join(label): 1.0}], None, 0.01],
                                 backend="ibm_brisbane"))[0].data.evs
    exact = _pair_probabilities(circuit, (a, b)) @ np.array([1, -1, -1, 1])
    assert abs(float(evs[0]) - exact) < 0.05


def test_dense_40_qubit_circuit_is_refused_at_submission_with_the_reason(api: Api) -> None:
    rng = np.random.default_rng(1)
    circuit = QuantumCircuit(N, 40)
    for _ in range(20):
        for qubit in range(40):
            circuit.rz(rng.uniform(0.1, 3), qubit)
            circuit.sx(qubit)
        for a, b in EDGES:
            if a < 40 and b < 40:
                circuit.ecr(a, b)
    circuit.measure(range(40), range(40))
    response = api.post("/jobs", json=sampler_body([_qasm(circuit)], backend="ibm_brisbane"))
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert message.startswith("pub 0: the circuit cannot be simulated")
    for part in ("40 qubits", "16 TiB", "max_memory_mb=1024", "not Clifford", "bond dimension"):
        assert part in message, message


def test_only_measured_qubits_are_dropped_when_their_bits_are_theirs_alone() -> None:
    circuit = QuantumCircuit(4, 3)
    circuit.x(0)
    circuit.measure(0, 0)
    circuit.measure(1, 0)  # same bit as a gated qubit: must be simulated
    circuit.reset(2)
    circuit.measure(2, 1)  # reset + measure only: dropped, reads 0
    circuit.measure(3, 2)
    circuit.append(IfElseOp((circuit.clbits[2], 1), QuantumCircuit(1)), [0], [])  # reads bit 2
    plan = plan_circuit(circuit, 1024)
    assert plan.zero_reads == [(2, 1)]
    assert plan.kept == [0, 1, 3] and plan.method == "automatic"
