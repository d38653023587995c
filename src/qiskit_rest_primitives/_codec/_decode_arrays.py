"""The fast path for large ``ndarray`` envelopes in result JSON (wire-format §8.2).

A large ndarray is a base64 string inside the JSON text. Cutting it out before json.loads
avoids copying it into a str, and decoding it in chunks keeps extra memory near the array's
own size. Any surprise raises :class:`Fallback` and the plain path handles that string instead.
"""

from __future__ import annotations

import binascii
import functools
import io
import re
import sys
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

_MIN_FAST = 1024  # base64 strings shorter than this go through plain json.loads
#: Base64 characters decoded per step: a sixteenth of the string, within these bounds. Larger
#: steps amortise numpy's per-call cost (128k-character steps decode a 100k x 127 result
#: ~10 % faster than 64k); the fraction keeps transient memory to ~0.3x the array.
_MIN_CHUNK, _MAX_CHUNK = 1 << 16, 1 << 20
_OUT_CHUNK = 1 << 17  # most inflated bytes per step; bounds transient memory
_FAST_B64 = sys.byteorder == "little"


def _load_accel() -> Callable[..., bytes] | None:
    """Optional SIMD base64 (pybase64, the "bench" extra); the numpy path works without it."""
    try:
        from pybase64 import b64decode
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return b64decode


_ACCEL = _load_accel()
_USE_ACCEL = _ACCEL is not None  # the benchmark switches this off to time the stdlib path


class Fallback(Exception):
    """The fast ndarray path met something unusual; use the plain path instead."""


#: The key of the stand-in object ``cut_arrays`` leaves where it cut an array out.
REF_KEY = "__qrp_ndarray_ref__"

_PATTERNS: dict[type, tuple[Any, Any, Any, Any, Any]] = {
    kind: (
        conv('"ndarray"'),
        re.compile(conv(r'\{\s*"__type__"\s*:\s*\Z')),
        re.compile(conv(r'\s*,\s*"__value__"\s*:\s*"')),
        conv('"'),
        conv("\\"),
    )
    for kind, conv in ((str, str), (bytes, str.encode))
}


@functools.cache
def _pair_tables() -> tuple[NDArray[np.uint32], NDArray[np.uint32]]:
    """Lookup tables from two base64 characters (a little-endian uint16) to decoded bits.

    A quartet ``c0 c1 c2 c3`` decodes to bytes ``b0 b1 b2``; ``first[c0 c1] | second[c2 c3]``
    is the uint32 whose little-endian bytes are ``b0 b1 b2 0``. Invalid pairs set bit 31.
    Built on first use (~10 ms, kept out of import time).
    """
    single = np.full(256, 0xFFFF, dtype=np.uint32)
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    single[np.frombuffer(alphabet, dtype=np.uint8)] = np.arange(64, dtype=np.uint32)
    codes = np.arange(1 << 16, dtype=np.uint32)
    hi, lo = single[codes & 0xFF], single[codes >> 8]
    bits = (hi << 6) | lo  # 12 bits when both characters are valid
    bad = (hi > 63) | (lo > 63)
    first = np.where(bad, 1 << 31, (bits >> 4) | ((bits & 0xF) << 12))
    second = np.where(bad, 1 << 31, ((bits >> 8) << 8) | ((bits & 0xFF) << 16))
    return first.astype(np.uint32), second.astype(np.uint32)


def _b64_block(raw: Any) -> NDArray[np.uint8]:
    """Decode base64 (length a multiple of 16, no padding) with whole-array numpy steps."""
    pairs = np.frombuffer(raw, dtype=np.uint16).reshape(-1, 2)
    first, second = _pair_tables()
    quartet = first.take(pairs[:, 0])
    quartet |= second.take(pairs[:, 1])
    if quartet.size and int(quartet.max()) >> 24:
        raise Fallback  # a character outside the alphabet
    quad = quartet.reshape(-1, 4)  # 4 quartets = 12 bytes = 3 output words
    out = np.empty((len(quad), 3), dtype=np.uint32)
    np.bitwise_or(quad[:, 0], quad[:, 1] << 24, out=out[:, 0])
    np.bitwise_or(quad[:, 1] >> 8, quad[:, 2] << 16, out=out[:, 1])
    np.bitwise_or(quad[:, 2] >> 16, quad[:, 3] << 8, out=out[:, 2])
    return out.view(np.uint8).reshape(-1)


class _NpySink:
    """Takes inflated ``.npy`` bytes: parses the header, then writes straight into the array."""

    def __init__(self) -> None:
        self.inflater = zlib.decompressobj()
        self._head = bytearray()
        self._base: NDArray[Any] | None = None
        self._flat: memoryview | None = None
        self._pos = 0
        self._fortran = False
        self._step = 4096  # small until the header says how big the array is

    def feed(self, data: Any) -> None:
        while True:
            out = self.inflater.decompress(data, self._step)
            self._write(out)
            data = self.inflater.unconsumed_tail
            if not data and len(out) < self._step:
                return

    def _write(self, out: bytes) -> None:
        if self._flat is None:
            self._head += out
            self._parse_header()
            return
        end = self._pos + len(out)
        if end > len(self._flat):
            raise Fallback
        self._flat[self._pos : end] = out
        self._pos = end

    def _parse_header(self) -> None:
        head = self._head
        if len(head) < 12:
            return
        if head[:6] != b"\x93NUMPY" or head[6] not in (1, 2):
            raise Fallback
        start = 10 if head[6] == 1 else 12
        stop = start + int.from_bytes(head[8:start], "little")
        if len(head) < stop:
            return
        fp = io.BytesIO(bytes(head[:stop]))
        npy: Any = np.lib.format  # typed in numpy >= 2.3 only (3.10 gets 2.2)
        version = npy.read_magic(fp)
        reader = npy.read_array_header_1_0
        if version != (1, 0):
            reader = npy.read_array_header_2_0
        shape, fortran, dtype = reader(fp)
        if dtype.hasobject:
            raise Fallback
        self._fortran = bool(fortran)
        self._base = np.empty(shape[::-1] if fortran else shape, dtype=dtype)
        self._flat = memoryview(self._base.reshape(-1).view(np.uint8))  # type: ignore[arg-type]
        self._step = min(_OUT_CHUNK, max(1 << 14, self._base.nbytes // 16))
        self._head = bytearray()
        self._write(bytes(head[stop:]))

    def result(self) -> NDArray[Any]:
        self._write(self.inflater.flush())
        if self._base is None or self._flat is None or self._pos != len(self._flat):
            raise Fallback
        if not self.inflater.eof or self.inflater.unused_data:
            raise Fallback
        return self._base.T if self._fortran else self._base


def fast_npy(text: str | bytes, start: int, end: int, chunk: int = 0) -> NDArray[Any]:
    """Decode ``text[start:end]`` (base64 of zlib of npy) chunk by chunk into a fresh array."""
    chunk = chunk or min(_MAX_CHUNK, max(_MIN_CHUNK, (end - start) // 16 // 16 * 16))
    if not _FAST_B64 or chunk % 16:
        raise Fallback
    body_end = start + max(0, end - start - 4) // 16 * 16  # last quartet may carry "=" padding
    view = memoryview(text) if isinstance(text, bytes) else None
    sink = _NpySink()
    accel = _ACCEL if _USE_ACCEL else None
    try:
        for lo in range(start, body_end, chunk):
            hi = min(lo + chunk, body_end)
            raw = view[lo:hi] if view is not None else text[lo:hi].encode("ascii")  # type: ignore[union-attr]
            sink.feed(_b64_block(raw) if accel is None else accel(raw, validate=True))
        sink.feed(binascii.a2b_base64(text[body_end:end]))
        return sink.result()
    except (zlib.error, ValueError, UnicodeEncodeError) as exc:
        raise Fallback from exc


def cut_arrays(text: str | bytes) -> tuple[str | bytes, list[tuple[int, int]]]:
    """Replace each long base64 ndarray string by a reference; return the rest and the spans."""
    needle, head, tail, quote, backslash = _PATTERNS[type(text)]
    pieces: list[Any] = []
    spans: list[tuple[int, int]] = []
    pos = i = 0
    while (i := text.find(needle, i)) >= 0:
        found_head = head.search(text, max(0, i - 64), i)
        found_tail = tail.match(text, i + len(needle))
        i += len(needle)
        if found_head is None or found_tail is None:
            continue
        start = found_tail.end()
        end = text.find(quote, start)
        if end < 0:
            break
        i = end + 1
        if end - start < _MIN_FAST or text.find(backslash, start, end) >= 0:
            continue
        ref = f'{{"__type__": "ndarray", "{REF_KEY}": {len(spans)}'
        pieces += [text[pos : found_head.start()], ref if isinstance(text, str) else ref.encode()]
        spans.append((start, end))
        pos = i
    if not spans:
        return text, spans
    pieces.append(text[pos:])
    return text[:0].join(pieces), spans
