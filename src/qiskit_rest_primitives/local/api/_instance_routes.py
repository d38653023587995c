"""Routes for instances: Resource Controller, Global Search and Catalog, Runtime ``/instance``.

The IBM Cloud APIs share this server's port: ``/v2/resource_instances`` (Resource Controller),
``/v3/resources/search`` (Global Search) and ``/globalcatalog/api/v1/{id}`` (Global Catalog).
They take the same IAM bearer tokens as the Runtime API and act on the token's account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ..state import _instances
from ..state._state import ServerState
from ._auth import authorize
from ._errors import CODE_NOT_AUTHORIZED, ApiError

BodyReader = Callable[[Request], Any]


def account_of(state: ServerState, headers: Any) -> str:
    """The IBM Cloud account a bearer token belongs to (401 without a valid token)."""
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Missing or malformed Authorization header; expected 'Bearer <token>'.",
                       CODE_NOT_AUTHORIZED)
    row = state.store.instance(crn=state.issuer.verify(token.strip()))
    if row is None:  # the server was reset since the token was issued
        raise ApiError(401, "The access token's account no longer exists.", CODE_NOT_AUTHORIZED)
    return str(row["account"])


def register(app: FastAPI, state: ServerState, body: BodyReader) -> None:
    """Add the instance routes of every API to ``app``."""
    _resource_controller(app, state, body)
    _search_and_catalog(app, state, body)
    _runtime(app, state, body)


def _resource_controller(app: FastAPI, state: ServerState, body: BodyReader) -> None:
    @app.post("/v2/resource_instances")
    def create(request: Request) -> JSONResponse:
        account = account_of(state, request.headers)
        return JSONResponse(_instances.create(state, account, body(request)), 201)

    @app.get("/v2/resource_instances")
    def listing(request: Request) -> dict[str, Any]:
        account = account_of(state, request.headers)
        return _instances.listing(state, account, request.query_params)

    @app.get("/v2/resource_instances/{instance_id:path}")
    def get(request: Request, instance_id: str) -> dict[str, Any]:
        row = _instances.find(state, account_of(state, request.headers), instance_id)
        return _instances.document(row)

    @app.patch("/v2/resource_instances/{instance_id:path}")
    def update(request: Request, instance_id: str) -> dict[str, Any]:
        row = _instances.find(state, account_of(state, request.headers), instance_id)
        return _instances.update(state, _instances.changeable(row), body(request))

    @app.delete("/v2/resource_instances/{instance_id:path}")
    def delete(request: Request, instance_id: str) -> Response:
        row = _instances.changeable(
            _instances.find(state, account_of(state, request.headers), instance_id))
        if row["is_default"]:
            raise ApiError(409, "The server's default instance cannot be deleted.", "RC-409")
        state.store.delete_instance(row["crn"])
        return Response(status_code=204)


def _search_and_catalog(app: FastAPI, state: ServerState, body: BodyReader) -> None:
    @app.post("/v3/resources/search")
    def search(request: Request) -> dict[str, Any]:
        account = account_of(state, request.headers)
        return _instances.search(state, account, body(request))

    @app.get("/globalcatalog/api/v1/{entry_id}")
    def catalog(request: Request, entry_id: str) -> dict[str, Any]:
        account_of(state, request.headers)
        return _instances.catalog_entry(entry_id)


def _runtime(app: FastAPI, state: ServerState, body: BodyReader) -> None:
    @app.get("/api/v1/instance")
    def instance(request: Request) -> dict[str, Any]:
        return _instances.runtime_instance(authorize(state, request.headers))

    @app.get("/api/v1/instances/configuration")
    def configuration(request: Request) -> dict[str, Any]:
        return {"instance_limit": authorize(state, request.headers)["instance_limit_seconds"]}

    @app.put("/api/v1/instances/configuration")
    def set_configuration(request: Request) -> Response:
        row = authorize(state, request.headers)
        _instances.set_configuration(state, row, body(request))
        return Response(status_code=204)

    @app.get("/api/v1/instances/usage")
    def usage(request: Request) -> dict[str, Any]:
        return _instances.usage(state, authorize(state, request.headers))
