"""Example: LocalRuntimeServer — the REST API on loopback, with faults for testing clients."""

from __future__ import annotations


def test_local_server() -> None:
    # [start-example]
    from qiskit_rest_primitives import RetryPolicy
    from qiskit_rest_primitives.local import LocalRuntimeServer

    with LocalRuntimeServer(seed=7) as server:  # port 0: any free port on 127.0.0.1
        print(server.url, server.iam_url)
        fast = RetryPolicy(backoff_factor=0.0, backoff_jitter=0.0)
        with server.service(retry=fast) as service:  # default instance's credentials
            server.inject_fault("GET", r"/backends$", status=503, count=2)
            backends = service.backends()  # two 503s, retried, then 200
        paths = [request.path for request in server.requests]
        server.reset()  # forget jobs, sessions, faults and the request log
    # [end-example]
    assert [b.name for b in backends] == ["ibm_brisbane", "ibm_torino", "ibmq_manila"]
    assert sum(path.endswith("/backends") for path in paths) == 3
