"""EstimatorV2 on the local server against qiskit's ``StatevectorEstimator``, pub form by pub form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparseObservable, SparsePauliOp

import qiskit_rest_primitives as qrp

PRECISION = 0.01


def _ansatz() -> QuantumCircuit:
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(2)
    qc.ry(a, 0)
    qc.rx(b, 1)
    qc.cx(0, 1)
    return qc


def _fixed() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    return qc


grid = np.random.default_rng(5).uniform(0, np.pi, (3, 2))
CASES: dict[str, tuple[Callable[[], QuantumCircuit], Callable[[QuantumCircuit], Any]]] = {
    "scalar observable, no params": (_fixed, lambda c: (c, SparsePauliOp("ZZ"))),
    "string observable": (_fixed, lambda c: (c, "XX")),
    "dict observable": (_fixed, lambda c: (c, {"XX": 0.5, "ZI": 2.0})),
    "sparse observable": (_fixed, lambda c: (c, SparseObservable("YY"))),
    "1-d params": (_ansatz, lambda c: (c, SparsePauliOp(["ZI", "IZ"], [1.0, -0.5]), grid)),
    "1-d observables": (_ansatz, lambda c: (c, ["ZZ", "XX", "IZ"], [0.4, 1.1])),
    "broadcast (2,1) x (3,)": (_ansatz, lambda c: (c, [["ZZ"], ["XI"]], grid)),
    "2-d params": (_ansatz, lambda c: (c, "ZZ", grid.reshape(3, 1, 2) + np.zeros((3, 2, 2)))),
    "params dict": (_ansatz, lambda c: (c, "ZI", {("a", "b"): grid})),
    "duplicate terms": (_fixed, lambda c: (c, SparsePauliOp(["ZZ", "ZZ"], [0.25, 0.75]))),
    "pub precision": (_ansatz, lambda c: (c, "ZZ", grid, 0.02)),
}


def _isa_pub(pub: tuple, isa: QuantumCircuit) -> tuple:
    observables = pub[1]
    layout = isa.layout

    def remap(obs: Any) -> Any:
        if isinstance(obs, list):
            return [remap(o) for o in obs]
        if isinstance(obs, str):
            obs = SparsePauliOp(obs)
        elif isinstance(obs, dict):
            obs = SparsePauliOp.from_list(list(obs.items()))
        elif isinstance(obs, SparseObservable):
            obs = SparsePauliOp.from_sparse_observable(obs)
        return obs.apply_layout(layout)

    return (isa, remap(observables), *pub[2:])


@pytest.mark.parametrize("case", list(CASES))
def test_estimator_matches_reference(case: str, manila: qrp.RuntimeBackend, manila_pm) -> None:  # type: ignore[no-untyped-def]
    build, make_pub = CASES[case]
    logical = build()
    pub = make_pub(logical)
    isa_pub = _isa_pub(pub, manila_pm.run(logical))
    ours = qrp.Estimator(mode=manila).run([isa_pub], precision=PRECISION).result(timeout=120)[0]
    ref = StatevectorEstimator().run([pub], precision=0.0).result()[0]

    assert ours.data.shape == ref.data.shape
    for name in ("evs", "stds"):
        assert name in ours.data
        assert ours.data[name].shape == ref.data[name].shape
        assert ours.data[name].dtype == np.float64
    target = pub[3] if len(pub) > 3 else PRECISION
    scale = np.abs(ref.data.evs) + 1.0
    assert np.all(np.abs(ours.data.evs - ref.data.evs) < 6 * target * scale + 1e-9)
    assert ours.metadata["target_precision"] == pytest.approx(target)


def test_default_precision_option(manila: qrp.RuntimeBackend, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(_fixed())
    estimator = qrp.Estimator(mode=manila, options={"default_precision": 0.05})
    obs = SparsePauliOp("ZZ").apply_layout(isa.layout)
    result = estimator.run([(isa, obs)]).result(timeout=60)
    assert result[0].metadata["target_precision"] == pytest.approx(0.05)


def test_observable_of_wrong_width_is_refused(manila: qrp.RuntimeBackend, manila_pm) -> None:  # type: ignore[no-untyped-def]
    isa = manila_pm.run(_fixed())
    with pytest.raises(qrp.exceptions.ValidationError, match="pub 0"):
        qrp.Estimator(mode=manila).run([(isa, "ZZ")])
