"""Our result encoder against the official RuntimeEncoder/RuntimeDecoder (test-only import)."""

from __future__ import annotations

import json

import numpy as np
from qiskit.primitives import BitArray, DataBin, PrimitiveResult, PubResult, SamplerPubResult
from qiskit_ibm_runtime import RuntimeDecoder, RuntimeEncoder

from qiskit_rest_primitives.local.simulation._results import encode_result


def _sample_result() -> PrimitiveResult:
    rng = np.random.default_rng(0)
    bits = BitArray(rng.integers(0, 256, (3, 16, 2), dtype=np.uint8), num_bits=10)
    sampler = SamplerPubResult(DataBin(alpha=bits, shape=(3,)),
                               metadata={"circuit_metadata": {"k": [1, 2]}})
    evs = rng.normal(size=(2, 3))
    estimator = PubResult(DataBin(evs=evs, stds=np.abs(evs), shape=(2, 3)),
                          metadata={"target_precision": 0.1, "shots": 100})
    scalar = PubResult(DataBin(evs=np.asarray(0.5), stds=np.asarray(0.1), shape=()),
                       metadata={})
    return PrimitiveResult([sampler, estimator, scalar], metadata={"version": 2})


def test_same_text_as_the_official_encoder() -> None:
    result = _sample_result()
    assert json.loads(encode_result(result)) == json.loads(json.dumps(result, cls=RuntimeEncoder))


def test_official_decoder_round_trip() -> None:
    result = _sample_result()
    decoded = json.loads(encode_result(result), cls=RuntimeDecoder)
    assert isinstance(decoded[0], SamplerPubResult) and isinstance(decoded[1], PubResult)
    assert decoded[0].data.alpha == result[0].data.alpha
    np.testing.assert_array_equal(decoded[1].data.evs, result[1].data.evs)
    assert decoded[2].data.evs.shape == ()
    assert decoded[0].metadata == {"circuit_metadata": {"k": [1, 2]}}
