"""Example: finding a backend and reading its configuration and calibration data."""

from __future__ import annotations

import qiskit_rest_primitives as qrp


def test_backends(service: qrp.RuntimeService) -> None:
    # [start-example]
    backend = service.least_busy(operational=True, simulator=False)
    small = service.backends(filters=lambda b: b.num_qubits <= 5)  # any callable
    manila = service.backend("ibmq_manila")

    conf = manila.configuration()
    print(conf.n_qubits, conf.basis_gates, conf.coupling_map[:2])
    props = manila.properties()
    print(props.t1(0), props.readout_error(0), props.gate_error("cx", [0, 1]))
    print(props.last_update_date, manila.physical_qubits, manila.status().pending_jobs)
    # [end-example]
    assert backend.name in {"ibm_brisbane", "ibm_torino", "ibmq_manila"}
    assert [b.name for b in small] == ["ibmq_manila"]
    assert conf.n_qubits == 5 and props.t1(0) > 0
