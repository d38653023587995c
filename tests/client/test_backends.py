"""Backends over HTTP: discovery and filters, configuration and properties objects, calibration
ids, fractional gates, refresh/history/status, deepcopy — against the local server."""

from __future__ import annotations

import copy
import logging
import math
from datetime import datetime, timedelta, timezone

import pytest
from qiskit import QuantumCircuit
from qiskit.providers.exceptions import QiskitBackendNotFoundError
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.transpiler import Target

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives._backends._backend_config import BackendConfiguration
from qiskit_rest_primitives._backends._backend_properties import BackendProperties
from qiskit_rest_primitives.exceptions import BackendPropertyError, NotFoundError
from qiskit_rest_primitives.local import LocalRuntimeServer

BUILT_IN = {"ibm_brisbane", "ibm_torino", "ibmq_manila"}


def _paths(server: LocalRuntimeServer, suffix: str) -> list[str]:
    return [r.path for r in server.requests if r.path.endswith(suffix)]


def test_backends_and_their_filters(service: qrp.RuntimeService,
                                    server: LocalRuntimeServer) -> None:
    assert {b.name for b in service.backends()} == BUILT_IN
    assert [b.name for b in service.backends("ibmq_manila")] == ["ibmq_manila"]
    assert service.backends("ibm_nowhere") == []
    assert {b.name for b in service.backends(min_num_qubits=127)} == {"ibm_brisbane",
                                                                        "ibm_torino"}
    assert [b.name for b in service.backends(filters=lambda b: b.num_qubits < 10)] == [
        "ibmq_manila"]
    assert {b.name for b in service.backends(dynamic_circuits=False)} == BUILT_IN
    assert service.backends(dynamic_circuits=True) == []
    server.reset()
    assert {b.name for b in service.backends(simulator=False, operational=True)} == BUILT_IN
    assert len(_paths(server, "/status")) == 3  # operational is a status field: one call each
    assert service.backends(simulator=True) == []
    assert service.backends(operational=False) == []


def test_least_busy_as_the_docs_call_it(service: qrp.RuntimeService) -> None:
    backend = service.least_busy(operational=True, simulator=False)
    assert backend.name in BUILT_IN and backend.status().operational
    assert service.least_busy(min_num_qubits=130).name == "ibm_torino"
    chosen = service.least_busy(filters=lambda b: b.name == "ibmq_manila")
    assert chosen.name == "ibmq_manila"
    with pytest.raises(QiskitBackendNotFoundError):
        service.least_busy(min_num_qubits=1000)


def test_unknown_backend(service: qrp.RuntimeService) -> None:
    # A typo gets the names there are, not a pointer to warnings that were never logged.
    with pytest.raises(QiskitBackendNotFoundError, match="ibm_nowhere") as unknown:
        service.backend("ibm_nowhere")
    assert "the instance has ibm_brisbane, ibm_torino, ibmq_manila" in str(unknown.value)
    assert "warnings" not in str(unknown.value)


def test_physical_qubits_from_the_backend_list(service: qrp.RuntimeService) -> None:
    # Qubits plus couplers: Falcon manila has 5 qubits and 4 couplers, Eagle 127 and 144.
    assert service.backend("ibmq_manila").physical_qubits == 9
    assert service.backend("ibm_brisbane").physical_qubits == 271


def test_configuration_object(service: qrp.RuntimeService) -> None:
    backend = service.backend("ibmq_manila")
    conf = backend.configuration()
    assert isinstance(conf, BackendConfiguration)
    assert conf.n_qubits == conf.num_qubits == 5 and conf.simulator is False
    assert conf.basis_gates == ["cx", "id", "rz", "sx", "x"]
    assert [0, 1] in conf.coupling_map and "simulator" in conf and "operational" not in conf
    assert conf.max_shots == 100000 and conf.processor_type["family"] == "Falcon"
    assert math.isclose(conf.dt, 0.2222222222222222e-9)  # the wire's nanoseconds, in seconds
    assert math.isclose(backend.target.dt, conf.dt)
    assert isinstance(conf.online_date, datetime) and conf.online_date.tzinfo is not None
    document = conf.to_dict()
    assert document["backend_name"] == "ibmq_manila" and document["dt"] == 0.2222222222222222
    assert backend.basis_gates == conf.basis_gates and backend.simulator is False
    with pytest.raises(AttributeError):
        backend.foobar  # noqa: B018


def test_configuration_u_channel_scales_are_complex(service: qrp.RuntimeService) -> None:
    """The wire's ``[re, im]`` pairs read as complex numbers, in attributes and in to_dict()."""
    conf = service.backend("ibm_brisbane").configuration()
    first = conf.u_channel_lo[0][0]
    assert first["scale"] == complex(1.0, 0.0) and isinstance(first["scale"], complex)
    assert conf.to_dict()["u_channel_lo"][0][0]["scale"] == first["scale"]


def test_properties_object(service: qrp.RuntimeService) -> None:
    props = service.backend("ibmq_manila").properties()
    assert isinstance(props, BackendProperties)
    assert math.isclose(props.t1(0), 131.5286444531517e-6)
    assert math.isclose(props.t2(0), 102.20390054827382e-6)
    assert math.isclose(props.frequency(0), 4.962356469801913e9)
    assert props.readout_error(0) == 0.0353
    assert math.isclose(props.readout_length(0), 5351.11111111111e-9)
    assert props.gate_error("cx", [0, 1]) > 0 and props.gate_length("cx", (0, 1)) > 0
    value, measured = props.qubit_property(0)["T1"]
    assert value == props.t1(0) and isinstance(measured, datetime)
    assert props.qubit_property(0, "readout_error")[0] == 0.0353
    assert isinstance(props.last_update_date, datetime)
    assert props.faulty_qubits() == [] and props.faulty_gates() == []
    assert props.to_dict()["backend_name"] == "ibmq_manila"
    assert props == BackendProperties.from_dict(props.to_dict())
    with pytest.raises(BackendPropertyError):
        props.t1(99)
    with pytest.raises(KeyError):  # BackendPropertyError is a KeyError too
        props.gate_error("cx", [0, 4])


def test_properties_refresh_and_history(service: qrp.RuntimeService,
                                        server: LocalRuntimeServer) -> None:
    backend = service.backend("ibmq_manila")
    first = backend.properties()
    server.reset()
    assert backend.properties() is first and _paths(server, "/properties") == []
    refreshed = backend.properties(refresh=True)
    assert refreshed is not first and refreshed == first
    old = backend.properties(datetime=datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert old == first and backend.properties() is refreshed  # a dated snapshot is not cached
    assert server.requests[-1].query["updated_before"] == "2030-01-01T00:00:00+00:00"
    with pytest.raises(NotFoundError):  # nothing was recorded that early
        backend.properties(datetime=datetime.now() - timedelta(days=365 * 20))
    with pytest.raises(TypeError):
        backend.properties(refresh="yes")  # type: ignore[arg-type]
    assert isinstance(backend.target_history(datetime.now()), Target)


def test_refresh_status_and_deepcopy(service: qrp.RuntimeService,
                                     server: LocalRuntimeServer) -> None:
    backend = service.backend("ibmq_manila")
    target, conf = backend.target, backend.configuration()
    server.reset()
    backend.refresh()
    assert _paths(server, "/configuration") and _paths(server, "/properties")
    assert backend.configuration() is not conf and backend.configuration() == conf
    assert backend.target is not target
    server.reset()
    status = backend.status()
    backend.status()
    assert len(_paths(server, "/status")) == 2  # fetched afresh each time
    assert (status.operational, status.pending_jobs, status.status_msg) == (True, 0, "active")
    assert status.to_dict()["backend_name"] == "ibmq_manila"
    clone = copy.deepcopy(backend)
    assert clone is not backend and clone.name == backend.name
    assert clone.service is backend.service
    assert clone.configuration().basis_gates == backend.configuration().basis_gates
    assert clone.properties().last_update_date == backend.properties().last_update_date
    clone.configuration().basis_gates.append("h")
    assert "h" not in backend.configuration().basis_gates
    assert clone.status().operational
    assert backend() is backend  # older code calls the backend


def test_new_backend_object_per_call(service: qrp.RuntimeService,
                                     server: LocalRuntimeServer) -> None:
    first = service.backend("ibmq_manila")
    first.basis_gates.remove("cx")
    server.reset()
    again = service.backend("ibmq_manila")
    assert again is not first and "cx" in again.basis_gates
    assert _paths(server, "/configuration") == []  # the document is cached per service


def test_calibration_id(service: qrp.RuntimeService, server: LocalRuntimeServer,
                        caplog: pytest.LogCaptureFixture) -> None:
    good = server.calibration_id("ibmq_manila")
    backend = service.backend("ibmq_manila", calibration_id=good)
    assert backend.calibration_id == good
    asked = [r for r in server.requests if r.path.endswith(("/configuration", "/properties"))]
    assert asked and all(r.query.get("calibration_id") == good for r in asked)
    with caplog.at_level(logging.WARNING, logger="qiskit_rest_primitives"), \
            pytest.raises(QiskitBackendNotFoundError,
                          match="calibration_id 'invalid_id'; see the warnings logged"):
        service.backend("ibmq_manila", calibration_id="invalid_id")
    assert any("invalid_id" in record.getMessage() for record in caplog.records)


def _fractional_backend(server: LocalRuntimeServer) -> str:
    generic = GenericBackendV2(3, basis_gates=["cz", "rz", "sx", "x", "rzz", "rx"], seed=7)
    return server.add_backend(generic)


def test_fractional_gates_only_when_asked(service: qrp.RuntimeService,
                                          server: LocalRuntimeServer) -> None:
    name = _fractional_backend(server)
    plain = service.backend(name)
    assert "rzz" not in plain.target and "rx" not in plain.target
    assert "rzz" not in plain.basis_gates and "cz" in plain.target
    fractional = service.backend(name, use_fractional_gates=True)
    assert "rzz" in fractional.target and "rx" in fractional.target
    assert fractional.target.gate_has_angle_bounds("rzz")
    bounded = fractional.target.supported_angle_bound
    assert bounded("rzz", [0.5]) and bounded("rzz", [math.pi / 2])
    assert not bounded("rzz", [-0.1]) and not bounded("rzz", [2.0])
    assert not fractional.target.gate_has_angle_bounds("rx")
    assert fractional.options.use_fractional_gates is True
    everything = service.backend(name, use_fractional_gates=None)
    assert "rzz" in everything.target
    with pytest.raises(ValueError, match="fractional"):
        service.backend("ibmq_manila", use_fractional_gates=True)
    assert service.least_busy(use_fractional_gates=True).name == name


def test_check_faulty() -> None:
    conf = {"backend_name": "tiny", "backend_version": "1.0.0", "n_qubits": 3,
            "basis_gates": ["cx", "x"], "gates": [], "coupling_map": [[0, 1], [1, 2]],
            "online_date": "2024-01-01T00:00:00Z"}
    when = "2024-01-01T00:00:00Z"
    props = {"backend_name": "tiny", "backend_version": "1.0.0", "last_update_date": when,
             "general": [],
             "qubits": [[], [{"date": when, "name": "operational", "unit": "", "value": 0}], []],
             "gates": [{"gate": "cx", "qubits": [0, 1], "parameters": [
                 {"date": when, "name": "operational", "unit": "", "value": 0}]}]}
    backend = qrp.RuntimeBackend(conf, props)
    assert backend.properties().faulty_qubits() == [1]
    assert 1 not in [q for (q,) in backend.target["x"]]  # faulty qubits leave the Target
    ok = QuantumCircuit(3)
    ok.x(0)
    ok.barrier()
    backend.check_faulty(ok)
    bad = QuantumCircuit(3)
    bad.x(1)
    with pytest.raises(ValueError, match="faulty qubit 1"):
        backend.check_faulty(bad)
    props["qubits"] = [[], [], []]
    edge = QuantumCircuit(3)
    edge.cx(0, 1)
    with pytest.raises(ValueError, match="faulty edge"):
        qrp.RuntimeBackend(conf, props).check_faulty(edge)


def test_backends_of_another_instance_of_the_account(service: qrp.RuntimeService,
                                                     server: LocalRuntimeServer) -> None:
    from qiskit_rest_primitives import ResourceController

    from ..circuits import bell
    from ..conftest import FAST_RETRY

    with ResourceController(server.api_key, url=server.resource_controller_url,
                            iam_url=server.iam_url, retry=FAST_RETRY) as controller:
        team = controller.create_instance("team", resource_group="rg",
                                          resource_plan_id="premium", target="us-east",
                                          backends=["ibmq_manila"])
    assert [b.name for b in service.backends(instance="team")] == ["ibmq_manila"]
    assert {b.name for b in service.backends()} == BUILT_IN  # the service's own instance
    backend = service.backend("ibmq_manila", instance=team.crn)
    assert backend.instance == team.crn and backend.service is not service
    with pytest.raises(QiskitBackendNotFoundError):
        service.backend("ibm_brisbane", instance="team")  # not on that instance's list
    assert service.least_busy(instance="team").name == "ibmq_manila"
    from qiskit.transpiler import generate_preset_pass_manager

    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(bell())
    job = qrp.SamplerV2(mode=backend).run([isa], shots=20)
    assert job.result()[0].data.meas.num_shots == 20
    posted = [r for r in server.requests if r.method == "POST" and r.path.endswith("/jobs")]
    assert posted[-1].headers["service-crn"] == team.crn  # the job went to that instance
    assert service.jobs() == [] and backend.service.jobs()[0].job_id() == job.job_id()
    service.close()  # closes the view's connections too; the service it came from owns the rest
