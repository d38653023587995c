"""SamplerV2 on the local server against qiskit's reference samplers, pub form by pub form.

Each case runs the same logical pub through our sampler (transpiled for ``ibmq_manila``) and
through a reference (``StatevectorSampler``, or ``BackendSamplerV2`` on Aer for dynamic
circuits), then compares shapes, dtypes, register names and order, shots and statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter, ParameterVector
from qiskit.primitives import BackendSamplerV2, StatevectorSampler
from qiskit.primitives.containers import BindingsArray, BitArray
from qiskit_aer import AerSimulator

import qiskit_rest_primitives as qrp

from ..circuits import bell

SHOTS = 2000


def _ry_sweep() -> QuantumCircuit:
    theta = Parameter("theta")
    qc = QuantumCircuit(1, 1)
    qc.ry(theta, 0)
    qc.measure(0, 0)
    return qc


def _vector_sweep() -> QuantumCircuit:
    th = ParameterVector("th", 12)  # 12 elements: exercises the _th_10_ ordering pitfall
    qc = QuantumCircuit(3)
    for i, p in enumerate(th):
        qc.ry(p, i % 3)
    qc.measure_all()
    return qc


def _registers() -> QuantumCircuit:
    qr = QuantumRegister(3)
    alpha, beta = ClassicalRegister(2, "alpha"), ClassicalRegister(1, "beta")
    qc = QuantumCircuit(qr, beta, alpha)  # register order kept: beta before alpha
    qc.x(0)
    qc.h(2)
    qc.measure(0, alpha[0])
    qc.measure(1, alpha[1])
    qc.measure(2, beta[0])
    return qc


def _mid_circuit_if() -> QuantumCircuit:
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    qc.measure(1, 1)
    return qc


def _switch() -> QuantumCircuit:
    creg = ClassicalRegister(2, "c")
    out = ClassicalRegister(1, "out")
    qc = QuantumCircuit(QuantumRegister(3), creg, out)
    qc.h(0)
    qc.h(1)
    qc.measure(0, creg[0])
    qc.measure(1, creg[1])
    with qc.switch(creg) as case:
        with case(0, 3):
            qc.x(2)
        with case(case.DEFAULT):
            pass
    qc.measure(2, out[0])
    return qc


def _for_loop() -> QuantumCircuit:
    qc = QuantumCircuit(1, 1)
    with qc.for_loop(range(3)):
        qc.x(0)
    qc.measure(0, 0)
    return qc


def _metadata() -> QuantumCircuit:
    qc = bell()
    qc.metadata = {"experiment": "bell", "n": 3}
    return qc


angles = np.linspace(0, np.pi, 4)
CASES: dict[str, tuple[Callable[[], QuantumCircuit], Callable[[QuantumCircuit], Any], bool]] = {
    # name: (circuit builder, pub from a circuit, dynamic?)
    "bare circuit": (bell, lambda c: c, False),
    "1-tuple": (bell, lambda c: (c,), False),
    "params 1-d": (_ry_sweep, lambda c: (c, angles.reshape(4, 1)), False),
    "params and shots": (_ry_sweep, lambda c: (c, [[0.3], [2.0]], 500), False),
    "params dict": (_ry_sweep, lambda c: (c, {"theta": angles}), False),
    "bindings array": (_ry_sweep, lambda c: (c, BindingsArray({c.parameters[0]: angles})), False),
    "params 2-d sweep": (_ry_sweep, lambda c: (c, np.linspace(0, 3, 6).reshape(2, 3, 1)), False),
    "parameter vector": (_vector_sweep,
                         lambda c: (c, np.random.default_rng(1).uniform(0, 3, (2, 12))), False),
    "several registers": (_registers, lambda c: c, False),
    "no parameters, shots": (bell, lambda c: (c, None, 300), False),
    "circuit metadata": (_metadata, lambda c: c, False),
    "mid-circuit if_else": (_mid_circuit_if, lambda c: c, True),
    "switch": (_switch, lambda c: c, True),
    "for loop": (_for_loop, lambda c: c, True),
}


def _with_circuit(pub: Any, circuit: QuantumCircuit) -> Any:
    if isinstance(pub, QuantumCircuit):
        return circuit
    return (circuit, *pub[1:])


def _tvd(a: BitArray, b: BitArray) -> float:
    ca, cb = a.get_counts(), b.get_counts()
    na, nb = a.num_shots, b.num_shots
    return 0.5 * sum(abs(ca.get(k, 0) / na - cb.get(k, 0) / nb) for k in set(ca) | set(cb))


@pytest.mark.parametrize("case", list(CASES))
def test_sampler_matches_reference(case: str, manila: qrp.RuntimeBackend, manila_pm) -> None:  # type: ignore[no-untyped-def]
    build, make_pub, dynamic = CASES[case]
    logical = build()
    pub = make_pub(logical)
    isa_pub = _with_circuit(pub, manila_pm.run(logical))
    reference = (BackendSamplerV2(backend=AerSimulator(seed_simulator=3)) if dynamic
                 else StatevectorSampler(seed=3))
    ours = qrp.Sampler(mode=manila).run([isa_pub], shots=SHOTS).result(timeout=120)[0]
    ref = reference.run([pub], shots=SHOTS).result()[0]

    assert ours.data.shape == ref.data.shape
    assert list(ours.data.keys()) == list(ref.data.keys())
    assert ours.metadata["circuit_metadata"] == ref.metadata.get("circuit_metadata", {})
    for name in ref.data:
        mine, theirs = ours.data[name], ref.data[name]
        assert isinstance(mine, BitArray)
        assert mine.num_bits == theirs.num_bits
        assert mine.num_shots == theirs.num_shots
        assert mine.array.dtype == theirs.array.dtype == np.uint8
        assert mine.array.shape == theirs.array.shape
        for index in np.ndindex(ref.data.shape):
            assert _tvd(mine[index], theirs[index]) < 0.12, (name, index)


def test_per_pub_shots_override_run_shots(manila: qrp.RuntimeBackend, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(bell())
    result = qrp.Sampler(mode=manila).run([(isa, None, 123), isa], shots=77).result(timeout=60)
    assert [r.data.meas.num_shots for r in result] == [123, 77]


def test_default_shots_option(manila: qrp.RuntimeBackend, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(bell())
    sampler = qrp.Sampler(mode=manila, options={"default_shots": 321})
    assert sampler.run([isa]).result(timeout=60)[0].data.meas.num_shots == 321


def test_while_loop_on_a_backend_that_supports_it(service: qrp.RuntimeService) -> None:
    """``while`` needs a backend that lists it (the Heron-class ``ibm_torino``)."""
    from qiskit.transpiler import generate_preset_pass_manager

    backend = service.backend("ibm_torino")
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure(0, 0)
    with qc.while_loop((qc.clbits[0], 1)):  # re-roll until the coin shows 0
        qc.h(0)
        qc.measure(0, 0)
    qc.x(1)
    qc.measure(1, 1)
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend, seed_transpiler=3).run(qc)
    ours = qrp.Sampler(mode=backend).run([isa], shots=SHOTS).result(timeout=120)[0]
    ref = BackendSamplerV2(backend=AerSimulator(seed_simulator=3)).run([qc], shots=SHOTS).result()[0]
    assert list(ours.data.keys()) == list(ref.data.keys()) == ["c"]
    assert ours.data.c.get_counts() == ref.data.c.get_counts() == {"10": SHOTS}
