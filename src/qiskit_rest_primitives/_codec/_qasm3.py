"""Circuit → OpenQASM 3 text, with the parameter names the text declares."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qiskit import qasm3
from qiskit.circuit import (
    Barrier,
    CircuitInstruction,
    ClassicalRegister,
    Clbit,
    Measure,
    Parameter,
    ParameterExpression,
    QuantumCircuit,
    Qubit,
    Reset,
)

from ._qasm3_names import STDGATES, ParameterText, check_identifier
from ._qasm3_names import Unsupported as _Unsupported
from ._qasm3_native import native_text

_INPUT_RE = re.compile(r"^input float\[64\] (\S+);", re.MULTILINE)
#: ``ecr`` is not in ``stdgates.inc``; this is the definition ``qasm3.dumps`` writes for it.
ECR_DEFINITION = (
    "gate ecr _gate_q_0, _gate_q_1 {\n  s _gate_q_0;\n  sx _gate_q_1;\n"
    "  cx _gate_q_0, _gate_q_1;\n  x _gate_q_0;\n}\n"
)
_DELAY_UNITS = frozenset({"dt", "ns", "us", "ms", "s"})
_Scope = tuple[dict[Qubit, str], dict[Clbit, str]]
#: An instruction as a target lists it: name and circuit qubit indices.
UsedInstruction = tuple[str, tuple[int, ...]]


@dataclass(frozen=True)
class Qasm3Program:
    """OpenQASM 3 text plus, for each circuit parameter, the name it has in the text."""

    text: str
    #: The circuit's parameters and, in the same order, their ``input`` names in ``text``.
    parameters: tuple[Parameter, ...]
    input_names: tuple[str, ...]
    #: Every distinct (name, qubits) of the circuit, when the emitter saw them all (no control
    #: flow); lets the ISA check skip building a DAG.
    instructions: frozenset[UsedInstruction] | None = field(default=None, compare=False)

    def server_parameter_order(self) -> list[Parameter]:
        """Circuit parameters in the column order a server parsing ``text`` sees.

        ``qasm3.loads`` returns plain parameters sorted by name, so
        ``ParameterVector`` elements (``_th_10_`` before ``_th_2_``) reorder.
        """
        return [param for _, param in sorted(zip(self.input_names, self.parameters,
                                                 strict=True))]  # names are distinct

    @functools.cached_property
    def parameter_names(self) -> dict[Parameter, str]:
        """Parameter → its name in the text."""
        return dict(zip(self.parameters, self.input_names, strict=True))


def dumps(circuit: QuantumCircuit) -> Qasm3Program:
    """Serialise ``circuit`` to OpenQASM 3 that ``qasm3.loads`` reads back.

    Parameter-free basis-gate circuits go through qiskit's Rust exporter
    (:mod:`._qasm3_native`); other ISA-style circuits take a one-pass Python path; anything
    neither covers (custom gates, classical expressions, switch, stretches...) goes through
    :func:`qiskit.qasm3.dumps`.
    """
    program = dumps_fast(circuit)
    return program if program is not None else dumps_reference(circuit)


def dumps_fast(circuit: QuantumCircuit) -> Qasm3Program | None:
    """:func:`dumps` by its fast paths alone: ``None`` where only ``qasm3.dumps`` would do."""
    try:
        emitter = _Emitter(circuit)
        text = native_text(circuit)
        if text is not None:
            return Qasm3Program(text, (), ())
        return emitter.program()
    except _Unsupported:
        return None


def dumps_reference(circuit: QuantumCircuit) -> Qasm3Program:
    """Serialise with ``qiskit.qasm3.dumps`` and the options IBM's examples use."""
    text = qasm3.dumps(circuit, disable_constants=True, allow_aliasing=True,
                       experimental=qasm3.ExperimentalFeatures.SWITCH_CASE_V1)
    names = _INPUT_RE.findall(text)
    return Qasm3Program(text, tuple(circuit.parameters), tuple(names))


def _float_text(value: Any) -> str:
    """Shortest round-tripping literal of a real number (``repr``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError) as exc:
            raise _Unsupported from exc
    text = repr(float(value))
    if not math.isfinite(float(value)):
        raise _Unsupported
    return text


class _Lines(dict[str, Any]):
    """The lines cached for one tuple of qubits, by gate name: the line of a parameterless
    gate, or a dict angle → line for a checked one-angle gate."""

    __slots__ = ("qargs", "text")

    def __init__(self, text: str, qargs: tuple[int, ...]) -> None:
        super().__init__()
        self.text = text  # "$0, $1"
        self.qargs = qargs  # the qubits' positions in the scope (the circuit's, at top level)


def _index_table(qubit_text: dict[Qubit, str]) -> tuple[list[_Lines], list[int]]:
    """Per-qubit line caches, and scope positions, indexed by each bit's index in its
    register.

    The fast path requires those indices to be distinct within a scope (one register
    in the circuit; bodies use the outer bits or one register of their own).
    """
    indices: list[int] = []
    for bit in qubit_text:
        index = getattr(bit, "_index", None)
        if type(index) is not int:
            raise _Unsupported
        indices.append(index)
    if len(set(indices)) != len(indices):
        raise _Unsupported
    size = max(indices, default=-1) + 1
    table, positions = [_Lines("", ())] * size, [-1] * size
    for position, (index, text) in enumerate(zip(indices, qubit_text.values(), strict=True)):
        table[index], positions[index] = _Lines(text, (position,)), position
    return table, positions


def _multi_lines(qubits: Sequence[Qubit], qubit_text: dict[Qubit, str],
                 positions: list[int]) -> _Lines:
    """The line cache of several qubits, made when an instruction first acts on them."""
    return _Lines(", ".join([qubit_text[bit] for bit in qubits]),
                  tuple([positions[bit._index] for bit in qubits]))


class _Emitter:
    """One-pass OpenQASM 3 writer for one circuit; raises :class:`_Unsupported` to bail out."""

    def __init__(self, circuit: QuantumCircuit) -> None:
        if (circuit.num_vars or circuit.num_stretches
                or getattr(circuit, "num_identifiers", 0)):
            raise _Unsupported
        self.circuit = circuit
        self.parameter_text = ParameterText(circuit)
        self.uses_ecr = False
        self.repr_cache: dict[float, str] = {}
        self.used: set[UsedInstruction] | None = set()  # None once control flow is seen
        self.declarations = self._declare_bits(circuit)

    def _declare_bits(self, circuit: QuantumCircuit) -> list[str]:
        """Register declarations; fills the clbit and qubit → text maps."""
        taken = set(self.parameter_text.known_names)
        self.clbit_text: dict[Clbit, str] = {}
        lines = []
        for creg in circuit.cregs:
            name = check_identifier(creg.name, taken)
            lines.append(f"bit[{creg.size}] {name};\n")
            for index, bit in enumerate(creg):
                if bit in self.clbit_text:
                    raise _Unsupported  # overlapping registers need aliases
                self.clbit_text[bit] = f"{name}[{index}]"
        if len(self.clbit_text) != circuit.num_clbits:
            raise _Unsupported  # loose clbits
        self.creg_names = {creg: creg.name for creg in circuit.cregs}
        if circuit.layout is not None:
            self.qubit_text = {bit: f"${index}" for index, bit in enumerate(circuit.qubits)}
            return lines
        if len(circuit.qregs) != 1 or list(circuit.qregs[0]) != circuit.qubits:
            raise _Unsupported
        qreg = circuit.qregs[0]
        name = check_identifier(qreg.name, taken)
        lines.append(f"qubit[{qreg.size}] {name};\n")
        self.qubit_text = {bit: f"{name}[{index}]" for index, bit in enumerate(qreg)}
        return lines

    def program(self) -> Qasm3Program:
        """Header, declarations and body as one :class:`Qasm3Program`."""
        body = self.block(self.circuit._data, self.qubit_text, self.clbit_text, "")
        head = ['OPENQASM 3.0;\ninclude "stdgates.inc";\n']
        head.extend(f"input float[64] {name};\n" for name in self.parameter_text.input_names)
        if self.uses_ecr:
            head.append(ECR_DEFINITION)
        head.extend(self.declarations)
        used = frozenset(self.used) if self.used is not None else None
        names = self.parameter_text
        return Qasm3Program("".join(head) + body, names.parameters, tuple(names.input_names),
                            used)

    def block(self, data: Iterable[CircuitInstruction], qubit_text: dict[Qubit, str],
              clbit_text: dict[Clbit, str], indent: str) -> str:
        """Emit a sequence of instructions; the hot loop of the module.

        Lines are cached per (qubits, gate name[, angle]): a repeat costs no formatting and no
        call. Qubits are found by register index, not hashed; nothing is allocated per
        instruction (so the garbage collector stays asleep)."""
        table, positions = _index_table(qubit_text)
        size = len(table)
        multi: dict[Any, _Lines] = {}
        out: list[str] = []
        append = out.append
        count = len
        for inst in data:
            qubits = inst.qubits
            if count(qubits) == 1:
                lines = table[qubits[0]._index]
            else:
                key: Any = (qubits[0]._index * size + qubits[1]._index if count(qubits) == 2
                            else tuple([bit._index for bit in qubits]))
                lines = multi.get(key)
                if lines is None:
                    lines = multi[key] = _multi_lines(qubits, qubit_text, positions)
            name = inst.name
            entry = lines.get(name)
            if entry.__class__ is str:  # a cached parameterless line
                append(entry)
                continue
            params = inst.params
            if not params:
                line = self.without_params(inst, name, lines, indent, (qubit_text, clbit_text))
            elif entry is None or count(params) != 1:  # not (yet) a checked one-angle gate
                line = self.with_params(inst, name, lines, indent, (qubit_text, clbit_text))
            elif type(params[0]) is float:  # cached per angle; a new angle is formatted once
                line = entry.get(params[0]) or self.angle_line(entry, params[0], lines, name,
                                                                indent)
            else:
                line = f"{indent}{name}({self.angle(params[0])}) {lines.text};\n"
            append(line)
        return "".join(out)

    def angle_line(self, entry: dict[float, str], angle: float, lines: _Lines, name: str,
                   indent: str) -> str:
        """A checked one-angle gate's line at a float ``angle`` not yet seen on these qubits,
        added to ``entry``, the gate's lines by angle."""
        line = entry[angle] = f"{indent}{name}({self.real(angle)}) {lines.text};\n"
        return line

    def real(self, value: float) -> str:
        """``repr`` of an angle, memoised (transpiled circuits repeat angles a lot)."""
        text = self.repr_cache.get(value)
        if text is None:
            text = self.repr_cache[value] = _float_text(value)
        return text

    def with_params(self, inst: CircuitInstruction, name: str, lines: _Lines,
                    indent: str, scope: _Scope) -> str:
        """A parametrised instruction the cached fast path did not cover."""
        if self.used is not None:
            self.used.add((name, lines.qargs))
        if name == "delay":
            return self.delay(inst, lines, indent)
        if name in ("if_else", "while_loop", "for_loop"):
            return self.control_flow(inst, indent, scope)
        if name not in STDGATES or not inst.is_standard_gate():
            raise _Unsupported
        params = inst.params
        if len(params) == 1:
            lines[name] = {}  # from now on this (qubits, gate) takes the fast path
        args = ", ".join([self.angle(param) for param in params])
        return f"{indent}{name}({args}) {lines.text};\n"

    def angle(self, value: Any) -> str:
        """A gate argument: literal, input name, or a +-*/ expression of inputs."""
        if value.__class__ is ParameterExpression:  # the usual case first: one call, not three
            return self.parameter_text.expression(value)
        if isinstance(value, ParameterExpression):
            return self.parameter_text(value)
        return self.real(value)

    def without_params(self, inst: CircuitInstruction, name: str, lines: _Lines,
                       indent: str, scope: _Scope) -> str:
        """A parameterless instruction seen for the first time on these qubits."""
        if self.used is not None:
            self.used.add((name, lines.qargs))
        if name == "measure":
            if len(inst.clbits) != 1 or not isinstance(inst.operation, Measure):
                raise _Unsupported
            return f"{indent}{scope[1][inst.clbits[0]]} = measure {lines.text};\n"
        if name in ("break_loop", "continue_loop"):
            return f"{indent}{'break' if name == 'break_loop' else 'continue'};\n"
        if name in ("reset", "barrier"):
            if not isinstance(inst.operation, (Reset, Barrier)) or inst.clbits:
                raise _Unsupported
        elif name == "ecr" and inst.is_standard_gate():
            self.uses_ecr = True
        elif name not in STDGATES or not inst.is_standard_gate():
            raise _Unsupported
        line = lines[name] = f"{indent}{name} {lines.text};\n"
        return line

    def delay(self, inst: CircuitInstruction, lines: _Lines, indent: str) -> str:
        """``delay[100dt] $0;`` — integer ``dt`` or a float SI duration."""
        op = inst.operation
        duration, unit = op.params[0], op.unit
        if unit == "dt":
            if isinstance(duration, bool) or not isinstance(duration, int):
                raise _Unsupported
            text = f"{duration}dt"
        else:
            if unit == "ps":
                duration, unit = float(duration) / 1000, "ns"
            if unit not in _DELAY_UNITS:
                raise _Unsupported
            text = self.real(duration) + unit
        return f"{indent}delay[{text}] {lines.text};\n"

    def control_flow(self, inst: CircuitInstruction, indent: str, scope: _Scope) -> str:
        """``if``/``else``, ``while`` and ``for`` blocks, bodies emitted recursively."""
        qubit_text, clbit_text = scope
        self.used = None  # bodies name their own bits: the ISA check reads the circuit
        op = inst.operation
        inner = indent + "  "
        bodies = [body for body in op.blocks]
        texts = []
        for body in bodies:
            qmap = {b: qubit_text[outer] for b, outer in zip(body.qubits, inst.qubits,
                                                                   strict=True)}
            cmap = {b: clbit_text[outer] for b, outer in zip(body.clbits, inst.clbits,
                                                             strict=True)}
            if body.num_vars or body.num_stretches:
                raise _Unsupported
            texts.append(self.block(body._data, qmap, cmap, inner))
        if inst.name == "for_loop":
            indexset, loop_parameter, _ = op.params
            if loop_parameter is not None:
                raise _Unsupported
            return f"{indent}for int _ in {self.index_set(indexset)} {{\n{texts[0]}{indent}}}\n"
        condition = self.condition(op.condition, clbit_text)
        keyword = "if" if inst.name == "if_else" else "while"
        text = f"{indent}{keyword} ({condition}) {{\n{texts[0]}{indent}}}"
        if len(texts) > 1:
            text += f" else {{\n{texts[1]}{indent}}}"
        return text + "\n"

    def condition(self, condition: Any, clbit_text: dict[Clbit, str]) -> str:
        """``c[0]``, ``!c[0]`` or ``c == 3``; classical expressions are not covered."""
        if not isinstance(condition, tuple):
            raise _Unsupported
        target, value = condition
        if isinstance(target, Clbit):
            return clbit_text[target] if value else f"!{clbit_text[target]}"
        if isinstance(target, ClassicalRegister) and target in self.creg_names:
            return f"{self.creg_names[target]} == {int(value)}"
        raise _Unsupported

    @staticmethod
    def index_set(indexset: Any) -> str:
        """``[start:step:stop]`` for a range, ``{a, b}`` for an explicit sequence."""
        if isinstance(indexset, range) and len(indexset):
            last = indexset[-1]
            if indexset.step == 1:
                return f"[{indexset.start}:{last}]"
            return f"[{indexset.start}:{indexset.step}:{last}]"
        values = list(indexset)
        if not values or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise _Unsupported
        return "{" + ", ".join(str(v) for v in values) + "}"
