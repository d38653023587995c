"""The server's reader of ``.npy`` payloads in ndarray envelopes, against ``np.load``."""

from __future__ import annotations

import io

import numpy as np
import pytest

from qiskit_rest_primitives._codec._encode import _npy_bytes
from qiskit_rest_primitives.local.circuits._decode import _plain_npy


def _saved(array: np.ndarray) -> bytes:  # type: ignore[type-arg]
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


ARRAYS = [np.arange(12.0).reshape(1, 12), np.zeros((3, 0)), np.zeros(0), np.asarray(0.5),
          np.arange(6, dtype=">f8").reshape(3, 2), np.arange(1000, dtype=np.uint8),
          np.ones((2, 3, 4), dtype=bool), np.arange(3, dtype=np.int64)]


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.dtype.str}{a.shape}")
def test_plain_payloads_read_as_np_load_reads_them(array: np.ndarray) -> None:  # type: ignore[type-arg]
    payloads = [_saved(array)] + ([_npy_bytes(array)] if array.ndim else [])
    for raw in payloads:
        ours = _plain_npy(raw)
        expected = np.load(io.BytesIO(raw), allow_pickle=False)
        assert ours is not None and ours.flags.writeable
        assert ours.dtype == expected.dtype and ours.shape == expected.shape
        np.testing.assert_array_equal(ours, expected)


def test_other_payloads_are_left_to_np_load() -> None:
    fortran = _saved(np.asfortranarray(np.zeros((3, 2))))
    structured = _saved(np.zeros(2, dtype=[("a", "<f8")]))
    truncated = _saved(np.zeros(3))[:-1]
    for raw in (fortran, structured, truncated, b"not npy at all"):
        assert _plain_npy(raw) is None
