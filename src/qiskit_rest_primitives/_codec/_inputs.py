"""A job's inputs as the user gave them: parameter envelopes decoded, circuits in the pubs."""

from __future__ import annotations

import json
from typing import Any

from qiskit.circuit import QuantumCircuit

from ._decode import decode_result

JSON = dict[str, Any]


def job_inputs(params: JSON, circuits: list[QuantumCircuit] | None) -> JSON:
    """A job's ``params`` as the official client's ``inputs`` shows them.

    Envelopes (``ndarray`` parameter values...) are decoded as the official client decodes
    them, and each pub's OpenQASM 3 text is replaced by a circuit.
    """
    decoded = decode_result(json.dumps(params))
    return with_circuits(decoded if isinstance(decoded, dict) else {}, circuits)


def with_circuits(params: JSON, circuits: list[QuantumCircuit] | None) -> JSON:
    """``params`` with each pub's OpenQASM 3 text replaced by a circuit (wire-format §6.1).

    ``circuits`` are the user's own, in pub order; without them the text is parsed, when the
    optional OpenQASM 3 importer is installed.
    """
    pubs = params.get("pubs")
    if not isinstance(pubs, list):
        return params
    restored = []
    for index, pub in enumerate(pubs):
        if isinstance(pub, list) and pub and isinstance(pub[0], str):
            known = circuits[index] if circuits and index < len(circuits) else None
            pub = [known if known is not None else _parse_qasm3(pub[0]), *pub[1:]]
        restored.append(pub)
    return {**params, "pubs": restored}


def _parse_qasm3(text: str) -> QuantumCircuit | str:
    """A circuit from OpenQASM 3, or the text itself when qiskit's importer is missing."""
    try:
        from qiskit import qasm3

        return qasm3.loads(text)
    except ImportError:  # qiskit-qasm3-import is optional (the [server] extra has it)
        return text
