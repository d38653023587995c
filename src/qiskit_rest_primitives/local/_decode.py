"""Decode the RuntimeEncoder envelopes a job body may carry (ndarray, QuantumCircuit)."""

from __future__ import annotations

import base64
import io
import zlib
from typing import Any

import numpy as np
from qiskit import qpy
from qiskit.circuit import QuantumCircuit

from . import _qasm3_parser


class DecodeError(ValueError):
    """An input value could not be decoded; the message says why (no pub index)."""


def is_envelope(value: Any, type_name: str) -> bool:
    """Whether ``value`` is a ``{"__type__": type_name, "__value__": ...}`` envelope."""
    return isinstance(value, dict) and value.get("__type__") == type_name and "__value__" in value


def decode_ndarray(value: Any) -> np.ndarray[Any, Any]:
    """An ``ndarray`` envelope (base64-zlib-npy string or plain list) → numpy array."""
    inner = value["__value__"]
    if isinstance(inner, str):
        try:
            raw = zlib.decompress(base64.b64decode(inner, validate=True))
            array: np.ndarray[Any, Any] = np.load(io.BytesIO(raw), allow_pickle=False)
        except Exception as exc:
            raise DecodeError(f"invalid ndarray envelope ({type(exc).__name__}: {exc})") from exc
        return array
    return np.asarray(inner)


def decode_circuit(value: Any) -> tuple[QuantumCircuit, bool]:
    """OpenQASM 3 string or QPY envelope → (circuit, came_from_qasm)."""
    if isinstance(value, str):
        try:
            return _qasm3_parser.loads(value), True
        except Exception as exc:
            raise DecodeError(f"malformed OpenQASM 3 circuit: {_first_line(exc)}") from exc
    if is_envelope(value, "QuantumCircuit") and isinstance(value["__value__"], str):
        try:
            raw = zlib.decompress(base64.b64decode(value["__value__"], validate=True))
            circuits = qpy.load(io.BytesIO(raw))
        except Exception as exc:
            raise DecodeError(f"invalid QPY circuit ({_first_line(exc)})") from exc
        if len(circuits) != 1 or not isinstance(circuits[0], QuantumCircuit):
            raise DecodeError("a QPY envelope must hold exactly one circuit")
        return circuits[0], False
    raise DecodeError(
        "the circuit must be an OpenQASM 3 string or a QuantumCircuit (QPY) envelope"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
