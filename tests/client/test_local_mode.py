"""Local testing mode: any qiskit backend as ``mode`` runs on the embedded local server, over
real HTTP, with the backend's Target and noise."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from qiskit import QuantumCircuit
from qiskit.providers.basic_provider import BasicSimulator
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer import AerSimulator

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives._backends._local_mode import embedded_server

from ..circuits import bell


def _isa(backend: object, circuit: QuantumCircuit) -> QuantumCircuit:
    return generate_preset_pass_manager(optimization_level=1, backend=backend,
                                        seed_transpiler=7).run(circuit)


def _wrong(counts: dict[str, int]) -> int:
    return sum(n for key, n in counts.items() if key not in ("00", "11"))


def test_sampler_on_a_generic_backend_goes_over_http() -> None:
    generic = GenericBackendV2(5, seed=11)
    sampler = qrp.SamplerV2(mode=generic)
    backend = sampler.backend()
    assert isinstance(backend, qrp.RuntimeBackend) and backend.name == "generic_backend_5q"
    # The server describes the user's Target: same instructions, qubits, errors, durations.
    for name in generic.target.operation_names:
        theirs, ours = generic.target[name], backend.target[name]
        assert set(theirs) == set(ours), name
        for qargs, props in theirs.items():
            if props is not None and props.error is not None and name != "delay":
                assert ours[qargs].error == pytest.approx(props.error, abs=1e-15)
                assert ours[qargs].duration == pytest.approx(props.duration, rel=1e-9)
    job = sampler.run([_isa(generic, bell())], shots=500)
    counts = job.result()[0].data.meas.get_counts()
    assert sum(counts.values()) == 500 and counts.get("00", 0) + counts.get("11", 0) > 450
    server = embedded_server()
    assert server is not None
    posted = [r for r in server.requests if r.method == "POST" and r.path.endswith("/jobs")]
    assert any(r.json()["backend"] == backend.name for r in posted)
    assert qrp.SamplerV2(mode=generic).backend() is backend  # handed over once per object


def test_estimator_on_aer_simulator() -> None:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    estimator = qrp.EstimatorV2(mode=AerSimulator())
    assert estimator.backend().configuration().simulator is True
    assert estimator.backend().properties() is None
    result = estimator.run([(circuit, [SparsePauliOp("ZZ"), SparsePauliOp("XY")])],
                           precision=0.01).result()
    zz, xy = result[0].data.evs
    assert zz == pytest.approx(1.0, abs=0.05) and xy == pytest.approx(0.0, abs=0.05)


def test_estimator_on_a_generic_backend_noisy_and_ideal() -> None:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    values = {}
    for label, generic in (("noisy", GenericBackendV2(3, seed=9)),
                           ("ideal", GenericBackendV2(3, seed=9, noise_info=False))):
        isa = _isa(generic, circuit)
        observables = [SparsePauliOp(p).apply_layout(isa.layout) for p in ("ZZ", "XX")]
        estimator = qrp.EstimatorV2(mode=generic)
        estimator.options.seed_estimator = 3
        values[label] = estimator.run([(isa, observables)], precision=1e-5).result()[0].data.evs
    assert values["ideal"] == pytest.approx([1.0, 1.0], abs=1e-4)
    assert all(0.9 < v < 0.999 for v in values["noisy"])  # ~0.9967: the gate errors bite


def test_sampler_on_aer_simulator_takes_unrestricted_circuits() -> None:
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.ccx(0, 1, 2)  # any standard gate, any qubits: Aer's Target is global
    circuit.cx(0, 2)
    circuit.measure_all()
    counts = qrp.SamplerV2(mode=AerSimulator()).run([circuit], shots=200).result()[
        0].data.meas.get_counts()
    assert set(counts) <= {"000", "101"} and sum(counts.values()) == 200


def test_a_target_without_a_width_runs_any_width() -> None:
    """qiskit's BasicSimulator has a Target of no fixed width: offered all-to-all, 30 qubits."""
    simulator = BasicSimulator()
    assert simulator.target.num_qubits is None
    sampler = qrp.SamplerV2(mode=simulator)
    assert sampler.backend().num_qubits == 30
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 2)
    circuit.measure_all()
    counts = sampler.run([circuit], shots=100).result()[0].data.meas.get_counts()
    assert set(counts) <= {"000", "101"} and sum(counts.values()) == 100


@pytest.mark.parametrize("mode_class", [qrp.Session, qrp.Batch])
def test_session_and_batch_on_a_generic_backend(mode_class: type[qrp.Session]) -> None:
    generic = GenericBackendV2(3, seed=5)
    circuit = _isa(generic, bell())
    with mode_class(generic) as mode:
        assert mode.backend().startswith("generic_backend_3q") if callable(mode.backend) \
            else mode.backend.name.startswith("generic_backend_3q")
        jobs = [qrp.SamplerV2(mode=mode).run([circuit], shots=50) for _ in range(2)]
        counts = [job.result()[0].data.meas.get_counts() for job in jobs]
    assert all(sum(c.values()) == 50 for c in counts)
    assert {job.session_id for job in jobs} == {mode.session_id}
    server = embedded_server()
    assert server is not None
    created = [r.json() for r in server.requests
               if r.method == "POST" and r.path.endswith("/sessions")]
    assert {"mode": mode_class.mode}.items() <= created[-1].items()


def test_noise_is_visible_on_a_noisy_backend_only() -> None:
    noisy = GenericBackendV2(2, seed=3)
    ideal = GenericBackendV2(2, seed=3, noise_info=False)
    shots = 20_000
    counts = {}
    for label, backend in (("noisy", noisy), ("ideal", ideal)):
        sampler = qrp.SamplerV2(mode=backend)
        sampler.options.simulator.seed_simulator = 1234
        job = sampler.run([_isa(backend, bell())], shots=shots)
        counts[label] = job.result()[0].data.meas.get_counts()
    assert _wrong(counts["ideal"]) == 0
    # Readout errors of 1.6e-3 and 2.9e-3 and a cx error of 8e-4 flip ~0.5 % of the shots.
    assert 20 < _wrong(counts["noisy"]) < 400
    names = {qrp.SamplerV2(mode=b).backend().name for b in (noisy, ideal)}
    assert len(names) == 2  # same name, different backends: served under two names


def test_fake_backend_from_the_official_package() -> None:
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    fake = FakeManilaV2()
    sampler = qrp.SamplerV2(mode=fake)
    assert sampler.backend().configuration().n_qubits == 5
    assert sampler.backend().properties().t1(0) == pytest.approx(fake.target.qubit_properties[0].t1)
    counts = sampler.run([_isa(fake, bell())], shots=300).result()[0].data.meas.get_counts()
    assert sum(counts.values()) == 300 and _wrong(counts) > 0  # Manila's noise comes along


def _run_script(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                          text=True, timeout=120)


def test_without_the_server_extra_the_error_says_what_to_install() -> None:
    done = _run_script("""
        import sys
        sys.modules["fastapi"] = None  # as if the [server] extra were not installed
        from qiskit.providers.fake_provider import GenericBackendV2
        import qiskit_rest_primitives as qrp
        try:
            qrp.SamplerV2(mode=GenericBackendV2(2))
        except qrp.exceptions.ConfigurationError as exc:
            print(exc)
    """)
    assert done.returncode == 0, done.stderr
    assert 'pip install "qiskit-rest-primitives[server]"' in done.stdout


def test_embedded_server_starts_on_first_use_and_stops_at_exit() -> None:
    done = _run_script("""
        from qiskit import QuantumCircuit
        from qiskit.providers.fake_provider import GenericBackendV2
        import qiskit_rest_primitives as qrp
        from qiskit_rest_primitives._backends._local_mode import embedded_server
        assert embedded_server() is None
        circuit = QuantumCircuit(1)
        circuit.x(0)
        circuit.measure_all()
        result = qrp.SamplerV2(mode=GenericBackendV2(2, noise_info=False)).run([circuit]).result()
        print(result[0].data.meas.get_counts(), embedded_server().url)
    """)
    assert done.returncode == 0, done.stderr
    assert "{'1': 4096}" in done.stdout and "http://127.0.0.1:" in done.stdout
