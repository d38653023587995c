"""Bad input raises a typed error naming the problem before anything is sent."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives.exceptions import ConfigurationError, ValidationError


def _job_posts(server) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for r in server.requests if r.method == "POST" and r.path.endswith("/jobs"))


@pytest.fixture
def isa_param(manila_pm) -> QuantumCircuit:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(1, 1)
    qc.ry(Parameter("theta"), 0)
    qc.measure(0, 0)
    return manila_pm.run(qc)


@pytest.mark.parametrize(("pubs", "kwargs", "match"), [
    (lambda c: [(c, {"phi": [0.1]})], {}, r"pub 0: .*parameter"),
    (lambda c: [(c, [0.1]), (c, [0.1], 0)], {}, r"pub 1: .*shots"),
    (lambda c: [(c, [0.1])], {"shots": -3}, r"shots must be a positive integer"),
    (lambda c: [(c, [0.1], 200_000)], {}, r"pub 0: 200000 shots exceed the backend's maximum"),
    (lambda c: [], {}, r"at least one pub"),
    (lambda c: (c, [0.1]), {}, r"Note that if you want to run a single pub"),
    (lambda c: c, {}, r"An invalid Sampler pub-like was given"),
    (lambda c: None, {}, r"run\(\) takes an iterable of Sampler pubs \(a list\), got NoneType"),
    (lambda c: 5, {}, r"an iterable of Sampler pubs \(a list\), got int"),
])
def test_sampler_rejects_before_sending(pubs, kwargs, match, manila, isa_param, server) -> None:  # type: ignore[no-untyped-def]
    before = _job_posts(server)
    with pytest.raises(ValidationError, match=match):
        qrp.Sampler(mode=manila).run(pubs(isa_param), **kwargs)
    assert _job_posts(server) == before


def test_too_wide_a_circuit_is_refused_in_the_official_wording(manila, server) -> None:  # type: ignore[no-untyped-def]
    """Scripts match the official client's text: "circuit has N qubits but the target system
    requires M"."""
    circuit = QuantumCircuit(6, 6)
    before = _job_posts(server)
    with pytest.raises(qrp.IBMInputValueError,
                       match="pub 0: circuit has 6 qubits but the target system requires 5"):
        qrp.SamplerV2(mode=manila).run([circuit])
    assert _job_posts(server) == before


def test_estimator_rejects_bad_precision_and_width(manila, manila_pm, server) -> None:  # type: ignore[no-untyped-def]
    qc = manila_pm.run(QuantumCircuit(2))
    before = _job_posts(server)
    with pytest.raises(ValidationError, match="precision"):
        qrp.Estimator(mode=manila).run([(qc, "ZZZZZ")], precision=0)
    with pytest.raises(ValidationError, match="pub 1") as unmapped:
        qrp.Estimator(mode=manila).run([(qc, "ZZZZZ"), (qc, "ZZ")])
    # The usual slip: observables for the 2-qubit circuit, not the transpiled 5-qubit one.
    assert str(unmapped.value).endswith("The circuit was transpiled: apply its layout to the "
                                        "observables, observable.apply_layout(isa_circuit.layout)")
    with pytest.raises(ValidationError) as untranspiled:
        qrp.Estimator(mode=manila).run([(QuantumCircuit(3), "ZZ")])
    assert "apply_layout" not in str(untranspiled.value)  # no layout: no such advice
    assert _job_posts(server) == before


def test_sampler_refuses_estimator_options(manila) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigurationError, match="resilience"):
        qrp.Sampler(mode=manila, options={"resilience_level": 1})
    sampler = qrp.Sampler(mode=manila)
    with pytest.raises(ConfigurationError, match="default_shots"):
        sampler.options.default_shots = 0
    with pytest.raises(ConfigurationError, match="twirling"):
        sampler.options.twirling = {"num_randomizations": 0}


def test_no_mode_outside_a_session_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="mode"):
        qrp.Sampler()
