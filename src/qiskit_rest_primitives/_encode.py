"""Pubs → request JSON: OpenQASM 3 circuits, ndarray parameter envelopes, Pauli dicts."""

from __future__ import annotations

import base64
import json
import re
import uuid
import zlib
from typing import Any

import numpy as np
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from ._qasm3 import Qasm3Program, dumps

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
    header = {"descr": np.lib.format.dtype_to_descr(array.dtype), "fortran_order": False,
              "shape": array.shape}
    text = repr(header).encode("latin1")
    padding = 64 - (10 + len(text) + 1) % 64
    text += b" " * padding + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + array.tobytes()


def _compress(data: bytes) -> bytes:
    """zlib (the only form the service reads); stored blocks when compression would not pay."""
    if len(data) > 4 * _PROBE_BYTES:
        probe = data[len(data) // 2:len(data) // 2 + _PROBE_BYTES]
        if len(zlib.compress(probe, 1)) > _WORTH_IT * len(probe):
            return zlib.compress(data, 0)
    return zlib.compress(data, 1)


def encode_ndarray(array: np.ndarray[Any, Any]) -> dict[str, Any]:
    """An ``{"__type__": "ndarray"}`` envelope: base64 of zlib-compressed ``.npy`` bytes."""
    payload = base64.standard_b64encode(_compress(_npy_bytes(array)))
    return {"__type__": "ndarray", "__value__": RawJSON(b'"' + payload + b'"')}


def dumps_body(body: Any) -> bytes:
    """Serialise a request body to compact JSON bytes, splicing in :class:`RawJSON` fragments."""
    fragments: list[bytes] = []
    marker = f"@@raw-{uuid.uuid4().hex}-"

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
    pieces = re.split(f'"{re.escape(marker)}(\\d+)"', text)
    out = bytearray(pieces[0].encode())
    for index in range(1, len(pieces), 2):
        out += fragments[int(pieces[index])]
        out += pieces[index + 1].encode()
    return bytes(out)


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
