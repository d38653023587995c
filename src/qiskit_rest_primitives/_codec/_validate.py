"""Client-side checks before anything is sent: that a pub can run on a backend, and that
service and job arguments (URLs, instance CRN, timeout, job id, tags) are well formed."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import fields
from datetime import datetime
from numbers import Real
from typing import Any, TypeVar
from urllib.parse import urlsplit

import numpy as np
from qiskit.circuit import ControlFlowOp, QuantumCircuit
from qiskit.converters import circuit_to_dag
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.transpiler import Target
from qiskit.transpiler.passes import GatesInBasis

from .._config import Timeouts
from .._option_checks import job_tags_problem
from ..exceptions import ConfigurationError, InvalidAccountError, ValidationError

T = TypeVar("T")
_ALWAYS_ALLOWED = frozenset({"barrier", "store"})


def _single_pub_message(kind: str, given: object) -> str:
    """qiskit's wording for ``run(pub)`` without the list (its tests match on these phrases)."""
    return (f"An invalid {kind} pub-like was given ({type(given).__name__}). Note that if you "
            f"want to run a single pub, you need to wrap it with `[]` like "
            f"`{kind.lower()}.run([pub])` instead of `{kind.lower()}.run(pub)`.")


def _looks_like_one_pub(pubs: object) -> bool:
    """A bare circuit, or a tuple whose first item is a circuit and second is not a pub."""
    if isinstance(pubs, QuantumCircuit):
        return True
    return (isinstance(pubs, tuple) and len(pubs) > 1 and isinstance(pubs[0], QuantumCircuit)
            and not isinstance(pubs[1], (QuantumCircuit, tuple)))


def coerce_pubs(pubs: Iterable[object], coerce: Callable[[object], T], kind: str) -> list[T]:
    """Coerce every pub, turning qiskit's errors into :class:`ValidationError` naming the pub.

    ``kind`` is ``"Sampler"`` or ``"Estimator"``, for the message about a pub given without
    its list.
    """
    if _looks_like_one_pub(pubs):
        raise ValidationError(_single_pub_message(kind, pubs))
    if isinstance(pubs, (str, bytes)) or not isinstance(pubs, Iterable):
        raise ValidationError(f"run() takes an iterable of {kind} pubs (a list), got "
                              f"{type(pubs).__name__}")
    coerced = []
    for index, pub in enumerate(pubs):
        try:
            coerced.append(coerce(pub))
        except (ValueError, TypeError) as exc:
            raise ValidationError(f"pub {index}: {exc}") from exc
    if not coerced:
        raise ValidationError("run() needs at least one pub")
    return coerced


def _has_non_finite_coefficient(observables: Any) -> bool:
    """Whether an observable-like (operator, dict, or nesting of them) has a NaN or inf
    coefficient."""
    coeffs = getattr(observables, "coeffs", None)
    if coeffs is not None:
        return not bool(np.isfinite(np.asarray(coeffs)).all())
    if isinstance(observables, Mapping):
        return any(not np.isfinite(value) for value in observables.values())
    if isinstance(observables, (list, tuple, np.ndarray)):
        return any(_has_non_finite_coefficient(item) for item in observables)
    return False


def coerce_estimator_pub(pub: Any, precision: float | None) -> EstimatorPub:
    """``EstimatorPub.coerce``, saying so when a NaN or inf coefficient is what it rejects
    (qiskit reports those as "non-Hermitian"), and naming the fix when observables written for
    the circuit before transpilation meet the transpiled one."""
    try:
        return EstimatorPub.coerce(pub, precision)
    except ValueError as exc:
        if isinstance(pub, tuple) and len(pub) > 1 and _has_non_finite_coefficient(pub[1]):
            raise ValueError("observable coefficients must be finite numbers, not NaN or "
                             "infinity") from exc
        if ("number of qubits of the circuit" in str(exc) and isinstance(pub, tuple)
                and getattr(pub[0], "layout", None) is not None):
            raise ValueError(f"{exc} The circuit was transpiled: apply its layout to the "
                             "observables, observable.apply_layout(isa_circuit.layout)") from exc
        raise


UsedInstructions = dict[tuple[str, tuple[int, ...]], None]


def _used_instructions(circuit: QuantumCircuit,
                       qubit_map: list[int] | None = None) -> UsedInstructions:
    """Distinct (name, qubits) pairs in order of first use, control-flow bodies included."""
    index = {bit: i for i, bit in enumerate(circuit.qubits)}
    used: UsedInstructions = {}
    for instruction in circuit.data:
        operation = instruction.operation
        qubits = tuple(index[q] for q in instruction.qubits)
        if qubit_map is not None:
            qubits = tuple(qubit_map[q] for q in qubits)
        used[operation.name, qubits] = None
        if isinstance(operation, ControlFlowOp):
            for block in operation.blocks:
                used.update(_used_instructions(block, list(qubits)))
    return used


def _all_supported(circuit: QuantumCircuit, target: Target) -> bool:
    """qiskit's own check (``GatesInBasis``, in Rust): every operation on its qubits is in
    the target. About 1 ms for 4,000 instructions where reading them in Python takes 15 ms
    (each read builds a gate object); a False sends :func:`check_isa` to its own scan, which
    names the offending instruction."""
    check = GatesInBasis(target=target)
    check.run(circuit_to_dag(circuit, copy_operations=False))
    return bool(check.property_set["all_gates_in_basis"])


#: The last few targets' (name, qubits) entries, by identity (a Target takes no weak
#: references); the target is kept alongside so its id cannot be reused while cached.
_TARGET_ENTRIES: dict[int, tuple[Target, frozenset[tuple[str, tuple[int, ...]]]]] = {}


def _target_entries(target: Target) -> frozenset[tuple[str, tuple[int, ...]]]:
    """Every (name, qubits) the target lists for specific qubits."""
    cached = _TARGET_ENTRIES.get(id(target))
    if cached is None or cached[0] is not target:
        entries = frozenset((name, tuple(qargs)) for name, props in target.items()
                            for qargs in props if qargs is not None)
        if len(_TARGET_ENTRIES) >= 8:  # threads may evict at once: never mind a missing key
            _TARGET_ENTRIES.pop(next(iter(_TARGET_ENTRIES), None), None)  # type: ignore[arg-type]
        cached = _TARGET_ENTRIES[id(target)] = (target, entries)
    return cached[1]


def _listed(used: Set[tuple[str, tuple[int, ...]]], target: Target) -> bool:
    """Whether the target lists every used (name, qubits), barriers and stores aside.

    A False is not a verdict (entries added to the target later, instructions it supports
    on any qubits): :func:`check_isa` then asks qiskit.
    """
    return all(name in _ALWAYS_ALLOWED for name, _ in used - _target_entries(target))


def check_isa(circuit: QuantumCircuit, target: Target, pub_index: int,
              used: Set[tuple[str, tuple[int, ...]]] | None = None) -> None:
    """Raise if the circuit uses an instruction or qubit tuple the backend's Target lacks.

    ``used``, the circuit's distinct (name, qubits) when the encoder has them (no control
    flow), are looked up in the target's own list; without them, or when one is not listed,
    qiskit's check runs on the circuit.
    """
    num_qubits = target.num_qubits or 0
    if circuit.num_qubits > num_qubits:
        raise ValidationError(
            # the official client's wording, which scripts match
            f"pub {pub_index}: circuit has {circuit.num_qubits} qubits but the target system "
            f"requires {num_qubits} qubits; transpile it for the backend first")
    if (used is not None and _listed(used, target)) or _all_supported(circuit, target):
        return
    names = set(target.operation_names)
    for name, qubits in _used_instructions(circuit):
        if name in _ALWAYS_ALLOWED:
            continue
        if name not in names:
            raise ValidationError(
                f"pub {pub_index}: instruction {name!r} on qubits {list(qubits)} is not supported "
                f"by the backend (not an ISA circuit; transpile it with the backend's target)")
        if not target.instruction_supported(name, qubits):
            raise ValidationError(
                f"pub {pub_index}: instruction {name!r} is not supported on qubits "
                f"{list(qubits)} of the backend (not an ISA circuit; transpile it first)")


def encode_pub(index: int, encode: Callable[[], T]) -> T:
    """Run a pub's encoder, naming the pub if its parameter values do not fit its circuit."""
    try:
        return encode()
    except (KeyError, ValueError) as exc:
        raise ValidationError(
            f"pub {index}: parameter values do not match the circuit's parameters "
            f"({type(exc).__name__}: {exc})") from exc


def check_shots(shots: int, max_shots: int | None, pub_index: int) -> None:
    """Raise if a pub asks for more shots than the backend allows."""
    if max_shots is not None and shots > max_shots:
        raise ValidationError(
            f"pub {pub_index}: {shots} shots exceed the backend's maximum of {max_shots}")


def check_precision(precision: object, pub_index: int | None = None) -> None:
    """Raise unless ``precision`` is a positive finite number (the service refuses 0 and NaN)."""
    if (isinstance(precision, bool) or not isinstance(precision, Real)
            or not math.isfinite(precision) or precision <= 0):
        where = "" if pub_index is None else f"pub {pub_index}: "
        raise ValidationError(
            f"{where}precision must be a positive finite number, got {precision!r}")


def check_parameter_values(values: BindingsArray, pub_index: int) -> None:
    """Raise naming the parameter if any bound value is NaN or infinite."""
    for names, array in values.data.items():
        finite = np.isfinite(array)
        if finite.all():
            continue
        where = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValidationError(
            f"pub {pub_index}: parameter {names[where[-1]]!r} has the non-finite value "
            f"{array[where]!r} at index {list(where[:-1])}; values must be finite numbers")


def check_coefficients(observables: Any, pub_index: int) -> None:
    """Raise if an observable (nested lists of ``{pauli: coeff}``) has a NaN or infinite
    coefficient."""
    if isinstance(observables, list):
        for item in observables:
            check_coefficients(item, pub_index)
        return
    for label, coeff in observables.items():
        if not math.isfinite(coeff):
            shown = label if len(label) <= 24 else label[:24] + "..."
            raise ValidationError(
                f"pub {pub_index}: observable term {shown!r} has the coefficient {coeff!r}; "
                f"coefficients must be finite")


def warn_if_nothing_to_sample(circuit: QuantumCircuit, pub_index: int) -> None:
    """Warn (as qiskit's reference sampler does) when a circuit has no classical register."""
    if not circuit.cregs:
        warnings.warn(
            f"pub {pub_index}: the circuit has no classical registers, so its result will be "
            f"empty. Did you mean to add measurements?", UserWarning, stacklevel=3)


# --- service and job arguments ------------------------------------------------------------------

def check_job_tags(tags: Any) -> None:
    """Raise unless ``tags`` is a list the service keeps (≤ 8 tags of ≤ 86 characters)."""
    problem = job_tags_problem(tags)
    if problem is not None:
        raise ValidationError(f"job tags must be {problem}")


def check_job_id(job_id: Any) -> None:
    """Raise unless ``job_id`` can name a job (a non-empty string that fits in a URL path)."""
    if not isinstance(job_id, str) or not job_id.strip() or "/" in job_id or "?" in job_id:
        raise ValidationError(f"job_id must be a non-empty job id string, got {job_id!r}")


def _whole(value: Any) -> bool:
    """Whether ``value`` is an integer (numpy's too), not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_min_num_qubits(value: Any) -> None:
    """Refuse a ``min_num_qubits`` that is not a whole number (compared with each width)."""
    if value is not None and not _whole(value):
        raise ConfigurationError(f"min_num_qubits must be an int or None, got {value!r}")


def check_job_query(arguments: Mapping[str, Any]) -> None:
    """Raise naming the first argument of ``service.jobs()`` of the wrong kind (before any
    request: a str ``job_tags`` would otherwise filter by its letters)."""
    for name in ("limit", "skip"):
        value = arguments[name]
        if (name == "limit" and value is None) or (_whole(value) and value >= 0):
            continue
        raise ValidationError(f"{name} must be a non-negative integer"
                              f"{' or None' if name == 'limit' else ''}, got {value!r}")
    for name, kind, text in (("backend_name", str, "a string"), ("program_id", str, "a string"),
                             ("session_id", str, "a string"), ("pending", bool, "a bool"),
                             ("created_after", datetime, "a datetime"),
                             ("created_before", datetime, "a datetime")):
        if arguments[name] is not None and not isinstance(arguments[name], kind):
            raise ValidationError(f"{name} must be {text} or None, got {arguments[name]!r}")
    tags = arguments["job_tags"]
    if tags is not None and (isinstance(tags, str) or not isinstance(tags, Iterable)
                             or not all(isinstance(tag, str) for tag in tags)):
        raise ValidationError(f"job_tags must be a list of strings or None (for one tag, "
                              f"['tag']), got {tags!r}")


def check_url(url: Any, what: str) -> None:
    """Raise unless ``url`` is an absolute http(s) URL with a host."""
    if url is None:
        return
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidAccountError(
            f"Invalid {what} {url!r}: expected an absolute http:// or https:// URL with a host")


def check_instance(instance: Any) -> None:
    """Raise if ``instance`` looks like a CRN but is not one (an instance name is fine).

    A CRN has ten colon-separated fields, ``crn:v1:<cloud>:<type>:<service>:<region>:
    a/<account>:<instance id>::``.
    """
    if not isinstance(instance, str) or not instance.lower().startswith("crn:"):
        return
    fields = instance.split(":")
    if (len(fields) != 10 or fields[1] != "v1" or not all(fields[2:6])
            or not fields[6].startswith("a/") or len(fields[6]) < 3 or not fields[7]):
        raise InvalidAccountError(
            f"Invalid instance CRN {instance!r}: expected crn:v1:<cloud>:<type>:<service>:"
            f"<region>:a/<account>:<instance id>::")


def check_timeout(timeout: Any, name: str = "timeout", *, zero_ok: bool = False) -> None:
    """Raise unless ``timeout`` is None, a positive finite number of seconds (or 0 with
    ``zero_ok``: a wait that only looks), or :class:`Timeouts` made of such numbers; ``name``
    is the argument's, for the message."""
    if timeout is None:
        return
    values = ({f"{name}.{f.name}": getattr(timeout, f.name) for f in fields(timeout)}
              if isinstance(timeout, Timeouts) else {name: timeout})
    for name, value in values.items():
        if (isinstance(value, bool) or not isinstance(value, Real)
                or not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok)):
            raise ConfigurationError(f"{name} must be a {'non-negative' if zero_ok else 'positive'}"
                                     f" number of seconds, got {value!r}")
