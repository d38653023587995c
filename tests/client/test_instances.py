"""Instances from the client: ResourceController, lookup by name, automatic choice, limits."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from qiskit import QuantumCircuit

from qiskit_rest_primitives import (
    InstanceExtensions,
    ResourceController,
    ResourceInstance,
    RuntimeService,
    SamplerV2,
)
from qiskit_rest_primitives.exceptions import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from qiskit_rest_primitives.local import LocalRuntimeServer

from ..conftest import FAST_POLL, FAST_RETRY
from .conftest import BACKEND


@pytest.fixture
def controller(server: LocalRuntimeServer) -> Iterator[ResourceController]:
    with ResourceController(server.api_key, url=server.resource_controller_url,
                            iam_url=server.iam_url, retry=FAST_RETRY) as rc:
        yield rc


def _create(rc: ResourceController, name: str, **kwargs: object) -> ResourceInstance:
    options: dict[str, object] = {"resource_group": "rg", "resource_plan_id": "premium",
                                  "target": "us-east", **kwargs}
    return rc.create_instance(name, **options)  # type: ignore[arg-type]


def test_create_get_update_list_delete(controller: ResourceController,
                                       server: LocalRuntimeServer) -> None:
    made = _create(controller, "team", instance_limit_seconds=600, usage_allocation_seconds=1200,
                   backends=["ibmq_manila"], tags=["a"])
    assert made.extensions == InstanceExtensions(600, 1200, ["ibmq_manila"])
    assert (made.name, made.state, made.plan, made.region, made.tags) == (
        "team", "active", "premium", "us-east", ["a"])
    assert made.crn.endswith(f":{made.guid}::")
    sent = next(r for r in server.requests if r.method == "POST" and
                r.path == "/v2/resource_instances").json()
    assert sent["parameters"] == {"instance_limit_seconds": "600",
                                  "usage_allocation_seconds": "1200", "backends": ["ibmq_manila"]}
    assert controller.get_instance(made.crn) == controller.get_instance(made.guid) == made
    changed = controller.update_instance(made.crn, instance_limit_seconds=None, backends=["ANY"],
                                         name="team-b", resource_plan_id="flex")
    assert (changed.name, changed.plan) == ("team-b", "flex")
    assert changed.extensions == InstanceExtensions(None, 1200, ["ANY"])
    assert [i.name for i in controller.list_instances()] == ["local-default", "team-b"]
    controller.delete_instance(made.guid)
    assert controller.get_instance(made.guid).state == "removed"
    assert [i.name for i in controller.list_instances()] == ["local-default"]
    with pytest.raises(NotFoundError):
        controller.get_instance("no-such-guid")


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"instance_limit_seconds": -1}, "instance_limit_seconds"),
    ({"usage_allocation_seconds": "60"}, "usage_allocation_seconds"),
    ({"instance_limit_seconds": True}, "instance_limit_seconds"),
    ({"backends": "ibmq_manila"}, "backends"),
    ({"backends": ["ANY", "ibmq_manila"]}, "ANY"),
    ({"resource_group": ""}, "resource_group"),
])
def test_bad_parameters_raise_before_sending(controller: ResourceController,
                                             server: LocalRuntimeServer,
                                             kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        _create(controller, "bad", **kwargs)
    with pytest.raises(ConfigurationError, match=r"[Uu]nknown"):
        controller.update_instance(server.instance, limit=5)
    assert not [r for r in server.requests if r.path.startswith("/v2/")]


def test_wrong_key_is_an_authentication_error(server: LocalRuntimeServer) -> None:
    with ResourceController("wrong", url=server.resource_controller_url, iam_url=server.iam_url,
                            retry=FAST_RETRY) as rc, pytest.raises(AuthenticationError):
        rc.list_instances()
    assert "wrong" not in repr(rc)


def _account(server: LocalRuntimeServer, controller: ResourceController) -> None:
    _create(controller, "premium-one", tags=["prod"])
    _create(controller, "open-one", resource_plan_id="open", target="eu-de")


def _service(server: LocalRuntimeServer, **kwargs: object) -> RuntimeService:
    return RuntimeService(token=server.api_key, url=server.url, iam_url=server.iam_url,
                          retry=FAST_RETRY, poll=FAST_POLL, **kwargs)  # type: ignore[arg-type]


def test_instances_in_the_official_shape(server: LocalRuntimeServer,
                                         controller: ResourceController) -> None:
    _account(server, controller)
    with server.service() as service:
        found = {i["name"]: i for i in service.instances()}
    assert set(found) == {"local-default", "premium-one", "open-one"}
    assert found["open-one"] == {"crn": found["open-one"]["crn"], "plan": "open",
                                 "name": "open-one", "tags": [], "pricing_type": "free"}
    assert found["premium-one"]["plan"] == "premium"
    assert found["premium-one"]["pricing_type"] == "subscription"


def test_instance_by_name_resolves_to_its_crn(server: LocalRuntimeServer,
                                              controller: ResourceController) -> None:
    _account(server, controller)
    crn = next(i.crn for i in controller.list_instances() if i.name == "premium-one")
    with server.service(instance="premium-one") as service:
        assert service.instance == crn
        assert service.instance_details()["plan_id"] == "premium"
    with pytest.raises(ConfigurationError, match="not a valid instance name"):
        _service(server, instance="nobody")
    other = server.create_instance("elsewhere")  # its own account, its own key
    with server.service(instance="elsewhere") as service:
        assert service.instance == other.crn


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, "local-default"),  # free plans first, then listing order
    ({"plans_preference": ["premium", "open"]}, "premium-one"),
    ({"plans_preference": ["open", "premium"]}, "open-one"),
    ({"tags": ["prod"]}, "premium-one"),
    ({"region": "eu-de"}, "open-one"),
])
def test_no_instance_picks_one(server: LocalRuntimeServer, controller: ResourceController,
                               kwargs: dict[str, object], expected: str) -> None:
    _account(server, controller)
    with _service(server, **kwargs) as service:
        chosen = next(i for i in service.instances() if i["crn"] == service.instance)
        assert chosen["name"] == expected
        assert service.backends()  # the chosen instance works


def test_no_instance_matching_the_filters(server: LocalRuntimeServer) -> None:
    with pytest.raises(ConfigurationError, match="No matching instances"):
        _service(server, plans_preference=["flex"])
    with pytest.raises(ConfigurationError, match="region"):
        _service(server, region="mars")


def test_limits_bite_through_the_client(server: LocalRuntimeServer, isa_bell: QuantumCircuit,
                                        controller: ResourceController) -> None:
    made = _create(controller, "limited", backends=[BACKEND])
    with server.service(instance="limited") as service:
        assert service.instance == made.crn
        assert [b.name for b in service.backends()] == [BACKEND]
        backend = service.backend(BACKEND)
        assert service.instance_configuration() == {"instance_limit": None}
        SamplerV2(mode=backend).run([isa_bell], shots=10).result()
        consumed = service.usage()["usage_consumed_seconds"]
        with pytest.raises(ConflictError):
            service.set_instance_limit(consumed - 1)
        with pytest.raises(ConfigurationError):
            service.set_instance_limit(-1)
        service.set_instance_limit(consumed)
        assert service.instance_details()["instance_limit_seconds"] == str(consumed)
        with pytest.raises(ConflictError, match="limit"):
            SamplerV2(mode=backend).run([isa_bell], shots=10)
        controller.update_instance(made.crn, instance_limit_seconds=None, backends=[])
        assert service.backends() == []
        with pytest.raises(PermissionDeniedError):
            SamplerV2(mode=backend).run([isa_bell], shots=10)


@pytest.mark.parametrize("kwargs", [{"url": "resource-controller.cloud.ibm.com"},
                                    {"iam_url": "ftp://iam"}, {"timeout": 0}])
def test_controller_arguments_checked_before_any_request(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        ResourceController("key", **kwargs)  # type: ignore[arg-type]


def test_server_service_by_crn_and_with_own_key(server: LocalRuntimeServer) -> None:
    other = server.create_instance("by-crn")
    with server.service(instance=other.crn) as service:
        assert service.instance == other.crn and service.backends()
    with server.service(instance="by-crn", token=other.api_key, api_key=None) as service:
        assert service.instance == other.crn


def test_controller_retries_like_the_service(server: LocalRuntimeServer,
                                             controller: ResourceController) -> None:
    server.inject_fault("GET", r"^/v2/resource_instances$", status=503, count=2)
    assert [i.name for i in controller.list_instances()] == ["local-default"]
    listed = [r for r in server.requests if r.path == "/v2/resource_instances"]
    assert [r.status for r in listed] == [503, 503, 200]
    server.revoke_tokens()  # a 401 fetches a new token once, as the service does
    assert controller.get_instance(server.instance).name == "local-default"


def test_environment_alone_with_an_instance_name(server: LocalRuntimeServer,
                                                 controller: ResourceController,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _account(server, controller)
    monkeypatch.setenv("QISKIT_IBM_URL", server.base_url)
    monkeypatch.setenv("IAM_URL", server.base_url)
    monkeypatch.setenv("QISKIT_IBM_TOKEN", server.api_key)
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "premium-one")
    with RuntimeService() as service:
        assert service.instance_details()["plan_id"] == "premium"
    monkeypatch.delenv("QISKIT_IBM_INSTANCE")
    with RuntimeService(plans_preference=["open"]) as service:
        assert service.instance_details()["plan_id"] == "open"


class _ForwardingProxy(ThreadingHTTPServer):
    """A plain-HTTP forward proxy on loopback that records the URLs it forwarded."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _ForwardingProxy

    def _forward(self) -> None:
        self.server.seen.append(f"{self.command} {self.path}")
        target = urlsplit(self.path)  # absolute-form request line
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        connection = http.client.HTTPConnection(target.netloc, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
        path = target.path + (f"?{target.query}" if target.query else "")
        connection.request(self.command, path, body=body or None, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        connection.close()

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _forward

    def log_message(self, *args: object) -> None:
        """Quiet."""


def test_controller_goes_through_the_given_proxy(server: LocalRuntimeServer) -> None:
    proxy = _ForwardingProxy()
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"http://127.0.0.1:{proxy.server_address[1]}"
        with ResourceController(server.api_key, url=server.resource_controller_url,
                                iam_url=server.iam_url, retry=FAST_RETRY,
                                proxies={"urls": {"http": address}}) as rc:
            assert [i.name for i in rc.list_instances()] == ["local-default"]
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert [line.split("?")[0] for line in proxy.seen] == [
        f"POST {server.iam_url}", f"GET {server.resource_controller_url}/v2/resource_instances"]


def test_list_instances_follows_next_url(server: LocalRuntimeServer,
                                         controller: ResourceController) -> None:
    for i in range(101):  # one more than a page
        _create(controller, f"bulk-{i:03d}")
    found = controller.list_instances()
    assert len(found) == 102 and found[-1].name == "bulk-100"
    pages = [r for r in server.requests if r.method == "GET" and r.path == "/v2/resource_instances"]
    assert [p.query.get("start") for p in pages] == [None, "100"]
