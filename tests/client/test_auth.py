"""IAM authentication and the service headers, against the local server over HTTP."""

from __future__ import annotations

import time

import pytest

from qiskit_rest_primitives import RuntimeService
from qiskit_rest_primitives.exceptions import (
    AuthenticationError,
    ConfigurationError,
    PermissionDeniedError,
)
from qiskit_rest_primitives.local import LocalRuntimeServer

from ..conftest import FAST_RETRY


def _api_requests(server: LocalRuntimeServer) -> list:
    return [r for r in server.requests if "/api/v1/" in r.path]


def test_good_key_gets_backends_and_sends_headers(server: LocalRuntimeServer) -> None:
    with server.service(retry=FAST_RETRY) as service:
        names = [b.name for b in service.backends()]
    assert "ibm_brisbane" in names
    calls = _api_requests(server)
    assert calls, "no API call reached the server"
    for call in calls:
        headers = {k.lower(): v for k, v in call.headers.items()}
        assert headers["authorization"].startswith("Bearer ")
        assert headers["service-crn"] == server.instance
        assert headers["ibm-api-version"]
    token_calls = [r for r in server.requests if r.path.endswith("/identity/token")]
    assert len(token_calls) == 1, "the bearer token must be cached between calls"


def test_bad_key_raises_authentication_error_without_leaking_it(server: LocalRuntimeServer) -> None:
    secret = "not-a-real-key-1234567890"
    service = RuntimeService(api_key=secret, instance=server.instance, url=server.url,
                             iam_url=server.iam_url, retry=FAST_RETRY)
    with pytest.raises(AuthenticationError) as info:
        service.backends()
    assert secret not in str(info.value)
    assert secret not in repr(service)
    assert not _api_requests(server), "the API key must never be sent to the API"


def test_unknown_instance_is_refused(server: LocalRuntimeServer) -> None:
    other = server.instance.replace(server.instance.split(":")[-3], "0" * 36)
    service = RuntimeService(api_key=server.api_key, instance=other, url=server.url,
                             iam_url=server.iam_url, retry=FAST_RETRY)
    with pytest.raises((PermissionDeniedError, AuthenticationError)):
        service.backends()


def test_expired_token_is_refreshed(server: LocalRuntimeServer) -> None:
    server.token_ttl = 2
    try:
        with server.service(retry=FAST_RETRY) as service:
            service.backends()
            time.sleep(2.5)
            service.backends()
    finally:
        server.token_ttl = 3600
    token_calls = [r for r in server.requests if r.path.endswith("/identity/token")]
    assert len(token_calls) >= 2
    assert all(r.status == 200 for r in _api_requests(server))


def test_revoked_token_gets_one_refresh_and_retry(server: LocalRuntimeServer) -> None:
    with server.service(retry=FAST_RETRY) as service:
        service.backends()
        server.revoke_tokens()
        backends = service.backends()
    assert backends
    statuses = [r.status for r in _api_requests(server)]
    assert statuses.count(401) == 1
    token_calls = [r for r in server.requests if r.path.endswith("/identity/token")]
    assert len(token_calls) == 2


def test_missing_credentials_raise_before_any_io() -> None:
    with pytest.raises(ConfigurationError):
        RuntimeService()


def test_unknown_region_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="region"):
        RuntimeService(api_key="k", region="mars-1")


def test_iam_failures_say_when_iam_url_was_forgotten(server: LocalRuntimeServer) -> None:
    """A key for a server other than IBM Cloud went to IBM Cloud's IAM: the error says so.

    No request leaves the machine: the hint's wording is checked with the local server's IAM
    refusing a key and with a closed port, and the service's choice of it without any call.
    """
    import requests

    from qiskit_rest_primitives._account._endpoints import iam_hint
    from qiskit_rest_primitives._transport._auth import BearerAuth
    from qiskit_rest_primitives.exceptions import APIConnectionError

    hint = iam_hint("http://127.0.0.1:8000/api/v1", "https://iam.cloud.ibm.com/identity/token")
    assert hint == (" (the API is at http://127.0.0.1:8000, not IBM Cloud: if that server has "
                    "its own IAM, set IAM_URL=http://127.0.0.1:8000 or pass iam_url=)")
    for api, iam in (("https://quantum.cloud.ibm.com/api/v1", "https://iam.cloud.ibm.com/x"),
                     ("http://127.0.0.1:8000/api/v1", "http://127.0.0.1:8000/identity/token"),
                     ("https://eu-de.quantum.cloud.ibm.com/api/v1", "http://127.0.0.1:1/x")):
        assert iam_hint(api, iam) == ""
    with RuntimeService(token=server.api_key, instance=server.instance,
                        url=server.base_url) as forgot:  # no IAM_URL: IBM Cloud's IAM
        assert forgot._auth._hint == iam_hint(forgot.url, "https://iam.cloud.ibm.com/identity/token")
    with requests.Session() as session:
        refused = BearerAuth(api_key="not-a-key-of-this-server", iam_url=server.iam_url,
                             session=session, timeout=(5, 5), hint=hint)
        with pytest.raises(AuthenticationError, match="IAM refused the API key") as error:
            refused.bearer_token()
        assert str(error.value).endswith(hint)
        closed = BearerAuth(api_key="k" * 44, iam_url="http://127.0.0.1:1/identity/token",
                            session=session, timeout=(5, 5), hint=hint)
        with pytest.raises(APIConnectionError) as unreachable:
            closed.bearer_token()
        assert str(unreachable.value).endswith(hint)
