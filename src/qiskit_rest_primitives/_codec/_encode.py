"""Pubs → request JSON: OpenQASM 3 circuits, ndarray parameter envelopes, Pauli dicts."""

from __future__ import annotations

import base64
import io
import json
import re
import uuid
import zlib
from typing import Any

import numpy as np
from qiskit.circuit import ClassicalRegister, ControlFlowOp, Parameter, QuantumCircuit, SwitchCaseOp
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from ._qasm3 import Qasm3Program, dumps_fast, dumps_reference
from ._qasm3_names import has_long_integer

#: Highest QPY version the service reads (13..17, wire-format §6.3).
_MAX_QPY_VERSION = 17

#: Bytes probed to decide whether compressing an array is worth its time.
_PROBE_BYTES = 1 << 16
#: Compress only if the probe shrinks below this fraction (random angles do not compress).
_WORTH_IT = 0.8


class RawJSON:
    """A JSON fragment already encoded as bytes, spliced into the body by :func:`dumps_body`.

    Large base64 payloads then skip ``json.dumps``' per-character escaping scan.
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


def _npy_bytes(array: np.ndarray[Any, Any]) -> bytes:
    """``np.save`` output (format 1.0, little-endian, C order) without an intermediate file."""
    array = np.ascontiguousarray(array)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    npy: Any = np.lib.format  # typed in numpy >= 2.3 only (3.10 gets 2.2)
    header = {"descr": npy.dtype_to_descr(array.dtype), "fortran_order": False,
              "shape": array.shape}
    text = repr(header).encode("latin1")
    padding = 64 - (10 + len(text) + 1) % 64
    text += b" " * padding + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + array.tobytes()


def _compress(data: bytes) -> bytes:
    """zlib (the only form the service reads): stored blocks for large arrays that do not
    compress (random angles: level 1 costs 25x the time for 4 %), zlib's default level for the
    rest (a regular grid shrinks 5x more than at level 1, for 2x the time)."""
    if len(data) > 4 * _PROBE_BYTES:
        probe = data[len(data) // 2:len(data) // 2 + _PROBE_BYTES]
        if len(zlib.compress(probe, 1)) > _WORTH_IT * len(probe):
            return zlib.compress(data, 0)
    return zlib.compress(data, 6)


def encode_ndarray(array: np.ndarray[Any, Any]) -> dict[str, Any]:
    """An ``{"__type__": "ndarray"}`` envelope: base64 of zlib-compressed ``.npy`` bytes."""
    payload = base64.standard_b64encode(_compress(_npy_bytes(array)))
    return {"__type__": "ndarray", "__value__": RawJSON(b'"' + payload + b'"')}


_MARKER_RE = re.compile(r'"@@raw-([0-9a-f]{32})-(\d+)"')


def dumps_body(body: Any) -> bytes:
    """Serialise a request body to compact JSON bytes, splicing in :class:`RawJSON` fragments."""
    fragments: list[bytes] = []
    marker_nonce = uuid.uuid4().hex
    marker = f"@@raw-{marker_nonce}-"

    def default(obj: Any) -> Any:
        if isinstance(obj, RawJSON):
            fragments.append(obj.data)
            return f"{marker}{len(fragments) - 1}"
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, complex):
            return [obj.real, obj.imag]
        raise TypeError(f"cannot encode {type(obj).__name__} as JSON")

    text = json.dumps(body, separators=(",", ":"), default=default, allow_nan=False)
    if not fragments:
        return text.encode()
    pieces = _MARKER_RE.split(text)
    out = bytearray(pieces[0].encode())
    for index in range(1, len(pieces), 3):
        nonce, number = pieces[index], pieces[index + 1]
        if nonce == marker_nonce:
            out += fragments[int(number)]
        else:  # a user string that merely looks like a marker
            out += f'"@@raw-{nonce}-{number}"'.encode()
        out += pieces[index + 2].encode()
    return bytes(out)


class QpyProgram:
    """A circuit as the official client sends it: a QPY envelope; parameters keep qiskit's order.

    Used for circuits whose OpenQASM 3 the service's parser cannot read back (``switch``,
    registers sharing bits, and parameter expressions with powers or functions: ``qasm3.loads``
    rejects the syntax ``qasm3.dumps`` writes for them).
    """

    def __init__(self, circuit: QuantumCircuit) -> None:
        from qiskit import qpy  # deferred: few circuits need it (~20 ms of import time)

        buffer = io.BytesIO()
        qpy.dump(circuit, buffer, version=min(_MAX_QPY_VERSION, qpy.QPY_VERSION))
        payload = base64.standard_b64encode(zlib.compress(buffer.getvalue()))
        self.envelope = {"__type__": "QuantumCircuit", "__value__": RawJSON(b'"' + payload + b'"')}
        self._parameters = list(circuit.parameters)

    def server_parameter_order(self) -> list[Parameter]:
        """QPY keeps the circuit's parameters, so its own order is the server's."""
        return self._parameters


def _has_switch(circuit: QuantumCircuit) -> bool:
    """Whether a ``switch`` appears anywhere, control-flow bodies included."""
    if not circuit._data.has_control_flow_op():  # a flag, where counting reads every operation
        return False
    names = circuit.count_ops()
    if "switch_case" in names:
        return True
    if not any(name in names for name in ("if_else", "for_loop", "while_loop", "box")):
        return False
    return any(isinstance(inst.operation, SwitchCaseOp) or (
        isinstance(inst.operation, ControlFlowOp)
        and any(_has_switch(block) for block in inst.operation.blocks))
        for inst in circuit.data)


def _has_aliased_registers(circuit: QuantumCircuit) -> bool:
    """Whether classical registers share bits (OpenQASM 3 would need ``let`` aliases, which
    ``qasm3.loads`` cannot read back)."""
    cregs: list[ClassicalRegister] = circuit.cregs
    if len(cregs) < 2:
        return False
    sizes: int = sum(creg.size for creg in cregs)
    return len({bit for creg in cregs for bit in creg}) != sizes


#: What qiskit writes for parameter expressions beyond sums and products: powers and function
#: calls (``θ**2``, ``sin(θ)``, ``asin``, ``exp``, ``log``, ``abs``, ``sign``, ``conj``).
#: qiskit's OpenQASM 3 importer cannot read them back (``unsupported binary operation '**'``,
#: ``'FunctionCall' cannot be resolved``), so such circuits travel as QPY, as the official client
#: sends every circuit. Substring tests: a regex over a utility-scale text costs 40 % of
#: encoding it, these a few percent.
_UNREADABLE_EXPRESSIONS = ("**", "sin(", "cos(", "tan(", "exp(", "log(", "abs(", "sign(",
                           "conj(", "sqrt(")


def _readable(program: Qasm3Program, circuit: QuantumCircuit) -> Qasm3Program | QpyProgram:
    """``program`` (written by ``qasm3.dumps``), or the circuit as QPY when its text holds an
    expression the service's OpenQASM 3 parser cannot read: a power, a function call, or a
    constant over 64 bits (``1e20*a`` is printed ``100000000000000000000*a``). The fast
    emitter never writes the first two and writes the third as a float."""
    text = program.text
    if program.parameters and (any(token in text for token in _UNREADABLE_EXPRESSIONS)
                               or has_long_integer(text)):
        return QpyProgram(circuit)
    return program


CircuitProgram = Qasm3Program | QpyProgram


def _wire(program: CircuitProgram) -> Any:
    return program.text if isinstance(program, Qasm3Program) else program.envelope


def _parameter_values(pub: SamplerPub | EstimatorPub, program: CircuitProgram) -> dict[str, Any]:
    """Parameter values with columns in the order the server's parser will list parameters."""
    order = program.server_parameter_order()
    if not order:  # no columns, but the pub's shape (``[[]]`` → (1,)) still counts
        return encode_ndarray(np.zeros((*pub.parameter_values.shape, 0), dtype=np.float64))
    return encode_ndarray(np.asarray(_columns(pub.parameter_values, order), dtype=np.float64))


def _columns(values: BindingsArray, order: list[Parameter]) -> np.ndarray[Any, Any]:
    """``values.as_array(order)``: one array's columns picked by name when it holds every
    parameter once (the usual pub), else qiskit's general merge (a third of the time on 500
    parameters: qiskit normalises every name twice)."""
    if len(values.data) == 1:
        ((names, array),) = values.data.items()
        position = {name: index for index, name in enumerate(names)}
        if len(position) == len(names) == len(order):
            try:
                columns = [position[param.name] for param in order]
            except KeyError:
                pass  # qiskit's merge names the parameter in its error
            else:
                picked: np.ndarray[Any, Any] = np.take(array, columns, axis=-1)
                return picked
    merged: np.ndarray[Any, Any] = values.as_array(order)
    return merged


class PubEncoder:
    """Encodes pubs, reusing the OpenQASM 3 text of a circuit shared by several pubs."""

    def __init__(self) -> None:
        self._programs: dict[int, tuple[Any, CircuitProgram | None]] = {}

    def _fast(self, circuit: QuantumCircuit) -> tuple[Any, CircuitProgram | None]:
        """The circuit's program by the fast paths, ``None`` if it needs a slow one (cached
        per circuit object in this job)."""
        cached = self._programs.get(id(circuit))
        if cached is None or cached[0] is not circuit:
            fast: CircuitProgram | None
            if _has_switch(circuit) or _has_aliased_registers(circuit):
                fast = QpyProgram(circuit)  # no OpenQASM 3 reader takes these back
            else:  # no _readable scan: the fast emitter refuses powers and calls
                fast = dumps_fast(circuit)
            cached = self._programs[id(circuit)] = (circuit, fast)
        return cached

    def instructions(self, pub: SamplerPub | EstimatorPub) -> frozenset[Any] | None:
        """The distinct (name, qubits) of the pub's circuit if encoding it listed them all.

        For the ISA check, which otherwise builds a DAG of the circuit (~0.5 ms on 4,000
        instructions); encoding a circuit that turns out not to be ISA is wasted, never wrong.
        """
        program = self._fast(pub.circuit)[1]
        return program.instructions if isinstance(program, Qasm3Program) else None

    def program(self, pub: SamplerPub | EstimatorPub) -> CircuitProgram:
        """The wire form of a pub's circuit (cached per circuit object in this job)."""
        circuit, program = self._fast(pub.circuit)
        if program is None:
            program = _readable(dumps_reference(circuit), circuit)
            self._programs[id(circuit)] = (circuit, program)
        return program

    def sampler_pub(self, pub: SamplerPub) -> list[Any]:
        """``[qasm, parameter_values, shots]`` (wire-format §6.3)."""
        program = self.program(pub)
        return [_wire(program), _parameter_values(pub, program), pub.shots]

    def estimator_pub(self, pub: EstimatorPub) -> list[Any]:
        """``[qasm, observables, parameter_values, precision]`` (wire-format §6.3)."""
        program = self.program(pub)
        observables = pub.observables.tolist()
        return [_wire(program), observables, _parameter_values(pub, program), pub.precision]
