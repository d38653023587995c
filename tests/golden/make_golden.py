"""Write golden result payloads with the official RuntimeEncoder, and what they must decode to.

Run ``python tests/golden/make_golden.py`` to regenerate. For every case it writes
``<case>.json`` (the exact text ``json.dumps(result, cls=RuntimeEncoder)`` produces, as the
service sends it) and ``<case>.expected.pkl``: :func:`canonical` of what qiskit-ibm-runtime's
``RuntimeDecoder`` makes of that text. The canonical form holds only builtins, so the pickle
does not depend on qiskit or qiskit-ibm-runtime classes; tests compare ``canonical()`` of our
decoder's output against it. Results come from real primitives run with fixed seeds
(StatevectorSampler, StatevectorEstimator, BackendSamplerV2), plus hand-built metadata.
qiskit-ibm-runtime is a test-only dependency and is imported only in :func:`main`.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent


def canonical(obj: Any) -> Any:
    """A builtins-only, order-preserving description of a decoded result, for equality checks."""
    from qiskit.primitives.containers import (
        BitArray,
        DataBin,
        PrimitiveResult,
        PubResult,
        SamplerPubResult,
    )

    name = type(obj).__name__
    if isinstance(obj, PrimitiveResult):
        return ("PrimitiveResult", [canonical(p) for p in obj], canonical(obj.metadata))
    if isinstance(obj, PubResult):  # EstimatorPubResult decodes to its base, PubResult
        kind = "SamplerPubResult" if isinstance(obj, SamplerPubResult) else "PubResult"
        return (kind, canonical(obj.data), canonical(obj.metadata))
    if isinstance(obj, DataBin):
        return ("DataBin", tuple(obj.shape), [(k, canonical(v)) for k, v in obj.items()])
    if isinstance(obj, BitArray):
        return ("BitArray", obj.num_bits, canonical(obj.array))
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            return ("objarray", obj.shape, canonical(obj.tolist()))
        raw = np.ascontiguousarray(obj).tobytes()  # large arrays by digest: small pickles
        digest = raw if len(raw) <= 4096 else hashlib.sha256(raw).hexdigest()
        return ("ndarray", obj.dtype.str, obj.shape, digest)
    if isinstance(obj, np.generic):
        return ("npscalar", obj.dtype.str, obj.item())
    if isinstance(obj, (datetime, date)):
        return (name, obj.isoformat(), getattr(obj, "utcoffset", lambda: None)())
    if isinstance(obj, complex):
        return ("complex", obj.real, obj.imag)
    if isinstance(obj, set):
        return ("set", sorted(repr(x) for x in obj))
    if isinstance(obj, dict):
        return ("dict", [(k, canonical(v)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [canonical(x) for x in obj])
    if isinstance(obj, float) and math.isnan(obj):
        return ("nan",)
    if hasattr(obj, "_spans"):  # ExecutionSpans, ours or qiskit-ibm-runtime's
        return ("ExecutionSpans", [canonical(s) for s in obj])
    if hasattr(obj, "_data_slices"):
        return _canonical_span(obj)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"no canonical form for {name}")


def _canonical_span(span: Any) -> Any:
    """Spans of both implementations; qiskit-ibm-runtime keeps V2 pub shots apart."""
    shots = getattr(span, "_pub_shots", {})
    slices = []
    for idx in sorted(span._data_slices):
        item = tuple(span._data_slices[idx]) + ((shots[idx],) if idx in shots else ())
        parts = [(x.start, x.stop, x.step) if isinstance(x, slice) else x for x in item]
        slices.append((idx, canonical(parts)))
    return (type(span).__name__, canonical(span.start), canonical(span.stop), slices)


def _circuits() -> dict[str, Any]:
    """Small circuits that cover the pub forms the brief asks for."""
    from qiskit.circuit import ClassicalRegister, Parameter, QuantumCircuit, QuantumRegister

    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    theta = Parameter("theta")
    two_regs = QuantumCircuit(QuantumRegister(3), ClassicalRegister(2, "alpha"))
    two_regs.add_register(ClassicalRegister(1, "beta"))
    two_regs.ry(theta, 0)
    two_regs.cx(0, 1)
    two_regs.h(2)
    two_regs.measure([0, 1], [0, 1])
    two_regs.measure(2, 2)
    one_bit = QuantumCircuit(1, 1)
    one_bit.rx(theta, 0)
    one_bit.measure(0, 0)
    ten = QuantumCircuit(10, 10)
    ten.h(range(10))
    ten.x(3)
    ten.measure(range(10), range(10))
    ten.metadata = {"name": "ten-bit", "nested": {"k": [1, 2]}}
    return {"bell": bell, "two_regs": two_regs, "one_bit": one_bit, "ten": ten, "theta": theta}


def sampler_statevector() -> Any:
    from qiskit.primitives import StatevectorSampler

    c = _circuits()
    pubs = [
        (c["bell"], None, 64),
        (c["two_regs"], np.linspace(0, np.pi, 3).reshape(3, 1), 32),
        (c["one_bit"], np.linspace(0, 1, 6).reshape(2, 3, 1), 16),
        (c["ten"], None, 50),
    ]
    return StatevectorSampler(seed=1234).run(pubs).result()


def sampler_backend() -> Any:
    from qiskit.primitives import BackendSamplerV2
    from qiskit.providers.basic_provider import BasicSimulator

    c = _circuits()
    sampler = BackendSamplerV2(backend=BasicSimulator(), options={"seed_simulator": 42})
    pubs = [(c["two_regs"], [[0.3], [1.2]], 40), (c["bell"], None, 20)]
    return sampler.run(pubs).result()


def estimator_statevector() -> Any:
    from qiskit.circuit import QuantumCircuit
    from qiskit.primitives import StatevectorEstimator
    from qiskit.quantum_info import SparsePauliOp

    c = _circuits()
    bell = c["bell"].remove_final_measurements(inplace=False)
    ry = QuantumCircuit(2)
    ry.ry(c["theta"], 0)
    ry.cx(0, 1)
    observables = [[SparsePauliOp("ZZ"), SparsePauliOp("XX")], [SparsePauliOp("IZ"), "ZI"]]
    pubs = [
        (bell, SparsePauliOp("ZZ")),
        (ry, observables, np.linspace(0, 1, 2).reshape(2, 1, 1), 0.05),
        (ry, ["ZZ", "XI", "IY"], [[0.1], [0.2], [0.3]]),
    ]
    return StatevectorEstimator(seed=99).run(pubs).result()


def large_arrays() -> Any:
    """Arrays long enough for the chunked fast path, with every base64 padding length."""
    from qiskit.primitives.containers import BitArray, DataBin, PrimitiveResult, SamplerPubResult

    rng = np.random.default_rng(7)
    big = rng.integers(0, 256, size=(2, 2048, 16), dtype=np.uint8)
    big[..., 0] &= 0x7F
    fields: dict[str, Any] = {"big": BitArray(big, 127)}
    for k in range(3):  # random bytes → stored zlib blocks; three lengths → three paddings
        fields[f"pad{k}"] = BitArray(rng.integers(0, 256, size=(2, 700 + k, 1), dtype=np.uint8), 8)
    fields["floats"] = rng.normal(size=(2, 50, 3))
    fields["complex"] = rng.normal(size=(2, 40)) + 1j * rng.normal(size=(2, 40))
    fields["flags"] = rng.integers(0, 2, size=(2, 3000)).astype(bool)
    fields["ints_be"] = rng.integers(-(10**6), 10**6, size=(2, 500)).astype(">i4")
    fields["fortran"] = np.asfortranarray(rng.normal(size=(2, 40, 30)))
    fields["zeros"] = np.zeros((2, 100_000), dtype=np.uint8)  # inflates ~400x
    pub = SamplerPubResult(DataBin(shape=(2,), **fields), metadata={"circuit_metadata": {}})
    return PrimitiveResult([pub], metadata={"version": 2})


def metadata_extras() -> Any:
    """Hand-built metadata: spans of every kind, datetimes, complex, sets, odd ndarrays."""
    from datetime import timezone

    from qiskit.primitives.containers import DataBin, PrimitiveResult
    from qiskit_ibm_runtime.execution_span import (
        DoubleSliceSpan,
        ExecutionSpans,
        SliceSpan,
        TwirledSliceSpan,
        TwirledSliceSpanV2,
    )
    from qiskit_ibm_runtime.results import EstimatorPubResult

    t0 = datetime(2026, 5, 4, 12, 0, 0, 123456, tzinfo=timezone.utc)
    t1 = datetime(2026, 5, 4, 12, 0, 2, 469134, tzinfo=timezone.utc)
    spans = ExecutionSpans(
        [
            DoubleSliceSpan(t0, t1, {0: ((2, 1024), slice(0, 2), slice(0, 512))}),
            TwirledSliceSpanV2(t0, t1, {1: ((3, 4, 25), True, slice(2, 9), slice(0, 25), 90)}),
            TwirledSliceSpan(t1, t1, {0: ((2, 5, 8), False, slice(0, 10), slice(2, 6))}),
            SliceSpan(t0, t1, {1: ((3, 7), slice(4, 18))}),
        ]
    )
    rng = np.random.default_rng(3)
    zne = DataBin(
        shape=(2,),
        evs=rng.normal(size=2),
        stds=rng.random(2),
        evs_noise_factors=rng.normal(size=(2, 3)),
        evs_extrapolated=rng.normal(size=(2, 2, 4)),
    )
    extrapolators = np.array("linear", dtype=object)  # a 0-d object array: a bare string
    metadata = {
        "shots": 4096,
        "target_precision": 0.015625,
        "circuit_metadata": {"experiment": "zne"},
        "resilience": {
            "zne": {"extrapolator": extrapolators, "noise_factors": np.array([1, 3, 5])},
            "extrapolators": np.array(["exponential", "polynomial_degree_2"], dtype=object),
        },
    }
    pub = EstimatorPubResult(zne, metadata=metadata)
    top = {
        "execution": {"execution_spans": spans},
        "created": t0,
        "naive": datetime(2026, 1, 2, 3, 4, 5),
        "day": date(2026, 1, 2),
        "phase": complex(0.5, -1.25),
        "tags": {"a"},
        "int64": np.int64(7),
        "scalar_f8": np.array(2.5),
        "version": 2,
    }
    return PrimitiveResult([pub], metadata=top)


def _hand_edit(text: str) -> str:
    """Add envelopes the encoder never writes but the service may: unknown type, list ndarray."""
    payload = json.loads(text)
    payload["__value__"]["metadata"]["future"] = {
        "__type__": "QuantumWidget",
        "__value__": {"a": [1, 2], "when": {"__type__": "datetime", "__value__": "2026-01-01"}},
    }
    payload["__value__"]["metadata"]["plain_list"] = {"__type__": "ndarray", "__value__": [[1, 2]]}
    payload["__value__"]["metadata"]["plain_int"] = {"__type__": "ndarray", "__value__": 5}
    return json.dumps(payload)


CASES = {
    "sampler_statevector": sampler_statevector,
    "sampler_backend": sampler_backend,
    "estimator_statevector": estimator_statevector,
    "large_arrays": large_arrays,
    "metadata_extras": metadata_extras,
}


def main() -> None:
    from qiskit_ibm_runtime import RuntimeDecoder, RuntimeEncoder

    for name, build in CASES.items():
        text = json.dumps(build(), cls=RuntimeEncoder)
        if name == "metadata_extras":
            text = _hand_edit(text)
        expected = canonical(json.loads(text, cls=RuntimeDecoder))
        (HERE / f"{name}.json").write_text(text)
        with open(HERE / f"{name}.expected.pkl", "wb") as fh:
            pickle.dump(expected, fh, protocol=4)
        print(f"{name}: {len(text)} characters")


if __name__ == "__main__":
    main()
