"""Example: SamplerOptions and EstimatorOptions — set as objects, dicts or attributes."""

from __future__ import annotations

import pytest

import qiskit_rest_primitives as qrp


def test_options(service: qrp.RuntimeService) -> None:
    backend = service.backend("ibmq_manila")
    # [start-example]
    from qiskit_rest_primitives import EstimatorOptions, EstimatorV2, SamplerOptions, SamplerV2
    from qiskit_rest_primitives.exceptions import ConfigurationError

    options = SamplerOptions(default_shots=500)
    options.dynamical_decoupling.enable = True  # one attribute at a time
    options.environment.job_tags = ["calibration"]
    sampler = SamplerV2(mode=backend, options=options)

    estimator = EstimatorV2(mode=backend, options={  # or as a (nested) dict
        "default_precision": 0.01,
        "resilience_level": 1,
        "twirling": {"enable_gates": True, "num_randomizations": 16},
    })
    estimator.options.resilience.zne_mitigation = False
    try:
        EstimatorOptions(resilence_level=1)  # a typo names the field
    except ConfigurationError as exc:
        print(exc)
    # [end-example]
    assert sampler.options.default_shots == 500
    assert estimator.options.twirling.num_randomizations == 16
    with pytest.raises(ConfigurationError):
        EstimatorOptions(resilence_level=1)
