"""Estimator pubs on few qubits, without noise: exact values in this thread, then shot noise.

Aer's estimator hands every pub to a job thread and waits for it; for the small circuits
variational algorithms send (a few qubits, tens of gates) that hand-off is most of the time,
and on a loaded machine it is several milliseconds a pub. Here every parameter set of a pub
is evolved at once, as rows of one array, in the calling thread: the fixed gates between two
parametric ones are fused into one matrix when the circuit is compiled (once per circuit),
diagonal parametric gates (``rz``, ``p``, ``rzz``...) are a phase per amplitude, and Pauli
expectation values are read from bit masks, never from matrices. Each value then gets the
Gaussian noise of standard deviation ``precision`` that Aer's estimator adds.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import numpy as np
from qiskit.circuit import Gate, ParameterExpression, QuantumCircuit
from qiskit.circuit.exceptions import CircuitError
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.exceptions import QiskitError
from qiskit.primitives import DataBin
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.quantum_info import Operator, Statevector

from ._pauli_terms import expectation_values

#: Widest circuit evolved here (2**12 amplitudes); wider ones go to Aer.
MAX_QUBITS = 12
#: Most parameter sets evolved here; a larger sweep is worth Aer's batching.
MAX_PARAMETER_SETS = 512
#: Up to this width, runs of fixed gates are fused into one dense matrix (128 x 128).
_DENSE_QUBITS = 7
#: Most phase factors (rows x phase steps x amplitudes) computed in one call.
_PHASE_FACTORS = 1 << 16
#: Most bytes of fused matrices in one program (the rest of its fixed gates apply one by one).
_FUSED_BYTES = 4 << 20

Array = np.ndarray[Any, Any]


class _Angle:
    """A gate argument as ``const + sum(slope * value)`` over a few of the program's
    parameters (``terms``: (parameter index, slope)), or (an expression that is not affine)
    evaluated row by row."""

    def __init__(self, param: Any, index: dict[Any, int]) -> None:
        self.terms: list[tuple[int, float]] | None = []
        self.const = 0.0
        self.expression: ParameterExpression | None = None
        if not isinstance(param, ParameterExpression):
            self.const = float(param)
            return
        try:
            for parameter in param.parameters:
                slope = param.gradient(parameter)
                if isinstance(slope, ParameterExpression):
                    raise TypeError("not affine")
                self.terms.append((index[parameter], float(slope)))
            self.const = float(param.bind({p: 0.0 for p in param.parameters}).numeric().real)
        except (TypeError, ValueError, ArithmeticError, QiskitError):
            self.terms, self.expression = None, param
        self._parameters = [(p, index[p]) for p in param.parameters]

    def values(self, rows: Array) -> Array:
        """The argument for each row of parameter values."""
        if self.terms is not None:
            out = np.full(len(rows), self.const)
            for column, slope in self.terms:
                out += slope * rows[:, column]
            return out
        assert self.expression is not None
        return np.array([float(self.expression.bind(
            {p: row[i] for p, i in self._parameters}).numeric().real) for row in rows])


class Program:
    """A unitary circuit compiled to a few array operations on all parameter sets at once."""

    def __init__(self, circuit: QuantumCircuit) -> None:
        self.num_qubits = n = circuit.num_qubits
        self.parameters = list(circuit.parameters)
        position = {qubit: i for i, qubit in enumerate(circuit.qubits)}
        index = {parameter: i for i, parameter in enumerate(self.parameters)}
        self._bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1  # [amplitude, qubit]
        self._steps: list[Any] = []
        self._phase_angles: list[_Angle] = []
        self._pattern_of: list[int] = []  # phase step -> its row of ``_patterns``
        patterns: dict[tuple[str, tuple[int, ...]], int] = {}  # their rows, by gate and qubits
        pattern_rows: list[Array] = []
        self._fused_bytes = 0
        fixed: list[tuple[list[int], Array]] = []  # the fixed gates since the last step
        for inst in circuit.data:
            operation, qubits = inst.operation, [position[q] for q in inst.qubits]
            if not _parametric(operation):
                fixed.append((qubits, _tensor(_matrix(operation), len(qubits))))
                continue
            self._flush(fixed)
            angles = [_Angle(p, index) for p in operation.params]
            pattern = self._phase_pattern(operation.name, qubits)
            if pattern is None:
                self._steps.append(("gate", qubits, angles, operation.base_class))
                continue
            self._steps.append(("phase", len(self._phase_angles)))
            self._phase_angles.append(angles[0])
            key = (operation.name, tuple(qubits))  # steps on the same qubits share a pattern
            if key not in patterns:
                patterns[key] = len(pattern_rows)
                pattern_rows.append(pattern)
            self._pattern_of.append(patterns[key])
        self._flush(fixed)
        self._patterns = np.array(pattern_rows).reshape(len(pattern_rows), 2**n)
        self._affine_terms()

    def _affine_terms(self) -> None:
        """Every affine phase angle's terms as flat arrays, for one gather per evaluation."""
        steps, columns, slopes = [], [], []
        for k, angle in enumerate(self._phase_angles):
            for column, slope in angle.terms or ():
                steps.append(k)
                columns.append(column)
                slopes.append(slope)
        self._term_steps, self._term_columns = np.array(steps, int), np.array(columns, int)
        self._term_slopes = np.array(slopes, float)
        self._unique_steps = len(set(steps)) == len(steps)
        self._constants = np.array([angle.const for angle in self._phase_angles])

    def _flush(self, fixed: list[tuple[list[int], Array]]) -> None:
        """Turn pending fixed gates into steps: one fused matrix (several gates, while the
        fused matrices stay small in all), or one step each."""
        if not fixed:
            return
        size = 16 * 4**self.num_qubits
        if (self.num_qubits <= _DENSE_QUBITS and (len(fixed) > 1 or self.num_qubits <= 5)
                and self._fused_bytes + size <= _FUSED_BYTES):
            self._fused_bytes += size
            matrix = np.eye(2**self.num_qubits, dtype=complex)  # rows evolve to U^T's rows
            for qubits, tensor in fixed:
                matrix = _apply(matrix, tensor, qubits, self.num_qubits)
            self._steps.append(("dense", matrix))
        else:
            self._steps.extend(("fixed", qubits, tensor) for qubits, tensor in fixed)
        fixed.clear()

    def _phase_pattern(self, name: str, qubits: list[int]) -> Array | None:
        """For a gate that multiplies amplitude ``i`` by ``exp(1j * angle * pattern[i])``,
        that pattern; None for any other gate."""
        bits = [self._bits[:, q] for q in qubits]
        if name == "rz":
            return bits[0] - 0.5
        if name in ("p", "u1"):
            return bits[0].astype(float)
        if name == "rzz":
            return (bits[0] ^ bits[1]) - 0.5
        if name == "cp":
            return (bits[0] & bits[1]).astype(float)
        if name == "crz":
            return bits[0] * (bits[1] - 0.5)
        return None

    def states(self, rows: Array) -> Array:
        """Final states, one row of amplitudes per row of ``rows`` (values in ``parameters``
        order; one row of width 0 for a parameter-free circuit)."""
        n = self.num_qubits
        states = np.zeros((len(rows), 2**n), dtype=complex)
        states[:, 0] = 1.0
        angles = self._phase_step_angles(rows)  # [row, phase step]
        factors = None  # every phase step's factors at once, when they are few
        if angles.size * 2**n <= _PHASE_FACTORS:
            factors = np.exp(1j * angles[:, :, None] * self._patterns[self._pattern_of])
        for step in self._steps:
            kind = step[0]
            if kind == "dense":
                states = states @ step[1]
            elif kind == "phase":
                states = states * (factors[:, step[1]] if factors is not None else np.exp(
                    1j * angles[:, step[1], None] * self._patterns[self._pattern_of[step[1]]]))
            elif kind == "fixed":
                states = _apply(states, step[2], step[1], n)
            else:
                states = self._general(states, rows, *step[1:])
        return states

    def _phase_step_angles(self, rows: Array) -> Array:
        """The angle of every phase step for every row: one product for the affine ones."""
        angles = np.tile(self._constants, (len(rows), 1))
        contributions = rows[:, self._term_columns] * self._term_slopes
        if self._unique_steps:
            angles[:, self._term_steps] += contributions
        else:
            np.add.at(angles.T, self._term_steps, contributions.T)  # several terms a step
        for k, angle in enumerate(self._phase_angles):
            if angle.terms is None:
                angles[:, k] = angle.values(rows)
        return angles

    def _general(self, states: Array, rows: Array, qubits: list[int], angles: list[_Angle],
                 gate_class: type) -> Array:
        """A parametric gate of no phase form: its matrix is built for each row."""
        arguments = np.stack([angle.values(rows) for angle in angles], axis=-1)
        out = np.empty_like(states)
        for row, values in enumerate(arguments):
            tensor = _tensor(gate_class(*values).to_matrix(), len(qubits))
            out[row] = _apply(states[row:row + 1], tensor, qubits, self.num_qubits)[0]
        return out

    def state(self, values: Array | None) -> Statevector:
        """The final state for one parameter set (``values`` in ``parameters`` order)."""
        rows = np.zeros((1, 0)) if values is None else np.asarray(values, float).reshape(1, -1)
        return Statevector(self.states(rows)[0])


def _apply(states: Array, tensor: Array, qubits: list[int], n: int) -> Array:
    """``tensor`` (a k-qubit gate as a (2,)*2k array) on ``qubits`` of each row of ``states``.

    Qubit q is axis n-q of a row reshaped to (2,)*n (after the row axis); a matrix's row bits
    run from its last qubit (most significant) to its first.
    """
    k = len(qubits)
    axes = [n - q for q in reversed(qubits)]
    shaped = states.reshape((len(states),) + (2,) * n)
    moved = np.tensordot(tensor, shaped, axes=(list(range(k, 2 * k)), axes))
    return np.moveaxis(moved, list(range(k)), axes).reshape(len(states), -1)


def _parametric(operation: Any) -> bool:
    """Whether a gate has an unbound argument (``is_parameterized()`` misses them on some
    controlled gates, such as ``cp``)."""
    return any(isinstance(param, ParameterExpression) for param in operation.params)


def _matrix(gate: Gate) -> Array:
    """A fixed gate's matrix, from its definition when it has no matrix of its own (the
    opaque ``ecr`` an OpenQASM 3 ``gate`` definition makes)."""
    try:
        return np.asarray(gate.to_matrix())
    except CircuitError:
        return np.asarray(Operator(gate).data)


def _tensor(matrix: Array, k: int) -> Array:
    return np.asarray(matrix, dtype=complex).reshape((2,) * (2 * k))


def compile_circuit(circuit: QuantumCircuit) -> Program | None:
    """The circuit as a :class:`Program`, or None if it is too wide or not made of gates
    (measure, reset, control flow, a parametric gate of no standard class...)."""
    if circuit.num_qubits > MAX_QUBITS:
        return None
    standard = _standard_classes()
    for inst in circuit.data:
        operation = inst.operation
        if not isinstance(operation, Gate):
            return None
        if _parametric(operation) and (
                operation.base_class is not standard.get(operation.name)):
            return None
    try:
        return Program(circuit)
    except QiskitError:  # a gate with neither a matrix nor a definition
        return None


@functools.cache
def _standard_classes() -> dict[str, type]:
    """Qiskit's standard gate classes by name (built once: the mapping makes a gate of each)."""
    return {name: type(gate) for name, gate in get_standard_gate_name_mapping().items()}


def covers(pub: EstimatorPub) -> bool:
    """Whether :func:`estimate` takes ``pub``'s parameter sweep (not too many sets)."""
    return bool(pub.parameter_values.size <= MAX_PARAMETER_SETS)


class PubInput(NamedTuple):
    """What :func:`exact_values` needs of one pub."""

    values: BindingsArray
    observables: list[dict[str, float]]
    """``{label: coeff}`` per observable, in the order of ``observables_shape`` raveled."""
    observables_shape: tuple[int, ...]


def exact_values(program: Program, pubs: list[PubInput]) -> list[Array]:
    """Exact expectation values of pubs sharing ``program``, each in its broadcast shape.

    The parameter sets of every pub are evolved together (at most ``MAX_PARAMETER_SETS`` in
    all, as :func:`covers` ensures for one pub: callers batch), and pubs with the same
    observables read them in one pass: a gradient job sends one circuit and one observable
    in tens of pubs.
    """
    blocks, state_indices, start = [], [], 0
    for pub in pubs:
        values = pub.values
        if program.parameters:
            blocks.append(np.asarray(values.as_array(program.parameters), dtype=float)
                          .reshape(values.size, -1))
            state_indices.append(start + np.arange(values.size).reshape(values.shape))
        else:  # every row is the same state
            blocks.append(np.zeros((1, 0)))
            state_indices.append(np.full(values.shape, start))
        start += len(blocks[-1])
    states = program.states(np.concatenate(blocks))
    tables: dict[Any, Array] = {}  # [state, observable] by observables
    results = []
    for pub, state_index in zip(pubs, state_indices, strict=True):
        key = tuple(tuple(terms.items()) for terms in pub.observables)
        if key not in tables:
            tables[key] = expectation_values(states, pub.observables, program.num_qubits)
        rows, columns = np.broadcast_arrays(
            state_index, np.arange(len(pub.observables)).reshape(pub.observables_shape))
        results.append(np.array(tables[key][rows, columns], dtype=float))
    return results


def with_noise(exact: Array, precision: float, rng: np.random.Generator) -> DataBin:
    """``evs`` (``exact`` plus ``N(0, precision)`` noise, as Aer's estimator adds) and
    ``stds``."""
    evs = rng.normal(exact, precision, exact.shape) if precision > 0 else exact
    return DataBin(evs=evs, stds=np.full(exact.shape, precision), shape=exact.shape)


def estimate(program: Program, pub: EstimatorPub, rng: np.random.Generator) -> DataBin:
    """``evs`` (exact values plus ``N(0, precision)`` noise) and ``stds`` of ``pub``, whose
    circuit ``program`` compiles."""
    observables = PubInput(pub.parameter_values, pub.observables.ravel().tolist(),
                           pub.observables.shape)
    return with_noise(exact_values(program, [observables])[0], float(pub.precision or 0.0), rng)
