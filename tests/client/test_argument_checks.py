"""Malformed service and job arguments raise a typed error before any request is sent."""

from __future__ import annotations

import math

import pytest

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives import Timeouts
from qiskit_rest_primitives.exceptions import (
    ConfigurationError,
    InvalidAccountError,
    ValidationError,
)
from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import BACKEND


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"url": "ftp://example.com/api/v1"}, "Invalid url"),
    ({"url": "not a url"}, "Invalid url"),
    ({"url": "https://"}, "Invalid url"),
    ({"iam_url": "localhost:8080"}, "Invalid iam_url"),
    ({"instance": "crn:v1:bluemix:public"}, "Invalid instance CRN"),
    ({"instance": "crn:v2:bluemix:public:quantum-computing:us-east:a/1:2::"}, "Invalid instance CRN"),
    ({"instance": "crn:v1:bluemix:public:quantum-computing:us-east:acct:2::"}, "Invalid instance CRN"),
])
def test_bad_account_arguments_are_refused_before_any_request(kwargs, match, server: LocalRuntimeServer) -> None:  # type: ignore[no-untyped-def]
    before = len(server.requests)
    with pytest.raises(InvalidAccountError, match=match):
        server.service(**kwargs)
    assert len(server.requests) == before


@pytest.mark.parametrize("timeout", [-1, 0, math.nan, math.inf, "10", Timeouts(connect=-1.0)])
def test_bad_timeouts_are_configuration_errors(timeout, server: LocalRuntimeServer) -> None:  # type: ignore[no-untyped-def]
    before = len(server.requests)
    with pytest.raises(ConfigurationError, match="timeout"):
        server.service(timeout=timeout)
    assert len(server.requests) == before


@pytest.mark.parametrize("job_id", ["", "   ", None, "a/b", "x?y=1"])
def test_a_job_id_that_names_no_job_is_a_validation_error(job_id, service: qrp.RuntimeService, server: LocalRuntimeServer) -> None:  # type: ignore[no-untyped-def]
    before = len(server.requests)
    with pytest.raises(ValidationError, match="job_id"):
        service.job(job_id)
    assert len(server.requests) == before


@pytest.mark.parametrize(("tags", "match"), [
    ([f"t{i}" for i in range(9)], "at most 8 tags"),
    (["x" * 87], "at most 86 characters"),
    ([""], "non-empty"),
])
def test_job_tags_the_service_would_refuse_are_refused_in_options(tags, match, service: qrp.RuntimeService) -> None:  # type: ignore[no-untyped-def]
    sampler = qrp.Sampler(mode=service.backend(BACKEND))
    with pytest.raises(ConfigurationError, match=match):
        sampler.options.environment.job_tags = tags
    with pytest.raises(ConfigurationError, match=match):
        qrp.Estimator(mode=service.backend(BACKEND), options={"environment": {"job_tags": tags}})


def test_eight_tags_of_86_characters_are_accepted(service: qrp.RuntimeService, isa_bell) -> None:  # type: ignore[no-untyped-def]
    tags = [f"{i}" * 86 for i in range(8)]
    sampler = qrp.Sampler(mode=service.backend(BACKEND),
                          options={"environment": {"job_tags": tags}})
    job = sampler.run([isa_bell], shots=10)
    job.result()
    assert sorted(service.job(job.job_id()).tags) == sorted(tags)


def test_update_tags_checks_the_limits_before_sending(service: qrp.RuntimeService, server: LocalRuntimeServer, isa_bell) -> None:  # type: ignore[no-untyped-def]
    job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    job.result()
    before = len(server.requests)
    with pytest.raises(ValidationError, match="at most 8 tags"):
        job.update_tags([f"t{i}" for i in range(9)])
    assert len(server.requests) == before
    assert job.update_tags(["kept"]) == ["kept"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"limit": -1}, r"limit must be a non-negative integer or None, got -1"),
    ({"limit": "10"}, r"limit must be a non-negative integer or None, got '10'"),
    ({"skip": -1}, r"skip must be a non-negative integer, got -1"),
    ({"backend_name": 5}, r"backend_name must be a string or None, got 5"),
    ({"pending": "yes"}, r"pending must be a bool or None"),
    ({"created_after": "yesterday"}, r"created_after must be a datetime or None"),
    ({"job_tags": "a"}, r"job_tags must be a list of strings or None \(for one tag"),
    ({"job_tags": [1]}, r"job_tags must be a list of strings"),
])
def test_job_list_arguments_are_checked_before_any_request(kwargs, match, service: qrp.RuntimeService, server: LocalRuntimeServer) -> None:  # type: ignore[no-untyped-def]
    before = len(server.requests)
    with pytest.raises(ValidationError, match=match):
        service.jobs(**kwargs)
    assert len(server.requests) == before


def test_min_num_qubits_must_be_whole(service: qrp.RuntimeService) -> None:
    for call in (service.backends, service.least_busy):
        with pytest.raises(ConfigurationError, match="min_num_qubits must be an int or None"):
            call(min_num_qubits="5")
    assert service.backends(min_num_qubits=100) and service.jobs(limit=0) == []


def test_wait_arguments_are_checked_even_for_a_finished_job(service: qrp.RuntimeService, isa_bell) -> None:  # type: ignore[no-untyped-def]
    job = qrp.SamplerV2(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
    assert job.result(timeout=0) is not None  # 0 only looks: the job is done
    for bad in (-1, "10", math.nan):
        with pytest.raises(ConfigurationError, match="timeout must be a non-negative number"):
            job.result(timeout=bad)
        with pytest.raises(ConfigurationError, match="timeout must be a non-negative number"):
            job.wait_for_final_state(timeout=bad)
    with pytest.raises(ConfigurationError, match="poll_interval must be a positive number"):
        job.result(poll_interval="1")
