"""OpenQASM 3 text → QuantumCircuit for the local server, fast for ISA programs.

A line-oriented parser covers what ISA exports contain (``qasm3.dumps`` and the client's
emitter): declarations, standard gates, parameterless ``gate`` definitions such as ``ecr``,
measure, reset, barrier, delay and ``+-*/`` angle expressions over ``input float[64]``
parameters; comments are stripped first. Anything else (control flow, broadcasts, aliases...)
is handed to ``qiskit.qasm3.loads``, whose result the fast path reproduces instruction for
instruction.
One difference on purpose: register names stay as written (``qasm3.loads`` renames ``C``
to ``esc_C`` and ``Meas`` to ``esc_Meas``, so results would not be found under ``data.C``).

Why it is fast: a transpiled circuit repeats few distinct lines (``sx $4;`` hundreds of
times), so each distinct line is parsed once into a ``CircuitInstruction`` and repeats are
one dictionary look-up; the instructions go into the circuit in one ``extend`` at the end,
the physical qubits before them, one ``add_qubit`` each (``add_bits`` checks cost O(n²)).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from qiskit import qasm3
from qiskit.circuit import (
    Barrier,
    CircuitInstruction,
    ClassicalRegister,
    Clbit,
    Delay,
    Measure,
    Parameter,
    QuantumCircuit,
    QuantumRegister,
    Qubit,
    Reset,
)

from ._qasm3_angles import Angles
from ._qasm3_physical import physical_qubits, trivial_layout
from ._qasm3_syntax import (
    CALL_RE,
    CONSTANTS,
    IDENT,
    KEYWORDS,
    STDGATES,
    DefinedGate,
    GateSpec,
    Unsupported,
)
from ._qasm_scan import strip_comments

_HEADER_RE = re.compile(r"OPENQASM\s+3(\.0)?\s*;")
_DECL_RE = re.compile(rf"(bit|qubit)\s*\[\s*([0-9]+)\s*\]\s+({IDENT})\s*;")
_INPUT_RE = re.compile(rf"input\s+float\s*\[\s*64\s*\]\s+({IDENT})\s*;")
_GATE_DEF_RE = re.compile(rf"gate\s+({IDENT})\s+({IDENT}(?:\s*,\s*{IDENT})*)\s*\{{")
_MEASURE_RE = re.compile(r"(\S+?)\s*=\s*measure\s+(\S+?)\s*;")
_DELAY_RE = re.compile(r"delay\s*\[\s*([0-9]+\.?[0-9]*(?:[eE][-+]?[0-9]+)?)"
                       r"\s*(dt|ns|us|µs|ms|s)\s*\]\s+(.+?)\s*;")
_IDENT_RE = re.compile(IDENT)
_NAMES_RE = re.compile(rf"(?:{IDENT}\n)*{IDENT}")
_BIT_RE = re.compile(rf"(?:\$([0-9]+)|({IDENT})\s*\[\s*([0-9]+)\s*\])")
_MEASURE = CircuitInstruction(Measure(), (Qubit(),), (Clbit(),))
#: How declaration lines start (others skip the declaration patterns).
_DECLARATIONS = ("include", "input", "bit", "qubit")
#: More bits than any device has: refuse rather than allocate (``qasm3.loads`` would try).
MAX_BITS = 1 << 16


def loads(text: str, *, check: Callable[[str], None] | None = None) -> QuantumCircuit:
    """Parse ``text``; parameters come back sorted by name, as ``qasm3.loads`` does.

    ``check(text)`` runs before the general parser takes a program the fast path does not
    cover (the server bounds sizes there; that parser allocates whatever is declared).
    """
    if _has_comment(text):
        text = strip_comments(text)  # comments change nothing: the fast path takes the rest
    try:
        return _Parser(text).parse()
    except Unsupported:
        if check is not None:
            check(text)
        return qasm3.loads(text)


def _has_comment(text: str) -> bool:
    # One-character search first: ``"//" in text`` scans a Unicode text ~100x slower.
    return "/" in text and ("//" in text or "/*" in text)


def _check_width(size: int) -> None:
    if size > MAX_BITS:
        raise ValueError(f"OpenQASM 3 program declares or addresses {size} bits "
                         f"(more than {MAX_BITS})")


def _instruction(spec: GateSpec, qubits: tuple[Qubit, ...], params: tuple[Any, ...]
                 ) -> CircuitInstruction:
    """A call of ``spec``; standard gates are stored without a Python gate object."""
    if len(qubits) != spec.num_qubits or len(params) != spec.num_params:
        raise Unsupported
    if spec.standard is not None:
        return CircuitInstruction.from_standard(spec.standard, qubits, params)
    return CircuitInstruction(spec.factory(*params), qubits, ())


class _Parser:
    """One program: symbol tables, the circuit being built and a line → instruction cache."""

    def __init__(self, text: str) -> None:
        if _has_comment(text):
            raise Unsupported
        self.lines = text.split("\n")
        self.circuit = QuantumCircuit()
        self.parameters: dict[str, Parameter] = {}
        self.angles = Angles(self.parameters)
        self.gates: dict[str, GateSpec] = {}
        self.cregs: dict[str, ClassicalRegister] = {}
        self.qregs: dict[str, QuantumRegister] = {}
        self.physical: list[Qubit] = []  # at least ``width`` of the shared ``$n`` qubits
        self.width = 0  # 1 + the highest ``$n``
        self.cache: dict[str, CircuitInstruction] = {}
        self.operands: dict[str, tuple[Qubit, ...]] = {}
        self.qubits: dict[str, Qubit] = {}
        self.symbols = set(KEYWORDS) | set(CONSTANTS)  # names a declaration may not take

    def parse(self) -> QuantumCircuit:
        """Run through the lines, one instruction per statement; repeated lines are one
        look-up in the cache (the hot loop: keep it this small)."""
        lines = iter(self.lines)
        self._header(lines)
        instructions: list[CircuitInstruction] = []
        push = instructions.append
        cached = self.cache.get
        for line in lines:
            instruction = cached(line)
            if instruction is None:
                instruction = self._line(line, lines)
                if instruction is None:
                    continue
            push(instruction)
        return self._finish(instructions)

    def _header(self, lines: Iterator[str]) -> None:
        """Skip blank lines and ``OPENQASM 3.0;``."""
        for line in lines:
            if line.strip():
                if not _HEADER_RE.fullmatch(line.strip()):
                    raise Unsupported
                return
        raise Unsupported

    def _line(self, line: str, rest: Iterator[str]) -> CircuitInstruction | None:
        """A line not seen before: its instruction (cached), or None for a declaration.

        Lines as the exporters write them (``name(args) operands;``, ``input float[64] a;``)
        are split without a regular expression; each part is checked where it is used.
        """
        if line.endswith(";"):
            if "(" in line:
                head, _, operands = line[:-1].rpartition(") ")
                name, _, args = head.partition("(")
            else:
                name, _, operands = line[:-1].partition(" ")
                args = None
            spec = self.gates.get(name)
            if spec is not None and operands:  # a gate call: most lines of a program
                instruction = self.cache[line] = self._call(spec, args, operands)
                return instruction
            if operands.startswith("= measure "):
                instruction = self.cache[line] = self._measure(name, operands[10:])
                return instruction
            if (name == "input" and operands.startswith("float[64] ")
                    and _IDENT_RE.fullmatch(operands, 10)):
                return self._inputs(operands[10:], rest)
        return self._other(line, rest)

    def _other(self, line: str, rest: Iterator[str]) -> CircuitInstruction | None:
        """A line in any other spelling or of any other kind."""
        call = CALL_RE.fullmatch(line)
        spec = self.gates.get(call[1]) if call is not None else None
        if spec is not None:
            assert call is not None
            instruction = self.cache[line] = self._call(spec, call[2], call[3])
            return instruction
        stripped = line.strip()
        if not stripped:
            return None
        if stripped.startswith("gate "):
            self._gate_definition(stripped, rest)
            return None
        if stripped.startswith(_DECLARATIONS) and self._declaration(stripped):
            return None
        instruction = self.cache[line] = self._statement(stripped)
        return instruction

    def _call(self, spec: GateSpec, args: str | None, operands: str) -> CircuitInstruction:
        """A call of a known gate; standard gates are stored without a Python gate object."""
        qubits = self.operands.get(operands) or self._operands(operands)
        params = self.angles.known.get(args)
        if params is None:
            params = self.angles.arguments(args)
        return _instruction(spec, qubits, params)

    def _declaration(self, line: str) -> bool:
        """Handle ``include``/``input``/``bit[n]``/``qubit[n]``; False if not a declaration."""
        if line == 'include "stdgates.inc";':
            if not self.symbols.isdisjoint(STDGATES):
                raise Unsupported
            self.symbols.update(STDGATES)
            self.gates.update(STDGATES)
            return True
        if match := _INPUT_RE.fullmatch(line):
            self._input(match[1])
            return True
        if match := _DECL_RE.fullmatch(line):
            kind, size, name = match[1], int(match[2]), match[3]
            _check_width(size)
            self._new_symbol(name)
            if kind == "bit":
                creg = self.cregs[name] = ClassicalRegister(size, name)
                self.circuit.add_register(creg)
            else:
                if self.width:
                    raise Unsupported  # mixed addressing: let qasm3.loads report it
                qreg = self.qregs[name] = QuantumRegister(size, name)
                self.circuit.add_register(qreg)
            return True
        return False

    def _input(self, name: str) -> None:
        """``input float[64] name;``: a new parameter."""
        self._new_symbol(name)
        self.parameters[name] = Parameter(name)

    def _inputs(self, name: str, rest: Iterator[str]) -> CircuitInstruction | None:
        """``input float[64] name;`` and the input declarations right after it, read in one
        go (exporters write one per parameter); then the line after them as :meth:`_line`."""
        self._input(name)
        block = []  # the declarations' lines, then checked and declared all at once
        following = None
        for line in rest:
            if not (line.startswith("input float[64] ") and line.endswith(";")):
                following = line
                break
            block.append(line)
        names = [line[16:-1] for line in block]
        if names and (_NAMES_RE.fullmatch("\n".join(names)) is None
                      or len(set(names)) != len(names) or not self.symbols.isdisjoint(names)):
            raise Unsupported
        self.symbols.update(names)
        self.parameters.update({name: Parameter(name) for name in names})
        return None if following is None else self._line(following, rest)

    def _new_symbol(self, name: str) -> None:
        if name in self.symbols:
            raise Unsupported  # declared twice, or a reserved word: qasm3.loads reports it
        self.symbols.add(name)

    def _gate_definition(self, header: str, rest: Iterator[str]) -> None:
        """A parameterless ``gate name a, b { ... }`` whose body calls known gates."""
        match = _GATE_DEF_RE.fullmatch(header)
        if match is None:
            raise Unsupported
        name = match[1]
        self._new_symbol(name)
        names = [arg.strip() for arg in match[2].split(",")]
        local = {name: Qubit() for name in names}
        if len(local) != len(names):
            raise Unsupported
        body = QuantumCircuit(list(local.values()))
        constants = Angles({})  # a gate body sees no inputs
        for line in rest:  # instructions go in directly: QuantumCircuit.append is slow
            if line.strip() == "}":
                break
            call = CALL_RE.fullmatch(line)
            spec = self.gates.get(call[1]) if call is not None else None
            if call is None or spec is None:
                raise Unsupported
            qubits = tuple(local.get(arg.strip()) for arg in call[3].split(","))
            if None in qubits or len(set(qubits)) != len(qubits):
                raise Unsupported
            body._data.append(_instruction(spec, qubits, constants.arguments(call[2])))
        else:
            raise Unsupported  # no closing brace
        self.gates[name] = GateSpec(DefinedGate(name, body), 0, len(names))

    def _statement(self, line: str) -> CircuitInstruction:
        """Any statement but a gate call: measure, delay, barrier and reset."""
        if line.startswith("delay"):
            return self._delay(line)
        if "=" in line:
            match = _MEASURE_RE.fullmatch(line)
            if match is None:
                raise Unsupported
            return self._measure(match[1], match[2])
        call = CALL_RE.fullmatch(line)
        if call is None or call[1] not in ("barrier", "reset") or call[2] is not None:
            raise Unsupported  # an undeclared gate, or arguments to barrier/reset
        qubits = self._operands(call[3])
        if call[1] == "barrier":
            return CircuitInstruction(Barrier(len(qubits)), qubits, ())
        if len(qubits) != 1:
            raise Unsupported
        return CircuitInstruction(Reset(), qubits, ())

    def _measure(self, clbit: str, qubit: str) -> CircuitInstruction:
        """``clbit = measure qubit;``"""
        return _MEASURE.replace(qubits=(self._qubit(qubit.strip()),),
                                clbits=(self._clbit(clbit),))

    def _operands(self, text: str) -> tuple[Qubit, ...]:
        """The distinct qubits of a comma-separated operand list, memoised by its text."""
        qubits = self.operands.get(text)
        if qubits is None:
            if "," not in text:
                qubits = (self._qubit(text.strip()),)
            else:
                qubits = tuple(self._qubit(operand.strip()) for operand in text.split(","))
                if len(set(qubits)) != len(qubits):
                    raise Unsupported
            self.operands[text] = qubits
        return qubits

    def _qubit(self, text: str) -> Qubit:
        """The qubit an operand names (``$3`` or ``q[3]``), memoised by its text."""
        qubit = self.qubits.get(text)
        if qubit is None:
            qubit = self.qubits[text] = self._new_qubit(text)
        return qubit

    def _new_qubit(self, text: str) -> Qubit:
        match = _BIT_RE.fullmatch(text)
        if match is None:
            raise Unsupported
        if match[1] is not None:
            if self.qregs:
                raise Unsupported
            index = int(match[1])
            if index >= self.width:  # added to the circuit at the end, in one go
                _check_width(index + 1)
                self.width = index + 1
                if self.width > len(self.physical):
                    grown = min(max(self.width, 2 * len(self.physical)), MAX_BITS)
                    self.physical = physical_qubits(grown)
            return self.physical[index]
        qreg = self.qregs.get(match[2])
        if qreg is None or int(match[3]) >= qreg.size:
            raise Unsupported
        return qreg[int(match[3])]

    def _clbit(self, text: str) -> Clbit:
        match = _BIT_RE.fullmatch(text.strip())
        creg = self.cregs.get(match[2]) if match and match[2] else None
        if creg is None or int(match[3]) >= creg.size:  # type: ignore[index]
            raise Unsupported
        return creg[int(match[3])]  # type: ignore[index]

    def _delay(self, line: str) -> CircuitInstruction:
        match = _DELAY_RE.fullmatch(line)
        if match is None or "," in match[3]:
            raise Unsupported
        number, unit = match[1], match[2]
        duration: float | int = int(number) if number.isdigit() else float(number)
        if unit == "µs":
            unit = "us"
        if unit == "dt" and not isinstance(duration, int):
            raise Unsupported
        return CircuitInstruction(Delay(duration, unit), (self._qubit(match[3]),), ())

    def _finish(self, instructions: list[CircuitInstruction]) -> QuantumCircuit:
        """Add the physical qubits and the instructions; keep unused inputs and mark
        physical addressing with a layout, as ``qasm3.loads`` does."""
        circuit = self.circuit
        for qubit in self.physical[:self.width]:  # ``add_bits``' checks cost O(n²) here
            circuit._data.add_qubit(qubit)
        circuit._data.extend(instructions)
        for name, param in self.parameters.items():
            if name not in self.angles.used:  # ``p - p``: zero, but the circuit lists ``p``
                circuit.global_phase += param - param
        if self.width:
            circuit._layout = trivial_layout(self.width)
        return circuit
