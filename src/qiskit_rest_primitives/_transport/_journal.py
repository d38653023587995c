"""The crash-safe submission journal: one JSON line per submission event, fsynced, 0600.

Opt-in (``RuntimeService(journal=True)`` or a path). Before ``POST /jobs`` the client appends
an ``intent`` line (submission tag, backend, session, program); once the service answered, a
``created`` line with the job id. Each line is flushed to disk before the call goes on, so a
process killed at any point leaves a record from which ``service.jobs(journal=True)`` finds
every job this machine submitted. No token or key is ever written.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

APP_DIR = "qiskit-rest-primitives"
FILE_NAME = "submissions.jsonl"
#: Environment variable that overrides the journal's default path.
ENV_JOURNAL = "QISKIT_REST_PRIMITIVES_JOURNAL"


def cache_dir() -> Path:
    """The user's cache directory for this package, as each platform names it."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / APP_DIR / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP_DIR
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / APP_DIR


def default_path() -> Path:
    """``$QISKIT_REST_PRIMITIVES_JOURNAL``, else ``submissions.jsonl`` in :func:`cache_dir`."""
    override = os.environ.get(ENV_JOURNAL)
    return Path(override) if override else cache_dir() / FILE_NAME


@dataclass(frozen=True)
class JournalEntry:
    """One submission as the journal knows it; ``job_id`` is None if no answer was recorded."""

    tag: str
    url: str
    instance: str | None
    backend: str | None
    session_id: str | None
    program_id: str | None
    submitted_at: str
    job_id: str | None = None


class SubmissionJournal:
    """Appends submission events to a private file and reads them back.

    Args:
        path: the journal file (default: :func:`default_path`). Its directory is created
            0700 and the file 0600.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SubmissionJournal({str(self.path)!r})"

    def intent(self, *, tag: str, url: str, instance: str | None, backend: str | None,
               session_id: str | None, program_id: str | None) -> None:
        """Record, before posting, that a job with ``tag`` is about to be submitted."""
        self._append({"event": "intent", "tag": tag, "url": url, "instance": instance,
                      "backend": backend, "session_id": session_id, "program_id": program_id,
                      "time": datetime.now(timezone.utc).isoformat()})

    def created(self, *, tag: str, job_id: str, session_id: str | None) -> None:
        """Record the id the service gave the job with ``tag``."""
        self._append({"event": "created", "tag": tag, "job_id": job_id,
                      "session_id": session_id})

    def entries(self) -> list[JournalEntry]:
        """Every recorded submission, oldest first (a torn last line is skipped)."""
        merged: dict[str, dict[str, Any]] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash
            if not isinstance(event, dict) or not isinstance(event.get("tag"), str):
                continue
            if event.get("event") == "intent":
                merged.setdefault(event["tag"], event)
            elif event.get("event") == "created" and event["tag"] in merged:
                merged[event["tag"]]["job_id"] = event.get("job_id")
                merged[event["tag"]]["session_id"] = (event.get("session_id")
                                                      or merged[event["tag"]].get("session_id"))
        return [JournalEntry(tag=e["tag"], url=str(e.get("url", "")), instance=e.get("instance"),
                             backend=e.get("backend"), session_id=e.get("session_id"),
                             program_id=e.get("program_id"), submitted_at=str(e.get("time", "")),
                             job_id=e.get("job_id"))
                for e in merged.values()]

    def _append(self, event: dict[str, Any]) -> None:
        line = (json.dumps(event, separators=(",", ":")) + "\n").encode()
        with self._lock:
            fresh = not self.path.exists()
            if fresh:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if fresh:
                os.chmod(self.path, 0o600)
                _fsync_dir(self.path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a new file's directory entry durable too (not possible on Windows)."""
    if sys.platform == "win32":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
