"""One log line per request: method, path, status, time and job id (never a header or body)."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

_log = logging.getLogger("qiskit_rest_primitives.local.access")
_JOB_PATH = re.compile(r"^/api/v1/jobs/([^/]+)")


class AccessLogMiddleware:
    """Logs ``POST /api/v1/jobs 200 3.1 ms job=<id>`` at INFO once each response is sent.

    Only the method, the path (no query string), the status, the time and the job id are
    written: tokens, API keys and bodies never reach the log. A route names the job it created
    in ``request.state.job_id``; other job routes carry it in the path.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not _log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            path = scope["path"]
            job = (scope.get("state") or {}).get("job_id")
            match = _JOB_PATH.match(path)
            job = job or (match.group(1) if match else None)
            _log.info("%s %s %d %.1f ms%s", scope["method"], path[:200], status,
                      (time.perf_counter() - started) * 1000, f" job={job[:40]}" if job else "")
