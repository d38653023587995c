"""The Heron-class ``ibm_torino`` (cz, 133 qubits) over raw HTTP and through our client."""

from __future__ import annotations

import json
import random
from pathlib import Path

from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_primitives import SamplerV2
from qiskit_rest_primitives.local import LocalRuntimeServer
from qiskit_rest_primitives.local.simulation._noise import noise_model
from qiskit_rest_primitives.local.state._backends import load_backend

from .conftest import Api, sampler_body
from .gen_torino_data import DATA, SEED, configuration, edges, properties

TORINO_BELL = ('OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] meas;\n'
               "rz(pi/2) $1;\nsx $1;\nrz(pi/2) $1;\ncz $0, $1;\nrz(pi/2) $1;\nsx $1;\n"
               "rz(pi/2) $1;\nmeas[0] = measure $0;\nmeas[1] = measure $1;\n")
H_ON_0 = "rz(pi/2) $0;\nsx $0;\nrz(pi/2) $0;\n"


def test_committed_data_matches_generator() -> None:
    committed = json.loads((Path(DATA) / "conf_torino.json").read_text())
    assert committed == json.loads(json.dumps(configuration()))
    assert len(edges()) == 150 and committed["n_qubits"] == 133
    props = json.loads((Path(DATA) / "props_torino.json").read_text())
    assert props == json.loads(json.dumps(properties(random.Random(SEED))))


def test_torino_documents(api: Api) -> None:
    devices = {d["name"]: d for d in api.get("/backends").json()["devices"]}
    assert devices["ibm_torino"]["qubits"] == 133
    assert devices["ibm_torino"]["processor_type"]["family"] == "Heron"
    conf = api.get("/backends/ibm_torino/configuration").json()
    assert conf["basis_gates"] == ["cz", "id", "rz", "sx", "x"]
    assert {"if_else", "for_loop", "switch_case", "measure"} <= set(
        conf["supported_instructions"])
    props = api.get("/backends/ibm_torino/properties").json()
    assert len(props["qubits"]) == 133
    assert props["last_update_date"].startswith("2025-")


def test_torino_raw_bell(api: Api) -> None:
    qasm = TORINO_BELL.replace("bit[2] meas;\n", "bit[2] meas;\n" + H_ON_0)
    result = api.run(sampler_body([qasm, None, 500], backend="ibm_torino"))
    counts = result[0].data.meas.get_counts()
    assert set(counts) == {"00", "11"}


def test_torino_rejects_ecr_and_uncoupled_pairs(api: Api) -> None:
    ecr = TORINO_BELL.replace("cz $0, $1;", "ecr $0, $1;")
    response = api.post("/jobs", json=sampler_body([ecr], backend="ibm_torino"))
    assert response.status_code == 400 and "ecr" in response.text
    far = TORINO_BELL.replace("cz $0, $1;", "cz $0, $5;")
    response = api.post("/jobs", json=sampler_body([far], backend="ibm_torino"))
    assert response.status_code == 400


def test_torino_with_our_client(server: LocalRuntimeServer) -> None:
    service = server.service()
    backend = service.backend("ibm_torino")
    assert backend.num_qubits == 133
    assert "cz" in backend.target.operation_names
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(qc)
    assert "cz" in isa.count_ops()
    result = SamplerV2(mode=backend).run([isa], shots=300).result()
    counts = result[0].data.meas.get_counts()
    assert set(counts) == {"00", "11"} and sum(counts.values()) == 300


def test_torino_dynamic_circuit(api: Api) -> None:
    qasm = ('OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nx $0;\nc[0] = measure $0;\n'
            "if (c[0]) {\n  x $1;\n}\nc[1] = measure $1;\nreset $0;\n")
    result = api.run(sampler_body([qasm, None, 50], backend="ibm_torino"))
    assert result[0].data.c.get_counts() == {"11": 50}


def test_torino_noise_model_uses_cz() -> None:
    model = noise_model(load_backend("ibm_torino"), [0, 1])
    assert sorted(model.noise_qubits) == [0, 1]
    assert {"cz", "sx"} <= set(model.noise_instructions)
