"""Example: ResourceController — create, change, list and delete Qiskit Runtime instances."""

from __future__ import annotations

from qiskit_rest_primitives.local import LocalRuntimeServer


def test_resource_controller(server: LocalRuntimeServer) -> None:
    api_key, rc_url, iam_url = server.api_key, server.resource_controller_url, server.iam_url
    # [start-example]
    from qiskit_rest_primitives import ResourceController

    # Against IBM Cloud pass only the API key (or set QISKIT_IBM_TOKEN); url= and iam_url=
    # point the client at the local server.
    with ResourceController(api_key, url=rc_url, iam_url=iam_url) as controller:
        team = controller.create_instance(
            "team-a", resource_group="default", resource_plan_id="open", target="us-east",
            usage_allocation_seconds=1200, backends=["ibm_torino"])
        print(team.crn, team.extensions.instance_limit_seconds)  # Open plan: 600 by default
        team = controller.update_instance(team.crn, instance_limit_seconds=None)
        names = [instance.name for instance in controller.list_instances()]
        controller.delete_instance(team.crn)
    # [end-example]
    assert team.extensions.instance_limit_seconds is None
    assert team.extensions.usage_allocation_seconds == 1200
    assert names == ["local-default", "team-a"]
