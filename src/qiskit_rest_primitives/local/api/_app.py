"""FastAPI routes only: parse the request, call auth/jobs/sessions/store, render the answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..circuits._limits import parse_json
from ..simulation._waits import RESULT_WAIT_SECONDS
from ..state._state import ServerState
from ..state._store import TERMINAL
from . import _instance_routes, _jobs, _openapi, _sessions, _workloads
from ._access_log import AccessLogMiddleware
from ._auth import (
    SUPPORTED_VERSIONS,
    allowed_backends,
    authorize,
    check_calibration,
    get_backend,
)
from ._body_limit import BodyLimitMiddleware
from ._errors import CODE_INTERNAL, ApiError, bad_request, error_body, iam_error_body, not_found
from ._hot_routes import HotRoutes
from ._middleware import RecorderMiddleware
from ._query import flag, moment

_APIKEY_GRANT = "urn:ibm:params:oauth:grant-type:apikey"
#: Job bodies up to this size are validated on the event loop (~0.4 ms per KiB of OpenQASM).
INLINE_BODY_BYTES = 4096
_ANY = TypeAdapter(Any)


def _json(doc: Any) -> Response:
    """``doc`` as the exact bytes FastAPI's response-model path sends (pydantic ``dump_json``).

    Returning a ``Response`` skips that path's validation pass and, for sync routes, its extra
    hop through the thread pool; hot routes are ``async`` to skip the pool altogether.
    """
    return Response(_ANY.dump_json(doc, by_alias=True), media_type="application/json")


class _ThenRun(Response):
    """A JSON response that runs ``after`` once it has been sent (or failed to be sent)."""

    def __init__(self, doc: Any, after: list[Callable[[], None]]) -> None:
        super().__init__(_ANY.dump_json(doc, by_alias=True), media_type="application/json")
        self._after = after

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            for func in self._after:
                func()


def create_app(state: ServerState) -> Any:
    """The ASGI application (routes wrapped in the recording middleware)."""
    # The service has no slash redirects: ``/jobs/{id}/`` is no endpoint (404), not a 307.
    app = FastAPI(docs_url="/docs", redoc_url=None, openapi_url="/openapi.json",
                  redirect_slashes=False)
    _openapi.install(app, SUPPORTED_VERSIONS[-1])
    app.state.limits = state.limits  # read by _json_body
    _exception_handlers(app, state)
    _iam_routes(app, state)
    _backend_routes(app, state)
    _job_routes(app, state)
    _job_extra_routes(app, state)
    _session_routes(app, state)
    _instance_routes.register(app, state, _json_body)
    hot = HotRoutes(app, app.router.routes, _api_error)
    # The access log is outermost, so requests refused for their size are logged too.
    return AccessLogMiddleware(BodyLimitMiddleware(RecorderMiddleware(hot, state),
                                                   state.limits.max_body_bytes))


def _api_error(exc: ApiError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return JSONResponse(error_body(exc.message, exc.code), exc.status, headers=headers)


def _exception_handlers(app: FastAPI, state: ServerState) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> Response:
        return _api_error(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = (f"No such endpoint: {request.method} {request.url.path}"
                   if exc.status_code in (404, 405) else str(exc.detail))
        return JSONResponse(error_body(message, "1234"), exc.status_code)

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: our error shape instead of Starlette's plain-text 500. Kept for
        # check_errors() before the answer leaves (the re-raise reaches the recorder later).
        state.record_error(exc)
        message = f"Internal server error: {type(exc).__name__}"
        return JSONResponse(error_body(message, CODE_INTERNAL), 500)


def _json_body(request: Request) -> Any:
    return parse_json(request.state.raw_body, request.app.state.limits)


def _iam_routes(app: FastAPI, state: ServerState) -> None:
    @app.post("/identity/token")
    def token(request: Request) -> JSONResponse:
        client = request.client.host if request.client else ""
        wait = state.iam_failures.retry_after(client)
        if wait:
            return JSONResponse(iam_error_body(
                f"Too many failed attempts from this address; retry in {wait} s.",
                "BXNIM0436E"), 429, headers={"Retry-After": str(wait)})
        raw: bytes = request.state.raw_body
        form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != _APIKEY_GRANT:
            return JSONResponse(iam_error_body(
                "Provided grant type is not supported.", "BXNIM0308E"), 400)
        instance = state.store.instance(api_key=form.get("apikey", ""))
        if not form.get("apikey") or instance is None:
            state.iam_failures.record(client)
            return JSONResponse(iam_error_body("Provided API key could not be found."), 400)
        return JSONResponse(state.issuer.issue(instance["crn"], instance["account"]))


def _backend_routes(app: FastAPI, state: ServerState) -> None:
    @app.get("/api/v1/versions")
    async def versions() -> Response:
        # OpenAPI VersionResponse: one {version, status} object per date, the newest live.
        return _json({"versions": [
            {"version": v, "status": "live" if v == SUPPORTED_VERSIONS[-1] else "deprecated"}
            for v in SUPPORTED_VERSIONS]})

    @app.get("/api/v1/backends")
    async def backends(request: Request) -> Response:
        instance = authorize(state, request.headers)
        names = allowed_backends(state, instance)
        return _json({"devices": [get_backend(state, instance, n).device_entry()
                                  for n in names]})

    @app.get("/api/v1/backends/{name}/{document}")
    async def backend_document(request: Request, name: str, document: str) -> Response:
        instance = authorize(state, request.headers)
        if document not in ("configuration", "properties", "status", "defaults"):
            raise not_found(f"No such endpoint: {request.url.path}")
        backend = get_backend(state, instance, name)
        if document in ("configuration", "properties"):
            check_calibration(backend, request.query_params.get("calibration_id"))
        if document == "configuration":
            return _json(backend.configuration)
        if document == "status":
            return _json(backend.status())
        if document == "defaults":
            return _json({})
        before = moment(request.query_params, "updated_before")
        props = backend.properties_before(before)
        if props is None:
            raise not_found(f"No properties of '{name}' were recorded before "
                            f"{request.query_params['updated_before']}.")
        return _json(props)


def _create_job(state: ServerState, request: Request) -> Response:
    """``POST /jobs``: validate, store and queue the job (queued once the answer is sent).

    A small body validates in well under a millisecond, so the route runs this on the event
    loop, without the thread pool's two thread switches (a third of a Bell job's handling).
    A larger body may take longer to parse, and a database file's commit may wait on the
    disk (a WAL checkpoint syncs it): those run in the pool, so other requests go on.
    """
    instance = authorize(state, request.headers)
    caller = request.headers.get("x-qx-client-application")
    later: list[Callable[[], None]] = []
    doc = _jobs.create_job(state, instance, _json_body(request), caller, defer=later)
    request.state.job_id = doc["id"]  # for the access log
    return _ThenRun(doc, later)


def _job_routes(app: FastAPI, state: ServerState) -> None:
    @app.post("/api/v1/jobs")
    async def create_job(request: Request) -> Response:
        if len(request.state.raw_body) <= INLINE_BODY_BYTES and state.store.in_memory:
            return _create_job(state, request)
        return await run_in_threadpool(_create_job, state, request)

    @app.get("/api/v1/jobs")
    def list_jobs(request: Request) -> Response:
        instance = authorize(state, request.headers)
        return _json(_jobs.list_jobs(state, instance, request.query_params))

    @app.get("/api/v1/jobs/{job_id}")
    async def get_job(request: Request, job_id: str) -> Response:
        instance = authorize(state, request.headers)
        exclude = flag(request.query_params, "exclude_params") is True
        row = _jobs.owned_job(state, instance, job_id,
                              state.store.job_summary_columns if exclude else None)
        return _json(_jobs.job_document(row, exclude_params=exclude))

    @app.delete("/api/v1/jobs/{job_id}")
    def delete_job(request: Request, job_id: str) -> Response:
        row = _jobs.owned_job(state, authorize(state, request.headers), job_id)
        _jobs.delete_job(state, row)
        return Response(status_code=204)

    @app.post("/api/v1/jobs/{job_id}/cancel")
    def cancel_job(request: Request, job_id: str) -> Response:
        row = _jobs.owned_job(state, authorize(state, request.headers), job_id)
        _jobs.cancel_job(state, row)
        return Response(status_code=204)

    @app.get("/api/v1/jobs/{job_id}/results")
    async def results(request: Request, job_id: str) -> Response:
        return await _job_results(state, request, job_id)


async def _job_results(state: ServerState, request: Request, job_id: str) -> Response:
    """A job's results once it is final (a poll of an unfinished job waits, bounded), or 204."""
    columns = ("crn", "status", "result", "private")
    instance = authorize(state, request.headers)
    row = _jobs.owned_job(state, instance, job_id, columns)
    if row["status"] not in TERMINAL:  # about to finish, maybe: answer when it does
        # (bounded; a job polled right after its submission may not have started yet)
        def finished() -> bool:
            current = state.store.job(job_id, ("status",))
            return current is None or current["status"] in TERMINAL

        await state.finish_waits.wait(job_id, RESULT_WAIT_SECONDS, finished)
        row = _jobs.owned_job(state, instance, job_id, columns)
    if row["status"] not in TERMINAL or row["result"] is None:
        return Response(status_code=204)
    # wire-format §6: a private job's results are readable once; afterwards 204, no body.
    text = state.store.take_result(job_id) if row["private"] else row["result"]
    if text is None:  # another request took them first
        return Response(status_code=204)
    media = "application/json" if row["status"] == "Completed" else "text/plain"
    return Response(text, media_type=media)


def _job_extra_routes(app: FastAPI, state: ServerState) -> None:
    @app.get("/api/v1/jobs/{job_id}/metrics")
    def job_metrics(request: Request, job_id: str) -> dict[str, Any]:
        return _jobs.metrics(_jobs.owned_job(state, authorize(state, request.headers), job_id))

    @app.get("/api/v1/jobs/{job_id}/logs")
    def logs(request: Request, job_id: str) -> Response:
        row = _jobs.owned_job(state, authorize(state, request.headers), job_id)
        if row["status"] not in TERMINAL:
            raise not_found("Logs are only available after the job finishes.")
        return PlainTextResponse(row["logs"] or "")

    @app.put("/api/v1/jobs/{job_id}/tags")
    def tags(request: Request, job_id: str) -> Response:
        row = _jobs.owned_job(state, authorize(state, request.headers), job_id)
        body = _json_body(request)
        if not isinstance(body, dict) or set(body) != {"tags"}:
            raise bad_request('The body must be {"tags": [...]}.')
        state.store.update_job(row["id"], tags=json.dumps(_jobs.check_tags(body["tags"])))
        return Response(status_code=204)

    @app.get("/api/v1/tags")
    def search_tags(request: Request) -> dict[str, Any]:
        instance = authorize(state, request.headers)
        search = request.query_params.get("search", "")
        rows, _ = state.store.list_jobs(["crn = ?"], [instance["crn"]], ascending=True,
                                        limit=-1, offset=0)
        found = sorted({t for r in rows for t in json.loads(r["tags"]) if search in t})
        return {"tags": found}


def _session_routes(app: FastAPI, state: ServerState) -> None:
    @app.post("/api/v1/sessions")
    def create_session(request: Request) -> dict[str, Any]:
        instance = authorize(state, request.headers)
        return _sessions.create_session(state, instance, _json_body(request))

    @app.get("/api/v1/sessions/{session_id}")
    def get_session(request: Request, session_id: str) -> dict[str, Any]:
        instance = authorize(state, request.headers)
        return _sessions.session_document(_sessions.owned_session(state, instance, session_id),
                                          state.store.session_usage(session_id))

    @app.patch("/api/v1/sessions/{session_id}")
    def patch_session(request: Request, session_id: str) -> Response:
        instance = authorize(state, request.headers)
        row = _sessions.owned_session(state, instance, session_id)
        _sessions.patch_session(state, row, _json_body(request))
        return Response(status_code=204)

    @app.get("/api/v1/workloads")
    def list_workloads(request: Request) -> Response:
        instance = authorize(state, request.headers)
        return _json(_workloads.list_workloads(state, instance, request.query_params))

    @app.delete("/api/v1/sessions/{session_id}/close")
    def close_session(request: Request, session_id: str) -> Response:
        instance = authorize(state, request.headers)
        _sessions.close_session(state, _sessions.owned_session(state, instance, session_id))
        return Response(status_code=204)
