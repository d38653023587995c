"""IBM's documented flows, as written for qiskit-ibm-runtime, with only the import name switched.

Each script below is the official documentation's code (hello world, sessions, batches,
options, job monitoring, saved account) written against ``qiskit_ibm_runtime``; the test
replaces that module name by ``qiskit_rest_primitives`` and runs it against the local server,
configured by the environment alone (``QISKIT_IBM_URL``, ``IAM_URL``, ``QISKIT_IBM_TOKEN``,
``QISKIT_IBM_INSTANCE``), as a user's shell would be.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from qiskit_rest_primitives.local import LocalRuntimeServer

HELLO_WORLD = """
# [start-hello-world]
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import EstimatorV2 as Estimator
from qiskit_ibm_runtime import QiskitRuntimeService

qc = QuantumCircuit(2)
qc.h(0)
qc.cx(0, 1)
observables_labels = ["IZ", "IX", "ZI", "XI", "ZZ", "XX"]
observables = [SparsePauliOp(label) for label in observables_labels]

service = QiskitRuntimeService()
backend = service.least_busy(simulator=False, operational=True)
pm = generate_preset_pass_manager(backend=backend, optimization_level=1)
isa_circuit = pm.run(qc)

estimator = Estimator(mode=backend)
estimator.options.resilience_level = 1
estimator.options.default_shots = 5000
mapped_observables = [observable.apply_layout(isa_circuit.layout) for observable in observables]
job = estimator.run([(isa_circuit, mapped_observables)])
print(f">>> Job ID: {job.job_id()}")
print(f">>> Job Status: {job.status()}")
job_result = job.result()
pub_result = job.result()[0]
values = pub_result.data.evs
errors = pub_result.data.stds
# [end-hello-world]
"""

SESSION = """
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import QiskitRuntimeService, Session
from qiskit_ibm_runtime import SamplerV2 as Sampler
from qiskit_ibm_runtime import EstimatorV2 as Estimator

service = QiskitRuntimeService()
backend = service.least_busy(operational=True, simulator=False, min_num_qubits=2)
circuit = random_circuit(2, 2, seed=1).decompose(reps=1)
circuit.measure_all()
observable = SparsePauliOp("IY")
pm = generate_preset_pass_manager(backend=backend, optimization_level=1)
isa_circuit = pm.run(circuit)
isa_observable = observable.apply_layout(isa_circuit.layout)
unmeasured = pm.run(circuit.remove_final_measurements(inplace=False))
isa_unmeasured_observable = observable.apply_layout(unmeasured.layout)

with Session(backend=backend) as session:
    estimator = Estimator(mode=session)
    sampler = Sampler(mode=session)
    job = estimator.run([(unmeasured, isa_unmeasured_observable)])
    another_job = sampler.run([isa_circuit])
    result = job.result()
    another_result = another_job.result()
    print(session.details())
    print(session.status())
    session_id = session.session_id

# Reattach to the session later.
session = Session.from_id(session_id, service)
print(session.backend(), session.usage())
"""

BATCH = """
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import Batch, QiskitRuntimeService, SamplerV2 as Sampler

service = QiskitRuntimeService()
backend = service.least_busy(operational=True, simulator=False)
pm = generate_preset_pass_manager(backend=backend, optimization_level=1)
circuits = []
for n in range(1, 4):
    qc = QuantumCircuit(n)
    qc.x(range(n))
    qc.measure_all()
    circuits.append(pm.run(qc))

with Batch(backend=backend) as batch:
    sampler = Sampler(mode=batch)
    jobs = [sampler.run([circuit], shots=100) for circuit in circuits]
results = [job.result() for job in jobs]
counts = [result[0].data.meas.get_counts() for result in results]
"""

OPTIONS = """
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import QiskitRuntimeService, SamplerV2 as Sampler, SamplerOptions

service = QiskitRuntimeService()
backend = service.least_busy(operational=True, simulator=False)
qc = QuantumCircuit(1)
qc.x(0)
qc.measure_all()
isa = generate_preset_pass_manager(backend=backend, optimization_level=1).run(qc)

options = SamplerOptions(default_shots=300)
sampler = Sampler(mode=backend, options=options)
sampler.options.dynamical_decoupling.enable = True
sampler.options.dynamical_decoupling.sequence_type = "XpXm"
sampler.options.twirling.enable_gates = True
sampler.options.update(default_shots=200)
other = Sampler(mode=backend, options={"default_shots": 100})
job = sampler.run([isa])
counts = job.result()[0].data.meas.get_counts()
other_counts = other.run([isa]).result()[0].data.meas.get_counts()
"""

MONITOR = """
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import QiskitRuntimeService, SamplerV2 as Sampler
from qiskit_ibm_runtime.exceptions import RuntimeJobNotFound

service = QiskitRuntimeService()
backend = service.least_busy(operational=True, simulator=False)
qc = QuantumCircuit(1)
qc.h(0)
qc.measure_all()
isa = generate_preset_pass_manager(backend=backend, optimization_level=1).run(qc)
job = Sampler(mode=backend).run([isa], shots=50)
job_id = job.job_id()

retrieved_job = service.job(job_id)
print(retrieved_job.status())
retrieved_job.wait_for_final_state()
result = retrieved_job.result()
print(retrieved_job.metrics()["usage"], retrieved_job.usage(), retrieved_job.usage_estimation)
print(retrieved_job.inputs["pubs"][0][0])
recent = service.jobs(limit=5, backend_name=backend.name)
pending = service.jobs(pending=True)
try:
    service.job("thisjobdoesnotexist0")
except RuntimeJobNotFound:
    missing = True
"""

SAVED_ACCOUNT = """
from qiskit_ibm_runtime import QiskitRuntimeService

QiskitRuntimeService.save_account(
    channel="ibm_quantum_platform",
    token=API_KEY,
    instance=CRN,
    url=URL,
    name="my-account",
    set_as_default=True,
    overwrite=True,
)
service = QiskitRuntimeService()
named = QiskitRuntimeService(name="my-account")
accounts = QiskitRuntimeService.saved_accounts()
backends = service.backends()
"""

README_CLIENT_SIDE = """
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import QiskitRuntimeService, Session
from qiskit_ibm_runtime.executor_sampler import Sampler
from qiskit_ibm_runtime.executor_estimator import Estimator

service = QiskitRuntimeService()
backend = service.least_busy(operational=True, simulator=False)
pm = generate_preset_pass_manager(backend=backend, optimization_level=1)

bell = QuantumCircuit(2)
bell.h(0)
bell.cx(0, 1)
bell.measure_all()
sampler = Sampler(mode=backend)
sampler.options.default_shots = 1024
counts = sampler.run([pm.run(bell)]).result()[0].data.meas.get_counts()

theta = Parameter("θ")
circuit = QuantumCircuit(3)
circuit.h(0)
circuit.p(theta, 0)
circuit.cx(0, 1)
circuit.cx(0, 2)
isa_circuit = pm.run(circuit)
observable = SparsePauliOp.from_list([("XXY", 1), ("XYX", 1), ("YXX", 1), ("YYY", -1)])
isa_observable = observable.apply_layout(isa_circuit.layout)
with Session(backend=backend) as session:
    estimator = Estimator(mode=session)
    estimator.options.default_precision = 0.03
    evs = estimator.run([(isa_circuit, isa_observable, [[0.0], [1.5707963]])]).result()[0].data.evs
"""


def _run(script: str, **names: Any) -> dict[str, Any]:
    """Run ``script`` with its ``qiskit_ibm_runtime`` imports switched to ours."""
    source = textwrap.dedent(script).replace("qiskit_ibm_runtime", "qiskit_rest_primitives")
    scope: dict[str, Any] = {"__name__": "__doc_flow__", **names}
    exec(compile(source, "<doc flow>", "exec"), scope)
    return scope


@pytest.fixture
def account_env(server: LocalRuntimeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The official environment variables, pointing at the local server."""
    monkeypatch.setenv("QISKIT_IBM_URL", server.base_url)
    monkeypatch.setenv("IAM_URL", server.base_url)
    monkeypatch.setenv("QISKIT_IBM_TOKEN", server.api_key)
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", server.instance)


@pytest.mark.usefixtures("account_env")
def test_hello_world() -> None:
    scope = _run(HELLO_WORLD)
    assert scope["values"].shape == (6,)
    assert abs(scope["values"][4] - 1.0) < 0.2  # <ZZ> of a Bell state
    assert scope["job"].status() == "DONE"


@pytest.mark.usefixtures("account_env")
def test_session() -> None:
    scope = _run(SESSION)
    assert scope["result"][0].data.evs.shape == ()
    assert scope["another_result"][0].data.meas.num_shots > 0
    assert scope["session"].session_id == scope["session_id"]


@pytest.mark.usefixtures("account_env")
def test_batch() -> None:
    scope = _run(BATCH)
    assert scope["counts"] == [{"1": 100}, {"11": 100}, {"111": 100}]
    assert {job.session_id for job in scope["jobs"]} == {scope["batch"].session_id}


@pytest.mark.usefixtures("account_env")
def test_options() -> None:
    scope = _run(OPTIONS)
    assert sum(scope["counts"].values()) == 200
    assert sum(scope["other_counts"].values()) == 100


@pytest.mark.usefixtures("account_env")
def test_monitor_a_job() -> None:
    scope = _run(MONITOR)
    assert scope["missing"] is True
    assert scope["job_id"] in [job.job_id() for job in scope["recent"]]
    assert sum(scope["result"][0].data.meas.get_counts().values()) == 50


def test_saved_account(server: LocalRuntimeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAM_URL", server.base_url)  # the only variable: the rest is saved
    scope = _run(SAVED_ACCOUNT, API_KEY=server.api_key, CRN=server.instance, URL=server.base_url)
    assert scope["service"].instance == scope["named"].instance == server.instance
    assert "my-account" in scope["accounts"] and scope["backends"]


@pytest.mark.usefixtures("account_env")
def test_readme_client_side_primitives() -> None:
    """The official README imports its primitives from ``executor_sampler``/``executor_estimator``."""
    scope = _run(README_CLIENT_SIDE)
    assert sum(scope["counts"].values()) == 1024
    assert scope["evs"].shape == (2,)
    assert abs(scope["evs"][1] - 4.0) < 0.5  # the maximum, at theta = pi/2
