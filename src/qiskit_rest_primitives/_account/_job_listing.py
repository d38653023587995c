"""Listing jobs: the ``GET /jobs`` filters as the official client sends them, and paging."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from .._transport._rest import RestClient

JSON = dict[str, Any]
#: ``GET /jobs``: the largest page the API serves (OpenAPI).
PAGE_SIZE = 200


def job_documents(rest: RestClient, filters: list[tuple[str, Any]], *, limit: int | None,
                  skip: int) -> list[JSON]:
    """Up to ``limit`` job documents (every one for ``None``) after the first ``skip``,
    page by page, parameters excluded."""
    documents: list[JSON] = []
    offset = skip
    while limit is None or len(documents) < limit:
        page_size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(documents))
        params = [("exclude_params", "true"), ("limit", page_size), ("offset", offset),
                  *filters]
        page = rest.list_jobs(params).get("jobs") or []
        documents += page
        offset += len(page)
        if len(page) < page_size:
            break
    return documents


def job_filters(*, backend_name: str | None, pending: bool | None, program: str | None,
                session_id: str | None, tags: Sequence[str] | None,
                created_after: datetime | None, created_before: datetime | None,
                descending: bool) -> list[tuple[str, Any]]:
    """``GET /jobs`` query filters, as the official client names them (wire-format §5)."""
    params: list[tuple[str, Any]] = []
    for key, value in (("backend", backend_name), ("program", program),
                       ("session_id", session_id)):
        if value is not None:
            params.append((key, value))
    if pending is not None:
        params.append(("pending", "true" if pending else "false"))
    params += [("tags", tag) for tag in tags or ()]
    for key, moment in (("created_after", created_after), ("created_before", created_before)):
        if moment is not None:
            # wire-format §5: UTC ISO-8601 with "+00:00"; a naive datetime is local time.
            params.append((key, moment.astimezone(timezone.utc).isoformat()))
    if not descending:
        params.append(("sort", "ASC"))
    return params
