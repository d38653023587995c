"""The recording middleware turns handler crashes into 500 error bodies and keeps them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from qiskit_rest_primitives.local.api._middleware import RecorderMiddleware
from qiskit_rest_primitives.local.state._state import ServerState


async def _crashing_app(scope: Any, receive: Any, send: Any) -> None:
    raise RuntimeError("boom")


def test_crash_becomes_500_and_is_kept() -> None:
    state = ServerState(db=None, noise=False, token_ttl=60, seed=None)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/jobs", "query_string": b"",
             "headers": [(b"authorization", b"Bearer secret")]}
    asyncio.run(RecorderMiddleware(_crashing_app, state)(scope, receive, send))
    assert sent[0]["status"] == 500
    body = json.loads(sent[1]["body"])
    assert body["errors"][0]["message"] == "Internal server error: RuntimeError"
    assert isinstance(state.errors[0], RuntimeError)
    assert state.requests[0].status == 500
    assert "secret" not in repr(state.requests[0])
    state.store.close()
