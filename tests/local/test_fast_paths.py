"""The server's fast paths keep behaviour: token cache, instance cache, JSON bytes."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.utils import create_model_field

from qiskit_rest_primitives.local.api._app import _json
from qiskit_rest_primitives.local.api._errors import ApiError
from qiskit_rest_primitives.local.api._iam import TokenIssuer
from qiskit_rest_primitives.local.state._state import new_instance_row
from qiskit_rest_primitives.local.state._store import Store


def test_cached_token_is_refused_after_revocation() -> None:
    issuer = TokenIssuer()
    token = issuer.issue("crn:a", "acct")["access_token"]
    assert issuer.verify(token) == issuer.verify(token) == "crn:a"
    issuer.revoke_all()
    with pytest.raises(ApiError, match="revoked"):
        issuer.verify(token)
    assert issuer.verify(issuer.issue("crn:a", "acct")["access_token"]) == "crn:a"


def test_cached_token_is_refused_once_expired() -> None:
    issuer = TokenIssuer(ttl=1)
    body = issuer.issue("crn:a", "acct")
    assert issuer.verify(body["access_token"]) == "crn:a"
    time.sleep(max(0.0, body["expiration"] - time.time()) + 0.05)
    with pytest.raises(ApiError, match="expired"):
        issuer.verify(body["access_token"])


def test_bad_tokens_are_never_cached() -> None:
    issuer = TokenIssuer()
    for _ in range(2):
        with pytest.raises(ApiError, match="not valid"):
            issuer.verify("not-a-jwt")


def test_instance_cache_returns_copies_and_forgets_on_reset() -> None:
    store = Store()
    row = new_instance_row("extra", backends=["ibmq_manila"], instance_limit_seconds=None,
                           usage_allocation_seconds=None, is_default=False)
    store.add_instance(row)
    first = store.instance(crn=row["crn"])
    assert first is not None and first["backends"] == ["ibmq_manila"]
    first["backends"].append("ibm_torino")
    again = store.instance(crn=row["crn"])
    assert again is not None and again["backends"] == ["ibmq_manila"]
    store.reset()
    assert store.instance(crn=row["crn"]) is None
    store.close()


@pytest.mark.parametrize("doc", [
    {"a": 1e-7, "b": 1e20, "c": 1.0, "d": "h\u00e9llo \u2603 \x01", "e": [None, True, -0.0]},
    {"jobs": [], "count": 0, "limit": 200, "offset": 0},
    {},
])
def test_json_matches_fastapi_response_model_bytes(doc: dict[str, Any]) -> None:
    field = create_model_field(name="Response_x", type_=dict[str, Any], mode="serialization")
    value, errors = field.validate(doc, {}, loc=("response",))
    assert not errors
    response = _json(doc)
    assert response.body == field.serialize_json(value, by_alias=True)
    assert response.headers["content-type"] == "application/json"


def test_only_a_database_in_memory_is_read_without_asking_for_other_writers(
        tmp_path: Any) -> None:
    """A file may be changed by another connection (the CLI): its cache is checked, and its
    commits wait on the disk (POST /jobs then validates in the thread pool)."""
    memory, disk = Store(), Store(str(tmp_path / "server.db"))
    assert memory.in_memory and not disk.in_memory
    row = new_instance_row("extra", backends=["ANY"], instance_limit_seconds=None,
                           usage_allocation_seconds=None, is_default=False)
    disk.add_instance(row)
    assert disk.instance(crn=row["crn"]) is not None
    other = Store(str(tmp_path / "server.db"))  # the CLI's connection renames the instance
    other.update_instance(row["crn"], name="renamed")
    other.close()
    renamed = disk.instance(crn=row["crn"])
    assert renamed is not None and renamed["name"] == "renamed"
    memory.close()
    disk.close()
