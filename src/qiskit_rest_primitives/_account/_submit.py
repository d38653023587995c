"""Job submission that takes effect exactly once, and finding submissions again by their tag.

A submission's body carries a client-made tag, built once before the first attempt and
recorded in the journal (if any) before the first post. After an ambiguous failure the job is
looked up by that tag before posting again (:func:`create_once`); after a crash, the journal's
records are found the same way.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

from .._codec._encode import dumps_body
from .._config import RetryPolicy
from .._option_checks import MAX_JOB_TAGS
from .._transport._create import create_once, lookup_waits
from .._transport._journal import SubmissionJournal
from .._transport._rest import RestClient

JSON = dict[str, Any]
#: Tag prefix that makes a job submission findable after an ambiguous network failure.
SUBMIT_TAG_PREFIX = "qrp-submit-"


def submit_job(rest: RestClient, body: JSON, *, retry: RetryPolicy,
               journal: SubmissionJournal | None, url: str, instance: str | None) -> JSON:
    """POST a job exactly once, even if the answer to the POST is lost; the create response."""
    tags = list(body.get("tags", []))
    tag = SUBMIT_TAG_PREFIX + uuid.uuid4().hex
    if journal is not None:
        journal.intent(tag=tag, url=url, instance=instance, backend=body.get("backend"),
                       session_id=body.get("session_id"), program_id=body.get("program_id"))
    if len(tags) >= MAX_JOB_TAGS:
        # No room for the submission tag: posted once, as is (journaled by id only).
        created = rest.create_job(dumps_body(body))
    else:
        data = dumps_body({**body, "tags": [*tags, tag]})
        created = create_once(lambda: rest.create_job(data),
                              lambda window: find_submitted(rest, tag, window),
                              policy=retry, kind="job", tag=tag)
    if journal is not None:
        journal.created(tag=tag, job_id=str(created["id"]), session_id=created.get("session_id"))
    return created


def find_submitted(rest: RestClient, tag: str, window: float) -> JSON | None:
    """The create response of the job carrying ``tag``, looked for within ``window`` s."""
    query: list[tuple[str, Any]] = [("tags", tag), ("limit", 1), ("exclude_params", "true")]
    for pause in lookup_waits(window):
        time.sleep(pause)
        jobs = rest.list_jobs(query).get("jobs") or []
        if jobs:
            document = jobs[0]
            found: JSON = {"id": document["id"], "backend": document.get("backend")}
            if document.get("session_id"):
                found["session_id"] = document["session_id"]
            return found
    return None


def journaled_job_ids(journal: SubmissionJournal, rest: RestClient, *, url: str,
                      instance: str | None) -> Iterator[str]:
    """Ids of the jobs the journal recorded for ``url`` and ``instance``, newest first.

    A submission whose answer was never recorded is found by its tag; one the service never
    created is left out. Lazy: each record is looked at only when the next id is asked for.
    """
    for entry in reversed(journal.entries()):
        if entry.url != url or entry.instance != instance:
            continue
        job_id = entry.job_id
        if job_id is None:
            found = find_submitted(rest, entry.tag, 0.0)
            job_id = None if found is None else str(found["id"])
        if job_id is not None:
            yield job_id
