"""The expression shortcut gives the text the general path gives, and that text reads back."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from qiskit import QuantumCircuit, qasm3
from qiskit.circuit import Parameter, ParameterExpression, ParameterVector

from qiskit_rest_primitives._codec._qasm3 import dumps, dumps_fast, dumps_reference
from qiskit_rest_primitives._codec._qasm3_names import ParameterText, Unsupported, float_literals
from qiskit_rest_primitives.local.circuits._qasm3_parser import _Parser

from .test_qasm3_emitter import SETTINGS, assert_equivalent

THETA = ParameterVector("θ", 12)
A, B = Parameter("a"), Parameter("β")

#: ``number ± parameter``: the shortcut's shape, as qiskit prints it.
OFFSETS = [
    lambda: math.pi + THETA[5], lambda: THETA[3] + math.pi, lambda: THETA[11] - math.pi,
    lambda: math.pi - THETA[0], lambda: -1.5 + A, lambda: A - 2, lambda: 1e14 + B,
    lambda: 1e-5 + THETA[1], lambda: -1e-5 + A, lambda: 0.1 + 0.2 + THETA[2], lambda: 7 + B,
]
#: Everything else the general path writes: nested, negated, scaled, divided, two names.
GENERAL = [
    lambda: -THETA[4], lambda: 2 * THETA[4], lambda: THETA[4] / 2, lambda: (1 + A) * 2,
    lambda: -(A + B), lambda: A + B, lambda: 0.25 + 0.5 * A, lambda: 1 + A - B,
    lambda: 2 * THETA[1] + A - THETA[7] / 3, lambda: math.pi / 2 - THETA[9] * 0.5,
]
#: What neither path writes (``qasm3.loads`` cannot read ``**``): the circuit goes to ``qasm3.dumps``.
REFUSED = [lambda: A ** 2, lambda: 1 + THETA[1] ** 3, lambda: A.sin() + 1, lambda: THETA[2].exp(), lambda: 1 + A.cos()]


def _circuit(*angles: Any) -> QuantumCircuit:
    qc = QuantumCircuit(2, 2)
    for index, angle in enumerate(angles):
        qc.rz(angle, index % 2)
        qc.sx(index % 2)
    qc.ecr(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


def _general_text(names: ParameterText, value: ParameterExpression) -> str:
    return names.any_expression(str(value))


def _reads_back(qc: QuantumCircuit) -> None:
    program = dumps(qc)
    assert_equivalent(qc, qasm3.loads(program.text), program.parameter_names)
    parsed = _Parser(program.text).parse()
    assert_equivalent(qc, parsed, program.parameter_names)
    assert [p.name for p in parsed.parameters] == [
        program.parameter_names[p] for p in program.server_parameter_order()]


def _text_as_general_path(value: ParameterExpression) -> tuple[ParameterText, str]:
    """The names and text :meth:`ParameterText.expression` gives ``value`` in a circuit,
    checked to be the general path's text and to read back."""
    qc = _circuit(value)
    names = ParameterText(qc)
    text = names.expression(value)
    assert text == _general_text(ParameterText(qc), value)
    _reads_back(qc)
    assert dumps(qc).text == dumps_fast(qc).text  # the fast path wrote it
    return names, text


@pytest.mark.parametrize("build", OFFSETS)
def test_offsets_take_the_shortcut_with_the_general_text(build: Any) -> None:
    names, _ = _text_as_general_path(build())
    assert names.expression_cache == {}  # the general path was not asked


@pytest.mark.parametrize("build", GENERAL)
def test_other_expressions_take_the_general_path(build: Any) -> None:
    value = build()
    qc = _circuit(value)
    names = ParameterText(qc)
    assert names.expression(value) == _general_text(names, value)
    assert str(value) in names.expression_cache
    _reads_back(qc)


@pytest.mark.parametrize("build", REFUSED)
def test_functions_and_powers_go_to_qasm3_dumps(build: Any) -> None:
    value = build()
    qc = _circuit(value)
    with pytest.raises(Unsupported):
        ParameterText(qc).expression(value)
    assert dumps(qc) == dumps_reference(qc)


def test_a_parameter_the_circuit_lacks_is_refused_by_both_paths() -> None:
    qc = _circuit(A + 1)
    names = ParameterText(qc)
    for value in (math.pi + THETA[5], 2 * THETA[5]):
        with pytest.raises(Unsupported):
            names.expression(value)


#: Constants qiskit prints as long integer literals (``1e20`` → ``100000000000000000000``) or
#: as long decimals, and an int past 2**53: the text must read back to the same values.
EXTREMES = [1e20, -1e20, 1e300, 123456789012345678.0, 1e15, 2**53 + 1, 1e-20, 1e-7, -1e-20]
#: Shapes that carry them: the shortcut's ``number ± name`` and the general path.
LARGE = [
    lambda: 1e20 + B, lambda: B - 1e20, lambda: 1e20 * B, lambda: 1e20 + THETA[5],
    lambda: THETA[3] - 1e300, lambda: 2 * A + 1e20, lambda: B / 1e20 + 1e20 * A,
    lambda: 123456789012345678.0 + A, lambda: (2**53 + 1) + B, lambda: 1e15 + B,
    lambda: 1e20 / B, lambda: 1e-20 + B, lambda: 1e-20 * B, lambda: -1e-7 + THETA[0],
]


@pytest.mark.parametrize("build", LARGE)
def test_large_and_tiny_constants_read_back_as_the_same_values(build: Any) -> None:
    _, text = _text_as_general_path(build())
    assert not re.search(r"(?<![\w.])[0-9]{16,}(?![\w.])", text), text  # no long int literal


def test_a_large_constant_is_written_as_a_float_that_both_parsers_read_back() -> None:
    qc = _circuit(1e20 + B, B - 1e20, 1e20 * B)
    text = dumps(qc).text
    assert "rz(100000000000000000000.0 + β)" in text
    assert "rz(-100000000000000000000.0 + β)" in text
    assert "rz(100000000000000000000.0*β)" in text
    for circuit in (qasm3.loads(text), _Parser(text).parse()):
        angles = [inst.params[0] for inst in circuit.data if inst.name == "rz"]
        (beta,) = circuit.parameters
        assert [float(angle.bind({beta: 0.5})) for angle in angles] == [1e20, -1e20, 5e19]


@pytest.mark.parametrize(("text", "written"), [
    ("100000000000000000000", "100000000000000000000.0"),
    ("-100000000000000000000 + _θ_5_", "-100000000000000000000.0 + _θ_5_"),
    ("1000000000000000*a/10000000000000000", "1000000000000000.0*a/10000000000000000.0"),
    ("999999999999999 + a", "999999999999999 + a"),  # 15 digits: exact as an int
    ("1000000000000000.5 + a", "1000000000000000.5 + a"),
    ("0.00000000000000000001*a", "0.00000000000000000001*a"),
    ("_θ_12345678901234567_ + a12345678901234567", "_θ_12345678901234567_ + a12345678901234567"),
])
def test_float_literals_touches_only_long_integer_literals(text: str, written: str) -> None:
    assert float_literals(text) == written


#: Numbers added to the corpus' expressions: ordinary, anywhere up to 1e25, and the extremes.
NUMBERS = st.one_of(st.floats(-1e3, 1e3, allow_nan=False), st.sampled_from(EXTREMES),
                    st.floats(-1e25, 1e25, allow_nan=False))


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(OFFSETS + GENERAL + LARGE), NUMBERS),
                min_size=1, max_size=8))
def test_mixed_angles_round_trip(items: list[tuple[Any, float]]) -> None:
    angles = [build() + number if index % 2 else build() for index, (build, number)
              in enumerate(items)]
    qc = _circuit(*angles)
    names = ParameterText(qc)
    for value in angles:
        assert names.expression(value) == _general_text(ParameterText(qc), value)
    _reads_back(qc)
