"""Result JSON (RuntimeEncoder format, wire-format §8) to qiskit PrimitiveResult and friends."""

from __future__ import annotations

import binascii
import functools
import io
import json
import math
import re
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from qiskit.primitives.containers import (
    BitArray,
    DataBin,
    PrimitiveResult,
    PubResult,
    SamplerPubResult,
)

from ._decode_arrays import REF_KEY, Fallback, cut_arrays, fast_npy
from ._spans import (
    DoubleSliceSpan,
    ExecutionSpan,
    ExecutionSpans,
    SliceSpan,
    TwirledSliceSpan,
    TwirledSliceSpanV2,
)

__all__ = ["decode_plain_result", "decode_result", "parse_datetime"]

# wire-format §8.2: these strings travel as ``ndarray`` envelopes but stay strings.
_ZNE_NAMES = frozenset(
    ["linear", "exponential", "double_exponential", "fallback"]
    + [f"polynomial_degree_{k}" for k in range(1, 8)]
)
# --------------------------------------------------------------------------- envelope decoders


def parse_datetime(value: str) -> datetime:
    """An ISO-8601 timestamp, accepting a trailing ``Z`` and any number of fractional digits
    on every Python version."""
    # Python 3.10's fromisoformat rejects a trailing "Z" (wire-format §8.3: format unverified)
    # and fractions of other than 3 or 6 digits.
    value = value[:-1] + "+00:00" if value[-1:] in "Zz" else value
    return datetime.fromisoformat(_FRACTION.sub(_six_digits, value, count=1))


_FRACTION = re.compile(r"(?<=:\d\d)\.(\d+)")


def _six_digits(match: re.Match[str]) -> str:
    return "." + match.group(1)[:6].ljust(6, "0")


def _when(value: Any) -> Any:
    return parse_datetime(value) if isinstance(value, str) else value


def _span(cls: type[ExecutionSpan]) -> Callable[[dict[str, Any]], ExecutionSpan]:
    """Build a decoder for one span class; ``data_slices`` keys arrive as strings (§8.2)."""

    def slices(item: list[Any]) -> tuple[Any, ...]:
        shape, *rest = item
        if cls is SliceSpan:
            return (tuple(shape), slice(*rest))
        if cls is DoubleSliceSpan:
            return (tuple(shape), slice(rest[0], rest[1]), slice(rest[2], rest[3]))
        twirled = (tuple(shape), rest[0], slice(rest[1], rest[2]), slice(rest[3], rest[4]))
        return twirled if cls is TwirledSliceSpan else (*twirled, rest[5])

    def build(value: dict[str, Any]) -> ExecutionSpan:
        data = {int(idx): slices(item) for idx, item in value["data_slices"].items()}
        return cls(_when(value["start"]), _when(value["stop"]), data)

    return build


def _data_bin(value: dict[str, Any]) -> DataBin:
    fields = value["fields"]
    names = value.get("field_names")
    if isinstance(names, list) and list(fields) != names and set(names) == set(fields):
        fields = {name: fields[name] for name in names}  # explicit order wins
    shape = value.get("shape")
    return DataBin(shape=() if shape is None else tuple(shape), **fields)


def _npy_from_b64(text: str | bytes) -> NDArray[Any]:
    """The plain path: base64 → zlib → ``.npy`` (never unpickles). A version 1.0 header is
    parsed once per distinct header (results repeat a few dtypes and shapes; ``np.load``
    parses each one as a Python literal, most of a small array's decoding time)."""
    raw = zlib.decompress(binascii.a2b_base64(text))
    if raw[:8] == b"\x93NUMPY\x01\x00" and len(raw) >= 10:
        end = 10 + int.from_bytes(raw[8:10], "little")
        shape, fortran, dtype = _npy_header(raw[:end])
        if not fortran and not dtype.hasobject and len(raw) - end == dtype.itemsize * math.prod(
                shape):
            array: NDArray[Any] = np.frombuffer(raw, dtype, offset=end).reshape(shape).copy()
            return array  # a copy: writable, as np.load gives it
    return np.load(io.BytesIO(raw), allow_pickle=False)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=256)
def _npy_header(header: bytes) -> tuple[tuple[int, ...], bool, np.dtype[Any]]:
    """``(shape, fortran_order, dtype)`` of a version 1.0 ``.npy`` header (magic included)."""
    npy: Any = np.lib.format  # typed in numpy >= 2.3 only (3.10 gets 2.2)
    return npy.read_array_header_1_0(io.BytesIO(header[8:]))  # type: ignore[no-any-return]


def _ndarray(value: Any) -> Any:
    if isinstance(value, str):
        return value if value in _ZNE_NAMES else _npy_from_b64(value)
    if isinstance(value, (int, float, list)):
        return np.array(value)
    raise TypeError(f"unexpected ndarray value of type {type(value).__name__}")


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "PrimitiveResult": lambda v: PrimitiveResult(v["pub_results"], v.get("metadata")),
    "SamplerPubResult": lambda v: SamplerPubResult(v["data"], v.get("metadata")),
    "PubResult": lambda v: PubResult(v["data"], v.get("metadata")),
    # qiskit has no EstimatorPubResult; its base class carries the same data (§8.2).
    "EstimatorPubResult": lambda v: PubResult(v["data"], v.get("metadata")),
    "DataBin": _data_bin,
    "BitArray": lambda v: BitArray(v["array"], v["num_bits"]),
    "ndarray": _ndarray,
    "datetime": parse_datetime,
    "complex": lambda v: complex(v[0], v[1]),
    "set": set,
    "ExecutionSpans": lambda v: ExecutionSpans(v["spans"]),
    "ExecutionSpanCollection": lambda v: ExecutionSpans(v["spans"]),
    "ExecutionSpan": _span(SliceSpan),
    "DoubleSliceSpan": _span(DoubleSliceSpan),
    "TwirledSliceSpan": _span(TwirledSliceSpan),
    "TwirledSliceSpanV2": _span(TwirledSliceSpanV2),
    "to_json": lambda v: v,
}


def _make_hook(refs: Callable[[int], Any]) -> Callable[[dict[str, Any]], Any]:
    """``object_hook``: known envelopes → objects; anything else stays a dict (§8.1)."""

    def hook(obj: dict[str, Any]) -> Any:
        kind = obj.get("__type__")
        if kind is None or not isinstance(kind, str):
            return obj
        if "__value__" in obj:
            decoder, value = _DECODERS.get(kind), obj["__value__"]
        elif kind == "ndarray" and REF_KEY in obj:
            decoder, value = refs, obj[REF_KEY]
        else:
            return obj
        if decoder is None:
            return obj
        try:
            return decoder(value)
        except (KeyError, IndexError, TypeError, ValueError, zlib.error) as exc:
            raise ValueError(f"malformed {kind!r} envelope in the result payload: {exc}") from exc

    return hook


def decode_result(payload: str | bytes) -> Any:
    """Decode the body of ``GET /jobs/{id}/results`` (wire-format §8).

    Args:
        payload: the response body, as text or bytes.

    Returns:
        ``None`` for an empty body; the decoded object (usually a
        :class:`~qiskit.primitives.containers.PrimitiveResult`) for JSON; the body itself
        (as ``str``) when it is not JSON, as the official client does. Envelopes with an
        unknown ``__type__`` stay plain dicts.

    Raises:
        ValueError: a known envelope (e.g. ``ndarray``, ``BitArray``) is malformed.
    """
    if not payload:
        return None
    if isinstance(payload, (bytearray, memoryview)):
        payload = bytes(payload)
    skeleton, spans = cut_arrays(payload)

    def ref(index: int) -> NDArray[Any]:
        start, end = spans[index]
        try:
            return fast_npy(payload, start, end)
        except Fallback:
            return _npy_from_b64(payload[start:end])

    try:
        return json.loads(skeleton, object_hook=_make_hook(ref))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return payload if isinstance(payload, str) else payload.decode("utf-8", "replace")


# --------------------------------------------------------------------------- plain JSON (§8.5)


def _plain_bits(value: dict[str, Any]) -> BitArray:
    samples = np.asarray(value["samples"])  # (*pub_shape, shots) of hex strings
    bits = BitArray.from_samples(samples.reshape(-1).tolist(), value["num_bits"])
    return bits.reshape(*samples.shape) if samples.ndim > 1 else bits


def _plain_pub(result: dict[str, Any], sampler: bool) -> PubResult:
    data, metadata = result.get("data", {}), result.get("metadata", {})
    if sampler:
        fields: dict[str, Any] = {name: _plain_bits(v) for name, v in data.items()}
        shape = next(iter(fields.values())).shape if fields else ()
        return SamplerPubResult(DataBin(shape=shape, **fields), metadata)
    fields = {name: np.asarray(v, dtype=np.float64) for name, v in data.items()}
    shape = fields["evs"].shape if "evs" in fields else ()
    return PubResult(DataBin(shape=shape, **fields), metadata)


def decode_plain_result(obj: Any, program_id: str) -> Any:
    """Decode a ``support_qiskit: false`` result (wire-format §8.5; layout partly unverified).

    Args:
        obj: the parsed JSON body (a ``str``/``bytes`` body is parsed first).
        program_id: ``"sampler"`` or ``"estimator"``.

    Returns:
        A :class:`~qiskit.primitives.containers.PrimitiveResult`, or ``obj`` unchanged when it
        does not have the ``{"results": [...]}`` shape.
    """
    if isinstance(obj, (str, bytes)):
        obj = json.loads(obj)
    if not isinstance(obj, dict) or not isinstance(obj.get("results"), list):
        return obj
    pubs = [_plain_pub(result, program_id == "sampler") for result in obj["results"]]
    return PrimitiveResult(pubs, metadata=obj.get("metadata", {}))
