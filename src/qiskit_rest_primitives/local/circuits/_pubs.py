"""Turn a ``POST /jobs`` params object into validated qiskit SamplerPub / EstimatorPub lists."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from qiskit.circuit import QuantumCircuit, Qubit
from qiskit.exceptions import QiskitError
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.observables_array import ObservablesArray
from qiskit.primitives.containers.sampler_pub import SamplerPub

from ..api._errors import bad_request
from ..simulation._sim_plan import SimulationPlan, plan_circuit
from ..state._backends import BackendInfo
from ._circuit_size import InstructionBudget
from ._decode import DecodeError, decode_circuit, decode_ndarray, is_envelope
from ._known import KNOWN, KnownCircuit
from ._limits import Limits, limit_error
from ._options import check_params

DEFAULT_SHOTS = 4096
DEFAULT_PRECISION = 0.015625


@dataclass
class PreparedJob:
    """Everything the runner needs, decoded and validated."""

    program: str
    pubs: list[SamplerPub] | list[EstimatorPub]
    options: dict[str, Any] = field(default_factory=dict)
    support_qiskit: bool = True
    max_memory_mb: int = Limits.max_memory_mb
    #: what is derived from each circuit the pubs hold, by its ``id`` (the id stays theirs):
    #: shared with later jobs of this process that send the same text
    memos: dict[int, dict[Any, Any]] = field(default_factory=dict)
    #: each estimator pub's observables as ``{label: coeff}`` dicts in nested lists (what
    #: ``pub.observables.tolist()`` gives, without converting back)
    observables: list[Any] = field(default_factory=list)

    def memo(self, circuit: QuantumCircuit) -> dict[Any, Any]:
        """Where to keep what is derived from one of the job's circuits alone."""
        return self.memos.setdefault(id(circuit), {})

    def plan(self, circuit: QuantumCircuit) -> SimulationPlan:
        """The simulation plan of one of the job's circuits, made once per circuit."""
        memo = self.memo(circuit)
        plan: SimulationPlan | None = memo.get(("plan", self.max_memory_mb))
        if plan is None:
            plan = memo[("plan", self.max_memory_mb)] = plan_circuit(circuit, self.max_memory_mb)
        return plan


def prepare(program: str, params: Any, backend: BackendInfo,
            limits: Limits | None = None) -> PreparedJob:
    """Validate ``params`` for ``program`` and build qiskit pubs; 400 ``ApiError`` on problems.

    ``limits`` (pubs per job, sizes, instructions summed over the pubs) are checked before
    each piece is decoded or parsed.
    """
    options = check_params(program, params)
    budget = InstructionBudget(limits or Limits())
    raw_pubs = params["pubs"]
    if len(raw_pubs) > budget.limits.max_pubs:
        raise limit_error("max_pubs", f"the job has {len(raw_pubs)} pubs, more than "
                          f"{budget.limits.max_pubs}")
    pubs: list[Any] = []
    circuits: _Circuits = {}  # pubs of one job often share a circuit: read its text once
    job = PreparedJob(program, pubs, options, bool(params.get("support_qiskit", True)),
                      budget.limits.max_memory_mb)
    for index, raw in enumerate(raw_pubs):
        try:
            if program == "sampler":
                pubs.append(_sampler_pub(raw, params, options, backend, budget, circuits))
            else:
                pub, tree = _estimator_pub(raw, params, options, backend, budget, circuits)
                pubs.append(pub)
                job.observables.append(tree)
            pub = pubs[-1]
            budget.run(int(np.prod(pub.shape)) * (pub.shots if program == "sampler" else 1))
            circuit = pub.circuit
            if id(circuit) not in job.memos:
                known = circuits.get(id(circuit))
                job.memos[id(circuit)] = known.memo if known is not None else {}
                if program == "estimator" or circuit.cregs:
                    job.plan(circuit)  # refuse it now, not later; the runner reuses the plan
        except (DecodeError, ValueError, TypeError, ArithmeticError, QiskitError) as exc:
            raise bad_request(f"pub {index}: {exc}") from exc
    return job


def _sampler_pub(raw: Any, params: dict[str, Any], options: dict[str, Any],
                 backend: BackendInfo, budget: InstructionBudget,
                 circuits: _Circuits) -> SamplerPub:
    form = "[circuit, parameter_values?, shots?]"
    items = [raw] if isinstance(raw, str) else _as_list(raw, 3, form)
    circuit, _ = _circuit(items[0], backend, budget, circuits)
    values = _bindings(items[1] if len(items) > 1 else None, circuit, budget.limits)
    shots = items[2] if len(items) > 2 else None
    if shots is None:
        shots = params.get("shots") or options.get("default_shots") or DEFAULT_SHOTS
    if isinstance(shots, bool) or not isinstance(shots, int) or shots <= 0:
        raise ValueError(f"shots must be a positive integer, got {shots!r}")
    if shots > backend.max_shots:
        raise ValueError(f"shots={shots} exceeds the backend maximum of {backend.max_shots}")
    return SamplerPub(circuit, values, shots, validate=True)


def _estimator_pub(raw: Any, params: dict[str, Any], options: dict[str, Any],
                   backend: BackendInfo, budget: InstructionBudget,
                   circuits: _Circuits) -> tuple[EstimatorPub, Any]:
    items = _as_list(raw, 4, "[circuit, observables, parameter_values?, precision?]")
    if len(items) < 2:
        raise ValueError("an estimator pub needs at least [circuit, observables]")
    circuit, parsed_width = _circuit(items[0], backend, budget, circuits)
    tree = _observables(items[1], circuit.num_qubits, parsed_width)
    values = _bindings(items[2] if len(items) > 2 else None, circuit, budget.limits)
    precision = items[3] if len(items) > 3 else None
    if precision is None:
        precision = params.get("precision")
    if precision is None:
        precision = (_precision_of_default_shots(options) or options.get("default_precision")
                     or DEFAULT_PRECISION)
    _check_precision(precision)
    # Widths, parameter count and precision are checked above (the shapes' broadcast is
    # checked by the constructor): qiskit's validation would convert every observable again.
    pub = EstimatorPub(circuit, ObservablesArray.coerce(tree), values, float(precision),
                       validate=False)
    return pub, tree


#: A job's circuits, by OpenQASM 3 text and by ``id`` of the (padded) circuit.
_Circuits = dict[str | int, KnownCircuit]


#: The finest precision a pub may ask for: it sets the shots counted (1 / precision²), which
#: must stay a 64-bit integer.
MIN_PRECISION = 2.0**-31


def _check_precision(precision: Any) -> None:
    if (isinstance(precision, bool) or not isinstance(precision, (int, float))
            or not math.isfinite(precision) or precision <= 0):
        raise ValueError(f"precision must be a positive finite number, got {precision!r}")
    if precision < MIN_PRECISION:
        raise ValueError(f"precision must be at least {MIN_PRECISION:.3g} (it sets the shots, "
                         f"1/precision²), got {precision!r}")


def _precision_of_default_shots(options: dict[str, Any]) -> float | None:
    """``default_shots`` overrides ``default_precision`` (as precision 1/sqrt(shots))."""
    shots = options.get("default_shots")
    return 1 / math.sqrt(shots) if isinstance(shots, int) and shots > 0 else None


def _as_list(raw: Any, max_len: int, form: str) -> list[Any]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= max_len:
        raise ValueError(f"a pub must be a list {form}")
    return raw


def _circuit(raw: Any, backend: BackendInfo, budget: InstructionBudget,
             circuits: _Circuits) -> tuple[QuantumCircuit, int]:
    """Decode, count against the budget, pad to device width, check it is ISA for ``backend``.

    An OpenQASM 3 text seen before in the job, or read recently by this process for the same
    backend and limits, gives the same circuit (still counted).
    """
    if isinstance(raw, str):
        known = circuits.get(raw) or KNOWN.get(raw, budget.limits, backend)
        if known is not None:
            budget.spend_again(known.size)
            circuits[raw] = circuits[id(known.circuit)] = known
            return known.circuit, known.parsed_width
    circuit, _ = decode_circuit(raw, budget.limits)
    size = budget.spend(circuit)
    parsed_width = circuit.num_qubits
    if parsed_width > backend.num_qubits:
        raise ValueError(
            f"the circuit uses {parsed_width} qubits but {backend.name} has {backend.num_qubits}"
        )
    if parsed_width < backend.num_qubits:
        circuit = _pad(circuit, backend.num_qubits)
    check_isa(circuit, backend)
    known = KnownCircuit(circuit, parsed_width, size, backend)
    circuits[id(circuit)] = known
    if isinstance(raw, str):
        circuits[raw] = known
        KNOWN.put(raw, budget.limits, known)
    return circuit, parsed_width


def _pad(circuit: QuantumCircuit, width: int) -> QuantumCircuit:
    """Add idle qubits so a circuit on physical qubits spans the whole device.

    Built as a fresh circuit (not ``add_register``) so no layout warning is raised.
    """
    extra = [Qubit() for _ in range(width - circuit.num_qubits)]
    padded = QuantumCircuit(list(circuit.qubits), extra, list(circuit.clbits),
                            name=circuit.name, metadata=dict(circuit.metadata or {}))
    for creg in circuit.cregs:
        padded.add_register(creg)
    padded.compose(circuit, qubits=range(circuit.num_qubits), inplace=True)
    return padded


def check_isa(circuit: QuantumCircuit, backend: BackendInfo) -> None:
    """Refuse gates or qubit tuples the backend target lacks (wire-format §12b: ISA only)."""
    _check_block(circuit, [circuit.find_bit(q).index for q in circuit.qubits], backend)


def _check_block(block: QuantumCircuit, physical: list[int], backend: BackendInfo) -> None:
    """Check one (possibly nested control-flow) block; ``physical[i]`` = device qubit of i."""
    for instruction in block.data:
        operation = instruction.operation
        name = operation.name
        if not backend.instruction_allowed(name):
            raise ValueError(
                f"instruction '{name}' is not in the instruction set of {backend.name} "
                f"({', '.join(sorted(backend.basis_gates))}); transpile the circuit first"
            )
        qubits = [physical[block.find_bit(q).index] for q in instruction.qubits]
        if len(qubits) > 1 and not backend.qubits_allowed(name, tuple(qubits)):
            raise ValueError(
                f"'{name}' on qubits {qubits} is not supported by {backend.name}'s "
                "coupling map; transpile the circuit first"
            )
        for inner in getattr(operation, "blocks", ()):
            _check_block(inner, qubits, backend)


def _bindings(raw: Any, circuit: QuantumCircuit, limits: Limits) -> BindingsArray:
    """Parameter values (null, list, dict by name, ndarray envelope) → BindingsArray."""
    params = list(circuit.parameters)
    if raw is None:
        if params:
            raise ValueError(f"the circuit has {len(params)} parameters but no values were given")
        return BindingsArray()
    if isinstance(raw, Mapping) and not is_envelope(raw, "ndarray"):
        names = {p.name for p in params}
        unknown = sorted(set(raw) - names)
        if unknown:
            raise ValueError(f"parameter values name unknown parameters {unknown}")
        missing = sorted(names - set(raw))
        if missing:
            raise ValueError(f"no values were given for parameters {missing}")
        if not raw:
            return BindingsArray()
        try:
            arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in raw.values()))
        except ValueError as exc:
            raise ValueError(f"parameter value shapes do not broadcast: {exc}") from exc
        if not all(np.isfinite(a).all() for a in arrays):
            raise ValueError("parameter values must be finite numbers (got NaN or infinity)")
        return BindingsArray({(k,): a[..., None] for k, a in zip(raw, arrays, strict=True)})
    envelope = is_envelope(raw, "ndarray")
    array = decode_ndarray(raw, limits) if envelope else np.asarray(raw, dtype=float)
    if not params:
        if array.size:
            raise ValueError("parameter values were given but the circuit has no parameters")
        # ``[[]]`` or zeros((3, 0)): no values, but the pub keeps the shape (1,) or (3,)
        return BindingsArray(shape=array.shape[:-1] if array.ndim else ())
    array = np.asarray(array, dtype=float)
    if not np.isfinite(array).all():
        raise ValueError("parameter values must be finite numbers (got NaN or infinity)")
    if array.ndim == 0 or array.shape[-1] != len(params):
        raise ValueError(
            f"parameter values have shape {list(array.shape)} but the last axis must have one "
            f"entry per circuit parameter ({len(params)}: {[p.name for p in params][:10]})"
        )
    return BindingsArray({tuple(params): array})


def _observables(raw: Any, width: int, parsed_width: int) -> Any:
    """Nested lists of ``{pauli: coeff}`` dicts (or labels), checked, padded to ``width``."""

    def leaf(obs: Any) -> dict[str, float]:
        if isinstance(obs, str):
            obs = {obs: 1.0}
        if not isinstance(obs, Mapping) or not obs:
            raise ValueError(f"an observable must be a {{pauli: coeff}} dict, got {obs!r}")
        out: dict[str, float] = {}
        for label, coeff in obs.items():
            if not isinstance(label, str) or set(label) - set("IXYZ"):
                raise ValueError(f"observable label {label!r} is not a Pauli string")
            if len(label) == parsed_width and parsed_width != width:
                label = "I" * (width - parsed_width) + label
            if len(label) != width:
                shown = label if len(label) <= 24 else label[:24] + "..."
                raise ValueError(
                    f"observable '{shown}' has {len(label)} qubits but the circuit has {width}"
                )
            if (isinstance(coeff, bool) or not isinstance(coeff, (int, float))
                    or not math.isfinite(coeff)):
                raise ValueError(f"observable coefficient {coeff!r} is not a finite real number")
            out[label] = out.get(label, 0.0) + float(coeff)
        return out

    def walk(node: Any) -> Any:
        return [walk(n) for n in node] if isinstance(node, list) else leaf(node)

    return walk(raw)
