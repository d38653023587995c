"""Per-request checks: bearer token, Service-CRN, IBM-API-Version, backend allow-list."""

from __future__ import annotations

import re
from typing import Any

from ..state._backends import BackendInfo
from ..state._state import ServerState
from ._errors import (
    CODE_BACKEND_INFO_NOT_FOUND,
    CODE_BACKEND_NOT_FOUND,
    CODE_NOT_AUTHORIZED,
    ApiError,
    bad_request,
    not_found,
)

_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SUPPORTED_VERSIONS = ["2024-01-01", "2025-05-01", "2026-02-01", "2026-02-15", "2026-03-15",
                      "2026-04-15"]


def authorize(state: ServerState, headers: Any) -> dict[str, Any]:
    """Return the calling instance row, or raise 401 / 403 / 400 ``ApiError``.

    Order: token (401), then CRN (403), then API version (400). A missing ``IBM-API-Version``
    is refused: the official client always sends it and IBM docs list it as required, so a
    client that forgets it should find out here rather than against the real service.
    """
    auth = headers.get("authorization") or ""
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Missing or malformed Authorization header; expected 'Bearer <token>'.",
                       CODE_NOT_AUTHORIZED)
    token_crn = state.issuer.verify(token.strip())
    crn = headers.get("service-crn")
    if not crn:
        raise ApiError(403, "Missing Service-CRN header.", CODE_NOT_AUTHORIZED)
    instance = state.store.instance(crn=crn)
    if (instance is None or instance["removed"]
            or (crn != token_crn and not _same_account(state, instance, token_crn))):
        raise ApiError(403, "You are not authorized to use the instance in the Service-CRN header.",
                       CODE_NOT_AUTHORIZED)
    version = headers.get("ibm-api-version")
    if not version:
        raise bad_request("Missing IBM-API-Version header (e.g. 'IBM-API-Version: 2026-04-15').")
    if not _VERSION.match(version):
        raise bad_request(f"Invalid IBM-API-Version '{version[:20]}': expected YYYY-MM-DD.")
    return instance


def _same_account(state: ServerState, instance: dict[str, Any], token_crn: str) -> bool:
    """Whether the token (issued for one instance's key) is of the instance's account: an API
    key reaches every instance of its IBM Cloud account, as on the real service."""
    holder = state.store.instance(crn=token_crn)
    return holder is not None and holder["account"] == instance["account"]


def allowed_backends(state: ServerState, instance: dict[str, Any]) -> list[str]:
    """Backends an instance may use (``["ANY"]`` means all)."""
    listed = instance["backends"]
    return [b for b in state.backends.names() if "ANY" in listed or b in listed]


def get_backend(state: ServerState, instance: dict[str, Any], name: str | None, *,
                status: int = 404) -> BackendInfo:
    """A backend the instance may use: unknown → ``status`` (404/400), not allowed → 403."""
    backend = state.backends.get(name) if isinstance(name, str) and name else None
    if backend is None:
        message = f"Backend '{name}' was not found." if name else "A backend name is required."
        if status == 404:
            raise not_found(message, CODE_BACKEND_NOT_FOUND)
        raise ApiError(status, message, CODE_BACKEND_NOT_FOUND)
    if name not in allowed_backends(state, instance):
        raise ApiError(403, f"Instance is not authorized to use backend '{name}'.",
                       CODE_NOT_AUTHORIZED)
    return backend


def check_calibration(backend: BackendInfo, calibration_id: str | None, *,
                      status: int = 404) -> None:
    """Refuse a calibration id the server holds no documents for.

    Our inference (the references document the parameter, not its failure): the service
    answers an unknown id with an error body, and the official client then reports the backend
    as not found, the id in the message; 404 with code 1009 "Required backend information not
    found" on the backend routes, 400 on a job body.
    """
    if calibration_id is None or calibration_id == backend.calibration_id:
        return
    message = (f"Calibration '{calibration_id[:100]}' of backend '{backend.name}' was not "
               "found.")
    raise ApiError(status, message, CODE_BACKEND_INFO_NOT_FOUND)
