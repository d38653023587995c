"""The OpenAPI document (``/openapi.json``, ``/docs``): request body models for the routes.

The models describe the bodies; they do not validate them. The routes keep their own checks, so
bad input still answers 400 with the ``errors`` body and a message naming the field, exactly as
the service does, where FastAPI's validation would answer 422 in its own shape.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

_SECONDS = Field(default=None, pattern=r"^\d+$", description="Seconds, as a string of digits.")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobCreate(_Body):
    """``POST /api/v1/jobs``: a sampler or estimator job (wire-format §6)."""

    program_id: Literal["sampler", "estimator"]
    backend: str = Field(description="A backend the instance may use.")
    params: dict[str, Any] = Field(description="pubs, options, version, support_qiskit ...")
    session_id: str | None = Field(default=None, description="Run in this session or batch.")
    tags: list[str] = Field(default_factory=list, max_length=8)
    cost: int | None = Field(default=None, ge=0, le=10800,
                             description="Maximum execution time in seconds; larger "
                                         "values (int32) are capped at 10800.")
    private: bool | None = Field(default=None,
                                 description="Hide params; results are readable once.")
    calibration_id: str | None = None
    log_level: str | None = None
    runtime: str | None = None
    start_session: bool | None = None
    session_time: int | None = None


class SessionCreate(_Body):
    """``POST /api/v1/sessions``: a dedicated session or a batch."""

    mode: Literal["dedicated", "batch"] = "dedicated"
    backend: str | None = None
    backend_name: str | None = Field(default=None, description="Read when backend is absent.")
    instance: str | None = Field(default=None, description="Must match Service-CRN.")
    max_ttl: int = Field(default=28800, gt=0, description="Seconds; capped at 28800.")


class SessionUpdate(_Body):
    """``PATCH /api/v1/sessions/{id}``: stop accepting jobs."""

    accepting_jobs: bool


class TagsUpdate(_Body):
    """``PUT /api/v1/jobs/{id}/tags``."""

    tags: list[str] = Field(max_length=8)


class InstanceParameters(_Body):
    """Runtime settings of an instance."""

    instance_limit_seconds: str | None = _SECONDS
    usage_allocation_seconds: str | None = _SECONDS
    backends: list[str] | None = Field(default=None, description='["ANY"] for every backend.')


class ResourceInstanceCreate(_Body):
    """``POST /v2/resource_instances``: a new instance in the caller's account."""

    name: str
    target: str = Field(description="Region, e.g. us-east.")
    resource_group: str
    resource_plan_id: str
    tags: list[str] = Field(default_factory=list)
    parameters: InstanceParameters | None = None


class ResourceInstanceUpdate(_Body):
    """``PATCH /v2/resource_instances/{id}``: the keys given are changed."""

    name: str | None = None
    parameters: InstanceParameters | None = None


class InstanceConfiguration(_Body):
    """``PUT /api/v1/instances/configuration``."""

    instance_limit: int | None = Field(default=None, ge=0)


BODIES: dict[tuple[str, str], type[BaseModel]] = {
    ("post", "/api/v1/jobs"): JobCreate,
    ("put", "/api/v1/jobs/{job_id}/tags"): TagsUpdate,
    ("post", "/api/v1/sessions"): SessionCreate,
    ("patch", "/api/v1/sessions/{session_id}"): SessionUpdate,
    ("post", "/v2/resource_instances"): ResourceInstanceCreate,
    ("patch", "/v2/resource_instances/{instance_id}"): ResourceInstanceUpdate,
    ("put", "/api/v1/instances/configuration"): InstanceConfiguration,
}


def install(app: FastAPI, version: str) -> None:
    """Serve an OpenAPI document whose request bodies are the models above."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title="Qiskit Runtime REST API (local server)", version=version, routes=app.routes,
            description="Every /api/v1 call but /versions needs Authorization: Bearer <token> "
                        "(from POST /identity/token), Service-CRN and IBM-API-Version headers.")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for path_item in schema.get("paths", {}).values():  # bad input answers 400, never 422
            for operation in path_item.values():
                operation.get("responses", {}).pop("422", None)
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for (method, path), model in BODIES.items():
            operation = schema.get("paths", {}).get(path, {}).get(method)
            if operation is None:
                continue
            body = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components[model.__name__] = body
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
