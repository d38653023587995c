"""The fast OpenQASM 3 emitter: what ``qasm3.loads`` reads back equals the circuit."""

from __future__ import annotations

import json
import math
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit, qasm3
from qiskit.circuit import (
    ClassicalRegister,
    Gate,
    Measure,
    Parameter,
    ParameterExpression,
    ParameterVector,
    QuantumRegister,
)
from qiskit.circuit.library import (
    GlobalPhaseGate,
    RZGate,
    U1Gate,
    U2Gate,
    U3Gate,
    UnitaryGate,
)
from qiskit.transpiler import Layout, TranspileLayout

from qiskit_rest_primitives._codec._qasm3 import _Emitter, dumps, dumps_reference
from qiskit_rest_primitives._codec._qasm3_names import is_identifier
from qiskit_rest_primitives._codec._qasm3_native import native_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "qasm3_circuits.json"
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: ASCII names and the Unicode ones qiskit's library uses (``real_amplitudes``' θ, QAOA's β and
#: gamma, a gradient's ``__gθ``).
PARAMS = [Parameter("a"), Parameter("b"), Parameter("θ"), Parameter("__gθ"), Parameter("\N{GREEK SMALL LETTER GAMMA}")]
#: A gate argument literal: ``repr`` spells it ``0.0``/``1e-20``, qiskit's Rust exporter ``0``/``0.00…01``.
NUMBER = re.compile(r"(?<=[(, ])-?[0-9][0-9.]*(?:e[-+]?[0-9]+)?(?=[,)])")


def same_program(ours: Any, theirs: Any) -> bool:
    """Equal programs, allowing each exporter its own (exact) spelling of a number."""
    def spelled(text: str) -> str:
        return NUMBER.sub(lambda m: repr(float(m[0])), text)
    return bool(ours.parameter_names == theirs.parameter_names
                and spelled(ours.text) == spelled(theirs.text))
VECTORS = [ParameterVector("th", 12), ParameterVector("β", 11)]
#: Register names, ``mé`` included (OpenQASM 3 allows it; ``qasm3.dumps`` escapes it).
REGISTER_NAMES = ["c", "meas", "C", "mé"]


# --- structural comparison ------------------------------------------------------------------

def _value(param: Any, names: dict[Any, str], values: dict[str, float]) -> Any:
    """A gate argument as a number, binding parameters by (mapped) name."""
    if isinstance(param, Parameter):
        return values[names.get(param, param.name)]
    if isinstance(param, ParameterExpression):
        bound = param.bind({p: values[names.get(p, p.name)] for p in param.parameters})
        return complex(bound).real
    return param


def _maps(circuit: QuantumCircuit) -> tuple[dict[Any, int], dict[Any, int]]:
    return ({q: i for i, q in enumerate(circuit.qubits)},
            {c: i for i, c in enumerate(circuit.clbits)})


def _body_maps(body: QuantumCircuit, inst: Any, maps: Any) -> Any:
    """Body bits → top-level indices (bodies order their bits as they please)."""
    return ({b: maps[0][o] for b, o in zip(body.qubits, inst.qubits, strict=True)},
            {b: maps[1][o] for b, o in zip(body.clbits, inst.clbits, strict=True)})


def loads_name(name: str) -> str:
    """The name ``qasm3.loads`` gives a register (it escapes names OpenQASM 2 could not
    hold); our parser keeps the name as written."""
    if re.fullmatch(r"[a-z]\w*", name, flags=re.ASCII):
        return name
    name = re.sub(r"\W", "_", name)
    return name if name[0].islower() and name[0].isascii() else "esc_" + name


def _condition(op: Any, maps: Any) -> Any:
    condition = getattr(op, "condition", None)
    if condition is None:
        return None
    target, value = condition
    if isinstance(target, ClassicalRegister):
        return ("reg", loads_name(target.name), target.size, int(value))
    return ("bit", maps[1][target], int(value))


def _normal_name(inst: Any) -> str:
    if inst.name == "u" and all(float(p) == 0 for p in inst.params):
        return "id"  # qiskit_qasm3_import reads ``id`` as U(0, 0, 0)
    return str(inst.name)


def assert_equivalent(ours: QuantumCircuit, theirs: QuantumCircuit,
                      names: dict[Any, str] | None = None) -> None:
    """Same instruction sequence, bits and (numerically, 1e-12) arguments.

    ``names`` maps ``ours``' parameters to the names they have in ``theirs``. With physical
    qubits, ``qasm3.loads`` makes only as many qubits as the highest ``$n`` used needs.
    """
    names = names or {}
    values = {name: 0.1 + 0.37 * i for i, name in enumerate(
        sorted({p.name for p in theirs.parameters} | set(names.values())))}
    assert ours.num_clbits == theirs.num_clbits
    if ours.layout is not None and ours.num_qubits > theirs.num_qubits:
        used = {ours.find_bit(q).index for inst in ours.data for q in inst.qubits}
        assert theirs.num_qubits == max(used, default=-1) + 1
    else:
        assert ours.num_qubits == theirs.num_qubits
    _compare(ours, theirs, names, values, _maps(ours), _maps(theirs))


def _compare(ours: QuantumCircuit, theirs: QuantumCircuit, names: dict[Any, str],
             values: dict[str, float], mine_maps: Any, their_maps: Any) -> None:
    assert len(ours.data) == len(theirs.data)
    for mine, other in zip(ours.data, theirs.data, strict=True):
        assert _normal_name(mine) == _normal_name(other)
        assert _condition(mine.operation, mine_maps) == _condition(other.operation, their_maps)
        qubits = [mine_maps[0][q] for q in mine.qubits], [their_maps[0][q] for q in other.qubits]
        clbits = [mine_maps[1][c] for c in mine.clbits], [their_maps[1][c] for c in other.clbits]
        if mine.operation.name in ("if_else", "while_loop", "for_loop"):
            assert sorted(qubits[0]) == sorted(qubits[1])
            assert sorted(clbits[0]) == sorted(clbits[1])
            if mine.name == "for_loop":
                assert list(mine.params[0]) == list(other.params[0])
            for a, b in zip(mine.operation.blocks, other.operation.blocks, strict=True):
                _compare(a, b, names, values, _body_maps(a, mine, mine_maps),
                         _body_maps(b, other, their_maps))
            continue
        if mine.name in ("break_loop", "continue_loop"):  # they take the body's bits, any order
            assert sorted(qubits[0]) == sorted(qubits[1])
            continue
        assert qubits[0] == qubits[1]
        assert clbits[0] == clbits[1]
        if mine.name == "delay":
            unit, value = mine.operation.unit, mine.params[0]
            if unit == "ps":  # OpenQASM 3 has no ps; the exporters write ns
                unit, value = "ns", value / 1000
            assert (unit, value) == (other.operation.unit, other.params[0])
        elif _normal_name(mine) != "id":
            for a, b in zip(mine.params, other.params, strict=True):
                x, y = _value(a, names, values), _value(b, names, values)
                assert math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12), (mine, other)


# --- a corpus of ISA-like circuits ------------------------------------------------------------

@st.composite
def angles(draw: st.DrawFn, parametric: bool) -> Any:
    kind = draw(st.sampled_from(["float", "float", "param", "vector", "expr"]
                                if parametric else ["float"]))
    number = draw(st.floats(-10, 10, allow_nan=False, allow_infinity=False))
    if kind == "float":
        return number
    if kind == "param":
        return draw(st.sampled_from(PARAMS))
    vector = draw(st.sampled_from(VECTORS))
    element = vector[draw(st.integers(0, len(vector) - 1))]
    if kind == "vector":
        return element
    first, second = draw(st.permutations(PARAMS))[:2]
    return draw(st.sampled_from([
        lambda: 2 * element + first, lambda: first - second / 3,
        lambda: -element, lambda: element * number, lambda: number - second,
        lambda: element + math.pi]))()


@st.composite
def gate_ops(draw: st.DrawFn, qc: QuantumCircuit, parametric: bool, depth: int) -> None:
    n = qc.num_qubits
    q = draw(st.integers(0, n - 1))
    other = draw(st.integers(0, n - 1).filter(lambda x: x != q)) if n > 1 else None
    kinds = ["sx", "x", "id", "rz", "rz", "measure", "reset", "barrier", "delay"]
    if other is not None:
        kinds += ["ecr", "cx", "cz"]
    if depth < 2 and qc.num_clbits:
        kinds += ["if", "for", "while"]
    kind = draw(st.sampled_from(kinds))
    if kind in ("sx", "x", "id"):
        getattr(qc, kind)(q)
    elif kind == "rz":
        qc.rz(draw(angles(parametric)), q)
    elif kind in ("ecr", "cx", "cz"):
        getattr(qc, kind)(q, other)
    elif kind == "measure":
        if qc.num_clbits:
            qc.measure(q, draw(st.integers(0, qc.num_clbits - 1)))
    elif kind == "reset":
        qc.reset(q)
    elif kind == "barrier":
        qc.barrier(*sorted(draw(st.sets(st.integers(0, n - 1), min_size=1))))
    elif kind == "delay":
        unit = draw(st.sampled_from(["dt", "ns", "us", "s", "ps"]))
        qc.delay(draw(st.integers(1, 500)) if unit == "dt" else draw(
            st.sampled_from([1.5, 20.0, 0.25, 3e-7])), q, unit=unit)
    else:
        _control_flow(draw, qc, kind, parametric, depth)


def _control_flow(draw: st.DrawFn, qc: QuantumCircuit, kind: str, parametric: bool,
                  depth: int) -> None:
    bit = qc.clbits[draw(st.integers(0, qc.num_clbits - 1))]
    condition = (bit, draw(st.booleans())) if draw(st.booleans()) else (
        qc.cregs[0], draw(st.integers(0, 2 ** qc.cregs[0].size - 1)))
    body_ops = st.lists(st.just(None), min_size=1, max_size=3)
    if kind == "if":
        with qc.if_test(condition) as else_:
            for _ in draw(body_ops):
                draw(gate_ops(qc, parametric, depth + 1))
        if draw(st.booleans()):
            with else_:
                for _ in draw(body_ops):
                    draw(gate_ops(qc, parametric, depth + 1))
    elif kind == "while":
        with qc.while_loop(condition):
            for _ in draw(body_ops):
                draw(gate_ops(qc, parametric, depth + 1))
    else:
        indexset = draw(st.sampled_from([range(3), range(1, 7, 2), (4, 0, 2)]))
        with qc.for_loop(indexset):
            for _ in draw(body_ops):
                draw(gate_ops(qc, parametric, depth + 1))
            if draw(st.booleans()):
                qc.break_loop()


@st.composite
def isa_circuits(draw: st.DrawFn, parametric: bool = True,
                 control_flow: bool = True) -> QuantumCircuit:
    """Small circuits over ecr/cx/cz/rz/sx/x/id, measure, reset, barrier, delay, control flow."""
    n = draw(st.integers(1, 4))
    clbits = draw(st.integers(0 if not control_flow else 1, 3))
    regs: list[Any] = [QuantumRegister(n, "q")]
    if clbits:
        regs.append(ClassicalRegister(clbits, draw(st.sampled_from(REGISTER_NAMES))))
    qc = QuantumCircuit(*regs)
    for _ in range(draw(st.integers(1, 12))):
        draw(gate_ops(qc, parametric, 0 if control_flow else 9))
    if draw(st.booleans()):  # mark it as laid out: physical qubits ``$n``
        qc._layout = TranspileLayout(Layout.from_qubit_list(qc.qubits),
                                     {bit: i for i, bit in enumerate(qc.qubits)}, None)
    return qc


# --- tests --------------------------------------------------------------------------------------

@SETTINGS
@given(isa_circuits())
def test_round_trip_through_qasm3_loads(circuit: QuantumCircuit) -> None:
    program = _Emitter(circuit).program()  # the fast path covers the whole corpus
    assert same_program(dumps(circuit), program)
    loaded = qasm3.loads(program.text)
    assert_equivalent(circuit, qasm3.loads(dumps(circuit).text), program.parameter_names)
    assert_equivalent(circuit, loaded, program.parameter_names)
    assert [p.name for p in loaded.parameters] == [
        program.parameter_names[p] for p in program.server_parameter_order()]
    assert (loaded.layout is not None) == (circuit.layout is not None)


@SETTINGS
@given(isa_circuits(control_flow=False))
def test_same_text_as_qasm3_dumps_without_control_flow(circuit: QuantumCircuit) -> None:
    assume(all(creg.name.isascii() for creg in circuit.cregs))  # dumps escapes ``mé``
    assert _Emitter(circuit).program() == dumps_reference(circuit)
    assert same_program(dumps(circuit), dumps_reference(circuit))


def test_parameter_free_basis_circuits_take_the_rust_exporter() -> None:
    """Same program as the Python emitter; numbers spelled the Rust way, exact either way."""
    qc = QuantumCircuit(3, 2)
    qc.rz(0.0, 0)
    qc.rz(1e-20, 1)
    qc.rz(-math.pi / 2, 2)
    qc.sx(0)
    qc.ecr(0, 1)
    qc.barrier()
    qc.reset(2)
    qc.measure([0, 1], [0, 1])
    program = dumps(qc)
    assert "rz(0) q[0];" in program.text  # the Rust spelling: the path was taken
    assert "rz(0.00000000000000000001) q[1];" in program.text
    assert same_program(program, _Emitter(qc).program())
    assert_equivalent(qc, qasm3.loads(program.text))


def test_the_rust_path_leaves_the_circuit_as_it_was() -> None:
    qc = QuantumCircuit(2, 2)
    qc.sx(0)
    qc.barrier(label="cut")
    qc.measure(0, 0)
    qc.append(Measure(label="m1"), [1], [1])
    before = qc.copy()
    assert "rz(" not in dumps(qc).text and "c[1] = measure q[1];" in dumps(qc).text
    assert qc == before
    assert [inst.operation.label for inst in qc.data] == [None, "cut", None, "m1"]


def test_threads_encoding_one_circuit_at_once_agree() -> None:
    """The Rust path's class check never borrows the caller's circuit mutably."""
    qc = _every_covered_gate()
    qc.add_register(ClassicalRegister(3, "c"))
    for _ in range(500):  # many instructions that are not natively stored gates
        qc.barrier()
        qc.measure(range(3), range(3))
    expected = dumps(qc)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            programs = list(pool.map(lambda _: dumps(qc), range(32)))
    finally:
        sys.setswitchinterval(interval)
    assert all(program == expected for program in programs)
    assert native_text(qc) == expected.text


def test_subclass_of_a_standard_gate_is_not_exported_as_it() -> None:
    class TiltedRZ(RZGate):
        pass

    qc = QuantumCircuit(1)
    qc.append(TiltedRZ(0.25), [0])
    assert dumps(qc) == dumps_reference(qc)


def test_user_gate_with_a_standard_name_is_not_exported_as_the_standard_gate() -> None:
    impostor = Gate("rz", 1, [0.3])
    impostor.definition = QuantumCircuit(1)
    impostor.definition.x(0)
    qc = QuantumCircuit(1)
    qc.append(impostor, [0])
    assert dumps(qc) == dumps_reference(qc)
    assert "rz(0.3) q[0];" not in dumps(qc).text.split("qubit[1] q;")[1]


def test_angles_are_shortest_round_trip_reprs() -> None:
    qc = QuantumCircuit(1)
    qc.rz(0.1, 0)
    qc.rz(-math.pi / 2, 0)
    qc.rz(1e-20, 0)
    text = _Emitter(qc).program().text
    assert "rz(0.1) q[0];" in text
    assert f"rz({-math.pi / 2!r}) q[0];" in text
    assert "rz(1e-20) q[0];" in text


def test_parameter_order_pitfall_fixture() -> None:
    fixture = json.loads(FIXTURES.read_text())["parameter_order_pitfall"]
    th = ParameterVector("th", 12)
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(1)
    for param in [a, b, *th]:
        qc.rz(param, 0)
    program = dumps(qc)
    declared = [line for line in program.text.splitlines() if line.startswith("input")]
    assert declared == fixture["qasm3_input_declarations"]
    assert [program.parameter_names[p] for p in program.server_parameter_order()] == fixture[
        "parameter_order_after_qiskit_qasm3_loads"]


@pytest.mark.parametrize("build", [
    lambda qc: qc.append(UnitaryGate([[0, 1], [1, 0]]), [0]),
    lambda qc: qc.rzz(0.3, 0, 1),
    lambda qc: qc.rz(Parameter("a").sin(), 0),
    lambda qc: qc.rz(Parameter("θ"), 0),
])
def test_uncovered_circuits_fall_back_to_qasm3_dumps(build: Any) -> None:
    qc = QuantumCircuit(2)
    build(qc)
    assert dumps(qc) == dumps_reference(qc)


def test_two_registers_fall_back() -> None:
    qc = QuantumCircuit(QuantumRegister(1, "a"), QuantumRegister(1, "b"))
    qc.x(1)
    assert dumps(qc) == dumps_reference(qc)


def test_fast_tables_match_qasm3_dumps_on_repeats() -> None:
    """Repeated lines (same angle on several qubits, qubit pairs, barrier widths) stay exact."""
    a = Parameter("a")
    qc = QuantumCircuit(3, 1)
    for _ in range(2):
        for qubit in range(3):
            qc.rz(0.25, qubit)
            qc.rz(a + 1, qubit)
            qc.sx(qubit)
        qc.ecr(0, 1)
        qc.ecr(0, 2)
        qc.ecr(2, 0)
        qc.barrier(0)
        qc.barrier(0, 1)
        qc.x(0)
    qc.measure(2, 0)
    assert dumps(qc) == _Emitter(qc).program() == dumps_reference(qc)
    bound = qc.assign_parameters([0.5])  # parameter-free: the Rust exporter's text
    assert same_program(dumps(bound), _Emitter(bound).program())


def test_instruction_without_qubits_falls_back() -> None:
    qc = QuantumCircuit(1)
    qc.x(0)
    qc.append(GlobalPhaseGate(0.5), [])
    assert dumps(qc) == dumps_reference(qc)


def _every_covered_gate() -> QuantumCircuit:
    qc = QuantumCircuit(3)
    for gate in ("x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "id"):
        getattr(qc, gate)(0)
    for gate in ("rx", "ry", "rz", "p"):
        getattr(qc, gate)(0.3, 1)
    for gate in ("cx", "cy", "cz", "ch", "swap", "ecr"):
        getattr(qc, gate)(0, 1)
    for gate in ("cp", "crx", "cry", "crz"):
        getattr(qc, gate)(0.2, 1, 2)
    qc.cu(0.1, 0.2, 0.3, 0.4, 0, 1)
    qc.ccx(0, 1, 2)
    qc.cswap(2, 0, 1)
    qc.append(U1Gate(0.3), [2])
    qc.append(U2Gate(0.1, 0.2), [1])
    qc.append(U3Gate(0.1, 0.2, 0.3), [0])
    return qc


def _two_cregs_and_a_phase() -> QuantumCircuit:
    qc = QuantumCircuit(QuantumRegister(3, "qr"), ClassicalRegister(1, "a"),
                        ClassicalRegister(2, "b"), global_phase=0.5)
    qc.sx(0)
    qc.measure(0, 2)
    qc.measure(1, 0)
    qc.measure_all()
    return qc


@pytest.mark.parametrize("build", [_every_covered_gate, _two_cregs_and_a_phase])
def test_rust_path_matches_qasm3_dumps_on_every_covered_gate_and_register_layout(
        build: Any) -> None:
    qc = build()
    assert native_text(qc) is not None
    assert same_program(dumps(qc), dumps_reference(qc))
    assert same_program(dumps(qc), _Emitter(qc).program())


def _library_circuits() -> dict[str, QuantumCircuit]:
    """qiskit library circuits whose parameters have Unicode names, as users build them."""
    from qiskit.circuit.library import n_local, qaoa_ansatz, real_amplitudes
    from qiskit.quantum_info import SparsePauliOp
    from qiskit.transpiler import generate_preset_pass_manager

    pm = generate_preset_pass_manager(optimization_level=1, basis_gates=["ecr", "rz", "sx", "x"],
                                      seed_transpiler=1)
    qaoa = qaoa_ansatz(SparsePauliOp(["ZZI", "IZZ"]), reps=2)
    shifted = real_amplitudes(3, reps=1)
    gradient = Parameter("__gθ")
    shifted.rz(2 * shifted.parameters[0] + gradient / 3 - VECTORS[1][4], 0)  # as gradients do
    circuits = {"real_amplitudes": real_amplitudes(4, reps=2),
                "n_local": n_local(3, ["ry", "rz"], "cz", reps=2), "qaoa": qaoa,
                "gradient": shifted}
    out = {}
    for name, circuit in circuits.items():
        circuit.measure_all()
        out[name] = pm.run(circuit)
    return out


@pytest.mark.parametrize(("name", "circuit"), list(_library_circuits().items()))
def test_unicode_parameter_names_take_both_fast_paths(name: str, circuit: QuantumCircuit) -> None:
    from qiskit_rest_primitives.local.circuits._qasm3_parser import _Parser

    program = _Emitter(circuit).program()  # no fall-back to qasm3.dumps
    assert any(not n.isascii() for n in program.parameter_names.values())
    # str() of a parameter expression orders its terms by hash (PYTHONHASHSEED), so the two
    # exporters may write the same sum in two orders: compare the reference by meaning.
    reference = dumps_reference(circuit)
    assert program.parameter_names == reference.parameter_names
    assert_equivalent(circuit, _Parser(reference.text).parse(), reference.parameter_names)
    parsed = _Parser(program.text).parse()  # no fall-back to qasm3.loads
    assert [p.name for p in parsed.parameters] == [
        program.parameter_names[p] for p in program.server_parameter_order()]
    assert_equivalent(circuit, parsed, program.parameter_names)


@pytest.mark.parametrize("name", ["θ", "mé", "__gθ", "ǅx1", "ⅻ"])
def test_unicode_identifiers_are_accepted(name: str) -> None:
    assert is_identifier(name)


@pytest.mark.parametrize("name", ["", "1a", "a-b", "a b", "x²", "٣", "a٣"])
def test_non_identifiers_are_refused(name: str) -> None:
    assert not is_identifier(name)
