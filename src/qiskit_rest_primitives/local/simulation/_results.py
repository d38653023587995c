"""PrimitiveResult → RuntimeEncoder-format JSON (wire-format §8) or plain JSON (§8.5)."""

from __future__ import annotations

import base64
import functools
import io
import json
import zlib
from datetime import datetime
from typing import Any

import numpy as np
from qiskit.primitives import (
    BitArray,
    DataBin,
    PrimitiveResult,
    PubResult,
    SamplerPubResult,
)


def encode_result(result: PrimitiveResult[Any]) -> str:
    """Serialize ``result`` exactly as the service's RuntimeEncoder does (§8.2-8.4)."""
    return json.dumps(_encode(result))


def encode_plain(result: PrimitiveResult[Any]) -> str:
    """``support_qiskit: false`` form: plain JSON, hex strings per shot for BitArrays (§8.5)."""
    results = [
        {"data": {name: _plain(value) for name, value in pub.data.items()},
         "metadata": _encode(pub.metadata)}
        for pub in result
    ]
    meta = {k: v for k, v in result.metadata.items() if k != "execution"}
    return json.dumps({"results": results, "metadata": _encode(meta)})


def _plain(value: Any) -> Any:
    if isinstance(value, BitArray):
        return {"samples": _hex_samples(value), "num_bits": value.num_bits}
    if isinstance(value, np.ndarray):
        if np.iscomplexobj(value):  # kerneled IQ points: [real, imag] pairs
            return np.stack([value.real, value.imag], axis=-1).tolist()
        return value.tolist()
    return _encode(value)


def _hex_samples(bits: BitArray) -> Any:
    ints = np.zeros(bits.array.shape[:-1], dtype=object)
    for byte in range(bits.array.shape[-1]):
        ints = ints * 256 + bits.array[..., byte].astype(object)
    hexes = np.vectorize(hex, otypes=[object])(ints) if ints.size else ints
    return hexes.tolist()


def execution_spans(
    start: datetime, stop: datetime, shapes: list[tuple[tuple[int, ...], int]]
) -> dict[str, Any]:
    """``ExecutionSpans`` with one ``DoubleSliceSpan`` covering every pub (non-twirled, §8.3).

    Each entry of ``shapes`` is (parameter-broadcast shape, shots) of one pub; the slice covers
    all its parameter sets and shots: ``[shape+[shots], 0, size, 0, shots]``.
    """
    slices = {
        str(i): [[*shape, shots], 0, int(np.prod(shape, dtype=int)), 0, shots]
        for i, (shape, shots) in enumerate(shapes)
    }
    span = _envelope("DoubleSliceSpan", {
        "start": _encode(start), "stop": _encode(stop), "data_slices": slices})
    return _envelope("ExecutionSpans", {"spans": [span]})


def _envelope(type_name: str, value: Any) -> dict[str, Any]:
    return {"__type__": type_name, "__value__": value}


def encode_ndarray(array: np.ndarray[Any, Any]) -> Any:
    """``ndarray`` envelope: base64 of zlib-compressed ``.npy`` bytes (object arrays as lists)."""
    if array.dtype == object:
        return _envelope("ndarray", [_encode(v) for v in array.tolist()])
    npy = _npy_header(array.dtype, array.shape) + array.tobytes()  # C order, as np.save
    return _envelope("ndarray", _small_npy_text(npy) if len(npy) <= 4096 else _npy_text(npy))


def _npy_text(npy: bytes) -> str:
    """base64 of zlib-compressed ``.npy`` bytes."""
    return base64.b64encode(zlib.compress(npy)).decode("ascii")


#: A job's ``stds`` and ``ensemble_standard_error`` are the same array, and pubs often
#: share a precision: small arrays are compressed once.
_small_npy_text = functools.lru_cache(maxsize=1024)(_npy_text)


@functools.lru_cache(maxsize=256)
def _npy_header(dtype: np.dtype[Any], shape: tuple[int, ...]) -> bytes:
    """The header ``np.save`` writes for an array of this dtype and shape (the same bytes, so
    results read exactly as the service's encoder writes them)."""
    buffer = io.BytesIO()
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
              "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def _encode(obj: Any) -> Any:
    if obj is None or (isinstance(obj, (str, int, float)) and not isinstance(obj, np.generic)):
        return obj
    if isinstance(obj, dict):
        return {str(k): _encode(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return encode_ndarray(obj)
    if isinstance(obj, PrimitiveResult):
        return _envelope("PrimitiveResult", {
            "pub_results": [_encode(p) for p in obj], "metadata": _encode(obj.metadata)})
    if isinstance(obj, PubResult):
        name = "SamplerPubResult" if isinstance(obj, SamplerPubResult) else "PubResult"
        return _envelope(name, {"data": _encode(obj.data), "metadata": _encode(obj.metadata)})
    if isinstance(obj, DataBin):
        names = list(obj.keys())
        return _envelope("DataBin", {
            "field_names": names, "shape": list(obj.shape),
            "fields": {n: _encode(obj[n]) for n in names}})
    if isinstance(obj, BitArray):
        return _envelope("BitArray", {"array": encode_ndarray(obj.array), "num_bits": obj.num_bits})
    if isinstance(obj, datetime):
        return _envelope("datetime", obj.isoformat())
    if isinstance(obj, (list, tuple)):
        return [_encode(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, complex):
        return _envelope("complex", [obj.real, obj.imag])
    return obj
