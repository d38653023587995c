"""Pubs of one job that send the same circuit text: parsed once, counted every time."""

from __future__ import annotations

import pytest

from qiskit_rest_primitives.local import Limits
from qiskit_rest_primitives.local.api._errors import ApiError
from qiskit_rest_primitives.local.circuits._pubs import prepare
from qiskit_rest_primitives.local.state._backends import load_backend

TEXT = ('OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] a;\nbit[1] c;\n'
        "rz(a) $0;\nsx $0;\nrz(a) $0;\nc[0] = measure $0;\n")  # 4 instructions


def _params(count: int) -> dict[str, object]:
    return {"pubs": [[TEXT, [[0.1 * i]], 10] for i in range(count)], "version": 2}


def test_one_circuit_object_serves_every_pub_with_that_text() -> None:
    job = prepare("sampler", _params(3), load_backend("ibmq_manila"))
    assert job.pubs[0].circuit is job.pubs[1].circuit is job.pubs[2].circuit
    assert [float(pub.parameter_values.as_array()[0, 0]) for pub in job.pubs] == [0.0, 0.1, 0.2]


def test_each_pub_still_counts_against_the_instruction_limit() -> None:
    limits = Limits(max_instructions=10)
    prepare("sampler", _params(2), load_backend("ibmq_manila"), limits)  # 8 instructions
    with pytest.raises(ApiError, match=r"pub 2: .*max_instructions"):
        prepare("sampler", _params(3), load_backend("ibmq_manila"), limits)  # 12


def test_a_text_is_read_once_per_process_for_a_backend_and_limits() -> None:
    first = prepare("sampler", _params(1), load_backend("ibmq_manila"))
    again = prepare("sampler", _params(2), load_backend("ibmq_manila"))
    assert again.pubs[0].circuit is again.pubs[1].circuit is first.pubs[0].circuit
    assert again.memo(again.pubs[0].circuit) is first.memo(first.pubs[0].circuit)
    other = prepare("sampler", _params(1), load_backend("ibm_brisbane"))
    assert other.pubs[0].circuit is not first.pubs[0].circuit
    assert other.pubs[0].circuit.num_qubits == 127


def test_a_known_text_is_still_checked_against_the_backend_and_the_limits() -> None:
    cx = ('OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\ncx $0, $1;\n'
          "c[0] = measure $0;\nc[1] = measure $1;\n")
    params = {"pubs": [[cx, None, 10]], "version": 2}
    prepare("sampler", params, load_backend("ibmq_manila"))
    with pytest.raises(ApiError, match="pub 0: instruction 'cx' is not in the instruction set"):
        prepare("sampler", params, load_backend("ibm_brisbane"))
    prepare("sampler", _params(1), load_backend("ibmq_manila"))
    with pytest.raises(ApiError, match=r"pub 0: .*max_instructions"):
        prepare("sampler", _params(1), load_backend("ibmq_manila"), Limits(max_instructions=3))
