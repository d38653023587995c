"""Gate arguments of the fast OpenQASM 3 parser: literals and ``+-*/`` angle expressions.

An expression is evaluated over the program's ``input float[64]`` parameters and the
language's constants exactly as ``qasm3.loads`` evaluates it (integer literals divide as
integers), so the circuit holds the same ``ParameterExpression`` objects. Each distinct
argument text is evaluated once per program.
"""

from __future__ import annotations

import functools
import operator
import re
from typing import Any

from qiskit.circuit import Parameter

from ._qasm3_syntax import CONSTANTS, IDENT, NUMBER, Unsupported

_FLOAT_RE = re.compile(rf"[-+]?{NUMBER}")
#: ``a op b``, the shape transpiled circuits' expressions mostly have (``π + θ[3]``).
_BINARY_RE = re.compile(rf"\s*({IDENT}|{NUMBER})\s*([-+*/])\s*({IDENT}|{NUMBER})\s*")
_NUMBER_RE = re.compile(NUMBER)
_TOKEN_RE = re.compile(rf"\s*(?:({IDENT})|({NUMBER})|([-+*/()]))")
_EXPRESSION_RE = re.compile(rf"(?:\s*(?:{IDENT}|{NUMBER}|[-+*/()]))+\s*")
_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_MAX_EXPRESSION = 2000
_MAX_PARENTHESES = 64


class Angles:
    """Argument texts → tuples of floats and parameter expressions, cached by text.

    ``parameters`` is the program's table of inputs (it grows as they are declared);
    ``used`` collects the names an argument has referred to.
    """

    def __init__(self, parameters: dict[str, Parameter]) -> None:
        self.parameters = parameters
        self.used: set[str] = set()
        #: Argument texts already read → their values (``None``: no argument list).
        self.known: dict[str | None, tuple[Any, ...]] = {None: ()}
        self._values: dict[str, Any] = {}
        self._literals: dict[str, Any] = dict(CONSTANTS)

    def arguments(self, text: str | None) -> tuple[Any, ...]:
        """The values of a call's argument list (``None``: no parentheses), kept in
        :attr:`known`."""
        values = self.known.get(text)
        if values is None:
            assert text is not None
            if "," in text:
                values = tuple(map(self.angle, text.split(",")))
            else:
                single = text.strip()
                values = (self._evaluate(single),) if single else ()
            self.known[text] = values
        return values

    def angle(self, text: str) -> Any:
        """A float literal, an input, or a ``+-*/`` expression over inputs and constants."""
        value = self._values.get(text)
        if value is None:
            value = self._values[text] = self._evaluate(text.strip())
        return value

    def _evaluate(self, text: str) -> Any:
        value = self.parameters.get(text)
        if value is not None:  # a bare input name, as most parametric gates have
            self.used.add(text)
            return value
        parts = text.split(" ")
        operation = _OPERATORS.get(parts[1]) if len(parts) == 3 else None
        if operation is not None:  # ``a + b`` as the exporters write it
            left, right = self._token(parts[0]), self._token(parts[2])
            if left is not None and right is not None:
                try:
                    return operation(left, right)
                except Exception as exc:  # 1/0: qasm3.loads reports it
                    raise Unsupported from exc
        if _FLOAT_RE.fullmatch(text):
            return float(text)
        binary = _BINARY_RE.fullmatch(text)
        if binary is not None:  # ``a+b``, ``a  *b``...
            left, right = self._operand(binary[1]), self._operand(binary[3])
            return _apply(_OPERATORS[binary[2]], left, right)
        return self._expression(text)

    def _token(self, text: str) -> Any:
        """An input, a constant or an unsigned number (integers as OpenQASM integers), or
        None if ``text`` is none of them."""
        value = self.parameters.get(text)
        if value is not None:
            self.used.add(text)
            return value
        value = self._literals.get(text)
        if value is None and _NUMBER_RE.fullmatch(text):
            value = self._literals[text] = _Int(text) if text.isdigit() else float(text)
        return value

    def _operand(self, text: str) -> Any:
        value = self._token(text)
        if value is None:
            raise Unsupported
        return value

    def _expression(self, text: str) -> Any:
        """Any other expression: its tokens are checked, then evaluated by Python itself
        (only names bound here, numbers, ``+-*/`` and parentheses reach ``eval``)."""
        if (len(text) > _MAX_EXPRESSION or text.count("(") > _MAX_PARENTHESES
                or _EXPRESSION_RE.fullmatch(text) is None):
            raise Unsupported
        shape: list[str] = []
        namespace: dict[str, Any] = {"__builtins__": {}}
        for ident, number, symbol in _TOKEN_RE.findall(text):
            if symbol:
                shape.append(symbol)
                continue
            key = f"_v{len(namespace)}"
            namespace[key] = self._operand(ident or number)
            shape.append(key)
        return _apply(eval, _compile(" ".join(shape)), namespace)


def _apply(function: Any, *args: Any) -> Any:
    """``function(*args)``; an error (``1/0``...) sends the program to ``qasm3.loads``,
    which reports it."""
    try:
        return function(*args)
    except Exception as exc:
        raise Unsupported from exc


@functools.lru_cache(maxsize=1024)
def _compile(shape: str) -> Any:
    """Compile an expression shape such as ``_v1 + _v2`` once (``SyntaxError`` → fallback)."""
    try:
        return compile(shape, "<qasm3 angle>", "eval")
    except SyntaxError as exc:
        raise Unsupported from exc


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
