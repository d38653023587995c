"""Pure client functions: status mapping, durations, regions, envelopes, ISA checks."""

from __future__ import annotations

import base64
import io
import json
import zlib
from pathlib import Path

import numpy as np
import pytest
import urllib3
from qiskit import QuantumCircuit
from qiskit.providers.fake_provider import GenericBackendV2

from qiskit_rest_primitives._account._job_status import job_status, reason_code
from qiskit_rest_primitives._account._service import region_of
from qiskit_rest_primitives._account._session import parse_max_time
from qiskit_rest_primitives._codec._encode import RawJSON, dumps_body, encode_ndarray
from qiskit_rest_primitives._codec._validate import check_isa
from qiskit_rest_primitives._config import PollPolicy
from qiskit_rest_primitives._transport._http import make_pool
from qiskit_rest_primitives.exceptions import ConfigurationError, ValidationError

RESPONSES = Path(__file__).resolve().parents[1] / "fixtures/reference/responses"


@pytest.mark.parametrize(("raw", "expected"), [
    ({"state": {"status": "Queued"}}, "QUEUED"),
    ({"state": {"status": "Running"}}, "RUNNING"),
    ({"state": {"status": "Completed"}}, "DONE"),
    ({"state": {"status": "COMPLETED", "reasonCode": None}}, "DONE"),
    ({"state": {"status": "Failed", "reason_code": 1003}}, "ERROR"),
    ({"state": {"status": "Cancelled"}}, "CANCELLED"),
    ({"state": {"status": "CANCELLED", "reasonCode": 1305}}, "ERROR"),
    ({"status": "Cancelled - Ran too long"}, "ERROR"),
])
def test_job_status_mapping(raw: dict, expected: str) -> None:
    assert job_status(raw) == expected


def test_status_of_reference_documents() -> None:
    fake = json.loads((RESPONSES / "job_detail.unit_test_fake.failed_1305.json").read_text())
    assert job_status(fake) == "ERROR" and reason_code(fake) == 1305
    failed = json.loads((RESPONSES / "job_detail.openapi_shape.failed.json").read_text())
    assert job_status(failed) == "ERROR" and reason_code(failed) == 1003


@pytest.mark.parametrize(("given", "seconds"), [(None, None), (60, 60), ("1h", 3600),
                                                ("1h30m", 5400), ("90s", 90), ("2m5s", 125)])
def test_parse_max_time(given: object, seconds: int | None) -> None:
    assert parse_max_time(given) == seconds  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["soon", "", 0, -5])
def test_parse_max_time_rejects(bad: object) -> None:
    with pytest.raises(ConfigurationError):
        parse_max_time(bad)  # type: ignore[arg-type]


def test_region_of_crn() -> None:
    crn = "crn:v1:bluemix:public:quantum-computing:eu-de:a/abc:1234::"
    assert region_of(crn) == "eu-de"
    assert region_of(None) is None


def test_ndarray_envelope_is_zlib_npy() -> None:
    array = np.arange(12, dtype=np.float64).reshape(3, 4) / 7
    body = json.loads(dumps_body({"values": encode_ndarray(array)}))
    envelope = body["values"]
    assert envelope["__type__"] == "ndarray"
    raw = zlib.decompress(base64.standard_b64decode(envelope["__value__"]))
    np.testing.assert_array_equal(np.load(io.BytesIO(raw)), array)


def test_poll_intervals_start_fast_and_back_off() -> None:
    policy = PollPolicy(initial_interval=0.01, factor=2.0, max_interval=0.05)
    it = policy.intervals()
    assert [next(it) for _ in range(5)] == [0.01, 0.02, 0.04, 0.05, 0.05]


def test_check_isa_names_pub_instruction_and_qubits() -> None:
    backend = GenericBackendV2(3, basis_gates=["ecr", "rz", "sx", "x"], coupling_map=[[0, 1], [1, 2]],
                               control_flow=True, seed=1)
    qc = QuantumCircuit(3)
    qc.ecr(0, 2)
    with pytest.raises(ValidationError, match=r"pub 4: instruction 'ecr' is not supported on qubits \[0, 2\]"):
        check_isa(qc, backend.target, 4)
    qc = QuantumCircuit(3)
    qc.h(1)
    with pytest.raises(ValidationError, match=r"pub 0: instruction 'h' on qubits \[1\]"):
        check_isa(qc, backend.target, 0)
    ok = QuantumCircuit(3, 1)
    ok.ecr(0, 1)
    with ok.if_test((ok.clbits[0], 1)):
        ok.x(2)
    ok.measure(2, 0)
    check_isa(ok, backend.target, 0)


def test_dumps_body_leaves_marker_lookalikes_alone() -> None:
    lookalike = "@@raw-" + "0" * 32 + "-0"
    body = dumps_body({"a": RawJSON(b"[1,2]"), "b": lookalike, "c": [RawJSON(b"3")]})
    assert json.loads(body) == {"a": [1, 2], "b": lookalike, "c": [3]}


def test_pool_uses_the_environment_proxy_unless_the_host_is_excluded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert not isinstance(make_pool("https://api.example.com"), urllib3.ProxyManager)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    pool = make_pool("https://api.example.com")
    assert isinstance(pool, urllib3.ProxyManager)
    assert pool.proxy is not None and pool.proxy.host == "proxy.example.com"
    monkeypatch.setenv("NO_PROXY", "api.example.com")
    assert not isinstance(make_pool("https://api.example.com"), urllib3.ProxyManager)


def test_pool_reads_the_ca_bundle_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/custom.pem")
    assert make_pool("https://api.example.com").connection_pool_kw["ca_certs"] == (
        "/etc/ssl/custom.pem")
    unverified = make_pool("https://api.example.com", verify=False)
    assert unverified.connection_pool_kw["cert_reqs"] == "CERT_NONE"


@pytest.mark.parametrize("shape", [(), (3,), (2, 4)])
def test_parameter_columns_follow_the_given_order_as_qiskit_places_them(shape: tuple) -> None:
    from qiskit.circuit import Parameter, ParameterVector
    from qiskit.primitives.containers.bindings_array import BindingsArray

    from qiskit_rest_primitives._codec._encode import _columns

    theta, a = ParameterVector("θ", 11), Parameter("a")
    rng = np.random.default_rng(7)
    one = BindingsArray({(*theta, a): rng.uniform(size=(*shape, 12))})
    split = BindingsArray({tuple(theta): rng.uniform(size=(*shape, 11)),
                           (a,): rng.uniform(size=(*shape, 1))})
    ints = BindingsArray({(a, *theta): np.arange(12 * int(np.prod(shape))).reshape(*shape, 12)})
    order = sorted([*theta, a], key=lambda p: f"_{p.name}_".replace("[", "_"))
    for values in (one, split, ints):
        assert np.array_equal(_columns(values, order), values.as_array(order))
    with pytest.raises(ValueError, match="Expected 12 parameters"):
        _columns(one, order[:-1])
    with pytest.raises(ValueError, match="placement"):
        _columns(one, [*order[:-1], Parameter("zz")])


def test_isa_check_from_the_encoders_list_agrees_with_qiskits() -> None:
    from qiskit.circuit import Measure, Parameter
    from qiskit.circuit.library import CZGate, ECRGate, RZGate, SXGate
    from qiskit.primitives.containers.sampler_pub import SamplerPub
    from qiskit.transpiler import InstructionProperties, Layout, Target, TranspileLayout

    from qiskit_rest_primitives._codec._encode import PubEncoder

    target = GenericBackendV2(4, basis_gates=["ecr", "rz", "sx", "x"],
                              coupling_map=[[0, 1], [1, 2], [2, 3]], seed=1).target

    def used(qc: QuantumCircuit) -> object:
        qc._layout = TranspileLayout(Layout.from_qubit_list(qc.qubits),
                                     {bit: i for i, bit in enumerate(qc.qubits)}, None)
        listed = PubEncoder().instructions(SamplerPub.coerce((qc, [0.5])))
        assert listed is not None  # the encoder's fast path listed them
        return listed

    qc = QuantumCircuit(4, 1)
    qc.rz(Parameter("θ") + 3.0, 2)
    qc.ecr(1, 2)
    qc.sx(3)
    qc.barrier()
    qc.measure(3, 0)
    assert used(qc.copy()) == {("rz", (2,)), ("ecr", (1, 2)), ("sx", (3,)),
                               ("barrier", (0, 1, 2, 3)), ("measure", (3,))}
    check_isa(qc, target, 0, used(qc.copy()))
    bad = qc.copy()
    bad.ecr(3, 0)
    with pytest.raises(ValidationError, match=r"pub 2: instruction 'ecr' is not supported on "
                                              r"qubits \[3, 0\]"):
        check_isa(bad, target, 2, used(bad.copy()))
    later = qc.copy()
    later.cz(0, 1)
    with pytest.raises(ValidationError, match=r"instruction 'cz' on qubits \[0, 1\]"):
        check_isa(later, target, 0, used(later.copy()))
    target.add_instruction(CZGate(), {(0, 1): InstructionProperties(error=0.01)})
    check_isa(later, target, 0, used(later.copy()))  # an entry added after the first look
    ideal = Target(num_qubits=4)  # instructions on any qubits: qiskit decides
    for operation in (ECRGate(), RZGate(Parameter("φ")), SXGate(), Measure()):
        ideal.add_instruction(operation)
    check_isa(qc, ideal, 0, used(qc.copy()))


def test_expressions_the_qasm3_importer_cannot_read_travel_as_qpy() -> None:
    from qiskit import qasm3
    from qiskit.circuit import Parameter
    from qiskit.primitives.containers.sampler_pub import SamplerPub

    from qiskit_rest_primitives._codec._encode import PubEncoder, QpyProgram
    from qiskit_rest_primitives._codec._qasm3 import Qasm3Program

    theta = Parameter("θ")
    for readable in (2 * theta - 1, -theta, 1 / (theta + 3), theta / 2 + 0.5):
        qc = QuantumCircuit(1)
        qc.rz(readable, 0)
        program = PubEncoder().program(SamplerPub.coerce((qc, [0.5])))
        assert isinstance(program, Qasm3Program)
        qasm3.loads(program.text)  # what the server's fallback parser reads
    for unreadable in (theta**2, 2**theta, theta.sin(), theta.cos(), theta.tan(), theta.exp(),
                       (theta + 3).log(), abs(theta), (theta / 9).arcsin(), theta.sign()):
        qc = QuantumCircuit(1)
        qc.rz(unreadable, 0)
        assert isinstance(PubEncoder().program(SamplerPub.coerce((qc, [0.5]))), QpyProgram)
    # A constant over 64 bits on the qasm3.dumps path (a parameter named like a gate, ``t``):
    # qiskit prints 1e20 as an integer literal no OpenQASM 3 reader takes.
    named_t = Parameter("t")
    qc = QuantumCircuit(1)
    qc.rz(named_t * 1e20, 0)
    assert isinstance(PubEncoder().program(SamplerPub.coerce((qc, [0.5]))), QpyProgram)
    # A parameter named like a function: ``abs(w)`` must not pass for a product of inputs.
    named_abs, w = Parameter("abs"), Parameter("w")
    qc = QuantumCircuit(1)
    qc.rz(named_abs, 0)
    qc.rz(abs(w), 0)
    assert isinstance(PubEncoder().program(SamplerPub.coerce((qc, [0.5, 0.25]))), QpyProgram)
