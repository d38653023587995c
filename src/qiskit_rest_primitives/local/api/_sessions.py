"""Session and batch operations behind the routes (wire-format §9)."""

from __future__ import annotations

from typing import Any

from ..simulation._worker import close_if_drained
from ..state._state import ServerState
from ..state._store import now_iso
from ._auth import get_backend
from ._errors import bad_request, not_found, shown
from ._jobs import check_types, new_id

DEFAULT_MAX_TTL = 28800
_SESSION_TYPES: dict[str, type] = {"mode": str, "backend": str, "backend_name": str,
                                   "instance": str, "max_ttl": int}


def create_session(state: ServerState, instance: dict[str, Any], body: Any) -> dict[str, Any]:
    """``POST /sessions``: mode dedicated|batch, optional backend, instance and max_ttl."""
    if not isinstance(body, dict):
        raise bad_request("The session body must be a JSON object.")
    unknown = sorted(set(body) - _SESSION_TYPES.keys())
    if unknown:
        raise bad_request(f"unknown session field(s) {unknown}")
    check_types(body, _SESSION_TYPES, "session")
    mode = "dedicated" if body.get("mode") is None else body["mode"]  # null: not given
    if mode not in ("dedicated", "batch"):
        raise bad_request(f"mode must be 'dedicated' or 'batch', got {shown(mode)}")
    name = body.get("backend") or body.get("backend_name")
    backend = get_backend(state, instance, name, status=400).name if name else ""
    if body.get("instance") not in (None, instance["crn"]):
        raise bad_request("The session 'instance' does not match the Service-CRN header.")
    max_ttl = DEFAULT_MAX_TTL if body.get("max_ttl") is None else body["max_ttl"]
    if max_ttl <= 0:  # an integer: check_types saw to it
        raise bad_request(f"max_ttl must be a positive integer number of seconds, got {max_ttl}")
    session_id = new_id()
    state.store.add_session({
        "id": session_id, "crn": instance["crn"], "backend": backend, "mode": mode,
        "state": "open", "accepting_jobs": 1, "max_ttl": min(max_ttl, DEFAULT_MAX_TTL),
        "created": now_iso()})
    return session_document(owned_session(state, instance, session_id))


def owned_session(state: ServerState, instance: dict[str, Any], session_id: str) -> dict[str, Any]:
    """A session of this instance, else 404."""
    row = state.store.session(session_id)
    if row is None or row["crn"] != instance["crn"]:
        raise not_found(f"Session '{session_id}' was not found.")
    return row


def session_document(row: dict[str, Any], usage: float = 0.0) -> dict[str, Any]:
    """The JobSession body; ``usage`` (``elapsed_time``) is the seconds charged to its jobs."""
    timestamps = [{"status": "open", "timestamp": row["created"]}]
    if row["activated"]:
        timestamps.append({"status": "active", "timestamp": row["activated"]})
    if row["closed"]:
        timestamps.append({"status": "closed", "timestamp": row["closed"]})
    return {
        "id": row["id"], "backend_name": row["backend"], "mode": row["mode"],
        "state": row["state"], "accepting_jobs": bool(row["accepting_jobs"]),
        "max_ttl": row["max_ttl"], "interactive_ttl": 60, "active_ttl": row["max_ttl"],
        "started_at": row["created"], "activated_at": row["activated"],
        "closed_at": row["closed"], "last_job_started": row["last_job_started"],
        "last_job_completed": row["last_job_completed"], "timestamps": timestamps,
        "user_id": "local-user", "elapsed_time": float(usage),
    }


def patch_session(state: ServerState, row: dict[str, Any], body: Any) -> None:
    """``PATCH /sessions/{id}``: only ``{"accepting_jobs": false}`` is meaningful."""
    if not isinstance(body, dict) or set(body) - {"accepting_jobs"}:
        raise bad_request("Only 'accepting_jobs' can be updated on a session.")
    accepting = body.get("accepting_jobs")
    if not isinstance(accepting, bool):
        raise bad_request("accepting_jobs must be a boolean")
    if accepting and row["state"] == "closed":
        raise bad_request("A closed session cannot accept jobs again.")
    state.store.update_session(row["id"], accepting_jobs=int(accepting))
    close_if_drained(state.store, row["id"])


def close_session(state: ServerState, row: dict[str, Any]) -> None:
    """``DELETE /sessions/{id}/close``: stop accepting and cancel queued jobs."""
    state.store.update_session(row["id"], accepting_jobs=0)
    for job_id in state.store.pending_job_ids(row["id"]):
        state.store.transition(job_id, ("Queued",), status="Cancelled", finished=now_iso(),
                               usage_seconds=0)
    close_if_drained(state.store, row["id"])
