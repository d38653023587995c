"""Input limits over HTTP: each is checked before the work it bounds, answered 400/413 naming it."""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import psutil
import pytest
import requests
from qiskit import QuantumCircuit, qpy

from qiskit_rest_primitives.local import Limits, LocalRuntimeServer

from .attack import H, nested_gates, raw_request, serve, status_of
from .conftest import BELL_MANILA, Api, sampler_body

MB = 1024 * 1024


def _refused(response: requests.Response, limit: str, status: int = 400) -> str:
    assert response.status_code == status, response.text
    message: str = response.json()["errors"][0]["message"]
    assert f"(limit {limit})" in message, message
    return message


def _qasm_job(api: Api, program: str) -> requests.Response:
    return api.post("/jobs", json=sampler_body([program], backend="ibm_brisbane"))


@pytest.fixture(scope="module")
def small() -> Iterator[LocalRuntimeServer]:
    """A server with small limits, set through ``LocalRuntimeServer(limits=...)``."""
    limits = Limits(max_body_bytes=MB, max_pubs=3, max_json_depth=16)
    with LocalRuntimeServer(limits=limits) as server:
        yield server
        server.check_errors()


def test_limits_validate_and_are_exposed() -> None:
    with pytest.raises(ValueError, match="max_pubs"):
        Limits(max_pubs=0)
    assert Limits().max_body_bytes == 16 * MB
    assert "max_fallback_qasm_bytes" in Limits.option_names()


def test_declared_body_over_limit_is_refused_before_it_is_read(small: LocalRuntimeServer) -> None:
    # No credentials and no body bytes sent: the declared length alone is enough.
    head = (b"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 500000000\r\n\r\n")
    answer = raw_request(small.port, head)
    assert status_of(answer) == 413
    assert b"(limit max_body_bytes)" in answer and b'"errors"' in answer


def test_chunked_body_is_cut_off_at_the_limit(small: LocalRuntimeServer) -> None:
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    for path in (b"/identity/token", b"/api/v1/jobs"):
        head = b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        answer = raw_request(small.port, head, [chunk] * 200)  # 13 MB offered, 1 MB allowed
        assert status_of(answer) == 413 and b"max_body_bytes" in answer
    assert requests.get(small.url + "/versions", timeout=5).status_code == 200


def test_body_just_under_the_limit_is_read(small: LocalRuntimeServer) -> None:
    api = Api(small, small.api_key, small.instance)
    body = json.dumps(sampler_body([BELL_MANILA, None, 8])).encode()
    padded = body[:-1] + b" " * (MB - len(body) - 1) + b"}"
    assert len(padded) == MB - 1
    response = api.post("/jobs", data=padded, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text


def test_json_depth(small: LocalRuntimeServer, api: Api) -> None:
    deep = b"[" * 1000 + b"]" * 1000
    message = _refused(api.post("/jobs", data=deep), "max_json_depth")
    assert "1000 levels" in message
    strings = json.dumps({"tags": ["[[[[[[[[[[[[[[[[[[[[[[[["]}).encode()  # brackets in strings
    small_api = Api(small, small.api_key, small.instance)
    response = small_api.post("/jobs", data=strings)
    assert response.status_code == 400 and "max_json_depth" not in response.text


def test_executions_per_job(api: Api) -> None:
    with_param = H + "input float[64] a;\nbit[1] c;\nrz(a) $0;\nc[0] = measure $0;\n"
    values = {"__type__": "ndarray", "__value__": np.zeros((200, 1)).tolist()}
    sweep = [with_param, values, 100_000]  # 200 parameter sets x 100000 shots = 2e7
    _refused(api.post("/jobs", json=sampler_body(sweep, backend="ibm_brisbane")),
             "max_executions")
    many = [[BELL_MANILA, None, 100_000]] * 101
    _refused(api.post("/jobs", json=sampler_body(*many)), "max_executions")


def test_pubs_per_job(small: LocalRuntimeServer) -> None:
    api = Api(small, small.api_key, small.instance)
    _refused(api.post("/jobs", json=sampler_body(*[[BELL_MANILA]] * 4)), "max_pubs")
    assert api.post("/jobs", json=sampler_body(*[[BELL_MANILA, None, 8]] * 3)).status_code == 200


@pytest.mark.parametrize("comment", [True, False], ids=["general-parser", "fast-parser"])
def test_nested_gate_definitions(api: Api, comment: bool) -> None:
    program = nested_gates(16, comment)
    assert len(program) < 800
    message = _refused(_qasm_job(api, program), "max_gate_expansion")
    assert message.startswith("pub 0: ")
    # 30 levels (2**30 instructions) is refused as fast.
    _refused(_qasm_job(api, nested_gates(30, comment)), "max_gate_expansion")


@pytest.mark.parametrize("comment", ["", "// a comment\n"])
def test_register_widths_and_indices(api: Api, comment: str) -> None:
    for program in (H + "qubit[100000000] q;\n", H + "bit[100000000] c;\n",
                    H + "qubit[600] a;\nqubit[600] b;\n", H + "qubit[10*100000000] q;\n",
                    H + "bit[1] c;\nx $100000000;\n", "OPENQASM 3.0;\nqreg q[100000000];\n"):
        response = _qasm_job(api, program + comment)
        assert response.status_code == 400, response.text
        message = response.json()["errors"][0]["message"]
        assert "(limit max_qubits)" in message or "(limit max_clbits)" in message, message


def test_loops(api: Api) -> None:
    loop = H + "qubit[1] q;\nbit[1] c;\nfor int i in [0:999999] {\n  x q[0];\n}\n"
    _refused(_qasm_job(api, loop + "c[0] = measure q[0];\n"), "max_loop_iterations")
    nested = (H + "qubit[1] q;\nbit[1] c;\nfor int i in [0:999] { for int j in {1,2,3,4,5} "
              "{ for int k in [0:2:999] { x q[0]; } } }\nc[0] = measure q[0];\n")
    _refused(_qasm_job(api, nested), "max_instructions")


def test_broadcasts_count_every_qubit(api: Api) -> None:
    program = H + "qubit[1000] q;\nbit[1] c;\n" + "x q;\n" * 1100
    _refused(_qasm_job(api, program), "max_instructions")


def test_general_parser_nesting(api: Api) -> None:
    program = H + "bit[1] c;\nrz(" + "(" * 3000 + "1" + ")" * 3000 + ") $0;\n"
    _refused(_qasm_job(api, program), "max_qasm_nesting")


def test_general_parser_text_size(api: Api) -> None:
    program = H + "qubit[2] q;\nbit[2] c;\n" + "x q;\n" * 60000  # broadcasts: general parser
    _refused(_qasm_job(api, program), "max_fallback_qasm_bytes")
    # Comments alone do not need the general parser: a long commented ISA program is taken.
    isa = (H + "bit[1] c;\n/* a block\n comment */\n" + "x $0;  // a comment\n" * 20000
           + "c[0] = measure $0;\n")
    assert len(isa) > Limits().max_fallback_qasm_bytes
    assert _qasm_job(api, isa).status_code == 200


def _qpy_envelope(circuit: QuantumCircuit, patch_qubits: int | None = None) -> dict[str, Any]:
    buffer = io.BytesIO()
    qpy.dump(circuit, buffer)
    raw = bytearray(buffer.getvalue())
    if patch_qubits is not None:  # rewrite the circuit header's qubit count (QPY >= 16 layout)
        (offset,) = struct.unpack_from("!Q", raw, 20)
        struct.pack_into("!I", raw, offset + 5, patch_qubits)
    return {"__type__": "QuantumCircuit",
            "__value__": base64.b64encode(zlib.compress(bytes(raw))).decode()}


def test_qpy_header_and_zip_bombs(api: Api) -> None:
    circuit = QuantumCircuit(2, 2)
    circuit.measure([0, 1], [0, 1])
    assert api.post("/jobs", json=sampler_body([_qpy_envelope(circuit), None, 8])
                    ).status_code == 200
    huge = _qpy_envelope(circuit, patch_qubits=4_000_000_000)
    _refused(api.post("/jobs", json=sampler_body([huge])), "max_qubits")
    bomb = io.BytesIO()
    np.save(bomb, np.zeros(40 * MB, dtype=np.uint8))  # 40 MB of zeros: 40 kB compressed
    values = {"__type__": "ndarray",
              "__value__": base64.b64encode(zlib.compress(bomb.getvalue(), 9)).decode()}
    with_param = H + "input float[64] a;\nbit[1] c;\nrz(a) $0;\nc[0] = measure $0;\n"
    response = api.post("/jobs", json=sampler_body([with_param, values], backend="ibm_brisbane"))
    _refused(response, "max_body_bytes")


def test_serve_flags_and_unauthenticated_500_mb_is_not_buffered() -> None:
    with serve("--max-pubs", "1", "--max-body-bytes", str(4 * MB)) as served:
        process = psutil.Process(served.proc.pid)
        before = process.memory_info().rss
        head = b"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        chunk = b"100000\r\n" + b"x" * MB + b"\r\n"
        answer = raw_request(served.port, head, (chunk for _ in range(500)))  # up to 500 MB
        assert status_of(answer) == 413
        assert process.memory_info().rss - before < 64 * MB
        headers = served.headers()
        body = sampler_body([BELL_MANILA, None, 8], [BELL_MANILA, None, 8])
        response = requests.post(served.url + "/jobs", json=body, headers=headers, timeout=10)
        _refused(response, "max_pubs")
        assert requests.get(served.url + "/backends", headers=headers,
                            timeout=10).status_code == 200
