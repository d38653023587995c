"""Primitives on real workloads, each against a named peer in the same run.

* ``Sampler.run`` (validation, encoding and the POST to a loopback server that answers at
  once, ``_stub.py``) on ``real_amplitudes(100, reps=4, entanglement="linear")`` with
  ``measure_all``, transpiled for ibm_brisbane, against ``qasm3.dumps`` of the same circuit;
  the server's parse of the text we send against ``qasm3.loads``.
* qiskit-algorithms ``VQE`` (4 qubits, COBYLA, 40 iterations) and qiskit-machine-learning
  ``EstimatorQNN`` (forward and backward) with our ``EstimatorV2`` on the local server (its
  own process) against qiskit's ``StatevectorEstimator`` in-process; jobs and HTTP requests
  per iteration are counted.

    python bench/bench_primitives.py [--quick]
"""

from __future__ import annotations

import argparse
import gc
import io
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import qiskit
from _common import ServerProcess, median_ratio, print_table, write_json
from circuits import cached_isa
from qiskit import QuantumCircuit, qasm3, qpy
from qiskit.circuit.library import real_amplitudes, zz_feature_map
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives._codec._qasm3 import dumps
from qiskit_rest_primitives.local.circuits._qasm3_parser import _Parser, loads

HERE = Path(__file__).resolve().parent
#: The VQE problem: a 4-qubit transverse-field Ising chain.
HAMILTONIAN = SparsePauliOp.from_list(
    [("ZZII", 1.0), ("IZZI", 1.0), ("IIZZ", 1.0),
     ("XIII", 0.5), ("IXII", 0.5), ("IIXI", 0.5), ("IIIX", 0.5)])


def _measured_ansatz(num_qubits: int, reps: int) -> QuantumCircuit:
    circuit = real_amplitudes(num_qubits, reps=reps, entanglement="linear")
    circuit.measure_all()
    return circuit


@contextmanager
def stub_server(upstream: str) -> Iterator[str]:
    """``_stub.py`` in its own process; yields its base URL."""
    process = subprocess.Popen([sys.executable, str(HERE / "_stub.py"), upstream],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("Stub:"):
            raise RuntimeError("the stub server exited before it listened")
        yield line.partition(":")[2].strip()
    finally:
        process.terminate()
        process.wait(timeout=20)


class RequestCounter:
    """Counts the HTTP requests (and job submissions) one service sends."""

    def __init__(self, service: qrp.RuntimeService) -> None:
        self.requests = 0
        self.jobs = 0
        http = service._http
        send = http._send

        def counted(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            self.requests += 1
            self.jobs += method == "POST" and url.rstrip("/").endswith("/jobs")
            return send(method, url, *args, **kwargs)

        http._send = counted  # type: ignore[method-assign]


def _timed(func: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call, with the garbage collector collected first."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def _rounds(ours: Callable[[Any], Any], peer: Callable[[Any], Any], subject: Callable[[], Any],
            rounds: int) -> dict[str, float]:
    """Interleaved rounds of ``ours`` and ``peer``: median times and median per-round ratios
    (peer / ours), by wall clock and by this process's CPU time."""
    times: dict[str, list[float]] = {"ours": [], "peer": [], "ours_cpu": [], "peer_cpu": []}
    for _ in range(rounds):
        for name, func in (("ours", ours), ("peer", peer)):
            item = subject()
            wall, cpu = _timed(lambda func=func, item=item: func(item))
            times[name].append(wall)
            times[f"{name}_cpu"].append(cpu)
    return {"ours_s": statistics.median(times["ours"]),
            "peer_s": statistics.median(times["peer"]),
            "ours_cpu_s": statistics.median(times["ours_cpu"]),
            "x_faster": median_ratio(times["peer"], times["ours"]),
            "x_faster_cpu": median_ratio(times["peer_cpu"], times["ours_cpu"])}


def bench_sampler_run(server: ServerProcess, circuit: QuantumCircuit, rounds: int
                      ) -> list[dict[str, Any]]:
    """``Sampler.run`` returning from the stub's answer, against ``qasm3.dumps`` alone, on
    the same circuit and on circuits freshly loaded from QPY (as right after transpiling)."""
    upstream = server.fields["Runtime API"].rsplit("/api/", 1)[0]
    buffer = io.BytesIO()
    qpy.dump(circuit, buffer)
    blob = buffer.getvalue()
    values = np.random.default_rng(1).uniform(0, 2 * np.pi, circuit.num_parameters)
    rows = []
    with stub_server(upstream) as stub:
        kwargs = {**server.service_kwargs(), "url": f"{stub}/api/v1"}
        with qrp.RuntimeService(**kwargs) as service:
            sampler = qrp.Sampler(mode=service.backend("ibm_brisbane"))

            def run(item: QuantumCircuit) -> Any:
                return sampler.run([(item, values)])

            run(circuit)  # warm-up: connection pool, token
            qasm3.dumps(circuit)
            for label, subject in (("same circuit", lambda: circuit),
                                   ("fresh circuit", lambda: qpy.load(io.BytesIO(blob))[0])):
                figures = _rounds(run, qasm3.dumps, subject, rounds)
                rows.append({"circuit": f"real_amplitudes(100, reps=4) brisbane, {label}",
                             "instructions": len(circuit.data),
                             "parameters": circuit.num_parameters,
                             "emitter": "python" if dumps(circuit).parameter_names else "rust",
                             **figures})
    return rows


def bench_parse(circuit: QuantumCircuit, rounds: int) -> dict[str, Any]:
    """The server's parse of the text ``Sampler.run`` sends, against ``qasm3.loads``."""
    text = dumps(circuit).text
    _Parser(text).parse()  # must not fall back
    figures = _rounds(lambda t: loads(t), lambda t: qasm3.loads(t), lambda: text,
                      max(2, rounds // 3))
    return {"circuit": "real_amplitudes(100, reps=4) brisbane", **figures}


def _vqe(estimator: Any, transpiler: Any, iterations: int) -> tuple[float, int]:
    from qiskit_algorithms import VQE
    from qiskit_algorithms.optimizers import COBYLA

    ansatz = real_amplitudes(4, reps=2)
    vqe = VQE(estimator, ansatz, COBYLA(maxiter=iterations), transpiler=transpiler,
              initial_point=np.full(ansatz.num_parameters, 0.1))
    start = time.perf_counter()
    result = vqe.compute_minimum_eigenvalue(HAMILTONIAN)
    return time.perf_counter() - start, int(result.cost_function_evals)


def bench_vqe(service: qrp.RuntimeService, iterations: int, rounds: int) -> dict[str, Any]:
    """VQE wall time on our estimator (local server) vs ``StatevectorEstimator``, interleaved."""
    backend = service.backend("ibmq_manila")
    pm = generate_preset_pass_manager(optimization_level=1, backend=backend, seed_transpiler=1)
    counter = RequestCounter(service)
    ours, ref, evals = [], [], 0
    _vqe(qrp.Estimator(mode=backend), pm, 3)  # warm-up
    for _ in range(rounds):
        before = (counter.requests, counter.jobs)
        seconds, evals = _vqe(qrp.Estimator(mode=backend), pm, iterations)
        ours.append(seconds)
        requests, jobs = counter.requests - before[0], counter.jobs - before[1]
        ref.append(_vqe(StatevectorEstimator(), None, iterations)[0])
    return {"workload": f"VQE 4 qubits, {evals} iterations", "ours_s": statistics.median(ours),
            "reference_s": statistics.median(ref), "x_of_reference": median_ratio(ours, ref),
            "iterations": evals, "jobs_per_iteration": jobs / evals,
            "requests_per_iteration": requests / evals,
            "ratio_range": [min(a / b for a, b in zip(ours, ref, strict=True)),
                            max(a / b for a, b in zip(ours, ref, strict=True))]}


def _qnn(estimator: Any, circuit: QuantumCircuit, observable: Any, inputs: Any, weights: Any,
         feature_map: QuantumCircuit, ansatz: QuantumCircuit, steps: int) -> float:
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    qnn = EstimatorQNN(circuit=circuit, estimator=estimator, observables=observable,
                       input_params=list(feature_map.parameters),
                       weight_params=list(ansatz.parameters))
    start = time.perf_counter()
    for step in range(steps):
        qnn.forward(inputs, weights + 0.01 * step)
        qnn.backward(inputs, weights + 0.01 * step)
    return time.perf_counter() - start


def bench_qnn(service: qrp.RuntimeService, steps: int, rounds: int) -> dict[str, Any]:
    """EstimatorQNN forward + backward (parameter shift over the weights) per step.

    Our circuit and observable are transpiled once, up front, as a user does for any ISA
    primitive; the reference gets the logical ones.
    """
    backend = service.backend("ibmq_manila")
    pm = generate_preset_pass_manager(optimization_level=1, backend=backend, seed_transpiler=1)
    feature_map, ansatz = zz_feature_map(3, reps=1), real_amplitudes(3, reps=2)
    logical = feature_map.compose(ansatz)
    observable = SparsePauliOp("ZZZ")
    isa = pm.run(logical)
    isa_observable = observable.apply_layout(isa.layout)
    rng = np.random.default_rng(3)
    inputs = rng.uniform(0, np.pi, (2, feature_map.num_parameters))
    weights = rng.uniform(0, np.pi, ansatz.num_parameters)
    counter = RequestCounter(service)

    def ours() -> float:
        return _qnn(qrp.Estimator(mode=backend), isa, isa_observable, inputs, weights,
                    feature_map, ansatz, steps)

    def reference() -> float:
        return _qnn(StatevectorEstimator(), logical, observable, inputs, weights,
                    feature_map, ansatz, steps)

    ours()  # warm-up
    mine, ref = [], []
    for _ in range(rounds):
        before = (counter.requests, counter.jobs)
        mine.append(ours())
        requests, jobs = counter.requests - before[0], counter.jobs - before[1]
        ref.append(reference())
    return {"workload": f"EstimatorQNN 3 qubits, batch 2, {ansatz.num_parameters} weights, "
                        f"{steps} forward+backward",
            "ours_s": statistics.median(mine), "reference_s": statistics.median(ref),
            "x_of_reference": median_ratio(mine, ref), "iterations": steps,
            "jobs_per_iteration": jobs / steps, "requests_per_iteration": requests / steps,
            "ratio_range": [min(a / b for a, b in zip(mine, ref, strict=True)),
                            max(a / b for a, b in zip(mine, ref, strict=True))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds and iterations")
    args = parser.parse_args()
    rounds, iterations, steps = (3, 10, 2) if args.quick else (9, 40, 5)
    circuit = cached_isa("real-amplitudes", _measured_ansatz, 100, 4)
    with ServerProcess() as server:
        run = bench_sampler_run(server, circuit, rounds)
        with qrp.RuntimeService(**server.service_kwargs()) as service:
            algorithms = [bench_vqe(service, iterations, max(3, rounds // 3)),
                          bench_qnn(service, steps, max(3, rounds // 3))]
    print_table("Sampler.run vs qasm3.dumps (seconds)", run)
    parse = [bench_parse(circuit, rounds)]  # after the server process is gone
    print_table("server parse vs qasm3.loads (seconds)", parse)
    print_table("algorithms: ours (local server) vs StatevectorEstimator (seconds)", algorithms)
    payload = {"when": datetime.now(timezone.utc).isoformat(), "quick": args.quick,
               "python": sys.version.split()[0], "qiskit": qiskit.__version__,
               "machine": platform.machine(), "sampler_run": run, "parse": parse,
               "algorithms": algorithms}
    path = write_json("primitives_quick" if args.quick else "primitives", payload)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
