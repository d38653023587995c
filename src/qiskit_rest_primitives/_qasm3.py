"""Circuit → OpenQASM 3 text, with the parameter names the text declares."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qiskit import qasm3
from qiskit.circuit import Parameter, QuantumCircuit

_INPUT_RE = re.compile(r"^input float\[64\] ([A-Za-z_][A-Za-z0-9_]*);", re.MULTILINE)


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
    """Serialise ``circuit`` with ``qiskit.qasm3.dumps`` (placeholder for a faster emitter)."""
    text = qasm3.dumps(circuit, disable_constants=True, allow_aliasing=True,
                       experimental=qasm3.ExperimentalFeatures.SWITCH_CASE_V1)
    names = _INPUT_RE.findall(text)
    return Qasm3Program(text, dict(zip(circuit.parameters, names, strict=True)))
