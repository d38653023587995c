"""OpenQASM 3 text → QuantumCircuit for the local server, fast for ISA programs.

A line-oriented parser covers what ISA exports contain (``qasm3.dumps`` and the client's
emitter): declarations, standard gates, parameterless ``gate`` definitions such as ``ecr``,
measure, reset, barrier, delay and ``+-*/`` angle expressions over ``input float[64]``
parameters; comments are stripped first. Anything else (control flow, broadcasts, aliases...)
is handed to ``qiskit.qasm3.loads``, whose result the fast path reproduces instruction for
instruction.
One difference on purpose: register names stay as written (``qasm3.loads`` renames ``C``
to ``esc_C`` and ``Meas`` to ``esc_Meas``, so results would not be found under ``data.C``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from typing import Any

from qiskit import qasm3
from qiskit.circuit import (
    Barrier,
    CircuitInstruction,
    ClassicalRegister,
    Clbit,
    Delay,
    Gate,
    Measure,
    Parameter,
    QuantumCircuit,
    QuantumRegister,
    Qubit,
    Reset,
)
from qiskit.circuit import library as lib
from qiskit.transpiler import Layout, TranspileLayout

from ._qasm_scan import strip_comments

#: ``stdgates.inc`` as ``qiskit_qasm3_import`` maps it: name → (factory, #params, #qubits).
_STDGATES: dict[str, tuple[Any, int, int]] = {
    "p": (lib.PhaseGate, 1, 1), "x": (lib.XGate, 0, 1), "y": (lib.YGate, 0, 1),
    "z": (lib.ZGate, 0, 1), "h": (lib.HGate, 0, 1), "s": (lib.SGate, 0, 1),
    "sdg": (lib.SdgGate, 0, 1), "t": (lib.TGate, 0, 1), "tdg": (lib.TdgGate, 0, 1),
    "sx": (lib.SXGate, 0, 1), "rx": (lib.RXGate, 1, 1), "ry": (lib.RYGate, 1, 1),
    "rz": (lib.RZGate, 1, 1), "cx": (lib.CXGate, 0, 2), "cy": (lib.CYGate, 0, 2),
    "cz": (lib.CZGate, 0, 2), "cp": (lib.CPhaseGate, 1, 2), "crx": (lib.CRXGate, 1, 2),
    "cry": (lib.CRYGate, 1, 2), "crz": (lib.CRZGate, 1, 2), "ch": (lib.CHGate, 0, 2),
    "swap": (lib.SwapGate, 0, 2), "ccx": (lib.CCXGate, 0, 3), "cswap": (lib.CSwapGate, 0, 3),
    "cu": (lib.CUGate, 4, 2), "CX": (lib.CXGate, 0, 2), "phase": (lib.PhaseGate, 1, 1),
    "cphase": (lib.CPhaseGate, 1, 2), "id": (lambda: lib.UGate(0, 0, 0), 0, 1),
    "u1": (lib.U1Gate, 1, 1), "u2": (lib.U2Gate, 2, 1), "u3": (lib.U3Gate, 3, 1),
}
_CONSTANTS = {"pi": math.pi, "π": math.pi, "tau": math.tau, "τ": math.tau, "euler": math.e,
              "ℇ": math.e}
_HEADER_RE = re.compile(r"OPENQASM\s+3(\.0)?\s*;")
#: An identifier: letters of any script or ``_``, then digits too (OpenQASM 3 allows
#: Unicode letters; qiskit's library names parameters ``θ``, ``β``, ``__gθ``).
_IDENT = r"[^\W\d]\w*"
_DECL_RE = re.compile(rf"(bit|qubit)\s*\[\s*([0-9]+)\s*\]\s+({_IDENT})\s*;")
_INPUT_RE = re.compile(rf"input\s+float\s*\[\s*64\s*\]\s+({_IDENT})\s*;")
_GATE_DEF_RE = re.compile(rf"gate\s+({_IDENT})\s+({_IDENT}(?:\s*,\s*{_IDENT})*)\s*\{{")
_CALL_RE = re.compile(rf"({_IDENT})\s*(?:\((.*)\))?\s+([^=]+?)\s*;")
_MEASURE_RE = re.compile(r"(\S+?)\s*=\s*measure\s+(\S+?)\s*;")
_DELAY_RE = re.compile(r"delay\s*\[\s*([0-9]+\.?[0-9]*(?:[eE][-+]?[0-9]+)?)"
                       r"\s*(dt|ns|us|µs|ms|s)\s*\]\s+(.+?)\s*;")
_BIT_RE = re.compile(rf"(?:\$([0-9]+)|({_IDENT})\s*\[\s*([0-9]+)\s*\])")
_FLOAT_RE = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_TOKEN_RE = re.compile(rf"\s*(?:({_IDENT})|((?:[0-9]+\.?[0-9]*|\.[0-9]+)"
                       r"(?:[eE][-+]?[0-9]+)?)|([-+*/()]))")
_EXPRESSION_RE = re.compile(
    rf"(?:\s*(?:{_IDENT}|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
    r"|[-+*/()]))+\s*")
_MAX_EXPRESSION = 2000
#: How declaration lines start (others skip the declaration patterns).
_DECLARATIONS = ("include", "input", "bit", "qubit")
#: More bits than any device has: refuse rather than allocate (``qasm3.loads`` would try).
MAX_BITS = 1 << 16


class _Unsupported(Exception):
    """The fast parser does not cover this program; ``qasm3.loads`` takes over."""


def loads(text: str, *, check: Callable[[str], None] | None = None) -> QuantumCircuit:
    """Parse ``text``; parameters come back sorted by name, as ``qasm3.loads`` does.

    ``check(text)`` runs before the general parser takes a program the fast path does not
    cover (the server bounds sizes there; that parser allocates whatever is declared).
    """
    if "//" in text or "/*" in text:
        text = strip_comments(text)  # comments change nothing: the fast path takes the rest
    try:
        return _Parser(text).parse()
    except _Unsupported:
        if check is not None:
            check(text)
        return qasm3.loads(text)


def _check_width(size: int) -> None:
    if size > MAX_BITS:
        raise ValueError(f"OpenQASM 3 program declares or addresses {size} bits "
                         f"(more than {MAX_BITS})")


@functools.lru_cache(maxsize=1024)
def _compile(shape: str) -> Any:
    """Compile an expression shape such as ``_v1 + _v2`` once (``SyntaxError`` → fallback)."""
    try:
        return compile(shape, "<qasm3 angle>", "eval")
    except SyntaxError as exc:
        raise _Unsupported from exc


class _Parser:
    """One program: symbol tables, the circuit being built and a line → instruction cache."""

    def __init__(self, text: str) -> None:
        if "//" in text or "/*" in text:
            raise _Unsupported
        self.lines = text.split("\n")
        self.circuit = QuantumCircuit()
        self.parameters: dict[str, Parameter] = {}
        self.gates: dict[str, Any] = {}
        self.cregs: dict[str, ClassicalRegister] = {}
        self.qregs: dict[str, QuantumRegister] = {}
        self.physical: list[Qubit] = []
        self.cache: dict[str, CircuitInstruction] = {}
        self.angles: dict[str, Any] = {}
        self.qubit_cache: dict[str, Qubit] = {}

    def parse(self) -> QuantumCircuit:
        """Run through the lines, appending one instruction per statement."""
        position = self._header()
        append = self.circuit._data.append  # QuantumCircuit._append minus its checks
        cache = self.cache
        lines = self.lines
        while position < len(lines):
            line = lines[position]
            position += 1
            inst = cache.get(line)
            if inst is None:
                stripped = line.strip()
                if not stripped:
                    continue
                if stripped.startswith("gate "):
                    position = self._gate_definition(position - 1)
                    continue
                if stripped.startswith(_DECLARATIONS) and self._declaration(stripped):
                    continue
                inst = cache[line] = self._statement(stripped)
            append(inst)
        return self._finish()

    def _header(self) -> int:
        """Skip ``OPENQASM 3.0;`` and ``include "stdgates.inc";``; return the next line."""
        position = 0
        while position < len(self.lines) and not self.lines[position].strip():
            position += 1
        if position == len(self.lines) or not _HEADER_RE.fullmatch(self.lines[position].strip()):
            raise _Unsupported
        return position + 1

    def _declaration(self, line: str) -> bool:
        """Handle ``include``/``input``/``bit[n]``/``qubit[n]``; False if not a declaration."""
        if line == 'include "stdgates.inc";':
            if any(name in self.gates for name in _STDGATES):
                raise _Unsupported
            self.gates.update({name: spec for name, spec in _STDGATES.items()})
            return True
        if match := _INPUT_RE.fullmatch(line):
            self._new_symbol(match[1])
            self.parameters[match[1]] = Parameter(match[1])
            return True
        if match := _DECL_RE.fullmatch(line):
            kind, size, name = match[1], int(match[2]), match[3]
            _check_width(size)
            self._new_symbol(name)
            if kind == "bit":
                creg = self.cregs[name] = ClassicalRegister(size, name)
                self.circuit.add_register(creg)
            else:
                if self.physical:
                    raise _Unsupported  # mixed addressing: let qasm3.loads report it
                qreg = self.qregs[name] = QuantumRegister(size, name)
                self.circuit.add_register(qreg)
            return True
        return False

    def _new_symbol(self, name: str) -> None:
        if (name in self.parameters or name in self.cregs or name in self.qregs
                or name in self.gates or name in _CONSTANTS):
            raise _Unsupported

    def _gate_definition(self, start: int) -> int:
        """A parameterless ``gate name a, b { ... }`` whose body calls known gates."""
        match = _GATE_DEF_RE.fullmatch(self.lines[start].strip())
        if match is None:
            raise _Unsupported
        name = match[1]
        self._new_symbol(name)
        names = [arg.strip() for arg in match[2].split(",")]
        body = QuantumCircuit([Qubit() for _ in names])
        local = dict(zip(names, body.qubits, strict=True))
        position = start + 1
        while position < len(self.lines) and self.lines[position].strip() != "}":
            call = _CALL_RE.fullmatch(self.lines[position].strip())
            if call is None:
                raise _Unsupported
            qubits = [local.get(arg.strip()) for arg in call[3].split(",")]
            if None in qubits:
                raise _Unsupported
            body.append(self._gate(call[1], call[2]), qubits, [])
            position += 1
        if position == len(self.lines):
            raise _Unsupported
        self.gates[name] = (_DefinedGate(name, body), 0, len(names))
        return position + 1

    def _statement(self, line: str) -> CircuitInstruction:
        """Parse one statement into an instruction (the result is cached by line text)."""
        if line.startswith("delay"):
            return self._delay(line)
        if "=" in line:
            match = _MEASURE_RE.fullmatch(line)
            if match is None:
                raise _Unsupported
            return CircuitInstruction(Measure(), (self._qubit(match[2]),),
                                      (self._clbit(match[1]),))
        call = _CALL_RE.fullmatch(line)
        if call is None:
            raise _Unsupported
        name, args, operands = call[1], call[2], call[3]
        qubits = tuple(self._qubit(arg) for arg in operands.split(","))
        if name in ("barrier", "reset"):
            if args is not None:
                raise _Unsupported
            op: Any = Barrier(len(qubits)) if name == "barrier" else Reset()
            if name == "reset" and len(qubits) != 1:
                raise _Unsupported
        else:
            spec = self.gates.get(name)
            if spec is None or spec[2] != len(qubits) or len(set(qubits)) != len(qubits):
                raise _Unsupported
            standard = getattr(spec[0], "_standard_gate", None)
            if standard is not None:  # no Python gate object: the circuit packs it natively
                return CircuitInstruction.from_standard(standard, qubits,
                                                        tuple(self._arguments(args, spec[1])))
            op = self._gate(name, args)
        if len(set(qubits)) != len(qubits):
            raise _Unsupported
        return CircuitInstruction(op, qubits, ())

    def _gate(self, name: str, args: str | None) -> Any:
        """A gate object for a call of a declared gate with literal or input arguments."""
        spec = self.gates.get(name)
        if spec is None:
            raise _Unsupported
        factory, num_params, _ = spec
        return factory(*self._arguments(args, num_params))

    def _arguments(self, args: str | None, count: int) -> list[Any]:
        values = [] if args is None or not args.strip() else [
            self._angle(arg) for arg in args.split(",")]
        if len(values) != count:
            raise _Unsupported
        return values

    def _angle(self, text: str) -> Any:
        """A float literal, or a ``+-*/`` expression over inputs and constants."""
        text = text.strip()
        if _FLOAT_RE.fullmatch(text):
            return float(text)
        if text in self.angles:
            return self.angles[text]
        if text in self.parameters:  # a bare input name, as most parametric gates have
            return self.parameters[text]
        if (len(text) > _MAX_EXPRESSION or text.count("(") > 64
                or _EXPRESSION_RE.fullmatch(text) is None):
            raise _Unsupported
        shape: list[str] = []
        namespace: dict[str, Any] = {"__builtins__": {}}
        for ident, number, symbol in _TOKEN_RE.findall(text):
            if ident:
                value = self.parameters.get(ident, _CONSTANTS.get(ident))
                if value is None:
                    raise _Unsupported
            elif number:
                value = _Int(number) if number.isdigit() else float(number)
            else:
                shape.append(symbol)
                continue
            key = f"_v{len(namespace)}"
            namespace[key] = value
            shape.append(key)
        code = _compile(" ".join(shape))  # only whitelisted tokens: names, numbers, +-*/()
        try:
            value = self.angles[text] = eval(code, namespace)
        except Exception as exc:
            raise _Unsupported from exc
        return value

    def _qubit(self, text: str) -> Qubit:
        """The qubit an operand names (``$3`` or ``q[3]``), memoised by its text."""
        qubit = self.qubit_cache.get(text)
        if qubit is None:
            qubit = self.qubit_cache[text] = self._new_qubit(text)
        return qubit

    def _new_qubit(self, text: str) -> Qubit:
        match = _BIT_RE.fullmatch(text.strip())
        if match is None:
            raise _Unsupported
        if match[1] is not None:
            if self.qregs:
                raise _Unsupported
            index = int(match[1])
            if index >= len(self.physical):
                _check_width(index + 1)
                new = [Qubit() for _ in range(len(self.physical), index + 1)]
                self.physical.extend(new)
                self.circuit.add_bits(new)
            return self.physical[index]
        qreg = self.qregs.get(match[2])
        if qreg is None or int(match[3]) >= qreg.size:
            raise _Unsupported
        return qreg[int(match[3])]

    def _clbit(self, text: str) -> Clbit:
        match = _BIT_RE.fullmatch(text.strip())
        creg = self.cregs.get(match[2]) if match and match[2] else None
        if creg is None or int(match[3]) >= creg.size:  # type: ignore[index]
            raise _Unsupported
        return creg[int(match[3])]  # type: ignore[index]

    def _delay(self, line: str) -> CircuitInstruction:
        match = _DELAY_RE.fullmatch(line)
        if match is None or "," in match[3]:
            raise _Unsupported
        number, unit = match[1], match[2]
        duration: float | int = int(number) if number.isdigit() else float(number)
        if unit == "µs":
            unit = "us"
        if unit == "dt" and not isinstance(duration, int):
            raise _Unsupported
        return CircuitInstruction(Delay(duration, unit), (self._qubit(match[3]),), ())

    def _finish(self) -> QuantumCircuit:
        """Mark physical addressing with a layout and keep unused inputs, as ``qasm3.loads``."""
        circuit = self.circuit
        used = {param.name for param in circuit.parameters}
        for name, param in self.parameters.items():
            if name not in used:  # ``p - p``: zero, but the circuit still lists ``p``
                circuit.global_phase += param - param
        if self.physical:
            circuit._layout = TranspileLayout(
                initial_layout=Layout.from_qubit_list(circuit.qubits),
                input_qubit_mapping={bit: i for i, bit in enumerate(circuit.qubits)},
                final_layout=None,
            )
        return circuit


class _Int(int):
    """An OpenQASM integer literal: ``int / int`` divides as integers (``1/2`` is 0)."""

    def __truediv__(self, other: Any) -> Any:
        if isinstance(other, int) and not isinstance(other, bool):
            return _Int(int(self) // int(other))
        return int(self) / other

    def __rtruediv__(self, other: Any) -> Any:
        if isinstance(other, int) and not isinstance(other, bool):
            return _Int(int(other) // int(self))
        return other / int(self)

    def __add__(self, other: Any) -> Any:
        return _Int(int(self) + other) if type(other) in (int, _Int) else int(self) + other

    def __radd__(self, other: Any) -> Any:
        return self.__add__(other)

    def __sub__(self, other: Any) -> Any:
        return _Int(int(self) - other) if type(other) in (int, _Int) else int(self) - other

    def __rsub__(self, other: Any) -> Any:
        return _Int(other - int(self)) if type(other) in (int, _Int) else other - int(self)

    def __mul__(self, other: Any) -> Any:
        return _Int(int(self) * other) if type(other) in (int, _Int) else int(self) * other

    def __rmul__(self, other: Any) -> Any:
        return self.__mul__(other)

    def __neg__(self) -> _Int:
        return _Int(-int(self))

    def __pos__(self) -> _Int:
        return self


class _DefinedGate:
    """Builds the opaque ``Gate`` a ``gate`` definition makes, as ``qasm3.loads`` does.

    One instance is shared by all calls: the gate is parameterless and nothing mutates it.
    """

    def __init__(self, name: str, body: QuantumCircuit) -> None:
        self.gate = Gate(name, body.num_qubits, [])
        self.gate.definition = body

    def __call__(self) -> Gate:
        return self.gate
