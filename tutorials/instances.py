"""Instances: create one with a limit and an allow-list, use it by name, watch its usage.

A Qiskit Runtime *instance* is what jobs are charged to. IBM Cloud's Resource Controller API
(separate from the Runtime API) creates and configures instances: ``instance_limit_seconds``
(usage after which new jobs are refused), ``usage_allocation_seconds`` (the fair-share
scheduler's allotment) and ``backends`` (the allow-list). ``ResourceController`` is this
package's client for it; ``QiskitRuntimeService`` finds an instance by name, reads its details
and usage, and sets its limit through the Runtime API.

On the local server the tutorial provisions an instance, runs a job on it, lowers the limit
until a job is refused, and deletes the instance. With IBM Quantum credentials set it only
reads: it lists your instances and shows the current one's allow-list and usage, and creates or
deletes nothing.

Run: ``python tutorials/instances.py`` (local server unless IBM credentials are set).
"""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives.exceptions import ConflictError

from _runtime import on_ibm_quantum


def describe(service: qrp.QiskitRuntimeService) -> None:
    """What a service can tell about its instances, read-only."""
    print(f"  instances of this account: {sorted(i['name'] for i in service.instances())}")
    details = service.instance_details()
    usage = service.usage()
    print(f"  this instance: plan {details.get('plan_id')}, backends {details.get('backends')}")
    print(f"  usage {usage.get('usage_consumed_seconds')} s of limit"
          f" {usage.get('usage_limit_seconds')} s")


def bell_job(service: qrp.QiskitRuntimeService, backend_name: str) -> qrp.RuntimeJob:
    """Submit a 100-shot Bell circuit to ``backend_name``."""
    backend = service.backend(backend_name)
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, backend=backend).run(bell)
    return qrp.SamplerV2(mode=backend).run([isa], shots=100)


def main() -> None:
    if on_ibm_quantum():
        print("Using IBM Quantum (read-only: nothing is created or deleted)")
        with qrp.QiskitRuntimeService() as service:
            describe(service)
        return

    from qiskit_rest_primitives.local import LocalRuntimeServer

    with LocalRuntimeServer() as server:
        print(f"Using the embedded local Qiskit Runtime server at {server.url}")
        # Against IBM Cloud: ResourceController("<API key>"); the URLs default to IBM's.
        controller = qrp.ResourceController(server.api_key, url=server.resource_controller_url,
                                            iam_url=server.iam_url)
        instance = controller.create_instance(
            "tutorial-instance", resource_group="default", resource_plan_id="open",
            target="us-east", instance_limit_seconds=600, usage_allocation_seconds=1200,
            backends=["ibmq_manila"])
        print(f"Created {instance.name}: {instance.extensions}")
        instance = controller.update_instance(instance.crn,
                                              backends=["ibmq_manila", "ibm_torino"])
        print(f"Allow-list now {instance.extensions.backends}")

        # Against IBM Cloud: QiskitRuntimeService(token="<API key>", instance="tutorial-instance")
        with qrp.QiskitRuntimeService(token=server.api_key, url=server.base_url,
                                      iam_url=server.iam_url,
                                      instance="tutorial-instance") as service:
            print(f"Service on {service.instance[:40]}...")
            print(f"  backends it may use: {[b.name for b in service.backends()]}")
            bell_job(service, "ibmq_manila").result()
            describe(service)

            used = int(service.usage()["usage_consumed_seconds"])
            service.set_instance_limit(used)      # the limit is reached: new jobs are refused
            try:
                bell_job(service, "ibmq_manila")
            except ConflictError as error:
                print(f"  at the limit, a new job is refused: HTTP {error.status_code}")
            service.set_instance_limit(None)      # no limit
            print(f"  limit removed: {service.instance_configuration()}")

        controller.delete_instance(instance.crn)
        print(f"Deleted; instances left: {[i.name for i in controller.list_instances()]}")
        controller.close()


if __name__ == "__main__":
    main()
