"""Benchmark circuits: heavy-hex Trotter circuits transpiled for ``ibm_brisbane``, cached as QPY."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from qiskit import QuantumCircuit, qpy
from qiskit.circuit import ParameterVector
from qiskit.transpiler import CouplingMap, Target, generate_preset_pass_manager

_DATA = Path(__file__).resolve().parents[1] / "src" / "qiskit_rest_primitives" / "local" / "state" / "data"
_CACHE = Path(os.environ.get("QRP_BENCH_CACHE", Path(tempfile.gettempdir()) / "qrp-bench-cache"))
#: Bump when the builders change so stale cached QPY files are not reused.
_VERSION = "2"


def _conf() -> dict[str, Any]:
    conf: dict[str, Any] = json.loads((_DATA / "conf_brisbane.json").read_text())
    return conf


@cache
def brisbane_target() -> Target:
    """A ``Target`` for ibm_brisbane's basis gates and directed coupling map (no calibrations)."""
    conf = _conf()
    return Target.from_configuration(
        basis_gates=[*conf["basis_gates"], "measure", "delay", "reset"], num_qubits=int(conf["n_qubits"]),
        coupling_map=CouplingMap(conf["coupling_map"]), dt=conf.get("dt"))


def _undirected_edges() -> list[tuple[int, int]]:
    edges = {tuple(sorted(edge)) for edge in _conf()["coupling_map"]}
    return sorted((int(a), int(b)) for a, b in edges)


def _edge_layers(edges: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Greedy edge colouring: layers of disjoint edges (three for a heavy-hex lattice)."""
    layers: list[list[tuple[int, int]]] = []
    used: list[set[int]] = []
    for a, b in edges:
        for layer, busy in zip(layers, used, strict=True):
            if a not in busy and b not in busy:
                layer.append((a, b))
                busy.update((a, b))
                break
        else:
            layers.append([(a, b)])
            used.append({a, b})
    return layers


def trotter_circuit(steps: int = 20, num_parameters: int = 0, measure: bool = True) -> QuantumCircuit:
    """A transverse-field Ising Trotter circuit on brisbane's heavy-hex lattice (logical).

    With ``num_parameters`` > 0 the ``rx`` angles cycle through a ``ParameterVector``;
    otherwise every angle is a fixed float.
    """
    num_qubits = int(_conf()["n_qubits"])
    qc = QuantumCircuit(num_qubits)
    thetas = ParameterVector("theta", num_parameters) if num_parameters else None
    phi = 0.37
    layers = _edge_layers(_undirected_edges())
    count = 0
    for step in range(steps):
        for qubit in range(num_qubits):
            angle = thetas[count % num_parameters] if thetas is not None else 0.1 + 0.001 * step
            qc.rx(angle, qubit)
            count += 1
        for layer in layers:
            for a, b in layer:
                qc.rzz(phi, a, b)
    if measure:
        qc.measure_all()
    return qc


def _transpile(circuit: QuantumCircuit) -> QuantumCircuit:
    pm = generate_preset_pass_manager(optimization_level=1, target=brisbane_target(),
                                      seed_transpiler=1234)
    return pm.run(circuit)


def cached_isa(name: str, builder: Any, *args: Any) -> QuantumCircuit:
    """Transpile ``builder(*args)`` for brisbane once, then load it from a QPY cache file."""
    key = hashlib.sha256(repr((_VERSION, name, args)).encode()).hexdigest()[:16]
    path = _CACHE / f"{name}-{key}.qpy"
    if path.exists():
        with path.open("rb") as handle:
            circuit: QuantumCircuit = qpy.load(handle)[0]
        return circuit
    circuit = _transpile(builder(*args))
    _CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        qpy.dump(circuit, handle)
    tmp.replace(path)
    return circuit


def trotter_isa(steps: int = 20) -> QuantumCircuit:
    """The 127-qubit, ``steps``-layer Trotter circuit transpiled for ibm_brisbane."""
    return cached_isa("trotter", trotter_circuit, steps, 0)


def trotter_isa_parametric(steps: int = 20, num_parameters: int = 1000) -> QuantumCircuit:
    """The Trotter circuit with ``num_parameters`` free parameters, transpiled for brisbane."""
    return cached_isa("trotter-param", trotter_circuit, steps, num_parameters)


if __name__ == "__main__":
    for build in (trotter_isa, trotter_isa_parametric):
        isa = build()
        print(build.__name__, isa.num_qubits, len(isa.data), len(isa.parameters),
              dict(isa.count_ops()))
