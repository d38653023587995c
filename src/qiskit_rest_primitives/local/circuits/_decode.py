"""Decode the RuntimeEncoder envelopes a job body may carry (ndarray, QuantumCircuit)."""

from __future__ import annotations

import base64
import io
import math
import re
import struct
import zlib
from typing import Any

import numpy as np
from qiskit import qpy
from qiskit.circuit import QuantumCircuit

from . import _qasm3_parser
from ._limits import LimitExceeded, Limits, check_bits
from ._qasm_scan import check_widths, scan

_DEFAULT_LIMITS = Limits()


class DecodeError(ValueError):
    """An input value could not be decoded; the message says why (no pub index)."""


def is_envelope(value: Any, type_name: str) -> bool:
    """Whether ``value`` is a ``{"__type__": type_name, "__value__": ...}`` envelope."""
    return isinstance(value, dict) and value.get("__type__") == type_name and "__value__" in value


def _inflate(text: str, limits: Limits) -> bytes:
    """base64 → zlib-decompressed bytes, refusing more than ``max_body_bytes`` (zip bombs)."""
    inflater = zlib.decompressobj()
    raw = inflater.decompress(base64.b64decode(text, validate=True), limits.max_body_bytes)
    if inflater.unconsumed_tail:
        raise LimitExceeded("max_body_bytes", "a compressed value inflates to more than "
                            f"{limits.max_body_bytes} bytes")
    return raw


def decode_ndarray(value: Any, limits: Limits = _DEFAULT_LIMITS) -> np.ndarray[Any, Any]:
    """An ``ndarray`` envelope (base64-zlib-npy string or plain list) → numpy array."""
    inner = value["__value__"]
    if isinstance(inner, str):
        try:
            raw = _inflate(inner, limits)
            array = _plain_npy(raw)
            if array is None:
                array = np.load(io.BytesIO(raw), allow_pickle=False)
        except LimitExceeded:
            raise
        except Exception as exc:
            raise DecodeError(f"invalid ndarray envelope ({type(exc).__name__}: {exc})") from exc
        return array
    return np.asarray(inner)


#: The header of a C-ordered array of a plain numeric dtype, as ``np.save`` and our client
#: write it; ``np.load`` reads any other (and this one, 20 us slower: it parses the Python
#: literal).
_PLAIN_HEADER = re.compile(
    rb"\{'descr': '([<>|][fiucb]\d{0,2})', 'fortran_order': False, "
    rb"'shape': \(((?:\d+, )*(?:\d+,?)?)\)(?:, )?\} *\n")


def _plain_npy(raw: bytes) -> np.ndarray[Any, Any] | None:
    """A version 1.0 ``.npy`` payload with a plain header, read without ``np.load``; None for
    anything else."""
    if raw[:8] != b"\x93NUMPY\x01\x00" or len(raw) < 10:
        return None
    end = 10 + int.from_bytes(raw[8:10], "little")
    match = _PLAIN_HEADER.fullmatch(raw, 10, end)
    if match is None:
        return None
    dtype = np.dtype(match[1].decode("ascii"))
    shape = tuple(int(part) for part in match[2].split(b",") if part.strip())
    if len(raw) - end != dtype.itemsize * math.prod(shape):
        return None  # truncated or padded: np.load says what is wrong
    array: np.ndarray[Any, Any] = np.frombuffer(raw, dtype, offset=end).reshape(shape).copy()
    return array  # a copy: writable, as np.load gives it


def decode_circuit(value: Any, limits: Limits = _DEFAULT_LIMITS) -> tuple[QuantumCircuit, bool]:
    """OpenQASM 3 string or QPY envelope → (circuit, came_from_qasm).

    Sizes are checked before any parser allocates (``LimitExceeded``): declared widths on
    every path, and the whole program before the general OpenQASM 3 parser takes it.
    """
    if isinstance(value, str):
        check_widths(value, limits)
        try:
            return _qasm3_parser.loads(value, check=lambda text: scan(text, limits)), True
        except LimitExceeded:
            raise
        except Exception as exc:
            raise DecodeError(f"malformed OpenQASM 3 circuit: {_first_line(exc)}") from exc
    if is_envelope(value, "QuantumCircuit") and isinstance(value["__value__"], str):
        try:
            raw = _inflate(value["__value__"], limits)
            _check_qpy_header(raw, limits)
            circuits = qpy.load(io.BytesIO(raw))
        except LimitExceeded:
            raise
        except Exception as exc:
            raise DecodeError(f"invalid QPY circuit ({_first_line(exc)})") from exc
        if len(circuits) != 1 or not isinstance(circuits[0], QuantumCircuit):
            raise DecodeError("a QPY envelope must hold exactly one circuit")
        return circuits[0], False
    raise DecodeError(
        "the circuit must be an OpenQASM 3 string or a QuantumCircuit (QPY) envelope"
    )


def _check_qpy_header(raw: bytes, limits: Limits) -> None:
    """Refuse a QPY file whose header declares more programs, qubits or clbits than allowed.

    The loader allocates what the header declares before reading the bits themselves, so a
    few bytes could otherwise ask for billions of qubits. Layout (QPY format docs): file
    header ``!6sBBBBQ`` (``c`` more from version 10), a type key from version 5, then the
    circuit header ``!H1cHII...`` whose 4th and 5th fields are the qubit and clbit counts;
    from version 16 a table of ``!Q`` absolute offsets to each circuit precedes them.
    """
    try:
        magic, version, _, _, _, programs = struct.unpack_from("!6sBBBBQ", raw)
        offset = 18 + (version >= 10) + (version >= 5)
        if version >= 16:  # a table of absolute circuit offsets comes first
            (offset,) = struct.unpack_from("!Q", raw, offset)
        _, _, _, qubits, clbits = struct.unpack_from("!H1cHII", raw, offset)
    except struct.error as exc:
        raise DecodeError("invalid QPY circuit (truncated header)") from exc
    if magic != b"QISKIT":
        raise DecodeError("invalid QPY circuit (not a QPY file)")
    if programs != 1:
        raise DecodeError("a QPY envelope must hold exactly one circuit")
    check_bits(qubits, clbits, limits, "the QPY circuit declares")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
