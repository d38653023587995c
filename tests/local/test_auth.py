"""IAM token endpoint and per-request authentication / authorization."""

from __future__ import annotations

import jwt
import requests

from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import API_VERSION, Api, get_token

GRANT = "urn:ibm:params:oauth:grant-type:apikey"


def test_token_is_a_jwt_with_exp_and_iat(server: LocalRuntimeServer) -> None:
    response = requests.post(server.iam_url, timeout=10, data={
        "grant_type": GRANT, "apikey": server.api_key, "response_type": "cloud_iam"})
    assert response.status_code == 200
    body = response.json()
    assert body["refresh_token"] == "not_supported"
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "ibm openid"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert isinstance(claims["exp"], int) and isinstance(claims["iat"], int)
    assert claims["exp"] - claims["iat"] == body["expires_in"] == 3600
    assert body["expiration"] == claims["exp"]


def test_unknown_api_key_gets_iam_error(server: LocalRuntimeServer) -> None:
    response = requests.post(server.iam_url, timeout=10,
                             data={"grant_type": GRANT, "apikey": "nope"})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "BXNIM0415E"
    assert response.json()["errorMessage"] == "Provided API key could not be found."


def test_wrong_grant_type_is_refused(server: LocalRuntimeServer) -> None:
    response = requests.post(server.iam_url, timeout=10,
                             data={"grant_type": "password", "apikey": server.api_key})
    assert response.status_code == 400


def _errors(response: requests.Response) -> dict[str, str]:
    body = response.json()
    assert set(body) == {"errors", "trace"}
    assert body["errors"][0]["more_info"] == "https://quantum.cloud.ibm.com/docs/errors"
    assert isinstance(body["errors"][0]["code"], str)
    return body["errors"][0]  # type: ignore[no-any-return]


def test_missing_token_is_401(server: LocalRuntimeServer) -> None:
    response = requests.get(f"{server.url}/backends", timeout=10, headers={
        "Service-CRN": server.instance, "IBM-API-Version": API_VERSION})
    assert response.status_code == 401
    assert "Authorization" in _errors(response)["message"]


def test_garbage_token_is_401(api: Api) -> None:
    response = api.get("/backends", headers={"Authorization": "Bearer not.a.jwt"})
    assert response.status_code == 401
    _errors(response)


def test_expired_token_is_401(server: LocalRuntimeServer) -> None:
    server.token_ttl = -5  # tokens issued now are already expired
    try:
        api = Api(server, server.api_key, server.instance)
    finally:
        server.token_ttl = 3600
    response = api.get("/backends")
    assert response.status_code == 401
    assert "expired" in _errors(response)["message"]
    api.token = get_token(server, server.api_key)
    assert api.get("/backends").status_code == 200


def test_revoked_tokens_are_401_and_new_ones_work(api: Api) -> None:
    assert api.get("/backends").status_code == 200
    api.server.revoke_tokens()
    response = api.get("/backends")
    assert response.status_code == 401
    assert "revoked" in _errors(response)["message"]
    api.token = get_token(api.server, api.server.api_key)
    assert api.get("/backends").status_code == 200


def test_wrong_or_missing_crn_is_403(api: Api) -> None:
    other = api.server.create_instance("other")
    assert api.get("/backends", headers={"Service-CRN": other.crn}).status_code == 403
    unknown = api.server.instance.replace("quantum-computing", "quantum-computinx")
    assert api.get("/backends", headers={"Service-CRN": unknown}).status_code == 403
    response = api.http.get(api.server.url + "/backends", timeout=10, headers={
        "Authorization": f"Bearer {api.token}", "IBM-API-Version": API_VERSION})
    assert response.status_code == 403
    _errors(response)


def test_missing_api_version_is_400(api: Api) -> None:
    headers = api.headers()
    del headers["IBM-API-Version"]
    response = api.http.get(api.server.url + "/backends", headers=headers, timeout=10)
    assert response.status_code == 400
    assert "IBM-API-Version" in _errors(response)["message"]


def test_unlisted_api_versions_are_accepted_malformed_ones_refused(api: Api) -> None:
    # The references do not say what the service answers to a date /versions does not list
    # (docs/local-server.md, Headers): any well-formed date is accepted.
    listed = [v["version"] for v in api.get("/versions").json()["versions"]]
    for version in ("1999-01-01", "2099-12-31", *listed):
        response = api.get("/backends", headers={"IBM-API-Version": version})
        assert response.status_code == 200, (version, response.text)
    for version in ("latest", "2026-4-15", "2026-04-15x"):
        response = api.get("/backends", headers={"IBM-API-Version": version})
        assert response.status_code == 400, version
        assert "IBM-API-Version" in _errors(response)["message"]


def test_stray_content_type_on_get_is_ignored(api: Api) -> None:
    response = api.get("/instances/usage", headers={"Content-Type": "application/json"})
    assert response.status_code == 200


def test_crn_format_and_secrets_not_in_reprs(server: LocalRuntimeServer) -> None:
    crn = server.instance
    parts = crn.split(":")
    assert crn.startswith("crn:v1:bluemix:public:quantum-computing:us-east:a/")
    assert len(parts[6]) == 2 + 32 and crn.endswith("::")
    Api(server, server.api_key, server.instance).get("/backends")
    logged = server.requests[-1]
    assert logged.headers["authorization"].startswith("Bearer ")
    assert "Bearer" not in repr(logged)
    assert server.api_key not in repr(server.default_instance)
    assert server.api_key not in repr(server)
