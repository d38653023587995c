"""What the fast OpenQASM 3 parser knows of the language: identifiers, constants and gates.

``stdgates.inc`` is mapped as ``qiskit_qasm3_import`` maps it, so a program parsed here
holds the same gate classes as one parsed by ``qasm3.loads``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from qiskit.circuit import Gate, QuantumCircuit
from qiskit.circuit import library as lib


class Unsupported(Exception):
    """The fast parser does not cover this program; ``qasm3.loads`` takes over."""


#: An identifier: letters of any script or ``_``, then digits too (OpenQASM 3 allows
#: Unicode letters; qiskit's library names parameters ``θ``, ``β``, ``__gθ``).
IDENT = r"[^\W\d]\w*"
#: An unsigned decimal or float literal.
NUMBER = r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
#: ``name(arguments) operands;``, whitespace around it allowed (lines are not stripped first).
CALL_RE = re.compile(rf"\s*({IDENT})\s*(?:\((.*)\))?\s+([^=]+?)\s*;\s*")
CONSTANTS: dict[str, float] = {"pi": math.pi, "π": math.pi, "tau": math.tau, "τ": math.tau,
                               "euler": math.e, "ℇ": math.e}
#: Reserved words of the grammar a program may not declare as its own names (the parser
#: dispatches on some of them; ``qasm3.loads`` reports the error).
KEYWORDS = frozenset({
    "OPENQASM", "include", "input", "output", "bit", "qubit", "qreg", "creg", "gate", "def",
    "measure", "reset", "barrier", "delay", "let", "if", "else", "for", "in", "while", "const",
    "float", "int", "uint", "angle", "bool", "complex", "duration", "stretch", "return",
    "break", "continue", "ctrl", "negctrl", "inv", "pow", "gphase", "defcal", "cal", "extern",
    "true", "false"})


class GateSpec(NamedTuple):
    """How a gate name is called: its factory, argument and qubit counts, and the
    ``StandardGate`` that lets the circuit store it without a Python gate object."""

    factory: Callable[..., Any]
    num_params: int
    num_qubits: int
    standard: Any = None


def _standard(factory: Callable[..., Any], num_params: int, num_qubits: int) -> GateSpec:
    return GateSpec(factory, num_params, num_qubits, getattr(factory, "_standard_gate", None))


#: ``stdgates.inc`` as ``qiskit_qasm3_import`` maps it.
STDGATES: dict[str, GateSpec] = {
    "p": _standard(lib.PhaseGate, 1, 1), "x": _standard(lib.XGate, 0, 1),
    "y": _standard(lib.YGate, 0, 1), "z": _standard(lib.ZGate, 0, 1),
    "h": _standard(lib.HGate, 0, 1), "s": _standard(lib.SGate, 0, 1),
    "sdg": _standard(lib.SdgGate, 0, 1), "t": _standard(lib.TGate, 0, 1),
    "tdg": _standard(lib.TdgGate, 0, 1), "sx": _standard(lib.SXGate, 0, 1),
    "rx": _standard(lib.RXGate, 1, 1), "ry": _standard(lib.RYGate, 1, 1),
    "rz": _standard(lib.RZGate, 1, 1), "cx": _standard(lib.CXGate, 0, 2),
    "cy": _standard(lib.CYGate, 0, 2), "cz": _standard(lib.CZGate, 0, 2),
    "cp": _standard(lib.CPhaseGate, 1, 2), "crx": _standard(lib.CRXGate, 1, 2),
    "cry": _standard(lib.CRYGate, 1, 2), "crz": _standard(lib.CRZGate, 1, 2),
    "ch": _standard(lib.CHGate, 0, 2), "swap": _standard(lib.SwapGate, 0, 2),
    "ccx": _standard(lib.CCXGate, 0, 3), "cswap": _standard(lib.CSwapGate, 0, 3),
    "cu": _standard(lib.CUGate, 4, 2), "CX": _standard(lib.CXGate, 0, 2),
    "phase": _standard(lib.PhaseGate, 1, 1), "cphase": _standard(lib.CPhaseGate, 1, 2),
    "id": GateSpec(lambda: lib.UGate(0, 0, 0), 0, 1), "u1": _standard(lib.U1Gate, 1, 1),
    "u2": _standard(lib.U2Gate, 2, 1), "u3": _standard(lib.U3Gate, 3, 1),
}


class DefinedGate:
    """Builds the opaque ``Gate`` a ``gate`` definition makes, as ``qasm3.loads`` does.

    One instance is shared by all calls: the gate is parameterless and nothing mutates it.
    """

    def __init__(self, name: str, body: QuantumCircuit) -> None:
        self.gate = Gate(name, body.num_qubits, [])
        self.gate.definition = body

    def __call__(self) -> Gate:
        return self.gate
