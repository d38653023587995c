"""Pubs → request JSON: OpenQASM 3 circuits, ndarray parameter envelopes, Pauli dicts."""

from __future__ import annotations

import base64
import io
import zlib
from typing import Any

import numpy as np
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from ._qasm3 import Qasm3Program, dumps

#: zlib level for ndarray envelopes: level 1 keeps large sweeps fast (wire-format §8.2 needs zlib).
_ZLIB_LEVEL = 1


def encode_ndarray(array: np.ndarray[Any, Any]) -> dict[str, str]:
    """An ``{"__type__": "ndarray"}`` envelope: base64 of zlib-compressed ``.npy`` bytes."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    payload = base64.standard_b64encode(zlib.compress(buffer.getvalue(), _ZLIB_LEVEL))
    return {"__type__": "ndarray", "__value__": payload.decode("ascii")}


def _parameter_values(pub: SamplerPub | EstimatorPub, program: Qasm3Program) -> dict[str, str]:
    """Parameter values with columns in the order the server's parser will list parameters."""
    order = program.server_parameter_order()
    if not order:
        return encode_ndarray(np.zeros((0,), dtype=np.float64))
    values = pub.parameter_values.as_array(order)
    return encode_ndarray(np.asarray(values, dtype=np.float64))


class PubEncoder:
    """Encodes pubs, reusing the OpenQASM 3 text of a circuit shared by several pubs."""

    def __init__(self) -> None:
        self._programs: dict[int, tuple[Any, Qasm3Program]] = {}

    def program(self, pub: SamplerPub | EstimatorPub) -> Qasm3Program:
        """The OpenQASM 3 program of a pub's circuit (cached per circuit object in this job)."""
        key = id(pub.circuit)
        cached = self._programs.get(key)
        if cached is None or cached[0] is not pub.circuit:
            cached = (pub.circuit, dumps(pub.circuit))
            self._programs[key] = cached
        return cached[1]

    def sampler_pub(self, pub: SamplerPub) -> list[Any]:
        """``[qasm, parameter_values, shots]`` (wire-format §6.3)."""
        program = self.program(pub)
        return [program.text, _parameter_values(pub, program), pub.shots]

    def estimator_pub(self, pub: EstimatorPub) -> list[Any]:
        """``[qasm, observables, parameter_values, precision]`` (wire-format §6.3)."""
        program = self.program(pub)
        observables = pub.observables.tolist()
        return [program.text, observables, _parameter_values(pub, program), pub.precision]
