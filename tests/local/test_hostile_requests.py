"""Hostile and malformed requests: never a 500, and the server keeps answering."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qiskit_rest_primitives.local import LocalRuntimeServer

from .attack import H, Served, nested_gates, raw_request, serve, status_of
from .conftest import BELL_MANILA, Api, estimator_body, sampler_body

MB = 1024 * 1024
_BELL_OBS = {"ZZ": 1.0}
_TEMPLATES = [
    {**sampler_body([BELL_MANILA, None, 16]), "tags": ["t"], "cost": 60},
    {**estimator_body([BELL_MANILA, [_BELL_OBS], None, 0.1],
                      options={"seed_estimator": 1, "resilience": {"zne_mitigation": False}}),
     "session_id": None},
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key/index path in a JSON document, the root excluded."""
    items = node.items() if isinstance(node, dict) else (
        enumerate(node) if isinstance(node, list) else ())
    for key, child in items:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


_TARGETS = [(i, path) for i, body in enumerate(_TEMPLATES) for path in _paths(body)]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                   max_size=4),
    max_leaves=8)


def _replace(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(_TARGETS), value=_JSON)
def test_job_bodies_with_wrong_types_never_answer_500(api: Api, target: tuple[int, Any],
                                                       value: Any) -> None:
    index, path = target
    body = _replace(_TEMPLATES[index], path, value)
    response = api.post("/jobs", data=json.dumps(body, allow_nan=True),
                        headers={"Content-Type": "application/json"})
    assert response.status_code < 500, (path, value, response.text)
    assert "errors" in response.json() or response.status_code == 200


_TOKENS = ["qubit[", "bit[", "qreg q[", "]", "[", "{", "}", "(", ")", ";", "\n", " ", ",", ":",
           "for int i in ", "gate g a, b ", "g a, b;", "$", "0", "7", "99999999999", "-1", "q",
           "c", "measure ", "= measure $0;", "x ", "cx ", "ecr ", "rz(", "pi", "**", "//", "/*",
           "*/", "if (c[0]) ", "while (c == 0) ", "let a = q[0:2];", "input float[64] t;",
           "include \"stdgates.inc\";", "0x10", "1_0", "π", "\u00e9", "@", "ctrl @ "]
_BASE = (H + "qubit[2] q;\nbit[2] c;\ngate g a, b { ecr a, b; }\nfor int i in [0:3] { x q[0]; }\n"
         "c[0] = measure q[0];\n")


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, len(_BASE)), st.lists(st.sampled_from(_TOKENS),
                                                                    max_size=6)), max_size=6))
def test_mangled_programs_never_answer_500(api: Api,
                                           edits: list[tuple[int, list[str]]]) -> None:
    program = _BASE
    for position, tokens in sorted(edits, reverse=True):
        program = program[:position] + "".join(tokens) + program[position:]
    response = api.post("/jobs", json=sampler_body([program, None, 8], backend="ibm_brisbane"))
    assert response.status_code in (200, 400), (program, response.text)


def _corpus(served: Served, headers: dict[str, str]) -> Iterator[tuple[str, str, Any]]:
    """(method, path, body-or-params) requests an attacker might send with valid credentials."""
    bodies: list[Any] = [
        b"[" * 5000 + b"]" * 5000, b"\xff\xfe\x00", b"null", b"[]", b"1" * 5000, b"1e999999",
        b'{"program_id": "sampler"', json.dumps({"a": "b" * 100}).encode(),
        {"program_id": ["sampler"]}, {"program_id": "sampler", "backend": 7},
        {"program_id": "sampler", "backend": "ibm_brisbane", "params": []},
        {"program_id": "sampler", "backend": "ibm_brisbane", "params": {"pubs": {}}},
        {"program_id": "sampler", "backend": "ibm_brisbane", "params": {"pubs": [[1, 2, 3]]}},
        {"program_id": "sampler", "backend": "ibm_brisbane", "params": {"pubs": [["x"]] * 3}},
        {"program_id": "sampler", "backend": "ibm_brisbane", "cost": 10**30,
         "params": {"pubs": [[BELL_MANILA]]}},
        {"program_id": "sampler", "backend": "ibmq_manila",
         "params": {"pubs": [[BELL_MANILA, [[10**400]], 10**30]]}},
        {"program_id": "sampler", "backend": "ibmq_manila", "session_id": {"x": 1},
         "params": {"pubs": [[BELL_MANILA]]}},
        {"program_id": "estimator", "backend": "ibmq_manila",
         "params": {"pubs": [[BELL_MANILA, [[[[{"Z" * 10**4: 1}]]]]]]}},
    ]
    programs = [nested_gates(20), H + "qubit[99999999999] q;\n// x\n",
                H + "qubit[" + "(" * 1000 + "1" + ")" * 1000 + "] q;\n",
                H + "bit[1] c;\nrz(" + "(" * 3000 + "1" + ")" * 3000 + ") $0;\n",
                H + "bit[1] c;\nfor int i in {" + "1," * 200000 + "1} { x $0; }\n"]
    bodies += [sampler_body([program], backend="ibm_brisbane") for program in programs]
    for body in bodies:
        yield "POST", "/jobs", body
    for body in ({"mode": 5}, {"max_ttl": "x"}, {"max_ttl": 10**30}, {"backend": ["x"]},
                 b"[" * 2000):
        yield "POST", "/sessions", body
    for query in ("limit=-1", "limit=abc", f"limit={10**30}", f"offset={10**30}",
                  "created_after=garbage", "sort=" + "x" * 5000, "tags=" + "%00" * 100,
                  "pending=maybe&exclude_params=%ff"):
        yield "GET", "/jobs?" + query, None
    for path in ("/jobs/%00", "/jobs/" + "a" * 10000, "/../../etc/passwd", "//jobs//x//",
                 "/backends/%ff/properties", "/backends/ibm_brisbane/properties?"
                 "updated_before=garbage", "/backends/ibm_brisbane/../../x", "/sessions/%2e%2e",
                 "/jobs/x/results?x=%zz", "/tags?search=" + "%" * 100, "/instances/usage?x=1"):
        yield "GET", path, None
    for form in (b"apikey=%ff%fe&grant_type=urn:ibm:params:oauth:grant-type:apikey",
                 b"grant_type=" + b"&" * 50000, b"apikey[]=x&apikey=\x00", b"\xff" * 1000):
        yield "POST", "/identity/token", form
    yield "PUT", "/jobs/x/tags", {"tags": {"a": 1}}
    yield "PATCH", "/sessions/x", [1, 2]
    yield "DELETE", "/sessions/" + "x" * 5000 + "/close", None


def _raw_corpus() -> Iterator[bytes]:
    """Malformed HTTP sent over a raw socket (no credentials; the connection closes after)."""
    for request in _raw_requests():
        yield request.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n", 1)


def _raw_requests() -> Iterator[bytes]:
    yield b"GARBAGE\r\n\r\n"
    yield b"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"
    yield b"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"
    yield (b"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
           b"Content-Length: 7\r\n\r\nhello")
    yield b"GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"a" * 60000 + b"\r\n\r\n"
    yield (b"GET /api/v1/backends HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n"
           b"Service-CRN: \xe2\x98\x83\r\nIBM-API-Version: \x01\r\n\r\n")
    yield b"PROPFIND /api/v1/jobs HTTP/1.1\r\nHost: x\r\n\r\n"
    yield b"GET /api/v1/versions?" + b"%" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    yield (b"POST /identity/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"zz\r\nxx\r\n0\r\n\r\n")
    yield (b"POST /identity/token HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
           b"Content-Length: 999999999\r\n\r\n")


def _send(served: Served, headers: dict[str, str], method: str, path: str,
          body: Any) -> requests.Response:
    kwargs: dict[str, Any] = {"headers": {**headers, "Content-Type": "application/json"}}
    if isinstance(body, bytes):
        kwargs["data"] = body
    elif body is not None:
        kwargs["data"] = json.dumps(body)
    base = served.base_url if path.startswith("/identity/") else served.url
    return requests.request(method, base + path, timeout=30, **kwargs)


def test_attack_corpus_on_a_fresh_server() -> None:
    with serve("--max-body-bytes", str(4 * MB)) as served:
        headers = served.headers()
        for method, path, body in _corpus(served, headers):
            response = _send(served, headers, method, path, body)
            assert response.status_code < 500, (method, path[:80], response.text[:300])
            document = response.json()
            assert "errors" in document or "errorCode" in document or response.status_code < 300, (
                path[:80], response.text[:300])
        for request in _raw_corpus():
            answer = raw_request(served.port, request)
            assert not answer or status_of(answer) < 500, (request[:80], answer[:300])
        for method, path in (("POST", "/backends"), ("DELETE", "/versions"), ("GET", "/nope")):
            response = _send(served, headers, method, path, None)
            assert response.status_code in (404, 405) and "errors" in response.json()
        # Still answering, and still running jobs.
        job = _send(served, headers, "POST", "/jobs", sampler_body([BELL_MANILA, None, 8]))
        assert job.status_code == 200, job.text
        job_id = job.json()["id"]
        deadline = time.monotonic() + 60  # a fresh server's worker may still be importing Aer
        while time.monotonic() < deadline:
            doc = _send(served, headers, "GET", f"/jobs/{job_id}", None).json()
            if doc["state"]["status"] == "Completed":
                break
            time.sleep(0.01)
        assert doc["state"]["status"] == "Completed"
        assert served.proc.poll() is None


def test_a_real_bug_answers_500_in_the_error_shape() -> None:
    """The catch-all: a crashing route answers our errors body, and check_errors() has it."""
    with LocalRuntimeServer() as broken:
        api = Api(broken, broken.api_key, broken.instance)
        broken._st.store.close()  # every route that reads the store now fails: a server bug
        response = api.get("/jobs")  # lists jobs from the (closed) database
        assert response.status_code == 500, response.text
        assert response.json()["errors"][0]["message"].startswith("Internal server error")
        with pytest.raises(Exception, match="closed"):
            broken.check_errors()
