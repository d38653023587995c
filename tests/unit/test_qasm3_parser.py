"""The server's fast OpenQASM 3 parser builds what ``qasm3.loads`` builds."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from qiskit import QuantumCircuit, qasm3

from qiskit_rest_primitives._codec._qasm3 import dumps, dumps_reference
from qiskit_rest_primitives.local.circuits._qasm3_parser import _Parser, loads
from qiskit_rest_primitives.local.circuits._qasm3_syntax import Unsupported as _Unsupported

from .test_qasm3_emitter import FIXTURES, SETTINGS, assert_equivalent, isa_circuits, loads_name

HEADER = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


def assert_same_as_qasm3_loads(text: str, *, fast: bool | None) -> QuantumCircuit:
    """``loads(text)`` matches ``qasm3.loads(text)``; ``fast`` says which path must run."""
    if fast:
        _Parser(text).parse()
    elif fast is not None:
        with pytest.raises(_Unsupported):
            _Parser(text).parse()
    try:
        theirs = qasm3.loads(text)
    except Exception as exc:  # qasm3.dumps can write what qasm3.loads rejects
        with pytest.raises(type(exc)):
            loads(text)
        return QuantumCircuit()
    ours = loads(text)
    assert_equivalent(ours, theirs)
    assert [p.name for p in ours.parameters] == [p.name for p in theirs.parameters]
    assert [(loads_name(r.name), r.size) for r in ours.cregs] == [
        (r.name, r.size) for r in theirs.cregs]
    assert [(loads_name(r.name), r.size) for r in ours.qregs] == [
        (r.name, r.size) for r in theirs.qregs]
    assert ours.num_qubits == theirs.num_qubits
    assert (ours.layout is None) == (theirs.layout is None)
    if ours.layout is not None:
        assert ours.layout.initial_index_layout() == theirs.layout.initial_index_layout()
    for mine, other in zip(ours.data, theirs.data, strict=True):
        if mine.name not in ("if_else", "while_loop", "for_loop"):
            assert type(mine.operation) is type(other.operation)
            if mine.operation.definition is not None and mine.name == "ecr":
                assert mine.operation == other.operation  # same opaque gate and definition
    return ours


@SETTINGS
@given(isa_circuits(control_flow=False))
def test_matches_qasm3_loads_on_emitted_text(circuit: QuantumCircuit) -> None:
    assert_same_as_qasm3_loads(dumps(circuit).text, fast=True)


def test_reads_the_rust_exporters_number_spelling() -> None:
    text = HEADER + "qubit[2] q;\nrz(0) q[0];\nrz(-3) q[1];\nrz(0.00000000000000000001) q[0];\n"
    ours = assert_same_as_qasm3_loads(text, fast=True)
    assert [float(inst.params[0]) for inst in ours.data] == [0.0, -3.0, 1e-20]


@SETTINGS
@given(isa_circuits(control_flow=False))
def test_matches_qasm3_loads_on_qasm3_dumps_defaults(circuit: QuantumCircuit) -> None:
    # qasm3.dumps' defaults write constants such as ``pi/2``.
    assert_same_as_qasm3_loads(qasm3.dumps(circuit), fast=True)


@SETTINGS
@given(isa_circuits())
def test_control_flow_falls_back_to_qasm3_loads(circuit: QuantumCircuit) -> None:
    text = dumps_reference(circuit).text
    fast = not any(word in text for word in ("if (", "while (", "for int"))
    assert_same_as_qasm3_loads(text, fast=fast)


def _fixture_texts() -> list[tuple[str, str]]:
    fixtures = json.loads(FIXTURES.read_text())
    return [(k, v) for k, v in fixtures.items() if isinstance(v, str) and v.startswith("OPENQASM")]


@pytest.mark.parametrize(("name", "text"), _fixture_texts())
def test_reference_fixtures(name: str, text: str) -> None:
    assert_same_as_qasm3_loads(text, fast=True)


@pytest.mark.parametrize("angle", [
    "1/2", "3/2*a", "pi/2", "-pi", "2*a", "a/(-3) + 2*b", "1.5*a - 0.25", "2", "(1+1)/2",
    "tau - a", "1e-3*b", "-(a - b)/4.0",
])
def test_angle_expressions_match_qasm3_loads(angle: str) -> None:
    text = HEADER + f"input float[64] a;\ninput float[64] b;\nqubit[1] q;\nrz({angle}) q[0];\n" \
        "rz(a + b) q[0];\n"
    ours = assert_same_as_qasm3_loads(text, fast=True)
    theirs = qasm3.loads(text)
    values = {"a": 0.3, "b": -1.7}
    for mine, other in zip(ours.data, theirs.data, strict=True):
        x, y = (_number(inst.params[0], values) for inst in (mine, other))
        assert math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15)


def _number(value: Any, values: dict[str, float]) -> float:
    if hasattr(value, "parameters"):
        return float(complex(value.bind({p: values[p.name] for p in value.parameters})).real)
    return float(value)


@pytest.mark.parametrize("body", [
    "rz(__import__) q[0];",                    # not a known name: never evaluated
    "rz(a.__class__) q[0];",
    "rz(9**9**9) q[0];",
    "x q;",                                    # register broadcast
    "x q[0]; x q[0];",
    "// comment\nx q[0];",
    "gphase(0.5);",
    "let r = q;",
    "bit[1] c;\nc = measure q;",
    "rz(1/0) q[0];",                           # qasm3.loads reports the division
    "rz(a + nope) q[0];",                      # an undeclared name
    "rz(a +) q[0];",
    "gate g r {\n  rz(a) r;\n}\ng q[0];",      # a gate body sees no inputs
    "gate g r {\n  cx r;\n}\ng q[0];",         # wrong arity inside a definition
    "gate g r {\n  x r;\n",                    # no closing brace
    "bit[1] measure;",                         # a reserved word as a name
    "input float[64] for;",
    "input float[64] b;\ninput float[64] 1c;",  # read with the block of inputs before it
    "input float[64] b;\ninput float[64] c d;",
    "input float[64] b;\ninput float[64] b;",
])
def test_uncovered_programs_go_to_qasm3_loads(body: str) -> None:
    text = HEADER + "input float[64] a;\nqubit[1] q;\n" + body + "\nrz(a) q[0];\n"
    with pytest.raises(_Unsupported):
        _Parser(text).parse()
    assert_same_as_qasm3_loads(text, fast=False)


@pytest.mark.parametrize("text", [
    HEADER + "qubit[1] q;\nfoo q[0];\n",
    HEADER + "qubit[1] q;\nx q[3];\n",
    HEADER + "qubit[1] q;\nqubit[1] q;\n",
])
def test_invalid_programs_raise_qasm3_importer_errors(text: str) -> None:
    with pytest.raises(Exception) as info:
        loads(text)
    with pytest.raises(type(info.value)):
        qasm3.loads(text)


def test_unused_input_keeps_its_parameter() -> None:
    text = HEADER + "input float[64] a;\ninput float[64] unused;\nqubit[1] q;\nrz(0) q[0];\n"
    circuit = assert_same_as_qasm3_loads(text, fast=True)
    assert [p.name for p in circuit.parameters] == ["a", "unused"]


def test_physical_qubits_give_a_laid_out_circuit_as_wide_as_the_highest_index() -> None:
    text = HEADER + "bit[1] meas;\nsx $4;\nmeas[0] = measure $2;\n"
    circuit = assert_same_as_qasm3_loads(text, fast=True)
    assert circuit.num_qubits == 5


@pytest.mark.parametrize("body", ["qubit[100000000] q;", "bit[1] c;\nc[0] = measure $99999999;"])
def test_absurd_widths_are_refused_not_allocated(body: str) -> None:
    with pytest.raises(ValueError, match="bits"):
        loads(HEADER + body + "\n")


@pytest.mark.parametrize("body", [
    "  x q[0];\n\trz(a) q[0] ;\nrz( a ) q[0];\nrz (a) q[0];\ncx  q[0],q[1];",
    "input  float[64]  b;\nrz(b) q[1];",
    "bit[2] c;\n  c[0] = measure q[0];\nc[1]=measure q[1];",
    "barrier q[0], q[1];\n  reset q[0];",
])
def test_any_spacing_stays_on_the_fast_path(body: str) -> None:
    text = HEADER + "input float[64] a;\nqubit[2] q;\n" + body + "\n"
    assert_same_as_qasm3_loads(text, fast=True)


@pytest.mark.parametrize("angle", [
    "a + 1", "1 + a", "a - pi", "π*a", "a/2", "2/a", "1/2", "3 - 1", "a * b", "a+b",
    "1.5e-3 * a", ".5 + a", "a / 2.0",
])
def test_two_operand_expressions_match_qasm3_loads(angle: str) -> None:
    test_angle_expressions_match_qasm3_loads(angle)


def test_inputs_used_only_in_expressions_are_not_added_to_the_global_phase() -> None:
    text = HEADER + "input float[64] a;\ninput float[64] b;\ninput float[64] c;\n" \
        "qubit[1] q;\nrz(pi + a) q[0];\nrx(b/2) q[0];\n"
    circuit = assert_same_as_qasm3_loads(text, fast=True)
    assert [p.name for p in circuit.parameters] == ["a", "b", "c"]
    assert [p.name for p in circuit.global_phase.parameters] == ["c"]


def test_physical_qubits_are_added_at_once_in_index_order() -> None:
    text = HEADER + "bit[2] c;\nsx $7;\ncx $3, $7;\nc[0] = measure $3;\nc[1] = measure $0;\n"
    circuit = assert_same_as_qasm3_loads(text, fast=True)
    assert circuit.num_qubits == 8
    assert [circuit.find_bit(q).index for q in circuit.data[1].qubits] == [3, 7]
    assert circuit.layout.initial_index_layout() == list(range(8))


def test_programs_share_physical_qubits_but_not_layouts() -> None:
    text = HEADER + "bit[1] c;\nsx $2;\nc[0] = measure $2;\n"
    first, second = loads(text), loads(text)
    assert first.qubits == second.qubits  # ``$n`` is one object, as a register's bits are
    first.layout.initial_layout.swap(0, 1)
    assert second.layout.initial_index_layout() == [0, 1, 2]
    first.layout.input_qubit_mapping.clear()
    assert len(second.layout.input_qubit_mapping) == 3
    wide = loads(HEADER + "sx $5000;\n")
    assert wide.num_qubits == 5001 and wide.layout.initial_index_layout()[5000] == 5000


def test_a_program_may_end_with_its_inputs() -> None:
    circuit = assert_same_as_qasm3_loads(HEADER + "input float[64] a;\ninput float[64] b;",
                                         fast=True)
    assert [p.name for p in circuit.parameters] == ["a", "b"]
