"""Aer execution of prepared pubs on only the qubits a circuit touches."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.primitives import BitArray, DataBin, PrimitiveResult, PubResult, SamplerPubResult
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.observables_array import ObservablesArray
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit_aer.primitives import EstimatorV2 as AerEstimator
from qiskit_aer.primitives import SamplerV2 as AerSampler

from ..circuits._pubs import PreparedJob
from ..state._backends import BackendInfo
from . import _statevector as statevector
from ._measurement import estimator_shots, kerneled
from ._noise import flip_zero_reads, noise_model
from ._results import encode_plain, encode_result, execution_spans
from ._sim_plan import SimulationPlan, reduce_circuit


@dataclass(frozen=True)
class RunOutput:
    """Encoded result text and the wall time the simulation took."""

    text: str
    seconds: float


def reduce_observables(
    observables: Any, shape: tuple[int, ...], kept: list[int], width: int
) -> tuple[Any, np.ndarray[Any, Any]]:
    """Restrict full-width Paulis to ``kept`` qubits; idle qubits are |0>: I,Z→1 and X,Y→0.

    Observables that vanish entirely become the identity (Aer refuses empty observables);
    the returned mask marks them so the caller subtracts that 1 again (shot noise is kept).
    """
    kept_set = set(kept)
    vanished: list[bool] = []

    def leaf(terms: dict[str, float]) -> dict[str, float]:
        out: dict[str, float] = {}
        for label, coeff in terms.items():
            chars = label[::-1]  # chars[q] acts on qubit q (little-endian labels)
            if any(chars[q] in "XY" for q in range(width) if q not in kept_set):
                continue
            short = "".join(chars[q] for q in kept)[::-1]
            out[short] = out.get(short, 0.0) + coeff
        out = {k: v for k, v in out.items() if v != 0}
        vanished.append(not out)
        return out or {"I" * len(kept): 1.0}

    def walk(node: Any) -> Any:
        return [walk(n) for n in node] if isinstance(node, list) else leaf(node)

    tree = walk(observables)
    return tree, np.array(vanished, dtype=float).reshape(shape)


def run_job(job: PreparedJob, backend: BackendInfo, *, noise: bool, seed: int | None) -> RunOutput:
    """Simulate every pub of ``job`` and return the encoded result."""
    start = datetime.now(timezone.utc)
    if job.program == "sampler":
        result = _run_sampler(job, backend, noise=noise, seed=seed)
    else:
        result = _run_estimator(job, backend, noise=noise, seed=seed)
    stop = datetime.now(timezone.utc)
    if job.program == "sampler":
        shapes = [(tuple(p.shape), int(p.shots or 0)) for p in job.pubs]
        result.metadata["execution"] = {"execution_spans": execution_spans(start, stop, shapes)}
    result.metadata["version"] = 2
    text = encode_result(result) if job.support_qiskit else encode_plain(result)
    return RunOutput(text, (stop - start).total_seconds())


def _seed(job: PreparedJob, key: str, fallback: int | None) -> int | None:
    section = (job.options.get("simulator") or {}) if key == "seed_simulator" else job.options
    value = section.get(key)
    return int(value) if isinstance(value, int) else fallback


#: Aer threads for a circuit of at least ``_THREADED_QUBITS`` qubits (0: Aer's default, every
#: core); a worker process sets it from the server's worker count (``QRP_SIM_THREADS``).
SIM_THREADS = int(os.environ.get("QRP_SIM_THREADS", "0") or 0)
#: Below this many simulated qubits one thread is faster: starting OpenMP threads for a small
#: circuit costs ~10 ms on a busy 2-core machine, the simulation itself ~0.5 ms.
_THREADED_QUBITS = 14


def _backend_options(backend: BackendInfo, plan: SimulationPlan, noise: bool) -> dict[str, Any]:
    options: dict[str, Any] = {"method": plan.method}
    threads = 1 if len(plan.kept) < _THREADED_QUBITS else SIM_THREADS
    if threads:
        options["max_parallel_threads"] = threads
    if noise:
        options["noise_model"] = noise_model(backend, plan.kept)
    return options


def _run_sampler(
    job: PreparedJob, backend: BackendInfo, *, noise: bool, seed: int | None
) -> PrimitiveResult[SamplerPubResult]:
    seed = _seed(job, "seed_simulator", seed)
    results: list[SamplerPubResult] = []
    meas_type = (job.options.get("execution") or {}).get("meas_type") or "classified"
    for pub in job.pubs:
        assert isinstance(pub, SamplerPub)
        if pub.circuit.cregs:
            plan = job.plan(pub.circuit)
            sampler = AerSampler(seed=seed, options={"backend_options": _backend_options(
                backend, plan, noise)})
            data = _sample(sampler, reduce_circuit(pub.circuit, plan), pub)
            if noise and plan.zero_reads:
                data = flip_zero_reads(data, pub.circuit, plan.zero_reads, backend, seed)
            if meas_type != "classified":
                data = kerneled(data, average=meas_type == "avg_kerneled", seed=seed)
        else:  # nothing to sample: an empty DataBin, as qiskit's reference sampler returns
            data = DataBin(shape=pub.shape)
        meta = {"shots": pub.shots, "circuit_metadata": dict(pub.circuit.metadata or {})}
        results.append(SamplerPubResult(data, metadata=meta))
    return PrimitiveResult(results, metadata={})


def _run_estimator(
    job: PreparedJob, backend: BackendInfo, *, noise: bool, seed: int | None
) -> PrimitiveResult[PubResult]:
    seed = _seed(job, "seed_estimator", seed)
    rng = np.random.default_rng(seed)
    items = [_Item(job, index, noise) for index in range(len(job.pubs))]
    exact = _exact_on_statevector(items)
    results: list[PubResult] = []
    for index, item in enumerate(items):
        pub = item.pub
        if index in exact:
            data = statevector.with_noise(exact[index], float(pub.precision or 0.0), rng)
        else:
            data = item.on_aer(backend, noise, seed)
        evs = np.array(np.broadcast_to(np.asarray(data.evs, dtype=float), pub.shape)
                       - np.broadcast_to(item.vanished, pub.shape))
        stds = np.array(np.broadcast_to(np.asarray(data.stds, dtype=float), pub.shape))
        shots, randomizations = estimator_shots(pub.precision, job.options)
        meta = {
            "shots": shots,
            "target_precision": pub.precision,
            "circuit_metadata": dict(pub.circuit.metadata or {}),
            "resilience": {},
            "num_randomizations": randomizations,
        }
        bin_ = DataBin(evs=evs, stds=stds, ensemble_standard_error=stds.copy(), shape=evs.shape)
        results.append(PubResult(bin_, metadata=meta))
    return PrimitiveResult(results, metadata=_estimator_metadata(job.options))


class _Item:
    """One estimator pub on its reduced circuit: observables restricted to the kept qubits."""

    def __init__(self, job: PreparedJob, index: int, noise: bool) -> None:
        self.pub = pub = job.pubs[index]
        assert isinstance(pub, EstimatorPub)
        self.plan, self.reduced, self.program = _reduction(job, pub.circuit, noise)
        self.observables, self.vanished = reduce_observables(
            job.observables[index], pub.observables.shape, self.plan.kept,
            pub.circuit.num_qubits)

    def on_aer(self, backend: BackendInfo, noise: bool, seed: int | None) -> DataBin:
        """The pub on Aer's estimator (noise, wide circuits, measurements, large sweeps)."""
        pub = self.pub
        small = EstimatorPub(self.reduced, ObservablesArray.coerce(self.observables),
                             _values_to_simulate(pub), pub.precision, validate=False)
        estimator = AerEstimator(options={
            "backend_options": _backend_options(backend, self.plan, noise),
            "run_options": {"seed_simulator": seed}})
        return _run_inline(
            estimator, EstimatorPub.coerce(small, estimator.options.default_precision))


def _exact_on_statevector(items: list[_Item]) -> dict[int, np.ndarray[Any, Any]]:
    """Exact values of the pubs the statevector path takes, by pub index: pubs sharing a
    circuit are evolved together, in batches of at most ``MAX_PARAMETER_SETS`` sets."""
    batches: dict[int, list[list[int]]] = {}  # by id(program)
    sizes: dict[int, int] = {}
    for index, item in enumerate(items):
        size = item.pub.parameter_values.size
        if item.program is None or size > statevector.MAX_PARAMETER_SETS:
            continue
        key = id(item.program)
        if key not in batches or sizes[key] + size > statevector.MAX_PARAMETER_SETS:
            batches.setdefault(key, []).append([])
            sizes[key] = 0
        batches[key][-1].append(index)
        sizes[key] += max(size, 1)
    exact: dict[int, np.ndarray[Any, Any]] = {}
    for batch in (b for per_program in batches.values() for b in per_program):
        # A parameter-free pub's rows are one estimate, broadcast (as Aer's path gives it).
        inputs = [statevector.PubInput(_values_to_simulate(items[i].pub),
                                       _flatten(items[i].observables),
                                       items[i].pub.observables.shape) for i in batch]
        program = items[batch[0]].program
        assert program is not None
        exact.update(zip(batch, statevector.exact_values(program, inputs), strict=True))
    return exact


def _flatten(tree: Any) -> list[Any]:
    """The leaves of a nested list, in order (an observables array raveled)."""
    if not isinstance(tree, list):
        return [tree]
    return [leaf for node in tree for leaf in _flatten(node)]


def _reduction(job: PreparedJob, circuit: QuantumCircuit, noise: bool
               ) -> tuple[SimulationPlan, QuantumCircuit, statevector.Program | None]:
    """The circuit's plan, its reduction and (without noise) its compiled statevector program,
    made once per circuit: pubs of a job, and jobs sending the same text, often share one."""
    memo = job.memo(circuit)
    key = ("reduction", job.max_memory_mb, noise)
    if key not in memo:
        plan = job.plan(circuit)
        reduced = reduce_circuit(circuit, plan)
        memo[key] = plan, reduced, None if noise else statevector.compile_circuit(reduced)
    return memo[key]  # type: ignore[no-any-return]


def _values_to_simulate(pub: SamplerPub | EstimatorPub) -> BindingsArray:
    """The pub's parameter values; none for a parameter-free circuit of shape ``(3,)``.

    Aer simulates only the first row of a parameter-free pub with a shape (the others
    come back as if the circuit were empty); its rows are all alike, so run it once.
    """
    if pub.circuit.num_parameters or not pub.parameter_values.shape:
        return pub.parameter_values
    return BindingsArray()


def _sample(sampler: AerSampler, reduced: QuantumCircuit, pub: SamplerPub) -> DataBin:
    """Sample ``reduced`` for ``pub``; parameter-free rows share one run of shots x rows."""
    values = _values_to_simulate(pub)
    shots = int(pub.shots or sampler.default_shots)
    rows = pub.parameter_values.size if values is not pub.parameter_values else 1
    small = SamplerPub(reduced, values, shots * rows, validate=False)
    data = _run_inline(sampler, small)
    if rows == 1 and values is pub.parameter_values:
        return data
    fields = {name: BitArray(bits.array.reshape(*pub.shape, shots, bits.array.shape[-1]),
                             bits.num_bits) for name, bits in data.items()}
    return DataBin(shape=pub.shape, **fields)


def _run_inline(primitive: Any, pub: Any) -> Any:
    """``primitive.run([pub]).result()[0].data`` without ``PrimitiveJob``'s new thread per call.

    Same coercion, validation (and its warnings) and ``_run`` as Aer's ``run``; we already run
    in a worker thread, and a thread start per pub costs more than a tiny simulation.
    """
    primitive._validate_pubs([pub])
    return primitive._run([pub])[0].data


def _estimator_metadata(options: dict[str, Any]) -> dict[str, Any]:
    """Top-level estimator metadata (wire-format §8.4) echoing the effective options."""
    dd = options.get("dynamical_decoupling") or {}
    tw = options.get("twirling") or {}
    res = options.get("resilience") or {}
    return {
        "dynamical_decoupling": {
            "enable": bool(dd.get("enable", False)),
            "sequence_type": dd.get("sequence_type", "XX"),
            "extra_slack_distribution": dd.get("extra_slack_distribution", "middle"),
            "scheduling_method": dd.get("scheduling_method", "alap"),
        },
        "twirling": {
            "enable_gates": bool(tw.get("enable_gates", False)),
            "enable_measure": bool(tw.get("enable_measure", False)),
            "num_randomizations": tw.get("num_randomizations", "auto"),
            "shots_per_randomization": tw.get("shots_per_randomization", "auto"),
            "strategy": tw.get("strategy", "active-accum"),
            "interleave_randomizations": True,
        },
        "resilience": {
            "measure_mitigation": bool(res.get("measure_mitigation", False)),
            "zne_mitigation": bool(res.get("zne_mitigation", False)),
            "pec_mitigation": bool(res.get("pec_mitigation", False)),
        },
    }
