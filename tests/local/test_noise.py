"""Opt-in noise: a NoiseModel from the device properties, built for the touched qubits only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qiskit_rest_primitives.local import LocalRuntimeServer
from qiskit_rest_primitives.local.simulation._noise import noise_model
from qiskit_rest_primitives.local.state._backends import load_backend

from .conftest import BELL_MANILA, Api, sampler_body


@pytest.fixture(scope="module")
def noisy() -> Iterator[LocalRuntimeServer]:
    with LocalRuntimeServer(noise=True, seed=5) as server:
        yield server


def test_noisy_bell_has_error_outcomes(noisy: LocalRuntimeServer) -> None:
    api = Api(noisy, noisy.api_key, noisy.instance)
    counts = api.run(sampler_body([BELL_MANILA, None, 4000]))[0].data.meas.get_counts()
    errors = counts.get("01", 0) + counts.get("10", 0)
    assert 20 < errors < 800  # manila readout errors are a few percent
    noisy.check_errors()


def test_noise_model_only_covers_touched_qubits() -> None:
    model = noise_model(load_backend("ibm_brisbane"), [62, 72])
    assert sorted(model.noise_qubits) == [0, 1]
    assert "ecr" in model.noise_instructions
