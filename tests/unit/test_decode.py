"""Tests for the result decoder: golden files from the official encoder, fast path, edge cases."""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import pickle
import tracemalloc
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from qiskit.primitives.containers import BitArray, PrimitiveResult, PubResult, SamplerPubResult
from qiskit_ibm_runtime import RuntimeDecoder, RuntimeEncoder
from qiskit_ibm_runtime import execution_span as ibm_spans

from qiskit_rest_primitives._codec import _decode_arrays
from qiskit_rest_primitives._codec._decode import (
    DoubleSliceSpan,
    ExecutionSpans,
    SliceSpan,
    TwirledSliceSpan,
    TwirledSliceSpanV2,
    decode_plain_result,
    decode_result,
)

GOLDEN = Path(__file__).parents[1] / "golden"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "responses"


def _load_golden_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_golden = _load_golden_module()
canonical = make_golden.canonical


def _npy_b64(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.standard_b64encode(zlib.compress(buffer.getvalue())).decode()


@pytest.fixture(params=[True, False], ids=["accel", "stdlib"])
def accel(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run a test with and without the optional pybase64 accelerator."""
    if request.param and _decode_arrays._ACCEL is None:
        pytest.skip("the optional [fast] accelerator (pybase64) is not installed; the [test] extra installs it")
    monkeypatch.setattr(_decode_arrays, "_USE_ACCEL", request.param)
    return bool(request.param)


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("case", sorted(make_golden.CASES))
@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_golden(case: str, as_bytes: bool, accel: bool) -> None:
    text = (GOLDEN / f"{case}.json").read_text()
    expected = pickle.loads((GOLDEN / f"{case}.expected.pkl").read_bytes())
    decoded = decode_result(text.encode() if as_bytes else text)
    assert canonical(decoded) == expected


def test_golden_sampler_types_and_order() -> None:
    result = decode_result((GOLDEN / "sampler_statevector.json").read_text())
    assert isinstance(result, PrimitiveResult)
    assert [type(p) for p in result] == [SamplerPubResult] * 4
    assert list(result[1].data) == ["alpha", "beta"]
    assert result[1].data.alpha.shape == (3,) and result[1].data.beta.num_bits == 1
    assert result[2].data.c.shape == (2, 3) and result[2].data.c.num_shots == 16
    assert result[3].data.c.num_bits == 10
    assert result[3].metadata["circuit_metadata"] == {"name": "ten-bit", "nested": {"k": [1, 2]}}
    assert result[0].data.meas.array.flags.writeable


def test_golden_extras_types() -> None:
    result = decode_result((GOLDEN / "metadata_extras.json").read_text())
    pub = result[0]
    assert type(pub) is PubResult  # EstimatorPubResult → qiskit's PubResult
    assert pub.metadata["resilience"]["zne"]["extrapolator"] == "linear"
    meta = result.metadata
    spans = meta["execution"]["execution_spans"]
    assert isinstance(spans, ExecutionSpans)
    assert [type(s) for s in spans] == [
        DoubleSliceSpan,
        TwirledSliceSpanV2,
        TwirledSliceSpan,
        SliceSpan,
    ]
    assert meta["created"].tzinfo is not None and meta["naive"].tzinfo is None
    assert meta["phase"] == complex(0.5, -1.25) and meta["tags"] == {"a"}
    assert meta["future"]["__type__"] == "QuantumWidget"  # unknown types stay dicts
    assert meta["future"]["__value__"]["when"] == datetime(2026, 1, 1)
    np.testing.assert_array_equal(meta["plain_list"], [[1, 2]])
    assert meta["plain_int"].shape == () and meta["plain_int"] == 5


def test_golden_large_arrays_fortran_and_byteorder() -> None:
    data = decode_result((GOLDEN / "large_arrays.json").read_text())[0].data
    assert data.fortran.flags.f_contiguous and data.ints_be.dtype == np.dtype(">i4")
    assert data.big.num_bits == 127 and data.big.array.shape == (2, 2048, 16)


# --------------------------------------------------------------------------- shared fixture


def _rebuild_readable(node: Any) -> Any:
    """Turn ``__decoded_for_humans__`` arrays (values truncated with "...") back into envelopes."""
    if isinstance(node, list):
        return [_rebuild_readable(x) for x in node]
    if not isinstance(node, dict):
        return node
    human = node.get("__decoded_for_humans__")
    if human is not None:
        prefix = [v for v in human["values"] if v != "..."]
        size = int(np.prod(human["shape"]))
        values = np.resize(np.array(prefix, dtype=human["dtype"]), size)
        return {"__type__": "ndarray", "__value__": _npy_b64(values.reshape(human["shape"]))}
    return {k: _rebuild_readable(v) for k, v in node.items()}


def test_emulated_fixture() -> None:
    paths = sorted(FIXTURES.glob("results_sampler.emulated*.json"))
    assert paths, f"reference fixtures missing under {FIXTURES}"
    for path in paths:
        payload = json.dumps(_rebuild_readable(json.loads(path.read_text())))
        result = decode_result(payload)
        assert canonical(result) == canonical(json.loads(payload, cls=RuntimeDecoder))
        assert [list(p.data) for p in result] == [["meas"], ["alpha", "beta"]]
        assert result[1].data.alpha.shape == (3,) and result[1].data.alpha.num_shots == 1024
        assert result[1].metadata == {"circuit_metadata": {"experiment": "ry-sweep"}}
        (span,) = result.metadata["execution"]["execution_spans"]
        assert isinstance(span, DoubleSliceSpan) and span.pub_idxs == [0, 1]
        assert span.size == 1024 + 3 * 1024 and span.mask(1).shape == (3, 1024)
        assert span.start.tzinfo == timezone.utc and result.metadata["version"] == 2


# --------------------------------------------------------------------------- fast path


@settings(max_examples=40, deadline=None)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from(["u1", "?", "<f8", "<c16", ">i8", "<i2"]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=70),
    ),
    as_bytes=st.booleans(),
)
def test_arrays_match_official_decoder(array: np.ndarray, as_bytes: bool) -> None:
    text = json.dumps({"x": array, "y": [array]}, cls=RuntimeEncoder)
    ours = decode_result(text.encode() if as_bytes else text)
    ref = json.loads(text, cls=RuntimeDecoder)
    assert canonical(ours) == canonical(ref)


@pytest.mark.parametrize("chunk", [16, 64, 4096, 1 << 16])
@pytest.mark.parametrize("size", [1000, 1001, 1002, 30_000])
def test_fast_path_chunking(chunk: int, size: int, accel: bool) -> None:
    array = np.random.default_rng(size).integers(0, 256, size=(size, 3), dtype=np.uint8)
    text = f'"{_npy_b64(array)}"'
    for payload in (text, text.encode()):
        got = _decode_arrays.fast_npy(payload, 1, len(text) - 1, chunk)
        np.testing.assert_array_equal(got, array)
        assert got.flags.writeable and got.dtype == array.dtype


def test_fast_path_is_taken_for_long_strings() -> None:
    array = np.arange(5000, dtype=np.float64)
    text = json.dumps({"a": array, "b": np.arange(3)}, cls=RuntimeEncoder)
    skeleton, spans = _decode_arrays.cut_arrays(text)
    assert len(spans) == 1 and len(skeleton) < 300
    decoded = decode_result(text)
    np.testing.assert_array_equal(decoded["a"], array)


def test_strings_with_escapes_or_odd_characters_fall_back() -> None:
    value = _npy_b64(np.arange(2000, dtype=np.int64))
    escaped = value[:100] + "\\n" + value[100:]  # a JSON escape: left to json.loads
    payload = '{"__type__": "ndarray", "__value__": "' + escaped + '"}'
    np.testing.assert_array_equal(decode_result(payload), np.arange(2000))
    with pytest.raises(_decode_arrays.Fallback):
        _decode_arrays._b64_block(b"!" * 16)


def test_key_order_and_whitespace_variants() -> None:
    value = _npy_b64(np.arange(3000, dtype=np.int32))
    for template in (
        '{"__value__": "%s", "__type__": "ndarray"}',
        '{ "__type__" :"ndarray" ,\n "__value__":"%s" }',
        '[{"__type__":"ndarray","__value__":"%s"}]',
    ):
        decoded = decode_result(template % value)
        decoded = decoded[0] if isinstance(decoded, list) else decoded
        np.testing.assert_array_equal(decoded, np.arange(3000))


def test_peak_memory_stays_near_array_size() -> None:
    array = np.random.default_rng(0).integers(0, 256, size=(60_000, 16), dtype=np.uint8)
    text = json.dumps({"a": array}, cls=RuntimeEncoder)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        decoded = decode_result(text)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(decoded["a"], array)
    assert peak <= 1.5 * array.nbytes


# --------------------------------------------------------------------------- edge cases


@pytest.mark.parametrize("payload", ["", b""])
def test_empty_body_is_none(payload: str | bytes) -> None:
    assert decode_result(payload) is None


@pytest.mark.parametrize("payload", ["Job failed: out of memory", b"not json \xff", "{bad"])
def test_non_json_returns_raw_text(payload: str | bytes) -> None:
    got = decode_result(payload)
    assert isinstance(got, str)
    assert got == (payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))


def test_unknown_and_incomplete_envelopes_stay_dicts() -> None:
    payload = json.dumps(
        [
            {"__type__": "Unheard", "__value__": {"x": 1}},
            {"__type__": "ndarray", "note": "no value"},
            {"__type__": 3, "__value__": 1},
        ]
    )
    assert decode_result(payload) == json.loads(payload)


def test_malformed_known_envelope_raises_value_error() -> None:
    corrupt = base64.standard_b64encode(b"not zlib at all" * 200).decode()
    with pytest.raises(ValueError, match="ndarray"):
        decode_result('{"__type__": "ndarray", "__value__": "' + corrupt + '"}')
    with pytest.raises(ValueError, match="BitArray"):
        decode_result('{"__type__": "BitArray", "__value__": {"num_bits": 2}}')


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2026-05-04T12:00:00Z", timedelta(0)),
        ("2026-05-04T12:00:00.5+02:00", timedelta(hours=2)),
        ("2026-05-04T12:00:00", None),
    ],
)
def test_datetime_forms(text: str, offset: timedelta | None) -> None:
    got = decode_result(json.dumps({"__type__": "datetime", "__value__": text}))
    assert got.utcoffset() == offset


def test_zne_names_stay_strings() -> None:
    for name in ("linear", "polynomial_degree_7", "fallback", "double_exponential"):
        assert decode_result(json.dumps({"__type__": "ndarray", "__value__": name})) == name


# --------------------------------------------------------------------------- spans


def _span_pairs() -> list[tuple[Any, Any]]:
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    t1 = t0 + timedelta(seconds=3)
    double = {0: ((4, 100), slice(1, 3), slice(10, 60)), 2: ((7,), slice(0, 1), slice(0, 7))}
    twirl = {
        1: ((3, 2, 5), True, slice(1, 5), slice(0, 4)),
        4: ((2, 6), False, slice(0, 2), slice(1, 3)),
    }
    twirl2 = {k: (*v, 7) for k, v in twirl.items()}
    flat = {0: ((4, 10), slice(5, 33))}
    return [
        (DoubleSliceSpan(t0, t1, double), ibm_spans.DoubleSliceSpan(t0, t1, double)),
        (TwirledSliceSpan(t0, t1, twirl), ibm_spans.TwirledSliceSpan(t0, t1, twirl)),
        (TwirledSliceSpanV2(t0, t1, twirl2), ibm_spans.TwirledSliceSpanV2(t0, t1, twirl2)),
        (SliceSpan(t0, t1, flat), ibm_spans.SliceSpan(t0, t1, flat)),
    ]


@pytest.mark.parametrize("pair", _span_pairs(), ids=lambda p: type(p[0]).__name__)
def test_spans_behave_like_official(pair: tuple[Any, Any]) -> None:
    ours, theirs = pair
    assert ours.pub_idxs == theirs.pub_idxs and ours.size == theirs.size
    assert ours.duration == theirs.duration == 3.0
    for idx in ours.pub_idxs:
        np.testing.assert_array_equal(ours.mask(idx), theirs.mask(idx))
    assert ours.contains_pub(ours.pub_idxs[0]) and not ours.contains_pub([99])
    with pytest.raises(KeyError):
        ours.mask(99)
    first = ours.pub_idxs[0]
    assert ours.filter_by_pub(first).pub_idxs == [first]
    assert ours == type(ours)(ours.start, ours.stop, ours._data_slices) and ours != theirs
    assert repr(ours).startswith(type(ours).__name__)


def test_execution_spans_collection() -> None:
    spans = [pair[0] for pair in _span_pairs()]
    late = SliceSpan(spans[0].start - timedelta(seconds=1), spans[0].stop, {5: ((2,), slice(0, 2))})
    collection = ExecutionSpans([*spans, late])
    assert len(collection) == 5 and collection[4] is late
    assert isinstance(collection[1:3], ExecutionSpans) and len(collection[[0, 1]]) == 2
    assert collection.pub_idxs == [0, 1, 2, 4, 5]
    assert collection.start == late.start and collection.duration == 4.0
    assert collection.sort(inplace=False)[0] is late and collection[0] is spans[0]
    assert collection.filter_by_pub(5)[4].pub_idxs == [5]
    assert collection == ExecutionSpans(list(collection)) and "ExecutionSpans" in repr(collection)


# --------------------------------------------------------------------------- plain JSON (§8.5)


def test_plain_sampler_result() -> None:
    body = {
        "results": [
            {
                "data": {"c": {"samples": ["0x3", "0x0", "0x1"], "num_bits": 2}},
                "metadata": {"a": 1},
            },
            {"data": {"m": {"samples": [["0x1", "0x0"], ["0x2", "0x3"]], "num_bits": 2}}},
        ],
        "metadata": {"version": 2},
    }
    result = decode_plain_result(json.dumps(body), "sampler")
    assert result.metadata == {"version": 2}
    assert result[0].data.c.get_counts() == {"11": 1, "00": 1, "01": 1}
    assert result[0].metadata == {"a": 1}
    assert isinstance(result[1].data.m, BitArray) and result[1].data.m.shape == (2,)
    assert result[1].data.m.get_bitstrings(1) == ["10", "11"]


def test_plain_estimator_result() -> None:
    body = {
        "results": [
            {
                "data": {"evs": 0.74, "stds": 0.03, "ensemble_standard_error": 0.033},
                "metadata": {"shots": 10016, "target_precision": 0.01},
            },
            {"data": {"evs": [[0.1, 0.2]], "stds": [[0.0, 0.1]]}, "metadata": {}},
        ]
    }
    result = decode_plain_result(body, "estimator")
    assert type(result[0]) is PubResult and result[0].data.evs == 0.74
    assert result[1].data.shape == (1, 2) and result[1].data.stds.dtype == np.float64


def test_plain_other_shapes_pass_through() -> None:
    assert decode_plain_result({"something": 1}, "sampler") == {"something": 1}
    assert decode_plain_result([1, 2], "estimator") == [1, 2]


@pytest.mark.parametrize("array", [
    np.asarray(0.5), np.zeros((3, 0)), np.arange(6.0).reshape(2, 3), np.zeros(3, dtype=">f8"),
    np.asfortranarray(np.ones((3, 2))), np.ones((2, 2), dtype=bool),
    np.zeros(2, dtype=[("a", "<f8")]),
], ids=lambda a: f"{a.dtype.str}{a.shape}{'F' if np.isfortran(a) else ''}")
def test_small_arrays_decode_as_np_load_reads_them(array: np.ndarray) -> None:  # type: ignore[type-arg]
    """Small arrays take the cached-header path; other layouts and dtypes go to np.load."""
    from qiskit_rest_primitives._codec._decode import _npy_from_b64

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    ours = _npy_from_b64(base64.b64encode(zlib.compress(buffer.getvalue())))
    assert ours.dtype == array.dtype and ours.shape == array.shape and ours.flags.writeable
    np.testing.assert_array_equal(ours, array)
