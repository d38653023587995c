"""Estimator jobs over raw HTTP: observables, broadcasting, precision, idle-qubit semantics."""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import PubResult, StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp

from .conftest import Api, estimator_body
from .test_sampler import ECR_DEF

# RY(theta) on $0 written in the manila basis: rz(-pi/2) sx rz(theta) sx rz(pi/2) ... kept simple:
# rz(theta) between two sx gates rotates Z → cos(theta)-like expectation values.
EST_QASM = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] theta;\n'
    "sx $0;\nrz(theta) $0;\nsx $0;\ncx $0, $1;\n"
)


def _reference(theta: np.ndarray, labels: list[str]) -> np.ndarray:
    qc = QuantumCircuit(5)
    from qiskit.circuit import Parameter

    p = Parameter("theta")
    qc.sx(0)
    qc.rz(p, 0)
    qc.sx(0)
    qc.cx(0, 1)
    obs = [[SparsePauliOp(label)] for label in labels]
    result = StatevectorEstimator().run([(qc, obs, theta.reshape(-1, 1))]).result()
    return np.asarray(result[0].data.evs)


def test_broadcast_shapes_and_values(api: Api) -> None:
    theta = np.array([0.0, np.pi / 3, np.pi])
    labels = ["IIIZZ", "IIIZI"]
    observables = [[{label: 1.0}] for label in labels]
    result = api.run(estimator_body(
        [EST_QASM, observables, theta.reshape(3, 1).tolist(), 0.001],
        options={"seed_estimator": 3}))
    pub = result[0]
    assert isinstance(pub, PubResult)
    assert pub.data.evs.shape == (2, 3) == pub.data.stds.shape
    np.testing.assert_allclose(pub.data.stds, 0.001)
    np.testing.assert_allclose(pub.data.evs, _reference(theta, labels), atol=0.006)
    assert pub.metadata["target_precision"] == 0.001
    assert "dynamical_decoupling" in result.metadata and result.metadata["version"] == 2


def test_scalar_observable_and_short_label_width(api: Api) -> None:
    # The parsed circuit has 2 qubits ($0, $1): a 2-char label is padded to the device width.
    result = api.run(estimator_body([EST_QASM, {"ZZ": 1.0}, {"theta": 0.0}, 0.01]))
    assert result[0].data.evs.shape == ()
    assert abs(float(result[0].data.evs) - 1.0) < 0.06


def test_seed_estimator_is_reproducible(api: Api) -> None:
    body = estimator_body([EST_QASM, {"IIIZZ": 1.0}, [0.4], 0.05],
                          options={"seed_estimator": 11})
    first = api.run(body)[0].data.evs
    second = api.run(body)[0].data.evs
    assert float(first) == float(second)


def test_default_precision_applies(api: Api) -> None:
    result = api.run(estimator_body([EST_QASM, {"IIIZZ": 1.0}, [0.4]],
                                    options={"default_precision": 0.03}))
    assert float(result[0].data.stds) == 0.03
    assert result[0].metadata["shots"] == int(np.ceil(1 / 0.03**2))


def test_idle_qubits_contribute_identity_or_z_one(api: Api) -> None:
    # On the 127-qubit device only $62 and $72 are touched; Z on an idle qubit → 1, X → 0.
    qasm = ('OPENQASM 3.0;\ninclude "stdgates.inc";\n' + ECR_DEF + "x $62;\necr $62, $72;\n")
    width = 127

    def label(paulis: dict[int, str]) -> str:
        chars = ["I"] * width
        for qubit, pauli in paulis.items():
            chars[width - 1 - qubit] = pauli
        return "".join(chars)

    observables = [{label({0: "Z"}): 1.0}, {label({0: "X"}): 1.0},
                   {label({5: "Z", 62: "Z"}): 1.0}, {label({}): 2.5}]
    result = api.run(estimator_body([qasm, observables, None, 0.001],
                                    backend="ibm_brisbane", options={"seed_estimator": 1}))
    evs = result[0].data.evs
    assert evs.shape == (4,)
    np.testing.assert_allclose(evs[[0, 1, 3]], [1.0, 0.0, 2.5], atol=0.006)
    # ECR|10> (q62=1) → reference value from a statevector of the two touched qubits.
    two = QuantumCircuit(2)
    two.x(0)
    two.ecr(0, 1)
    ref = StatevectorEstimator().run([(two, SparsePauliOp("IZ"))]).result()[0].data.evs
    assert abs(evs[2] - float(ref)) < 0.006


def test_observables_and_values_that_do_not_broadcast_are_refused(api: Api) -> None:
    body = estimator_body([EST_QASM, [{"IIIZZ": 1.0}, {"IIIZI": 1.0}], [[0.1], [0.2], [0.3]]])
    response = api.post("/jobs", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("pub 0: ")
    wrong_count = estimator_body([EST_QASM, {"IIIZZ": 1.0}, [[0.1, 0.2]]])
    assert api.post("/jobs", json=wrong_count).status_code == 400


def test_a_parameter_free_pub_with_a_shape_is_one_estimate_broadcast(api: Api) -> None:
    """Its rows are the same circuit: one noisy estimate, repeated (shape kept)."""
    text = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nsx $0;\n'
    result = api.run(estimator_body([text, {"IIIIZ": 1.0}, [[], [], []], 0.1]))
    evs = result[0].data.evs
    assert evs.shape == (3,) and evs[0] == evs[1] == evs[2]
