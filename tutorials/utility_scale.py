"""A utility-scale workload: a 127-qubit entangled state on ``ibm_brisbane``, end to end.

The circuit spans the whole device: a GHZ state grown outward from the centre of the heavy-hex
coupling map along a breadth-first tree, so every CNOT joins neighbours and the depth stays
near the map's radius instead of 127. We transpile it to the backend's ISA (ECR, RZ, SX, X),
sample it, and estimate the two-point correlations <Z_c Z_q> against the distance from the
centre, plus the 127-qubit parity <X...X>. Ideally all are 1; on hardware they decay with
distance and depth, which is what error mitigation (``resilience_level``) is for.

The local server simulates it because the circuit is Clifford: Aer picks its stabilizer method
for the 127 qubits. Generic circuits this wide are beyond any exact simulator; run them on
IBM Quantum by setting ``QISKIT_IBM_TOKEN`` and ``QISKIT_IBM_INSTANCE``.

Run: ``python tutorials/utility_scale.py`` (local server unless IBM credentials are set).
"""

from __future__ import annotations

import time
from collections import deque

from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import CouplingMap, generate_preset_pass_manager

import qiskit_rest_primitives as qrp

from _runtime import backend_name, runtime_service


def distances(coupling: CouplingMap, source: int) -> dict[int, int]:
    """Hop distance from ``source`` to every qubit (breadth-first search)."""
    seen = {source: 0}
    queue = deque([source])
    while queue:
        qubit = queue.popleft()
        for neighbour in coupling.neighbors(qubit):
            if neighbour not in seen:
                seen[neighbour] = seen[qubit] + 1
                queue.append(neighbour)
    return seen


def ghz_tree(coupling: CouplingMap, root: int) -> QuantumCircuit:
    """A GHZ state on every qubit, each CNOT along a coupling-map edge of a BFS tree."""
    circuit = QuantumCircuit(coupling.size())
    circuit.h(root)
    reached, queue = {root}, deque([root])
    while queue:
        qubit = queue.popleft()
        for neighbour in sorted(coupling.neighbors(qubit)):
            if neighbour not in reached:
                circuit.cx(qubit, neighbour)
                reached.add(neighbour)
                queue.append(neighbour)
    return circuit


def main() -> None:
    with runtime_service() as service:
        backend = service.backend(backend_name("ibm_brisbane"))
        coupling = CouplingMap(backend.coupling_map.get_edges())
        coupling.make_symmetric()
        n = backend.num_qubits
        centre = min(range(n), key=lambda q: max(distances(coupling, q).values()))
        hops = distances(coupling, centre)
        print(f"{backend.name}: {n} qubits; centre qubit {centre}, radius {max(hops.values())}")

        circuit = ghz_tree(coupling, centre)
        start = time.perf_counter()
        # The circuit already follows the coupling map: keep virtual qubit i on physical qubit i.
        pm = generate_preset_pass_manager(optimization_level=1, backend=backend,
                                          initial_layout=list(range(n)))
        isa = pm.run(circuit)
        measured = circuit.copy()
        measured.measure_all()
        isa_measured = pm.run(measured)
        ops = isa.count_ops()
        print(f"Transpiled in {time.perf_counter() - start:.2f} s: depth {isa.depth()},"
              f" {ops.get('ecr', 0)} ECR, {sum(ops.values())} gates")

        start = time.perf_counter()
        bits = qrp.SamplerV2(mode=backend).run([isa_measured], shots=1000).result()[0].data.meas
        counts = bits.get_counts()
        top = sorted(counts.items(), key=lambda kv: -kv[1])[:2]
        print(f"Sampler: {len(counts)} distinct outcomes in {time.perf_counter() - start:.2f} s;"
              f" most frequent: {[(k[:8] + '...', v) for k, v in top]}")

        by_distance = {d: min(q for q, h in hops.items() if h == d)
                       for d in range(1, max(hops.values()) + 1, 3)}
        correlators = [SparsePauliOp.from_sparse_list([("ZZ", [centre, q], 1.0)], n)
                       for q in by_distance.values()]
        parity = SparsePauliOp.from_sparse_list([("X" * n, list(range(n)), 1.0)], n)
        observables = [op.apply_layout(isa.layout) for op in [*correlators, parity]]
        start = time.perf_counter()
        estimator = qrp.EstimatorV2(mode=backend, options={"resilience_level": 1})
        evs = estimator.run([(isa, observables)], precision=0.02).result()[0].data.evs
        print(f"Estimator: {len(observables)} observables in {time.perf_counter() - start:.2f} s")
        for (distance, qubit), value in zip(by_distance.items(), evs, strict=False):
            print(f"  <Z{centre} Z{qubit}>  distance {distance:>2}: {value:+.3f}")
        print(f"  <X^{n}> (parity of all {n} qubits): {evs[-1]:+.3f}")


if __name__ == "__main__":
    main()
