"""Circuit → OpenQASM 3 text, with the parameter names the text declares."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
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
    ParameterVectorElement,
    QuantumCircuit,
    Qubit,
    Reset,
)

from ._qasm3_native import native_text

_INPUT_RE = re.compile(r"^input float\[64\] (\S+);", re.MULTILINE)
#: A word that may be an identifier (letters in any script, ``_``, digits after the first);
#: :func:`is_identifier` has the exact rule.
_WORD = r"[^\W\d]\w*"
_WORD_RE = re.compile(_WORD)
_VECTOR_ELEMENT_RE = re.compile(rf"({_WORD})\[(\d+)\]")
# What ``str(ParameterExpression)`` may contain for us to pass it on unchanged: names, numbers,
# + - * / and parentheses. Anything else (functions, powers ``**``, complex) goes to
# ``qasm3.dumps``.
_EXPR_RE = re.compile(
    rf"(?:\s*(?:{_WORD}|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+*/()]))+\s*"
)
#: The shape qiskit prints for a constant plus or minus one parameter (``3.141592653589793 +
#: θ[5]``, every rotation a transpiler folds into an ``rz``): numbers as Rust's ``f64`` display
#: spells them (shortest round trip, no exponent).
_OFFSET_RE = re.compile(rf"(-?[0-9]+(?:\.[0-9]+)?) ([-+]) ({_WORD})(?:\[([0-9]+)\])?")
_ASCII_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Unicode categories OpenQASM 3 allows in identifiers besides ``[A-Za-z_]`` (and ``[0-9]``
#: after the first character): letters and letter-like numerals.
_LETTER_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"})

#: Standard gates whose qiskit name is also their ``stdgates.inc`` name (and arity).
_STDGATES = frozenset({
    "p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "cx", "cy", "cz",
    "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "id", "u1", "u2", "u3",
})
#: ``ecr`` is not in ``stdgates.inc``; this is the definition ``qasm3.dumps`` writes for it.
ECR_DEFINITION = (
    "gate ecr _gate_q_0, _gate_q_1 {\n  s _gate_q_0;\n  sx _gate_q_1;\n"
    "  cx _gate_q_0, _gate_q_1;\n  x _gate_q_0;\n}\n"
)
_RESERVED = _STDGATES | {
    "OPENQASM", "include", "defcalgrammar", "def", "cal", "defcal", "gate", "extern", "box",
    "let", "break", "continue", "if", "else", "end", "return", "for", "while", "in", "switch",
    "case", "default", "input", "output", "const", "readonly", "mutable", "qreg", "qubit",
    "creg", "bool", "bit", "int", "uint", "float", "angle", "complex", "array", "void",
    "duration", "stretch", "gphase", "inv", "pow", "ctrl", "negctrl", "durationof", "delay",
    "reset", "measure", "barrier", "true", "false", "pi", "tau", "euler", "sin", "cos", "tan",
    "arcsin", "arccos", "arctan", "exp", "log", "sqrt", "mod", "popcount", "rotl", "rotr",
    "ceiling", "floor", "sizeof", "real", "imag", "U", "CX", "ecr", "phase", "cphase", "dt",
    "ns", "us", "ms", "s", "im",
}
_DELAY_UNITS = frozenset({"dt", "ns", "us", "ms", "s"})


@functools.lru_cache(maxsize=4096)
def is_identifier(name: str) -> bool:
    """Whether ``name`` is an OpenQASM 3 identifier (``θ``, ``__gθ`` and ``mé`` are)."""
    if _ASCII_IDENT_RE.fullmatch(name):
        return True
    return bool(name) and all(
        char == "_" or unicodedata.category(char) in _LETTER_CATEGORIES
        or (position and char in "0123456789") for position, char in enumerate(name))


_Scope = tuple[dict[Qubit, str], dict[Clbit, str]]


class _Unsupported(Exception):
    """The fast emitter does not cover this circuit; ``qasm3.dumps`` takes over."""


@dataclass(frozen=True)
class Qasm3Program:
    """OpenQASM 3 text plus, for each circuit parameter, the name it has in the text."""

    text: str
    parameter_names: dict[Parameter, str]

    def server_parameter_order(self) -> list[Parameter]:
        """Circuit parameters in the column order a server parsing ``text`` sees.

        ``qasm3.loads`` returns plain parameters sorted by name, so
        ``ParameterVector`` elements (``_th_10_`` before ``_th_2_``) reorder.
        """
        return sorted(self.parameter_names, key=self.parameter_names.__getitem__)


def dumps(circuit: QuantumCircuit) -> Qasm3Program:
    """Serialise ``circuit`` to OpenQASM 3 that ``qasm3.loads`` reads back.

    Parameter-free basis-gate circuits go through qiskit's Rust exporter
    (:mod:`._qasm3_native`); other ISA-style circuits take a one-pass Python path; anything
    neither covers (custom gates, classical expressions, switch, stretches...) goes through
    :func:`qiskit.qasm3.dumps`.
    """
    try:
        emitter = _Emitter(circuit)
        text = native_text(circuit)
        if text is not None:
            return Qasm3Program(text, {})
        return emitter.program()
    except _Unsupported:
        return dumps_reference(circuit)


def dumps_reference(circuit: QuantumCircuit) -> Qasm3Program:
    """Serialise with ``qiskit.qasm3.dumps`` and the options IBM's examples use."""
    text = qasm3.dumps(circuit, disable_constants=True, allow_aliasing=True,
                       experimental=qasm3.ExperimentalFeatures.SWITCH_CASE_V1)
    names = _INPUT_RE.findall(text)
    return Qasm3Program(text, dict(zip(circuit.parameters, names, strict=True)))


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


def _parameter_names(circuit: QuantumCircuit) -> dict[Parameter, str]:
    """The ``input`` name of each parameter (``th[3]`` → ``_th_3_``, as ``qasm3.dumps``)."""
    names: dict[Parameter, str] = {}
    valid_bases: set[str] = set()  # a vector's name is checked once, not per element
    for param in circuit.parameters:
        if isinstance(param, ParameterVectorElement):
            base = param.vector.name
            name = f"_{base}_{param.index}_"
        else:
            base = name = param.name
        if base not in valid_bases:
            if not is_identifier(base):
                raise _Unsupported
            valid_bases.add(base)
        if name in _RESERVED:
            raise _Unsupported
        names[param] = name
    if len(set(names.values())) != len(names):
        raise _Unsupported
    return names


def _index_table(qubit_text: dict[Qubit, str]) -> list[dict[str, Any]]:
    """Per-qubit line caches, indexed by each bit's index in its register.

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
    table: list[dict[str, Any]] = [{}] * (max(indices, default=-1) + 1)
    for index, text in zip(indices, qubit_text.values(), strict=True):
        table[index] = {"": text}
    return table


def _check_identifier(name: str, taken: set[str]) -> str:
    if not is_identifier(name) or name in _RESERVED or name in taken:
        raise _Unsupported
    taken.add(name)
    return name


class _Emitter:
    """One-pass OpenQASM 3 writer for one circuit; raises :class:`_Unsupported` to bail out."""

    def __init__(self, circuit: QuantumCircuit) -> None:
        if (circuit.num_vars or circuit.num_stretches
                or getattr(circuit, "num_identifiers", 0)):
            raise _Unsupported
        self.circuit = circuit
        self.names = _parameter_names(circuit)
        self.known_names = set(self.names.values())
        self.uses_ecr = False
        self.repr_cache: dict[float, str] = {}
        self.expression_cache: dict[str, str] = {}
        self.declarations = self._declare_bits(circuit)

    def _declare_bits(self, circuit: QuantumCircuit) -> list[str]:
        """Register declarations; fills the clbit and qubit → text maps."""
        taken = set(self.known_names)
        self.clbit_text: dict[Clbit, str] = {}
        lines = []
        for creg in circuit.cregs:
            name = _check_identifier(creg.name, taken)
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
        name = _check_identifier(qreg.name, taken)
        lines.append(f"qubit[{qreg.size}] {name};\n")
        self.qubit_text = {bit: f"{name}[{index}]" for index, bit in enumerate(qreg)}
        return lines

    def program(self) -> Qasm3Program:
        """Header, declarations and body as one :class:`Qasm3Program`."""
        body = self.block(self.circuit._data, self.qubit_text, self.clbit_text, "")
        head = ['OPENQASM 3.0;\ninclude "stdgates.inc";\n']
        head.extend(f"input float[64] {name};\n" for name in self.names.values())
        if self.uses_ecr:
            head.append(ECR_DEFINITION)
        head.extend(self.declarations)
        return Qasm3Program("".join(head) + body, self.names)

    def block(self, data: Iterable[CircuitInstruction], qubit_text: dict[Qubit, str],
              clbit_text: dict[Clbit, str], indent: str) -> str:
        """Emit a sequence of instructions; the hot loop of the module.

        Lines are cached per (qubits, gate name[, angle]) so the loop does no formatting
        for repeats. Qubits are looked up by their register index (an int) rather than
        hashed, and the loop allocates nothing per instruction beyond what iterating the
        circuit already costs (so the garbage collector stays asleep).
        """
        table = _index_table(qubit_text)
        size = len(table)
        multi: dict[Any, dict[str, Any]] = {}
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
                    text = ", ".join([qubit_text[bit] for bit in qubits])
                    lines = multi[key] = {"": text}
            name = inst.name
            entry = lines.get(name)
            if entry.__class__ is str:  # a cached parameterless line
                append(entry)
                continue
            params = inst.params
            if params:
                angle = params[0]
                if entry is not None and count(params) == 1:  # a checked one-angle gate
                    if type(angle) is float:
                        line = entry.get(angle)
                        if line is None:
                            line = entry[angle] = (
                                f"{indent}{name}({self.real(angle)}) {lines['']};\n")
                    else:
                        line = f"{indent}{name}({self.angle(angle)}) {lines['']};\n"
                else:
                    line = self.with_params(inst, name, lines, indent, (qubit_text, clbit_text))
            else:
                line = self.without_params(inst, name, lines, indent, (qubit_text, clbit_text))
            append(line)
        return "".join(out)

    def real(self, value: float) -> str:
        """``repr`` of an angle, memoised (transpiled circuits repeat angles a lot)."""
        text = self.repr_cache.get(value)
        if text is None:
            text = self.repr_cache[value] = _float_text(value)
        return text

    def with_params(self, inst: CircuitInstruction, name: str, lines: dict[str, Any],
                    indent: str, scope: _Scope) -> str:
        """A parametrised instruction the cached fast path did not cover."""
        if name == "delay":
            return self.delay(inst, lines, indent)
        if name in ("if_else", "while_loop", "for_loop"):
            return self.control_flow(inst, indent, scope)
        if name not in _STDGATES or not inst.is_standard_gate():
            raise _Unsupported
        params = inst.params
        if len(params) == 1:
            lines[name] = {}  # from now on this (qubits, gate) takes the fast path
        args = ", ".join([self.angle(param) for param in params])
        return f"{indent}{name}({args}) {lines['']};\n"

    def angle(self, value: Any) -> str:
        """A gate argument: literal, input name, or a +-*/ expression of inputs."""
        if isinstance(value, ParameterExpression):
            if isinstance(value, Parameter):
                name = self.names.get(value)
                if name is None:
                    raise _Unsupported
                return name
            return self.expression(value)
        return self.real(value)

    def expression(self, value: ParameterExpression) -> str:
        """``str(expr)`` (what ``qasm3.dumps`` writes too) after renaming vector elements.

        The common ``number ± parameter`` shape is rewritten from one match; the text is the
        one :meth:`any_expression` would give (tests hold them to it), at a third of the cost.
        """
        raw = str(value)
        match = _OFFSET_RE.fullmatch(raw)
        if match is not None:
            number, sign, base, index = match.groups()
            name = base if index is None else f"_{base}_{index}_"
            if name in self.known_names:
                return f"{number} {sign} {name}"
        return self.any_expression(raw)

    def any_expression(self, raw: str) -> str:
        """The text of any ``+-*/`` expression of known parameters, from its ``str``."""
        text = self.expression_cache.get(raw)
        if text is None:
            text = _VECTOR_ELEMENT_RE.sub(r"_\1_\2_", raw) if "[" in raw else raw
            if (_EXPR_RE.fullmatch(text) is None or "**" in text
                    or not self.known_names.issuperset(_WORD_RE.findall(text))):
                raise _Unsupported
            self.expression_cache[raw] = text
        return text

    def without_params(self, inst: CircuitInstruction, name: str, lines: dict[str, Any],
                       indent: str, scope: _Scope) -> str:
        """A parameterless instruction seen for the first time on these qubits."""
        if name == "measure":
            if len(inst.clbits) != 1 or not isinstance(inst.operation, Measure):
                raise _Unsupported
            return f"{indent}{scope[1][inst.clbits[0]]} = measure {lines['']};\n"
        if name in ("break_loop", "continue_loop"):
            return f"{indent}{'break' if name == 'break_loop' else 'continue'};\n"
        if name in ("reset", "barrier"):
            if not isinstance(inst.operation, (Reset, Barrier)) or inst.clbits:
                raise _Unsupported
        elif name == "ecr" and inst.is_standard_gate():
            self.uses_ecr = True
        elif name not in _STDGATES or not inst.is_standard_gate():
            raise _Unsupported
        line = lines[name] = f"{indent}{name} {lines['']};\n"
        return line

    def delay(self, inst: CircuitInstruction, lines: dict[str, Any], indent: str) -> str:
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
        return f"{indent}delay[{text}] {lines['']};\n"

    def control_flow(self, inst: CircuitInstruction, indent: str, scope: _Scope) -> str:
        """``if``/``else``, ``while`` and ``for`` blocks, bodies emitted recursively."""
        qubit_text, clbit_text = scope
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
