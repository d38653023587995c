"""Job operations behind the routes: create, render, list, cancel, delete, tags."""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from ..circuits._pubs import prepare
from ..simulation._worker import close_if_drained
from ..state._state import ServerState
from ..state._store import TERMINAL, now_iso
from ._auth import check_calibration, get_backend
from ._errors import CODE_CONFLICT, ApiError, bad_request, not_found, shown
from ._query import bounded_int, choice, flag, timestamp

_ALPHABET = string.ascii_lowercase + string.digits
_ID_LENGTH = 20
_ID_SPACE = len(_ALPHABET) ** _ID_LENGTH
_TOP_LEVEL = {"program_id", "params", "runtime", "log_level", "backend", "session_id", "tags",
              "cost", "start_session", "session_time", "private", "calibration_id"}
MAX_COST = 10800
#: Optional job fields with a plain JSON type (OpenAPI JobRunParamsBase, Private).
_JOB_TYPES: dict[str, type] = {
    "backend": str, "runtime": str, "session_id": str, "calibration_id": str, "log_level": str,
    "private": bool, "start_session": bool, "session_time": int}
_TYPE_NAMES = {str: "a string", bool: "true or false", int: "an integer"}
#: OpenAPI enum (lower case); the official client sends upper case (wire-format §6.1).
_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
_PAGE_SIZE = 200  # GET /jobs: the largest and the default limit (OpenAPI)


def new_id() -> str:
    """A 20-character lowercase alphanumeric id, like real job ids.

    One draw from the OS's randomness for the whole id (a ``secrets.choice`` per character
    read it 20 times), written in base 36: uniform over all 36**20 ids.
    """
    value = secrets.randbelow(_ID_SPACE)
    chars = []
    for _ in range(_ID_LENGTH):
        value, digit = divmod(value, 36)
        chars.append(_ALPHABET[digit])
    return "".join(chars)


def check_tags(tags: Any) -> list[str]:
    """Validate a tag list (at most 8 tags of at most 86 characters, OpenAPI)."""
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise bad_request("tags must be a list of strings")
    if len(tags) > 8 or any(len(t) > 86 or not t for t in tags):
        raise bad_request("at most 8 tags are allowed, each 1 to 86 characters long")
    return tags


def check_types(body: dict[str, Any], types: dict[str, type], what: str) -> None:
    """Refuse a field of ``body`` that is not of its JSON type (``null`` means not given)."""
    for name, kind in types.items():
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise bad_request(f"{what} field {name} must be {_TYPE_NAMES[kind]}, "
                              f"got {shown(value)}")


def _check_fields(body: Any) -> tuple[str, str | None, int | None]:
    """The body's shape and its plain fields: ``(program_id, calibration_id, cost)``."""
    if not isinstance(body, dict):
        raise bad_request("The job body must be a JSON object.")
    unknown = sorted(set(body) - _TOP_LEVEL)
    if unknown:
        raise bad_request(f"unknown job field(s) {unknown}")
    program = body.get("program_id")
    if program not in ("sampler", "estimator"):
        raise bad_request(f"program_id must be 'sampler' or 'estimator', got {program!r}")
    check_types(body, _JOB_TYPES, "job")
    level = body.get("log_level")
    if level is not None and level.lower() not in _LOG_LEVELS:
        raise bad_request(f"log_level must be one of {[x.upper() for x in _LOG_LEVELS]} "
                          f"(any case), got {shown(level)}")
    cost = body.get("cost")
    if cost is not None and (isinstance(cost, bool) or not isinstance(cost, int)
                             or not 0 <= cost < 2**31):  # OpenAPI JobCost: int32, minimum 0
        raise bad_request(f"cost must be an integer number of seconds in 0..{2**31 - 1}")
    # OpenAPI JobCost: "If the provided value exceeds the maximum, it will be capped".
    return program, body.get("calibration_id"), None if cost is None else min(cost, MAX_COST)


def create_job(state: ServerState, instance: dict[str, Any], body: Any, caller: str | None,
               *, defer: list[Callable[[], None]] | None = None) -> dict[str, Any]:
    """Validate a job body, store the job and queue it; returns the create response.

    With ``defer``, queueing is appended there instead of done now: the route runs it once the
    response is sent, so the worker does not compete with the request for the GIL.
    """
    program, calibration_id, cost = _check_fields(body)
    backend = get_backend(state, instance, body.get("backend"), status=400)
    check_calibration(backend, calibration_id, status=400)
    session_id = _check_session(state, instance, body.get("session_id"), backend.name)
    tags = check_tags([] if body.get("tags") is None else body["tags"])
    limit = instance["instance_limit_seconds"]
    if limit is not None and state.store.usage_seconds(instance["crn"]) >= limit:
        raise ApiError(409, "Job usage exceeds the instance limit.", CODE_CONFLICT)
    prepare(program, body.get("params"), backend, state.limits)  # a worker decodes it again
    job_id = new_id()
    state.store.add_job({
        "id": job_id, "crn": instance["crn"], "program_id": program, "backend": backend.name,
        "session_id": session_id, "status": "Queued", "created": now_iso(),
        "params": json.dumps(body.get("params")), "tags": json.dumps(tags), "cost": cost,
        "private": int(bool(body.get("private"))), "log_level": body.get("log_level"),
        "caller": caller,
    })
    crn = instance["crn"]
    if defer is None:
        state.worker.submit(job_id, crn, session_id)
    else:
        defer.append(lambda: state.worker.submit(job_id, crn, session_id))
    response = {"id": job_id, "backend": backend.name}
    if session_id:
        response["session_id"] = session_id
    if calibration_id is not None:
        response["calibration_id"] = calibration_id
    return response


def _check_session(state: ServerState, instance: dict[str, Any], session_id: Any,
                   backend: str) -> str | None:
    if session_id is None:
        return None
    session = state.store.session(str(session_id))
    if session is None or session["crn"] != instance["crn"]:
        raise not_found(f"Session '{session_id}' was not found.")
    if _expired(session):
        state.store.update_session(session["id"], accepting_jobs=0)
        close_if_drained(state.store, session["id"])
        raise bad_request(f"Session '{session_id}' has reached its max_ttl and is closed.")
    if not session["accepting_jobs"] or session["state"] == "closed":
        raise bad_request(f"Session '{session_id}' is closed and not accepting new jobs.")
    if session["backend"] and session["backend"] != backend:
        raise bad_request(
            f"Session '{session_id}' runs on '{session['backend']}', not on '{backend}'.")
    if not session["backend"]:
        state.store.update_session(session["id"], backend=backend)
    return session["id"]  # type: ignore[no-any-return]


def _expired(session: dict[str, Any]) -> bool:
    """Whether a session is older than its ``max_ttl`` (then it takes no new jobs)."""
    created = datetime.strptime(session["created"], "%Y-%m-%dT%H:%M:%S.%fZ")
    age = datetime.now(timezone.utc).replace(tzinfo=None) - created
    return age.total_seconds() > float(session["max_ttl"])


def owned_job(state: ServerState, instance: dict[str, Any], job_id: str,
              columns: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A job of this instance (``columns`` only, if given; they must include ``crn``);
    other instances' jobs are invisible (404)."""
    row = state.store.job(job_id, columns)
    if row is None or row["crn"] != instance["crn"]:
        raise not_found(f"Job '{job_id}' was not found.")
    return row


def job_document(row: dict[str, Any], *, exclude_params: bool) -> dict[str, Any]:
    """The JobResponse (wire-format §7.1) of a stored job."""
    state: dict[str, Any] = {"status": row["status"]}
    if row["reason"] is not None:
        state["reason"] = row["reason"]
        state["reason_code"] = row["reason_code"]
    top_status = row["status"]
    if row["reason_code"] == 1305:
        top_status = "Cancelled - Ran too long"
    doc: dict[str, Any] = {
        "id": row["id"], "backend": row["backend"], "state": state, "status": top_status,
        "program": {"id": row["program_id"]}, "created": row["created"],
        "cost": row["cost"] if row["cost"] is not None else MAX_COST,
        "tags": json.loads(row["tags"]), "user_id": "local-user",
    }
    if row["session_id"]:
        doc["session_id"] = row["session_id"]
    if row["status"] in TERMINAL:
        doc["usage"] = {"qpu_charge_time_seconds": int(row["usage_seconds"] or 0),
                        "status": "complete"}
    if row["private"]:
        doc["private"] = True
    elif not exclude_params:
        doc["params"] = json.loads(row["params"])
    return doc


def metrics(row: dict[str, Any]) -> dict[str, Any]:
    """``GET /jobs/{id}/metrics`` (wire-format §7.4, API version 2026-04-15 layout)."""
    import qiskit

    final = row["status"] in TERMINAL
    return {
        "timestamps": {"created": row["created"], "running": row["running"],
                       "finished": row["finished"]},
        "usage": {"qpu_charge_time_seconds": int(row["usage_seconds"] or 0),
                  "status": "complete" if final else "pending"},
        "circuits_execution_time_ns": int((row["usage_seconds"] or 0) * 1e9),
        "qiskit_version": qiskit.__version__,
        "caller": row["caller"] or "unknown",
    }


def list_jobs(state: ServerState, instance: dict[str, Any], query: Any) -> dict[str, Any]:
    """``GET /jobs`` with the official client's filters and paging (OpenAPI ``list_jobs``).

    ``limit`` is 1..200 and ``offset`` 0..2**31-1; outside them the default is used, as the
    OpenAPI says the service does. ``sort`` is ``ASC`` or ``DESC`` exactly (its pattern
    ``^(ASC|DESC)$``; the official client sends ``ASC`` only); ``exclude_params`` defaults to
    true here (false on ``GET /jobs/{id}``).
    """
    where, args = _job_filters(instance, query)
    limit = bounded_int(query, "limit", _PAGE_SIZE, 1, _PAGE_SIZE)
    offset = bounded_int(query, "offset", 0, 0, 2**31 - 1)
    ascending = choice(query, "sort", ("ASC", "DESC")) == "ASC"
    exclude = flag(query, "exclude_params") is not False
    flag(query, "include_mocks")  # checked only: there are no mock backends
    rows, count = state.store.list_jobs(where, args, ascending=ascending, limit=limit,
                                        offset=offset)
    return {"jobs": [job_document(r, exclude_params=exclude) for r in rows], "count": count,
            "limit": limit, "offset": offset}


def _job_filters(instance: dict[str, Any], query: Any) -> tuple[list[str], list[Any]]:
    """The SQL conditions (and their arguments) of ``GET /jobs``'s filters."""
    where, args = ["crn = ?"], [instance["crn"]]
    for key, column in (("backend", "backend"), ("session_id", "session_id"),
                        ("program", "program_id")):
        if query.get(key):
            where.append(f"{column} = ?")
            args.append(query[key])
    pending = flag(query, "pending")
    if pending is not None:
        where.append(f"status {'' if pending else 'NOT '}IN ('Queued', 'Running')")
    for tag in check_tags(query.getlist("tags")):
        where.append("EXISTS (SELECT 1 FROM json_each(jobs.tags) WHERE value = ?)")
        args.append(tag)
    for key, op in (("created_after", ">"), ("created_before", "<")):
        bound = timestamp(query, key)
        if bound is not None:
            where.append(f"created {op} ?")
            args.append(bound)
    return where, args


def cancel_job(state: ServerState, row: dict[str, Any]) -> None:
    """Cancel a queued or running job; 409 if it is already final."""
    ok = state.store.transition(row["id"], ("Queued", "Running"), status="Cancelled",
                                finished=now_iso(), reason=None, reason_code=None, usage_seconds=0)
    if not ok:
        raise ApiError(409, f"Job '{row['id']}' is already in a final state and cannot be "
                       "cancelled.", CODE_CONFLICT)
    state.worker.cancel(row["id"])  # a running simulation ends now
    if row["session_id"]:
        close_if_drained(state.store, row["session_id"])


def delete_job(state: ServerState, row: dict[str, Any]) -> None:
    """Delete a job; only final jobs may be deleted."""
    if row["status"] not in TERMINAL:
        raise bad_request(f"Job '{row['id']}' is not in a final state; cancel it first.")
    state.store.delete_job(row["id"])
