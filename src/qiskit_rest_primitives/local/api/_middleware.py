"""Pure ASGI middleware: request log, fault injection and capture of handler crashes."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qs

from ..state._state import Headers, LoggedRequest, ServerState
from ._errors import CODE_INTERNAL, error_body

Scope = dict[str, Any]
Message = dict[str, Any]


class RecorderMiddleware:
    """Buffers each body, logs the request, applies injected faults, turns crashes into 500s."""

    def __init__(self, app: Any, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        method, path = scope["method"], scope["path"]
        logged = LoggedRequest(method, path, _query(scope), _headers(scope), body)
        self.state.log(logged)
        fault = self.state.take_fault(method, path)
        if fault is not None and fault.delay > 0:
            await asyncio.sleep(fault.delay)
        elif fault is not None and fault.status is not None:
            extra = [] if fault.retry_after is None else [
                (b"retry-after", str(fault.retry_after).encode())]
            message = f"Injected fault: HTTP {fault.status} for {method} {path}"
            logged.status = fault.status
            await _send_json(send, fault.status, error_body(message, CODE_INTERNAL), extra)
            return
        scope.setdefault("state", {})["raw_body"] = body  # lets sync routes read the body
        await self._call_app(scope, body, send, logged)

    async def _call_app(self, scope: Scope, body: bytes, send: Any, logged: LoggedRequest) -> None:
        sent = False
        started = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # like a client that keeps the connection open
            return {"type": "http.disconnect"}

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                logged.status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, replay, tracking_send)
        except Exception as exc:
            self.state.record_error(exc)
            if not started:
                logged.status = 500
                body_ = error_body(f"Internal server error: {type(exc).__name__}", CODE_INTERNAL)
                await _send_json(send, 500, body_, [])


async def _read_body(receive: Any) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _query(scope: Scope) -> dict[str, Any]:
    parsed = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def _headers(scope: Scope) -> Headers:
    headers = Headers()
    for key, value in scope.get("headers", []):
        headers[key.decode("latin-1").lower()] = value.decode("latin-1")
    return headers


async def _send_json(send: Any, status: int, body: Any, extra: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(payload)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
