"""Every request body the official client sent (fixtures/requests/job_create_*.json) runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qiskit.primitives import BitArray, PrimitiveResult, PubResult, SamplerPubResult

from .conftest import FIXTURES, Api

BODIES = sorted(p for p in (FIXTURES / "requests").glob("job_create_*.json")
                if not p.name.endswith(".readable.json"))


def test_fixture_bodies_found() -> None:
    assert len(BODIES) == 5


@pytest.mark.parametrize("path", BODIES, ids=lambda p: p.stem)
def test_official_client_body_runs(api: Api, path: Path) -> None:
    body = json.loads(path.read_text())
    if "session_id" in body:
        session = api.post("/sessions", json={"mode": "dedicated", "backend": body["backend"]})
        body["session_id"] = session.json()["id"]
    body.pop("cost", None)  # 300 s is fine, but keep the run independent of machine speed
    result = api.run(body)
    assert isinstance(result, PrimitiveResult)
    assert len(result) == len(body["params"]["pubs"])
    for pub in result:
        if body["program_id"] == "sampler":
            assert isinstance(pub, SamplerPubResult)
            assert all(isinstance(v, BitArray) for v in pub.data.values())
        else:
            assert isinstance(pub, PubResult)
            assert pub.data.evs.shape == pub.data.stds.shape


def test_estimator_fixture_shape_is_broadcast(api: Api) -> None:
    body = json.loads((FIXTURES / "requests" / "job_create_estimator.json").read_text())
    result = api.run(body)
    # observables (2, 1) x parameter values (3,) → (2, 3)
    assert result[0].data.evs.shape == (2, 3)
    assert float(result[0].data.stds[0, 0]) == 0.015625


def test_sampler_fixture_default_shots_option(api: Api) -> None:
    body = json.loads((FIXTURES / "requests" / "job_create_sampler_with_options.json").read_text())
    body.pop("cost")
    result = api.run(body)
    assert next(iter(result[0].data.values())).num_shots == 2000
