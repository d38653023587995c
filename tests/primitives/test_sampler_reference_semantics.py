"""SamplerV2 over HTTP holds what qiskit's reference-sampler tests check.

Each test states one behaviour of ``StatevectorSampler``/``BackendSamplerV2`` (errors, shapes,
register names, metadata, empty results) and checks our sampler against the local server.
Counts are compared statistically (total variation distance), never exactly: the service
samples with its own seed, so the same seed does not give the reference's exact counts.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter
from qiskit.circuit.library import real_amplitudes
from qiskit.primitives import BitArray, StatevectorSampler
from qiskit.primitives.containers.sampler_pub import SamplerPub

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives._codec._encode import PubEncoder, dumps_body
from qiskit_rest_primitives.exceptions import ValidationError

from ..circuits import bell
from ..local.conftest import Api

SHOTS = 1000


def _tvd(counts: dict[str, int], expected: dict[str, float]) -> float:
    total = sum(counts.values())
    keys = set(counts) | set(expected)
    return 0.5 * sum(abs(counts.get(k, 0) / total - expected.get(k, 0.0)) for k in keys)


def _probabilities(circuit: QuantumCircuit, name: str) -> dict[str, float]:
    """Exact outcome probabilities of one register, from the reference with many shots."""
    bits = StatevectorSampler(seed=11).run([circuit], shots=200_000).result()[0].data[name]
    return {k: v / bits.num_shots for k, v in bits.get_counts().items()}


def test_run_without_the_list_uses_qiskits_wording(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    sampler = qrp.Sampler(mode=manila)
    isa = manila_pm.run(bell())
    with pytest.raises(ValueError, match="An invalid Sampler pub-like was given"):
        sampler.run(isa)
    qc = QuantumCircuit(1)
    qc.append(real_amplitudes(1, reps=1), [0])
    qc.measure_all()
    with pytest.raises(ValueError, match="Note that if you want to run a single pub,"):
        sampler.run((manila_pm.run(qc), [0, 1]))


def test_an_iterator_of_pubs_is_accepted(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    one = QuantumCircuit(1)
    one.x(0)
    one.measure_all()
    zero = QuantumCircuit(1)
    zero.measure_all()
    result = qrp.Sampler(mode=manila).run(iter(manila_pm.run([zero, one])), shots=50).result()
    assert [r.data.meas.get_counts() for r in result] == [{"0": 50}, {"1": 50}]


@pytest.mark.parametrize(("pub", "match"), [
    (lambda c: (c, [1e2]), "(parameter|inconsistent)"),  # values, but no parameters
    (lambda c: (c, None, -1), "shots"),
    (lambda c: (c, None, 0), "shots"),
])
def test_bad_pubs_raise_value_error_naming_the_pub(pub, match, manila, manila_pm, server) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(bell())
    with pytest.raises(ValueError, match=f"pub 1: .*{match}"):
        qrp.Sampler(mode=manila).run([isa, pub(isa)])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_parameter_values_are_refused_naming_pub_and_parameter(bad, manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(1)
    qc.ry(Parameter("theta"), 0)
    qc.rx(Parameter("phi"), 0)
    qc.measure_all()
    isa = manila_pm.run(qc)
    with pytest.raises(ValidationError, match=r"pub 0: parameter 'theta' .*index \[1\]"):
        qrp.Sampler(mode=manila).run([(isa, [[0.1, 0.2], [0.3, bad]])])


def test_metadata_reports_shots_and_circuit_metadata(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(2)
    qc.measure_all()
    qc2 = qc.copy()
    qc2.metadata = {"a": 1}
    isa, isa2 = manila_pm.run([qc, qc2])
    result = qrp.Sampler(mode=manila).run([(isa, None, 10), (isa2, None, 20)]).result()
    assert result[0].metadata == {"shots": 10, "circuit_metadata": {}}
    assert result[1].metadata == {"shots": 20, "circuit_metadata": {"a": 1}}
    assert result.metadata["version"] == 2


def test_the_server_reports_shots_of_a_retrieved_job(service, manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(bell())
    job = qrp.Sampler(mode=manila, options={"default_shots": 77}).run([isa])
    job.result()
    assert service.job(job.job_id()).result()[0].metadata["shots"] == 77


def test_default_shots_attribute_reads_and_writes_the_option(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    sampler = qrp.Sampler(mode=manila)
    assert sampler.default_shots == 4096
    sampler.default_shots = 123
    assert sampler.options.default_shots == 123
    result = sampler.run([manila_pm.run(bell())]).result()
    assert result[0].data.meas.num_shots == 123 == result[0].metadata["shots"]


def test_no_classical_registers_warns_and_returns_an_empty_databin(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(QuantumCircuit(2))
    with pytest.warns(UserWarning, match="pub 0: .*no classical registers"):
        job = qrp.Sampler(mode=manila).run([isa])
    result = job.result()
    assert len(result) == 1
    assert len(result[0].data) == 0
    assert result[0].data.shape == ()


def test_empty_parameter_all_zero_counts(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(5, 4)
    qc.measure(range(4), range(4))
    isa = manila_pm.run(qc)
    result = qrp.Sampler(mode=manila).run([isa, isa], shots=SHOTS).result()
    assert [r.data.c.get_int_counts() for r in result] == [{0: SHOTS}] * 2


@pytest.mark.parametrize(("values", "shape"), [([[]], (1,)), (np.zeros((3, 0)), (3,)), ([], ())])
def test_parameter_free_circuit_keeps_the_pub_shape(values, shape, manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(bell())
    ours = qrp.Sampler(mode=manila).run([(isa, values)], shots=20).result()[0]
    ref = StatevectorSampler(seed=1).run([(bell(), values)], shots=20).result()[0]
    assert ours.data.shape == ref.data.shape == shape
    assert ours.data.meas.shape == ref.data.meas.shape
    assert ours.data.meas.array.shape == ref.data.meas.array.shape


def test_reverse_measurement_order(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(3, 3)
    qc.x(0)
    qc.x(1)
    qc.measure([0, 1, 2], [2, 1, 0])
    result = qrp.Sampler(mode=manila).run([manila_pm.run(qc)], shots=SHOTS).result()
    assert result[0].data.c.get_counts() == {"110": SHOTS}  # clbit 0 holds qubit 2 (|0>)


def test_multiple_registers_keep_names_order_and_statistics(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    q = QuantumRegister(3, "qr")
    c1, c2 = ClassicalRegister(1, "c1"), ClassicalRegister(2, "c2")
    qc = QuantumCircuit(q, c1, c2)
    qc.h(0)
    qc.cx(0, 1)
    qc.x(2)
    qc.measure(0, c1[0])
    qc.measure([1, 2], c2)
    data = qrp.Sampler(mode=manila).run([manila_pm.run(qc)], shots=SHOTS).result()[0].data
    assert list(data.keys()) == ["c1", "c2"]
    assert data.c1.num_bits == 1 and data.c2.num_bits == 2
    assert _tvd(data.c1.get_counts(), {"0": 0.5, "1": 0.5}) < 0.08
    assert _tvd(data.c2.get_counts(), {"10": 0.5, "11": 0.5}) < 0.08


def test_aliased_registers_are_sampled_like_the_reference(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    base = QuantumCircuit(5, 5)
    c0 = ClassicalRegister(name="c0", bits=[base.clbits[2]])
    c1 = ClassicalRegister(name="c1", bits=[base.clbits[4]])
    base.add_register(c0)
    base.add_register(c1)  # registers sharing bits with ``c``
    base.ry(np.pi / 4, 2)
    base.cx(2, 1)
    base.cx(0, 1)
    base.h(0)
    base.measure(0, 2)
    base.measure(1, 4)
    isa = manila_pm.run(base)
    data = qrp.Sampler(mode=manila).run([isa], shots=4000).result()[0].data
    assert list(data.keys()) == [creg.name for creg in base.cregs] == ["c", "c0", "c1"]
    for name in data:
        assert _tvd(data[name].get_counts(), _probabilities(base, name)) < 0.05, name


def test_a_register_of_no_bits_gives_an_empty_bit_array(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(QuantumRegister(1, "q"), ClassicalRegister(0, "c1"), ClassicalRegister(1, "c2"))
    qc.h(0)
    qc.measure(0, 0)
    data = qrp.Sampler(mode=manila).run([manila_pm.run(qc)], shots=SHOTS).result()[0].data
    assert data.c1.array.shape == (SHOTS, 0)
    assert data.c2.num_shots == SHOTS


@pytest.mark.parametrize("name", ["C", "Meas", "if", "a-b", "mé", "θ"])
def test_register_names_round_trip_by_name(name, manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(QuantumRegister(2), ClassicalRegister(2, name))
    qc.x(1)
    qc.measure([0, 1], [0, 1])
    data = qrp.Sampler(mode=manila).run([manila_pm.run(qc)], shots=30).result()[0].data
    assert list(data.keys()) == [name]
    assert getattr(data, name).get_counts() == {"10": 30}


def test_register_names_round_trip_with_control_flow(manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    """Control flow takes the server's ``qasm3.loads`` path, which renames ``C`` to ``esc_C``."""
    upper, lower = ClassicalRegister(1, "C"), ClassicalRegister(1, "Meas")
    qc = QuantumCircuit(QuantumRegister(2), upper, lower)
    qc.x(0)
    qc.measure(0, upper[0])
    with qc.if_test((upper[0], 1)):
        qc.x(1)
    qc.measure(1, lower[0])
    data = qrp.Sampler(mode=manila).run([manila_pm.run(qc)], shots=30).result()[0].data
    assert list(data.keys()) == ["C", "Meas"]
    assert data.C.get_counts() == data.Meas.get_counts() == {"1": 30}


@pytest.mark.parametrize("meas_type", ["kerneled", "avg_kerneled"])
def test_kerneled_measurement_returns_iq_points_in_the_services_shape(meas_type, manila, manila_pm) -> None:  # type: ignore[no-untyped-def]
    qc = QuantumCircuit(2)
    qc.x(1)
    qc.measure_all()
    sampler = qrp.Sampler(mode=manila, options={"execution": {"meas_type": meas_type}})
    pub_values = np.zeros((3, 0))
    data = sampler.run([(manila_pm.run(qc), pub_values)], shots=200).result()[0].data
    points = data.meas
    assert isinstance(points, np.ndarray) and not isinstance(points, BitArray)
    assert points.dtype == np.complex128
    assert points.shape == ((3, 200, 2) if meas_type == "kerneled" else (3, 2))
    average = points.mean(axis=-2) if meas_type == "kerneled" else points
    # qubit 0 reads |0> and qubit 1 reads |1>: their IQ clouds sit apart
    assert np.all(np.abs(average - np.array([-1.0, 1.0 + 1.0j])) < 0.1), average


@pytest.mark.parametrize(("execution", "twirling", "match"), [
    ({"meas_type": "raw"}, {}, "must be 'classified', 'kerneled' or 'avg_kerneled'"),
    ({"meas_type": "kerneled"}, {"enable_measure": True}, "not compatible"),
])
def test_the_server_refuses_meas_types_it_cannot_return(execution, twirling, match, server, manila_pm) -> None:  # type: ignore[no-untyped-def]
    pub = PubEncoder().sampler_pub(SamplerPub.coerce(manila_pm.run(bell()), 10))
    body = {"program_id": "sampler", "backend": "ibmq_manila",
            "params": {"pubs": [pub], "version": 2,
                       "options": {"execution": execution, "twirling": twirling}}}
    api = Api(server, server.api_key, server.instance)
    response = api.post("/jobs", data=dumps_body(body),
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert match in response.json()["errors"][0]["message"]
