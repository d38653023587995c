"""``GET /workloads``: the instance's jobs, sessions and batches in one filtered list.

The real service offers this endpoint (wire-format §5) with the filters ``mode`` (``job``,
``session``, ``batch``), ``backend``, ``status``, ``search`` (id or tag), ``tags``,
``created_after``, ``created_before``, ``sort`` and ``limit``; the client uses it to find a
session whose creation answer was lost. Cursor paging (``previous``/``next``) is not emulated:
both stay null and ``total_count`` says how many matched.
"""

from __future__ import annotations

import json
from typing import Any

from ..state._state import ServerState
from ._query import choice, natural, timestamp

_MODES = ("job", "session", "batch")
_SESSION_MODE = {"dedicated": "session", "batch": "batch"}
_MAX_LIMIT = 100


def list_workloads(state: ServerState, instance: dict[str, Any], query: Any) -> dict[str, Any]:
    """Jobs and sessions of the instance matching the query, newest first by default."""
    mode = choice(query, "mode", _MODES)
    newest_first = choice(query, "sort", ("createdAt", "-createdAt")) != "createdAt"
    limit = min(natural(query, "limit", 10), _MAX_LIMIT)
    bounds = [(bound, later) for key, later in (("created_after", True),
                                                ("created_before", False))
              if (bound := timestamp(query, key)) is not None]
    items: list[dict[str, Any]] = []
    if mode in (None, "job"):
        rows, _ = state.store.list_jobs(["crn = ?"], [instance["crn"]], ascending=True,
                                        limit=-1, offset=0)
        items += [_job_item(r) for r in rows]
    if mode != "job":
        items += [_session_item(r) for r in state.store.sessions_of(instance["crn"])
                  if mode is None or _SESSION_MODE[r["mode"]] == mode]
    items = [item for item in items if _matches(item, query, bounds)]
    items.sort(key=lambda item: (item["created"], item["id"]), reverse=newest_first)
    return {"workloads": items[:limit], "total_count": len(items), "limit": limit,
            "previous": None, "next": None}


def _matches(item: dict[str, Any], query: Any, bounds: list[tuple[str, bool]]) -> bool:
    if query.get("backend") and item["backend"] != query["backend"]:
        return False
    statuses = {s.lower() for s in query.getlist("status")}
    if statuses and item["status"].lower() not in statuses:
        return False
    if any(tag not in item["tags"] for tag in query.getlist("tags")):
        return False
    search = query.get("search")
    if search and search not in item["id"] and not any(search in t for t in item["tags"]):
        return False
    return all((item["created"] > bound) == later and item["created"] != bound
               for bound, later in bounds)


def _job_item(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "mode": "job", "backend": row["backend"], "status": row["status"],
            "created": row["created"], "ended": row["finished"], "tags": json.loads(row["tags"]),
            "program": {"id": row["program_id"]}, "session_id": row["session_id"],
            "user_id": "local-user"}


def _session_item(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "mode": _SESSION_MODE[row["mode"]], "backend": row["backend"],
            "status": row["state"], "created": row["created"], "ended": row["closed"],
            "tags": [], "accepting_jobs": bool(row["accepting_jobs"]), "user_id": "local-user"}
