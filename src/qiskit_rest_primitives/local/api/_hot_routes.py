"""The job routes every job calls, answered without FastAPI's per-request machinery.

A Bell job costs the server two requests, ``POST /jobs`` and ``GET /jobs/{id}/results``, and
a waiting client polls ``GET /jobs/{id}``. Each of those handlers takes a ``Request`` and
path strings and returns a ``Response``, so FastAPI's layers (exception and telemetry
middleware, the route table scanned in order, dependency solving) add nothing to them but
about 40 µs a request. This layer sits inside the recorder: it matches those routes with
FastAPI's own path patterns and calls FastAPI's own endpoints, so the documented routes, the
request log, injected faults, the body limit and the access log behave as before. Anything
else (another method, a trailing slash, ``HEAD``) goes on to FastAPI, which answers a path
with a trailing slash 404 like any unknown path (no redirects, as on the service).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ._errors import ApiError

Scope = dict[str, Any]
Endpoint = Callable[..., Awaitable[Response]]

#: (method, path template) of the routes taken past FastAPI; their endpoints must be async.
HOT = (("POST", "/api/v1/jobs"), ("GET", "/api/v1/jobs/{job_id}"),
       ("GET", "/api/v1/jobs/{job_id}/results"))


class HotRoutes:
    """Calls the endpoints of :data:`HOT` directly; passes every other request to ``app``."""

    def __init__(self, app: Any, routes: list[BaseRoute],
                 render_error: Callable[[ApiError], Response]) -> None:
        self.app = app
        self._render_error = render_error
        self._routes: list[tuple[str, Route]] = []
        for method, path in HOT:
            route = next(r for r in routes if isinstance(r, Route) and r.path == path
                         and method in (r.methods or ()))
            if not inspect.iscoroutinefunction(route.endpoint):
                raise TypeError(f"{method} {path}: a hot route's endpoint must be async")
            self._routes.append((method, route))

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            method, path = scope["method"], scope["path"]
            for wanted, route in self._routes:
                match = route.path_regex.match(path) if method == wanted else None
                if match is not None:
                    await self._answer(route.endpoint, match.groupdict(), scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _answer(self, endpoint: Endpoint, params: dict[str, str], scope: Scope,
                      receive: Any, send: Any) -> None:
        scope["app"] = self.app  # as Starlette sets it: request.app.state holds the limits
        try:
            response = await endpoint(Request(scope, receive), **params)
        except ApiError as exc:
            response = self._render_error(exc)
        # Any other exception reaches the recorder, which keeps it and answers 500.
        await response(scope, receive, send)
