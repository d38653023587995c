"""Example: SamplerV2 — sample a Bell circuit and a parameter sweep."""

from __future__ import annotations

import qiskit_rest_primitives as qrp


def test_sampler(service: qrp.RuntimeService) -> None:
    # [start-example]
    import numpy as np
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter
    from qiskit.transpiler import generate_preset_pass_manager

    from qiskit_rest_primitives import SamplerV2

    backend = service.backend("ibmq_manila")
    pm = generate_preset_pass_manager(optimization_level=1, backend=backend)

    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()

    theta = Parameter("θ")
    rotation = QuantumCircuit(1)
    rotation.ry(theta, 0)
    rotation.measure_all()
    angles = np.linspace(0, np.pi, 3).reshape(3, 1)  # 3 parameter sets

    sampler = SamplerV2(mode=backend)
    job = sampler.run([pm.run(bell), (pm.run(rotation), angles)], shots=200)
    result = job.result()
    counts = result[0].data.meas.get_counts()  # e.g. {"00": 97, "11": 103}
    sweep = result[1].data.meas  # a BitArray of shape (3,), 200 shots each
    # [end-example]
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 200
    assert sweep.shape == (3,) and sweep.num_shots == 200
    assert sweep[0].get_counts() == {"0": 200}
