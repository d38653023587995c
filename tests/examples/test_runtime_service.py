"""Example: RuntimeService — an account, its backends and its jobs."""

from __future__ import annotations

from qiskit_rest_primitives.local import LocalRuntimeServer


def test_runtime_service(server: LocalRuntimeServer) -> None:
    api_key, instance, url, iam_url = server.api_key, server.instance, server.url, server.iam_url
    # [start-example]
    from qiskit_rest_primitives import RuntimeService, Timeouts

    # Against IBM Cloud you would pass only api_key= and instance= (or set QISKIT_IBM_TOKEN
    # and QISKIT_IBM_INSTANCE); url= and iam_url= point the client at the local server.
    with RuntimeService(api_key=api_key, instance=instance, url=url, iam_url=iam_url,
                        timeout=Timeouts(connect=5, read=60)) as service:
        names = [backend.name for backend in service.backends(operational=True)]
        backend = service.backend("ibmq_manila")  # configuration + properties → a Target
        print(names, backend.num_qubits, backend.status().pending_jobs)
        print(service.least_busy(min_num_qubits=100).name)
        recent = service.jobs(limit=5, program_id="sampler")  # newest first
    # [end-example]
    assert names == ["ibm_brisbane", "ibm_torino", "ibmq_manila"]
    assert backend.num_qubits == 5
    assert recent == []
