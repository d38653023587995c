"""The expression shortcut gives the text the general path gives, and that text reads back."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from qiskit import QuantumCircuit, qasm3
from qiskit.circuit import Parameter, ParameterExpression, ParameterVector

from qiskit_rest_primitives._codec._qasm3 import dumps, dumps_reference
from qiskit_rest_primitives._codec._qasm3_names import ParameterText, Unsupported
from qiskit_rest_primitives.local.circuits._qasm3_parser import _Parser

from .test_qasm3_emitter import SETTINGS, assert_equivalent

THETA = ParameterVector("θ", 12)
A, B = Parameter("a"), Parameter("β")

#: ``number ± parameter``: the shortcut's shape, as qiskit prints it.
OFFSETS = [
    lambda: math.pi + THETA[5], lambda: THETA[3] + math.pi, lambda: THETA[11] - math.pi,
    lambda: math.pi - THETA[0], lambda: -1.5 + A, lambda: A - 2, lambda: 1e15 + B,
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


@pytest.mark.parametrize("build", OFFSETS)
def test_offsets_take_the_shortcut_with_the_general_text(build: Any) -> None:
    value = build()
    qc = _circuit(value)
    names = ParameterText(qc)
    text = names.expression(value)
    assert names.expression_cache == {}  # the general path was not asked
    assert text == _general_text(ParameterText(qc), value)
    _reads_back(qc)


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


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(OFFSETS + GENERAL),
                          st.floats(-1e3, 1e3, allow_nan=False)), min_size=1, max_size=8))
def test_mixed_angles_round_trip(items: list[tuple[Any, float]]) -> None:
    angles = [build() + number if index % 2 else build() for index, (build, number)
              in enumerate(items)]
    qc = _circuit(*angles)
    names = ParameterText(qc)
    for value in angles:
        assert names.expression(value) == _general_text(ParameterText(qc), value)
    _reads_back(qc)
