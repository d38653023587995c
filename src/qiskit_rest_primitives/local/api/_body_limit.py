"""Outermost ASGI layer: refuse bodies over ``max_body_bytes`` with 413 before reading them.

It runs before authentication and before the recorder buffers the body, so a request
without credentials cannot make the server hold more than the limit: a declared
``Content-Length`` over the limit is answered without reading a byte, and a chunked body
is counted as it arrives and cut off as soon as it passes the limit.
"""

from __future__ import annotations

import json
from typing import Any

from ..circuits._limits import body_too_large
from ._errors import error_body

Scope = dict[str, Any]
Message = dict[str, Any]


class _TooLarge(Exception):
    """Raised from ``receive`` once the body passes the limit."""


class BodyLimitMiddleware:
    """Counts request body bytes; answers 413 (errors body naming the limit) past ``limit``."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.limit:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message: Message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        error = body_too_large(self.limit)
        payload = json.dumps(error_body(error.message, error.code)).encode()
        # Connection: close: the rest of the body is never read, so the connection cannot
        # carry another request.
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(payload)).encode()), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _declared_length(scope: Scope) -> int:
    """The ``Content-Length`` header as an int (0 when absent or malformed: counted later)."""
    for key, value in scope.get("headers", ()):
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0
