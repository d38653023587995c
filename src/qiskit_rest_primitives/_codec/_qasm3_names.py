"""OpenQASM 3 names for the emitter: identifiers, parameter names and parameter expressions."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from qiskit.circuit import Parameter, ParameterExpression, ParameterVectorElement, QuantumCircuit

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
#: The constant of ``3.141592653589793 + θ[5]`` (every rotation a transpiler folds into an
#: ``rz``), as Rust's ``f64`` display spells numbers (shortest round trip, no exponent).
_CONSTANT_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
#: An integer literal of more than 15 digits, not part of a name or of a decimal. qiskit
#: prints a float such as ``1e20`` as ``100000000000000000000``, which ``qasm3.loads`` reads
#: as an int (and refuses beyond 64 bits); written with ``.0`` it reads back as that float.
_LONG_INTEGER_RE = re.compile(r"(?<![\w.])[0-9]{16,}(?![\w.])")
_ASCII_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: A call such as ``abs(θ)``: a word right before ``(``. Refused even when the word is a
#: parameter's name, so a fast-path text never holds a function call (nor ``**``), the two
#: things the service's parser cannot read back.
_CALL_RE = re.compile(r"\w\s*\(")
#: Unicode categories OpenQASM 3 allows in identifiers besides ``[A-Za-z_]`` (and ``[0-9]``
#: after the first character): letters and letter-like numerals.
_LETTER_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"})

#: Standard gates whose qiskit name is also their ``stdgates.inc`` name (and arity).
STDGATES = frozenset({
    "p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "cx", "cy", "cz",
    "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "id", "u1", "u2", "u3",
})
_RESERVED = STDGATES | {
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


class Unsupported(Exception):
    """The fast emitter does not cover this circuit; ``qasm3.dumps`` takes over."""


@functools.lru_cache(maxsize=4096)
def is_identifier(name: str) -> bool:
    """Whether ``name`` is an OpenQASM 3 identifier (``θ``, ``__gθ`` and ``mé`` are)."""
    if _ASCII_IDENT_RE.fullmatch(name):
        return True
    return bool(name) and all(
        char == "_" or unicodedata.category(char) in _LETTER_CATEGORIES
        or (position and char in "0123456789") for position, char in enumerate(name))


def check_identifier(name: str, taken: set[str]) -> str:
    """``name``, added to ``taken``, if it can declare something new in the program."""
    if not is_identifier(name) or name in _RESERVED or name in taken:
        raise Unsupported
    taken.add(name)
    return name


def float_literals(text: str) -> str:
    """``text`` with every integer literal longer than 15 digits written as a float.

    Value-preserving: such a literal is how qiskit prints a large float, and ``.0`` makes the
    parsers read that float back. An integer constant above 2**53 becomes the nearest float,
    the value qiskit itself computes with once float parameter values are bound.
    """
    return _LONG_INTEGER_RE.sub(r"\g<0>.0", text)


def has_long_integer(text: str) -> bool:
    """Whether ``text`` holds an integer literal longer than 15 digits (see
    :func:`float_literals`)."""
    return _LONG_INTEGER_RE.search(text) is not None


def input_names(parameters: Sequence[Parameter]) -> tuple[list[str], list[str]]:
    """The ``input`` name of each parameter (``th[3]`` → ``_th_3_``, as ``qasm3.dumps``), and
    its name as qiskit prints it in expressions (``th[3]``)."""
    names: list[str] = []
    printed: list[str] = []
    valid_bases: set[str] = set()  # a vector's name is checked once, not per element
    for param in parameters:
        if isinstance(param, ParameterVectorElement):
            # ``name`` is ``f"{vector.name}[{index}]"``; one attribute read, not three.
            name = param.name
            base, _, index = name[:-1].rpartition("[")
            names.append(f"_{base}_{index}_")  # never reserved: no keyword starts with _
            printed.append(name)
        else:
            base = param.name
            if base in _RESERVED:
                raise Unsupported
            names.append(base)
            printed.append(base)
        if base not in valid_bases:
            if not is_identifier(base):
                raise Unsupported
            valid_bases.add(base)
    return names, printed


class ParameterText:
    """Gate-argument text of a circuit's parameters and ``+-*/`` expressions of them."""

    def __init__(self, circuit: QuantumCircuit) -> None:
        self.parameters = tuple(circuit._data.parameters)  # sorted, as circuit.parameters
        self.input_names, printed = input_names(self.parameters)
        self.known_names = set(self.input_names)
        if len(self.known_names) != len(self.input_names):
            raise Unsupported
        #: A parameter's name as expressions print it → its input name (a name qiskit prints
        #: some other way is simply not found, and the expression takes the general path).
        self.by_printed = dict(zip(printed, self.input_names, strict=True))
        self.constants: set[str] = set()  # ``number`` texts already checked
        self.expression_cache: dict[str, str] = {}

    @functools.cached_property
    def names(self) -> dict[Parameter, str]:
        """Parameter → input name, built on first use (hashing 500 parameters takes 0.2 ms;
        transpiled circuits often use them only inside expressions)."""
        return dict(zip(self.parameters, self.input_names, strict=True))

    def parameter(self, value: Parameter) -> str:
        """The input name of one of the circuit's parameters."""
        name = self.names.get(value)
        if name is None:
            raise Unsupported
        return name

    def expression(self, value: ParameterExpression) -> str:
        """``str(expr)`` (what ``qasm3.dumps`` writes too) after renaming vector elements.

        The common ``number ± parameter`` shape is rewritten from a split and two lookups;
        the text is the one :meth:`any_expression` would give (tests hold them to it), at
        half the cost.
        """
        raw = str(value)
        constant, sign, last = raw.rpartition(" + ")
        if not sign:
            constant, sign, last = raw.rpartition(" - ")
        name = self.by_printed.get(last)
        if name is not None and (constant in self.constants or self._constant(constant)):
            return f"{constant}{sign}{name}"
        return self.any_expression(raw)

    def _constant(self, text: str) -> bool:
        """Whether ``text`` is a number the program writes as it is (then remembered).

        A long integer literal (``1e20`` as qiskit prints it) is not: the general path writes
        it as a float, so the shortcut's common case stays one set lookup.
        """
        if _CONSTANT_RE.fullmatch(text) is None or float_literals(text) != text:
            return False
        self.constants.add(text)
        return True

    def any_expression(self, raw: str) -> str:
        """The text of any ``+-*/`` expression of known parameters, from its ``str``."""
        text = self.expression_cache.get(raw)
        if text is None:
            text = _VECTOR_ELEMENT_RE.sub(r"_\1_\2_", raw) if "[" in raw else raw
            text = float_literals(text)  # after the renaming: ``θ[12345678901234567]``
            if (_EXPR_RE.fullmatch(text) is None or "**" in text or _CALL_RE.search(text)
                    or not self.known_names.issuperset(_WORD_RE.findall(text))):
                raise Unsupported
            self.expression_cache[raw] = text
        return text

    def __call__(self, value: Any) -> str:
        """A symbolic gate argument (a parameter or an expression)."""
        if isinstance(value, Parameter):
            return self.parameter(value)
        return self.expression(value)
