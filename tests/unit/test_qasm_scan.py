"""The text checks behind the local server's limits (pure functions)."""

from __future__ import annotations

import pytest

from qiskit_rest_primitives.local.circuits._limits import LimitExceeded, Limits, json_depth
from qiskit_rest_primitives.local.circuits._qasm_scan import check_widths, scan, strip_comments

H = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
SMALL = Limits(max_qubits=10, max_clbits=10, max_instructions=100, max_gate_expansion=20,
               max_loop_iterations=50, max_qasm_nesting=8, max_fallback_qasm_bytes=1000)


@pytest.mark.parametrize(("text", "depth"), [
    (b"", 0), (b"[]", 1), (b'{"a": [[1], {"b": []}]}', 4), (b'["[[[[", "\\"]"]', 1),
    (b"]]][[[", 3),
])
def test_json_depth(text: bytes, depth: int) -> None:
    assert json_depth(text) == depth


def test_strip_comments_keeps_line_breaks() -> None:
    assert strip_comments("a; // x\n/* b\nc */ d;") == "a; \n\n d;"


@pytest.mark.parametrize(("program", "limit"), [
    (H + "qubit[11] q;", "max_qubits"),
    (H + "qubit[5] a;\nqubit[6] b;", "max_qubits"),
    (H + "qreg q[2*3+5];", "max_qubits"),
    (H + "bit[0x10] c;", "max_clbits"),
    (H + "x $10;", "max_qubits"),
])
def test_widths(program: str, limit: str) -> None:
    with pytest.raises(LimitExceeded) as info:
        check_widths(program, SMALL)
    assert info.value.name == limit


def test_widths_must_be_constant() -> None:
    with pytest.raises(ValueError, match="constant integer"):
        check_widths(H + "qubit[n] q;", SMALL)
    with pytest.raises(ValueError, match="negative"):
        check_widths(H + "qubit[-4] q;", SMALL)
    check_widths(H + "qubit[2] q; // qubit[1000] r;", SMALL)


@pytest.mark.parametrize(("program", "limit"), [
    (H + "qubit[1] q;\nfor int i in [0:50] { x q[0]; }", "max_loop_iterations"),
    (H + "qubit[1] q;\nfor int i in [0:10:1000] { x q[0]; }", "max_loop_iterations"),
    (H + "qubit[1] q;\nfor int i in [0:9] { for int j in {1,2,3,4,5,6,7,8,9,10,11} "
         "{ x q[0]; } }", "max_instructions"),
    (H + "gate a p, r { cx p, r; cx p, r; cx p, r; cx p, r; cx p, r; }\n"
         "gate b p, r { a p, r; a p, r; a p, r; a p, r; a p, r; }", "max_gate_expansion"),
    (H + "qubit[10] q;\n" + "x q;\n" * 11, "max_instructions"),
    (H + "qubit[1] q;\nrz(" + "(" * 9 + "1" + ")" * 9 + ") q[0];", "max_qasm_nesting"),
    (H + "qubit[1] q;\n" + "x q[0];\n" * 200, "max_fallback_qasm_bytes"),
])
def test_scan(program: str, limit: str) -> None:
    with pytest.raises(LimitExceeded) as info:
        scan(program, SMALL)
    assert info.value.name == limit


def test_scan_accepts_what_fits() -> None:
    scan(H + "qubit[2] q;\nbit[2] c;\ngate g a, b { cx a, b; }\n"
         "for int i in {1, 2, 3} { g q[0], q[1]; }\nif (c[0]) { x q; }\nc = measure q;", SMALL)
